"""The indicator registry: one documented definition per indicator.

An indicator observes rows of the database: its `observe` function receives
the statistical population (people who did not object to statistics, in the
labs asked for) and the period, and returns a queryset with one row per
observation, annotated with `value` (1 or 0 for a proportion, a number or a
duration for a median, the amount for a sum) and, when one row stands for
several units (sessions of an enrolment, referrals of a person), `weight`.
`person` is the path from a row to its participant ("" when the rows are
participants), for the breakdowns. Nothing is computed row by row in
Python: `selectors.py` groups and aggregates in the database, and applies
the same breakdowns, confidence intervals and disclosure control to every
indicator. `docs/indicators.md` is generated
from this registry (`openmil indicators docs`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Kind = Literal["proportion", "median", "count", "sum"]

BREAKDOWNS: dict[str, Promise] = {
    "profile": _("Profile"),
    "sex": _("Sex"),
    "age_band": _("Age band"),
    "origin_group": _("Origin"),
    "lab": _("Lab"),
    "cohort": _("Intake cohort"),
}

AREAS: dict[str, Promise] = {
    "basic_needs": _("Basic needs"),
    "language": _("Language"),
    "economic": _("Economic"),
    "civic": _("Civic"),
    "intercultural": _("Intercultural and social"),
    "process": _("Process"),
}


ORIGIN_GROUPS: dict[str, Promise] = {
    "host_country": _("Citizens of the lab's country"),
    "eu": _("Other EU citizens"),
    "non_eu": _("Non-EU citizens"),
}


def group_label_text(breakdown: str, group: str) -> str:
    """A breakdown group as people read it (profile and sex labels, origin
    groups); age bands, lab slugs and years show as they are."""
    from openmil.participants.models import Participant

    labels: dict[str, dict[str, object]] = {
        "profile": dict(Participant.Profile.choices),
        "sex": dict(Participant.Sex.choices),
        "origin_group": dict(ORIGIN_GROUPS),
    }
    if group == "unknown":
        return str(_("Not recorded"))
    return str(labels.get(breakdown, {}).get(group, group))


@dataclass(frozen=True)
class Period:
    """A closed range of dates an indicator is computed for."""

    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026', '2026-Q2', '2026-05' or '2025-07-01..2026-06-30'."""
        text = text.strip()
        try:
            start, end = _period_bounds(text)
        except ValueError as exc:
            raise ValueError(
                _(
                    "A period is a year (2026), a quarter (2026-Q2), a month "
                    "(2026-05) or two dates (2025-07-01..2026-06-30)."
                )
            ) from exc
        if end < start:
            raise ValueError(_("The period ends before it starts."))
        return cls(start, end, text)


def _period_bounds(text: str) -> tuple[dt.date, dt.date]:
    if ".." in text:
        first, last = text.split("..", 1)
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    if "-Q" in text.upper():
        year_text, quarter_text = text.upper().split("-Q", 1)
        year, quarter = int(year_text), int(quarter_text)
        if not 1 <= quarter <= 4:
            raise ValueError(text)
        return dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if len(text) == 7:
        year, month = (int(x) for x in text.split("-"))
        return dt.date(year, month, 1), _month_end(year, month)
    year = int(text)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


Observe = Callable[..., "QuerySet[Any]"]


@dataclass(frozen=True)
class Indicator:
    id: str
    name: Promise
    area: str
    kind: Kind
    numerator: Promise
    denominator: Promise
    population: Promise
    period: Promise
    reads: tuple[str, ...]
    standard: str
    observe: Observe
    unit: Promise = field(default=_("share"))
    notes: Promise | str = ""
    #: Path from an observed row to its participant, "" for participants.
    person: str = ""
    #: What the 95 % interval is, in words (docs and exports).
    interval: Promise | str = ""
    #: Seconds of database time per million participants, about
    #: (bench/indicators): a recompute starts the costliest first.
    cost: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": str(self.name),
            "area": self.area,
            "kind": self.kind,
            "numerator": str(self.numerator),
            "denominator": str(self.denominator),
            "population": str(self.population),
            "period": str(self.period),
            "breakdowns": list(BREAKDOWNS),
            "reads": list(self.reads),
            "standard": self.standard,
            "unit": str(self.unit),
            "interval": str(self.interval_text),
        }

    @property
    def interval_text(self) -> Promise | str:
        if self.interval:
            return self.interval
        return INTERVALS[self.kind]


INTERVALS: dict[str, Promise] = {
    "proportion": _("95 % Wilson score interval"),
    "median": _("order-statistic interval (95 %), distribution-free"),
    "count": _("none: a count of every record of the lab (a census, not a sample)"),
    "sum": _("none: a sum over every record of the lab (a census, not a sample)"),
}

REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.id in REGISTRY:
        raise ValueError(f"indicator {indicator.id!r} is registered twice")
    if indicator.area not in AREAS:
        raise ValueError(f"indicator {indicator.id!r}: unknown area")
    REGISTRY[indicator.id] = indicator
    return indicator


def indicator_get(indicator_id: str) -> Indicator:
    try:
        return REGISTRY[indicator_id]
    except KeyError:
        raise LookupError(
            _("Unknown indicator: %(id)s") % {"id": indicator_id}
        ) from None
