"""Reads of ventures and territorial needs, scoped through participant_queryset.

A venture names its founders, so a venture is visible only to a user who
sees at least one of them, and only those founders are shown.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry
from openmil.core.roles import Perm
from openmil.participants.models import Consent, Participant
from openmil.participants.selectors import participant_queryset
from openmil.ventures.models import (
    JobsRecord,
    Stage,
    StageChange,
    TerritorialNeed,
    Venture,
)


def _founders_prefetch(user: Any) -> Prefetch:
    return Prefetch(
        "founders",
        queryset=participant_queryset(user=user).order_by("family_name", "given_name"),
        to_attr="visible_founders",
    )


def venture_queryset(*, user: Any) -> QuerySet[Venture]:
    """Every venture with at least one founder the user may see."""
    founder_links = Venture.founders.through.objects.filter(
        venture_id=OuterRef("pk"),
        participant__in=participant_queryset(user=user),
    )
    return Venture.objects.filter(Exists(founder_links))


def venture_list(
    *,
    user: Any,
    lab_id: int | None = None,
    stage: str = "",
    sector: str = "",
    query: str = "",
) -> QuerySet[Venture]:
    qs = (
        venture_queryset(user=user)
        .select_related("lab", "territorial_need")
        .prefetch_related(_founders_prefetch(user))
    )
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if stage:
        qs = qs.filter(stage=stage)
    if sector:
        qs = qs.filter(sector=sector)
    if query:
        qs = qs.filter(name__icontains=query.replace("\x00", ""))
    return qs.order_by("name", "id")


def venture_list_audit(*, user: Any, ventures: list[Venture]) -> None:
    """Log that the user saw these ventures' founders in a list."""
    by_lab: dict[int, set[int]] = {}
    for v in ventures:
        for p in getattr(v, "visible_founders", []):
            by_lab.setdefault(p.lab_id, set()).add(p.pk)
    for lab_id, ids in by_lab.items():
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="venture_list",
            lab_id=lab_id,
            detail=f"{len(ids)} founders in a list",
            changes={"participants": sorted(ids)},
        )


