"""Reads of events, registrations, volunteers and mentoring pairs.

Staff reads are scoped to the labs where the user holds the permission; a
record of another lab raises Http404. Registrants and volunteers are people:
listing them is written to the audit log. Participants in mentoring pairs
are read through `participants.selectors.participant_queryset`.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry
from openmil.core.roles import Perm
from openmil.events.models import (
    PAIR_QUIET_WEEKS,
    Event,
    MentoringMeeting,
    MentoringPair,
    Registration,
    Volunteer,
)
from openmil.participants.selectors import visible_q

T = TypeVar("T", Event, Registration, Volunteer, MentoringPair)


def _get(qs: QuerySet[T], pk: Any) -> T:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# ---------------------------------------------------------------------------
# Events (staff)


def event_queryset(*, user: Any) -> QuerySet[Event]:
    return Event.objects.filter(
        lab_id__in=access.lab_ids_with(user, Perm.MANAGE_EVENTS)
    )


def event_list(*, user: Any, lab_id: int | None = None) -> QuerySet[Event]:
    qs = event_queryset(user=user).select_related("lab", "activity", "cohort")
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.annotate(
        confirmed_count=Count(
            "registrations",
            filter=Q(registrations__status=Registration.Status.CONFIRMED),
        ),
        waitlist_count=Count(
            "registrations",
            filter=Q(registrations__status=Registration.Status.WAITLISTED),
        ),
    ).order_by("-starts_at", "id")


def event_get(*, user: Any, event_id: Any) -> Event:
    qs = event_queryset(user=user).select_related("lab", "activity", "cohort")
    return _get(qs, event_id)


@dataclass(frozen=True)
class Seats:
    capacity: int
    confirmed: int
    waitlisted: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.confirmed, 0)


def event_seats(*, event: Event) -> Seats:
    counts = dict(
        Registration.objects.filter(
            event=event, status__in=Registration.ACTIVE_STATUSES
        )
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return Seats(
        capacity=event.capacity,
        confirmed=counts.get(Registration.Status.CONFIRMED, 0),
        waitlisted=counts.get(Registration.Status.WAITLISTED, 0),
    )


def registrations_of(
    *, event: Event, statuses: tuple[str, ...] | None = None
) -> QuerySet[Registration]:
    """The event's registrations, seated first, then the waitlist in order."""
    qs = Registration.objects.filter(event=event)
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    return qs.order_by("status", "confirmed_at", "created_at", "id")


def registration_list_audit(*, user: Any, event: Event, count: int) -> None:
    """Log that the user saw the names on an event's registration list."""
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="registration_list",
        object_id=event.pk,
        lab_id=event.lab_id,
        detail=f"{count} registrations of event {event.pk}",
    )


def registration_get(*, user: Any, registration_id: Any) -> Registration:
    qs = Registration.objects.filter(
        event__lab_id__in=access.lab_ids_with(user, Perm.MANAGE_EVENTS)
    ).select_related("event")
    return _get(qs, registration_id)


# ---------------------------------------------------------------------------
# Events (public site)


def public_event_list(*, lab_slug: str = "") -> QuerySet[Event]:
    """Published events still to come (and cancelled ones, marked so)."""
    qs = Event.objects.filter(
        status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED),
        ends_at__gte=timezone.now(),
    ).select_related("lab")
    if lab_slug:
        qs = qs.filter(lab__slug=lab_slug)
    return qs.order_by("starts_at", "id")


def public_event_get(*, event_id: Any) -> Event:
    qs = Event.objects.filter(
        status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED)
    ).select_related("lab")
    return _get(qs, event_id)


def public_feed_events(*, lab_slug: str) -> QuerySet[Event]:
    """A lab's public events for its calendar feed: the past 90 days on."""
    since = timezone.now() - dt.timedelta(days=90)
    return (
        Event.objects.filter(
            lab__slug=lab_slug,
            status__in=(Event.Status.PUBLISHED, Event.Status.CANCELLED),
            ends_at__gte=since,
        )
        .select_related("lab")
        .order_by("starts_at", "id")
    )


# ---------------------------------------------------------------------------
# Volunteers


def volunteer_queryset(*, user: Any) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(
        lab_id__in=access.lab_ids_with(user, Perm.VET_VOLUNTEERS)
    )


def volunteer_list(
    *, user: Any, lab_id: int | None = None, status: str = ""
) -> QuerySet[Volunteer]:
    qs = volunteer_queryset(user=user).select_related("lab")
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-applied_at", "id")


def volunteer_get(*, user: Any, volunteer_id: Any) -> Volunteer:
    return _get(volunteer_queryset(user=user).select_related("lab"), volunteer_id)


