"""Retention rules: when a person's data has been kept long enough.

A person is due for anonymisation when
- their pathway ended (an *exit date*) more than the lab's
  `months_after_exit` ago, or
- with no exit date, their *last activity* is more than the lab's
  `months_after_last_activity` ago,
unless they consented to follow-up contact (an active `follow_up` consent).

Other apps contribute dates without an edit here, typically from their
`AppConfig.ready()`:

    from openmil.privacy.retention import register_exit_date
    register_exit_date("pathways", lambda people: {pid: date, ...})

A provider takes a queryset of participants (of one lab) and returns
{participant id: date} for the people it knows a date for. The latest
date of all providers wins.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateField, DateTimeField, Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from openmil.core.models import Lab
from openmil.participants.models import Consent, Participant
from openmil.privacy.anonymise import person_links

DateProvider = Callable[[QuerySet[Participant]], Mapping[int, dt.date]]

_EXIT_PROVIDERS: dict[str, DateProvider] = {}
_ACTIVITY_PROVIDERS: dict[str, DateProvider] = {}


def register_exit_date(name: str, provider: DateProvider) -> None:
    """Contribute the date a person's pathway ended (their exit)."""
    _EXIT_PROVIDERS[name] = provider


def register_activity_date(name: str, provider: DateProvider) -> None:
    """Contribute the date of a person's latest activity."""
    _ACTIVITY_PROVIDERS[name] = provider


def unregister(name: str) -> None:
    _EXIT_PROVIDERS.pop(name, None)
    _ACTIVITY_PROVIDERS.pop(name, None)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).date()
            if timezone.is_aware(value)
            else value.date()
        )
    return value


def _latest(into: dict[int, dt.date], found: Mapping[int, Any]) -> None:
    for pid, value in found.items():
        day = _as_date(value)
        if day is not None and (pid not in into or day > into[pid]):
            into[pid] = day


def _own_dates(people: QuerySet[Participant]) -> dict[int, dt.date]:
    found: dict[int, dt.date] = {}
    for name in ("intake_date", "pathway_started_on", "updated_at"):
        _latest(found, dict(people.exclude(**{name: None}).values_list("pk", name)))
    return found


def _related_dates(people: QuerySet[Participant]) -> dict[int, dt.date]:
    """The latest creation or change of any row that belongs to the person.

    Every model the walk finds counts (needs, consents, follow-ups and the
    rows of apps added later), through its auto_now / auto_now_add fields.
    """
    found: dict[int, dt.date] = {}
    for link in person_links():
        if link.via_household or link.generic or not link.lookups:
            continue
        stamps = [
            f.name
            for f in link.model._meta.concrete_fields
            if isinstance(f, DateField | DateTimeField)
            and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
        if not stamps:
            continue
        path = link.lookups[0]
        rows = (
            link.model._base_manager.filter(**{f"{path}__in": people})
            .order_by()
            .values(path)
            .annotate(**{f"m_{s}": Max(s) for s in stamps})
        )
        for row in rows:
            pid = row[path]
            _latest(
                found,
                {
                    pid: max(
                        (row[f"m_{s}"] for s in stamps if row[f"m_{s}"]), default=None
                    )
                },
            )
    return found


def exit_dates(people: QuerySet[Participant]) -> dict[int, dt.date]:
    found: dict[int, dt.date] = {}
    for provider in list(_EXIT_PROVIDERS.values()):
        _latest(found, provider(people))
    return found


def last_activity_dates(people: QuerySet[Participant]) -> dict[int, dt.date]:
    found = _own_dates(people)
    _latest(found, _related_dates(people))
    for provider in list(_ACTIVITY_PROVIDERS.values()):
        _latest(found, provider(people))
    return found


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Due:
    """One person the rules would anonymise, and why."""

    participant_id: int
    reference: str
    rule: str  # "exit" or "inactivity"
    since: dt.date
    due_on: dt.date


@dataclass
class RetentionPlan:
    lab: Lab
    today: dt.date
    months_after_exit: int
    months_after_last_activity: int
    considered: int = 0
    kept_for_follow_up: int = 0
    due: list[Due] = field(default_factory=list)

    @property
    def participant_ids(self) -> list[int]:
        return [d.participant_id for d in self.due]


def retention_plan(*, lab: Lab, today: dt.date | None = None) -> RetentionPlan:
    """Who the lab's rules anonymise today. Reads only; the dry run."""
    from openmil.privacy.selectors import privacy_settings_for

    rules = privacy_settings_for(lab=lab)
    today = today or timezone.localdate()
    follow_up = Consent.objects.filter(
        participant=OuterRef("pk"),
        purpose=Consent.Purpose.FOLLOW_UP,
        withdrawn_at__isnull=True,
    )
    people = Participant.objects.filter(lab=lab, anonymised_at__isnull=True)
    plan = RetentionPlan(
        lab=lab,
        today=today,
        months_after_exit=rules.months_after_exit,
        months_after_last_activity=rules.months_after_last_activity,
        considered=people.count(),
    )
    kept = set(people.filter(Exists(follow_up)).values_list("pk", flat=True))
    plan.kept_for_follow_up = len(kept)
    exits = exit_dates(people)
    activity = last_activity_dates(people)
    for pid, reference in people.order_by("pk").values_list("pk", "reference"):
        if pid in kept:
            continue
        if pid in exits:
            rule, since, months = "exit", exits[pid], rules.months_after_exit
        elif pid in activity:
            rule, since = "inactivity", activity[pid]
            months = rules.months_after_last_activity
        else:
            continue
        due_on = add_months(since, months)
        if due_on <= today:
            plan.due.append(Due(pid, reference, rule, since, due_on))
    return plan
