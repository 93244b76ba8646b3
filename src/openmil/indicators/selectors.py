"""Indicator values: population, breakdowns, intervals, disclosure control.

`indicator_compute` gives exact figures (numerators, denominators,
intervals) and is the only place indicators are computed; everything shown
goes through `indicator_publish`, which hands exact figures to the staff of
the lab and disclosure-controlled ones to everybody else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openmil.core import access
from openmil.core.disclosure import (
    DisclosurePolicy,
    SafeCount,
    rate_protect,
    table_protect,
)
from openmil.core.models import Lab
from openmil.core.roles import Perm
from openmil.indicators.models import IndicatorSnapshot
from openmil.indicators.registry import REGISTRY, Indicator, Period
from openmil.indicators.stats import median, median_interval, wilson_interval
from openmil.participants.models import Participant
from openmil.participants.selectors import participants_counted

ALL = "all"

# EU member states (ISO 3166-1 alpha-2), for the Zaragoza split of origin
# into nationals of the host country, EU citizens and non-EU citizens.
EU27 = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
AGE_BANDS = ((0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 200))


def age_band(birth_date: dt.date | None, on: dt.date) -> str:
    if birth_date is None:
        return "unknown"
    age = (
        on.year
        - birth_date.year
        - ((on.month, on.day) < (birth_date.month, birth_date.day))
    )
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return "unknown"


def origin_group(country: str, host: str) -> str:
    if not country:
        return "unknown"
    if country == host:
        return "host_country"
    return "eu" if country in EU27 else "non_eu"


def _attributes(ids: list[int], period: Period) -> dict[int, dict[str, str]]:
    rows = Participant.objects.filter(pk__in=ids).values_list(
        "pk",
        "profile",
        "sex",
        "birth_date",
        "country_of_origin",
        "lab__slug",
        "lab__country",
        "intake_date",
    )
    return {
        pk: {
            "profile": profile or "unknown",
            "sex": sex or "unknown",
            "age_band": age_band(birth, period.end),
            "origin_group": origin_group(origin, host),
            "lab": lab,
            "cohort": str(intake.year),
        }
        for pk, profile, sex, birth, origin, lab, host, intake in rows
    }


@dataclass(frozen=True)
class Cell:
    """One exact figure: the whole population or one breakdown group."""

    group: str
    n: int  # people observed (the denominator)
    k: int | None  # people in the numerator (proportions)
    value: float | None
    low: float | None
    high: float | None


def _cell(indicator: Indicator, group: str, values: list[float]) -> Cell:
    n = len(values)
    if indicator.kind == "proportion":
        k = int(sum(values))
        interval = wilson_interval(k, n)
        return Cell(
            group,
            n,
            k,
            k / n if n else None,
            interval[0] if interval else None,
            interval[1] if interval else None,
        )
    interval = median_interval(values)
    return Cell(
        group,
        n,
        None,
        median(values),
        interval[0] if interval else None,
        interval[1] if interval else None,
    )


def indicator_compute(
    *,
    indicator: Indicator,
    lab_ids: Iterable[int],
    period: Period,
    breakdown: str | None = None,
) -> list[Cell]:
    """Exact figures, the whole first, then one cell per breakdown group
    (sorted). No permission check: callers go through `indicator_values`."""
    population = participants_counted(lab_ids=lab_ids)
    observed = dict(indicator.observe(participants=population, period=period))
    cells = [_cell(indicator, ALL, list(observed.values()))]
    if breakdown:
        attributes = _attributes(list(observed), period)
        groups: dict[str, list[float]] = defaultdict(list)
        for pk, value in observed.items():
            groups[attributes[pk][breakdown]].append(value)
        cells += [_cell(indicator, g, groups[g]) for g in sorted(groups)]
    return cells


@dataclass(frozen=True)
class Published:
    """A figure as shown: exact for the lab's own staff, else protected."""

    group: str
    n: SafeCount | int
    value: float | None
    low: float | None
    high: float | None
    hidden: bool
    exact: bool