def volunteer_view_audit(*, user: Any, volunteer: Volunteer) -> None:
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="volunteer",
        object_id=volunteer.pk,
        lab_id=volunteer.lab_id,
    )


def volunteer_list_audit(*, user: Any, lab_ids: set[int], ids: list[int]) -> None:
    if not ids:
        return
    for lab_id in sorted(lab_ids):
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="volunteer_list",
            lab_id=lab_id,
            detail=f"{len(ids)} volunteers",
            changes={"volunteers": ids},
        )


def approved_mentors(*, lab_id: int) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(
        lab_id=lab_id,
        status=Volunteer.Status.APPROVED,
        role__in=(Volunteer.Role.MENTOR, Volunteer.Role.BOTH),
    ).order_by("name", "id")


def mentor_candidates(lab: Any) -> list[dict[str, Any]]:
    """Approved mentors of the lab as plain data, for the matching engine.

    No name or contact: the engine needs only what it matches on.
    """
    lab_id = lab if isinstance(lab, int) else lab.pk
    return [
        {
            "id": v.pk,
            "languages": list(v.languages),
            "interests": list(v.interests),
            "skills": list(v.skills),
            "gender": v.gender,
            "gender_preference": v.gender_preference,
            "max_mentees": v.max_mentees,
            "availability": list(v.availability),
            "place": v.place,
            "latitude": float(v.latitude) if v.latitude is not None else None,
            "longitude": float(v.longitude) if v.longitude is not None else None,
            "active_pairs": v.active_pairs,
        }
        for v in approved_mentors(lab_id=lab_id).annotate(
            active_pairs=Count(
                "pairs", filter=Q(pairs__status=MentoringPair.Status.ACTIVE)
            )
        )
    ]


# ---------------------------------------------------------------------------
# Mentoring pairs


def pair_queryset(*, user: Any) -> QuerySet[MentoringPair]:
    """Pairs in the labs where the user runs mentoring, of participants the
    user may see (protected cases stay hidden)."""
    return MentoringPair.objects.filter(
        lab_id__in=access.lab_ids_with(user, Perm.MANAGE_MENTORING)
    ).filter(visible_q(user=user, through="participant__"))


@dataclass(frozen=True)
class PairHealth:
    last_meeting: dt.date | None
    meetings: int
    quiet: bool


def pair_health(
    *, pair: Any, today: dt.date | None = None, weeks: int = PAIR_QUIET_WEEKS
) -> PairHealth:
    """Flag an active pair that has not met for `weeks` (counting from its
    start when it never met). Uses annotations when present."""
    today = today or timezone.localdate()
    last = getattr(pair, "last_meeting", None)
    count = getattr(pair, "meeting_count", None)
    if count is None:
        agg = pair.meetings.aggregate(last=Max("on"), n=Count("id"))
        last, count = agg["last"], agg["n"]
    since = last or pair.started_on
    quiet = pair.status == MentoringPair.Status.ACTIVE and (
        today - since > dt.timedelta(weeks=weeks)
    )
    return PairHealth(last_meeting=last, meetings=count, quiet=quiet)


def pair_list(
    *, user: Any, lab_id: int | None = None, quiet_only: bool = False
) -> list[tuple[MentoringPair, PairHealth]]:
    qs = (
        pair_queryset(user=user)
        .select_related("mentor", "participant", "lab")
        .annotate(last_meeting=Max("meetings__on"), meeting_count=Count("meetings"))
        .order_by("-started_on", "id")
    )
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    rows: list[tuple[MentoringPair, PairHealth]] = [
        (pair, pair_health(pair=pair)) for pair in qs
    ]
    if quiet_only:
        rows = [row for row in rows if row[1].quiet]
    return rows


def pair_list_audit(*, user: Any, pairs: list[MentoringPair]) -> None:
    """Log that the user saw these participants listed in mentoring pairs."""
    by_lab: dict[int, list[int]] = {}
    for pair in pairs:
        by_lab.setdefault(pair.lab_id, []).append(pair.participant_id)
    for lab_id, people in sorted(by_lab.items()):
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="participant_list",
            lab_id=lab_id,
            detail=f"{len(people)} in mentoring pairs",
            changes={"participants": people},
        )


def pair_get(*, user: Any, pair_id: Any, audit: bool = True) -> MentoringPair:
    qs = pair_queryset(user=user).select_related("mentor", "participant", "lab")
    pair = _get(qs, pair_id)
    if audit:
        audit_record(
            actor=user,
            action=AuditEntry.Action.VIEW,
            object_type="mentoring_pair",
            object_id=pair.pk,
            participant=pair.participant,
        )
    return pair


def meetings_of(*, pair: MentoringPair) -> QuerySet[MentoringMeeting]:
    return pair.meetings.order_by("-on", "-id")