def venture_get(*, user: Any, venture_id: int, audit: bool = True) -> Venture:
    """One venture the user may see, or Http404; logs a view of each founder."""
    try:
        venture = (
            venture_queryset(user=user)
            .select_related("lab", "territorial_need", "created_by")
            .prefetch_related(_founders_prefetch(user))
            .get(pk=venture_id)
        )
    except (Venture.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if audit:
        for person in venture.visible_founders:  # type: ignore[attr-defined]
            audit_record(
                actor=user,
                action=AuditEntry.Action.VIEW,
                object_type="venture",
                object_id=venture.pk,
                participant=person,
            )
    return venture


def venture_get_for_edit(*, user: Any, venture_id: int, audit: bool = False) -> Venture:
    venture = venture_get(user=user, venture_id=venture_id, audit=audit)
    if not access.can(user, Perm.EDIT_PERSONAL, venture.lab_id):
        raise Http404
    return venture


def hidden_founders(*, user: Any, venture: Venture) -> list[Participant]:
    """Founders the user may not see: an edit by this user keeps them."""
    return list(
        venture.founders.exclude(pk__in=participant_queryset(user=user).values("pk"))
    )


def venture_timeline(*, venture: Venture) -> QuerySet[StageChange]:
    return venture.stage_changes.select_related("recorded_by").order_by("on", "id")


def venture_jobs_history(*, venture: Venture) -> QuerySet[JobsRecord]:
    return venture.jobs_records.select_related("recorded_by").order_by("on", "id")


def ventures_for_participant(*, user: Any, participant: Participant) -> list[Venture]:
    """The participant's ventures (the participant is already in scope)."""
    return list(
        venture_queryset(user=user).filter(founders=participant).order_by("name", "id")
    )


def founders_choice(*, user: Any, lab_id: int) -> QuerySet[Participant]:
    """Participants who may be named founders by this user in this lab."""
    return participant_queryset(user=user).filter(lab_id=lab_id)


# ---------------------------------------------------------------------------
# Territorial needs: lab data, for the staff of the lab.


def territorial_need_queryset(*, user: Any) -> QuerySet[TerritorialNeed]:
    return TerritorialNeed.objects.filter(
        lab_id__in=access.lab_ids_with(user, Perm.VIEW_PERSONAL)
    )


def territorial_need_list(
    *, user: Any, lab_id: int | None = None, status: str = ""
) -> QuerySet[TerritorialNeed]:
    """The lab's needs, each with the ventures (visible to the user) answering it."""
    qs = territorial_need_queryset(user=user).select_related("occupation", "lab")
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(
        Prefetch(
            "ventures",
            queryset=venture_queryset(user=user).order_by("name"),
            to_attr="answering",
        )
    ).order_by("status", "title", "id")


def territorial_need_get(*, user: Any, need_id: int) -> TerritorialNeed:
    try:
        return (
            territorial_need_queryset(user=user)
            .select_related("occupation", "lab")
            .get(pk=need_id)
        )
    except (TerritorialNeed.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def territorial_needs_for_lab(*, lab_id: int) -> QuerySet[TerritorialNeed]:
    return TerritorialNeed.objects.filter(lab_id=lab_id).order_by("title")


# ---------------------------------------------------------------------------
# Indicators: counts for a lab, never names. The caller applies disclosure
# control (core.disclosure) before publishing them.


def counted_ventures(*, user: Any, lab_id: int) -> QuerySet[Venture]:
    """The lab's ventures that count in statistics.

    A venture leaves the counts when every one of its founders has withdrawn
    consent to anonymised statistics (and not given it again).
    """
    access.require(user, Perm.VIEW_AGGREGATES, lab_id)
    objected = Consent.objects.filter(
        participant=OuterRef("participant_id"),
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at__isnull=False,
    )
    still_given = Consent.objects.filter(
        participant=OuterRef("participant_id"),
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at__isnull=True,
    )
    counted_founder = Venture.founders.through.objects.filter(
        venture_id=OuterRef("pk")
    ).exclude(Exists(objected) & ~Exists(still_given))
    return Venture.objects.filter(lab_id=lab_id).filter(Exists(counted_founder))


def ventures_created(
    *, user: Any, lab_id: int, start: dt.date, end: dt.date
) -> QuerySet[Venture]:
    """Ventures started between `start` and `end`, both included."""
    return counted_ventures(user=user, lab_id=lab_id).filter(
        started_on__gte=start, started_on__lte=end
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Survival:
    """Ventures registered long enough ago, and how many were still running."""

    months: int
    registered: int
    surviving: int

    @property
    def rate(self) -> float | None:
        return self.surviving / self.registered if self.registered else None


def ventures_surviving(
    *,
    user: Any,
    lab_id: int,
    months: int = 12,
    as_of: dt.date,
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
) -> Survival:
    """Ventures still operating `months` after registration.

    The cohort is the lab's ventures registered at least `months` before
    `as_of` (optionally only those registered in a period). A venture
    survives when no stage change closed it on or before registration date +
    `months`, whatever its stage then (registered, operating or growing).
    """
    qs = counted_ventures(user=user, lab_id=lab_id).filter(
        registration_date__isnull=False
    )
    if registered_from is not None:
        qs = qs.filter(registration_date__gte=registered_from)
    if registered_to is not None:
        qs = qs.filter(registration_date__lte=registered_to)
    rows = list(qs.values_list("pk", "registration_date"))
    cohort = {pk: add_months(day, months) for pk, day in rows if day is not None}
    cohort = {pk: end for pk, end in cohort.items() if end <= as_of}
    closed_on = dict(
        StageChange.objects.filter(venture_id__in=cohort, to_stage=Stage.CLOSED)
        .order_by("on")
        .values_list("venture_id", "on")
    )
    surviving = sum(
        1 for pk, end in cohort.items() if pk not in closed_on or closed_on[pk] > end
    )
    return Survival(months=months, registered=len(cohort), surviving=surviving)


def jobs_at(records: list[tuple[dt.date, int]], day: dt.date) -> int:
    """The last count on or before `day` (records sorted by date), else 0."""
    jobs = 0
    for on, count in records:
        if on > day:
            break
        jobs = count
    return jobs


def jobs_created(*, user: Any, lab_id: int, start: dt.date, end: dt.date) -> int:
    """Net jobs created by the lab's ventures between `start` and `end`.

    For each venture: its count at the end of the period minus its count the
    day before the period began (no record yet counts as 0).
    """
    ventures = counted_ventures(user=user, lab_id=lab_id)
    records: dict[int, list[tuple[dt.date, int]]] = {}
    for venture_id, on, jobs in (
        JobsRecord.objects.filter(venture__in=ventures, on__lte=end)
        .order_by("venture_id", "on", "id")
        .values_list("venture_id", "on", "jobs")
    ):
        records.setdefault(venture_id, []).append((on, jobs))
    before = start - dt.timedelta(days=1)
    return sum(jobs_at(rows, end) - jobs_at(rows, before) for rows in records.values())


def venture_stage_counts(*, user: Any, lab_id: int) -> dict[str, int]:
    """How many of the lab's counted ventures are at each stage."""
    counts = dict.fromkeys(Stage.values, 0)
    for stage in counted_ventures(user=user, lab_id=lab_id).values_list(
        "stage", flat=True
    ):
        counts[stage] += 1
    return counts