def indicator_publish(
    *,
    indicator: Indicator,
    cells: list[Cell],
    exact: bool,
    policy: DisclosurePolicy | None = None,
) -> list[Published]:
    """Apply disclosure control (unless `exact`) to computed cells.

    Denominators of the groups and their total form one table, so secondary
    suppression keeps a hidden group from being recovered from the total.
    """
    if exact:
        return [
            Published(c.group, c.n, c.value, c.low, c.high, False, True) for c in cells
        ]
    policy = policy or DisclosurePolicy.for_country()
    counts = {c.group: c.n for c in cells}
    groups = [[g for g in counts if g != ALL]] if len(cells) > 1 else []
    table = table_protect(counts, groups=groups, policy=policy)
    if groups and table.totals[0].hidden:
        table.cells[ALL] = table.totals[0]
    published = []
    for c in cells:
        safe_n = table[c.group]
        if indicator.kind == "proportion":
            rate = rate_protect(c.k or 0, c.n, policy=policy, base_hidden=safe_n.hidden)
            hidden = rate.hidden
        else:
            hidden = safe_n.hidden or c.n == 0
        published.append(
            Published(
                c.group,
                safe_n,
                None if hidden else c.value,
                None if hidden else c.low,
                None if hidden else c.high,
                hidden,
                False,
            )
        )
    return published


def indicator_values(
    *,
    user: Any,
    indicator: Indicator,
    lab_ids: Iterable[int],
    period: Period,
    breakdown: str | None = None,
) -> list[Published]:
    """What a user may see of an indicator for some labs."""
    lab_ids = sorted(set(lab_ids))
    for lab_id in lab_ids:
        access.require(user, Perm.VIEW_AGGREGATES, lab_id)
    exact = bool(lab_ids) and all(
        access.can(user, Perm.VIEW_PERSONAL, lab_id) for lab_id in lab_ids
    )
    countries = Lab.objects.filter(pk__in=lab_ids).values_list("country", flat=True)
    cells = indicator_compute(
        indicator=indicator, lab_ids=lab_ids, period=period, breakdown=breakdown
    )
    return indicator_publish(
        indicator=indicator,
        cells=cells,
        exact=exact,
        policy=DisclosurePolicy.strictest(countries),
    )


def snapshot_latest(*, lab_id: int, period: str) -> IndicatorSnapshot | None:
    return (
        IndicatorSnapshot.objects.filter(lab_id=lab_id, period=period)
        .order_by("-computed_at")
        .first()
    )


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    cells: list[Published]


def snapshot_figures(
    *, user: Any, snapshot: IndicatorSnapshot, breakdown: str = ""
) -> list[Figure]:
    """A snapshot as a user may see it: exact for the lab's own staff,
    disclosure-controlled for everybody else."""
    access.require(user, Perm.VIEW_AGGREGATES, snapshot.lab_id)
    exact = access.can(user, Perm.VIEW_PERSONAL, snapshot.lab_id)
    return snapshot_figures_published(
        snapshot=snapshot, breakdown=breakdown, exact=exact
    )


def snapshot_figures_published(
    *, snapshot: IndicatorSnapshot, breakdown: str = "", exact: bool = False
) -> list[Figure]:
    """Every registered indicator of a snapshot (exports use exact=False)."""
    policy = DisclosurePolicy.for_country(snapshot.lab.country)
    figures = []
    for indicator_id, indicator in REGISTRY.items():
        stored = snapshot.cells.get(indicator_id, {})
        whole = [Cell(**c) for c in stored.get("", [])]
        groups = [Cell(**c) for c in stored.get(breakdown, [])] if breakdown else []
        if not whole:
            continue
        cells = indicator_publish(
            indicator=indicator, cells=whole + groups, exact=exact, policy=policy
        )
        figures.append(Figure(indicator, cells))
    return figures
