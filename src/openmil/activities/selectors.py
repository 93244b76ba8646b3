"""Reads of activities, cohorts, sessions, enrolments and attendance.

Activities and sessions are the lab's programme, read by the lab's staff.
Everything that names a person (enrolments, attendance) is filtered through
`participants.selectors.participant_queryset`.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openmil.activities.models import (
    DEFAULT_TARGET_NEWCOMER_SHARE,
    MIX_TOLERANCE_POINTS,
    Activity,
    Attendance,
    CalendarFeed,
    Cohort,
    Enrolment,
    LabActivitySettings,
    Session,
)
from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry
from openmil.core.roles import Perm, Role, role_can
from openmil.participants.models import Participant
from openmil.participants.selectors import participant_queryset

T = TypeVar("T", Activity, Cohort, Session, Enrolment)


def _lab_ids(user: Any) -> set[int]:
    """Labs whose programme the user reads: the staff who handle records."""
    return access.lab_ids_with(user, Perm.VIEW_PERSONAL)


def _get(qs: QuerySet[T], pk: Any) -> T:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def activity_queryset(*, user: Any) -> QuerySet[Activity]:
    return Activity.objects.filter(lab_id__in=_lab_ids(user))


def activity_list(
    *, user: Any, lab_id: int | None = None, pillar: str = ""
) -> QuerySet[Activity]:
    qs = activity_queryset(user=user).select_related("lab", "organisation")
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    if pillar:
        qs = qs.filter(pillar=pillar)
    return qs.annotate(cohort_count=Count("cohorts")).order_by("title", "id")


def activity_get(*, user: Any, activity_id: Any) -> Activity:
    qs = activity_queryset(user=user).select_related("lab", "organisation")
    return _get(qs, activity_id)


def cohort_queryset(*, user: Any) -> QuerySet[Cohort]:
    return Cohort.objects.filter(activity__lab_id__in=_lab_ids(user))


def cohorts_of(*, activity: Activity) -> QuerySet[Cohort]:
    """The activity's cohorts with their enrolled and waitlisted counts."""
    return activity.cohorts.annotate(
        enrolled_count=Count(
            "enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)
        ),
        waitlist_count=Count(
            "enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)
        ),
        session_count=Count("sessions", distinct=True),
    ).order_by("starts_on", "name", "id")


def cohort_get(*, user: Any, cohort_id: Any) -> Cohort:
    qs = cohort_queryset(user=user).select_related(
        "activity__lab", "activity__organisation"
    )
    return _get(qs, cohort_id)


def session_get(*, user: Any, session_id: Any) -> Session:
    qs = Session.objects.filter(cohort__activity__lab_id__in=_lab_ids(user))
    return _get(qs.select_related("cohort__activity__lab", "facilitator"), session_id)


def enrolment_get(*, user: Any, enrolment_id: Any) -> Enrolment:
    qs = Enrolment.objects.filter(
        participant__in=participant_queryset(user=user)
    ).select_related("cohort__activity__lab", "participant")
    return _get(qs, enrolment_id)


def sessions_of(*, cohort: Cohort) -> QuerySet[Session]:
    return cohort.sessions.select_related("facilitator").order_by("starts_at", "id")


def enrolments_of(
    *, user: Any, cohort: Cohort, statuses: tuple[str, ...] = Enrolment.ACTIVE_STATUSES
) -> QuerySet[Enrolment]:
    """The cohort's enrolments of people the user may see: enrolled people by
    name, the waitlist in its order."""
    return (
        Enrolment.objects.filter(
            cohort=cohort,
            status__in=statuses,
            participant__in=participant_queryset(user=user),
        )
        .select_related("participant")
        .order_by("requested_at", "id")
    )


def enrolment_list_audit(*, user: Any, cohort: Cohort, people: list[Any]) -> None:
    """Log that the user saw these people listed in a cohort."""
    if not people:
        return
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="participant_list",
        lab_id=cohort.activity.lab_id,
        detail=f"{len(people)} in cohort {cohort.pk}",
        changes={"participants": [p.pk for p in people]},
    )


def staff_of_lab(*, lab_id: int) -> QuerySet[Any]:
    """Users who may facilitate the lab's sessions: staff who handle records."""
    roles = [role for role in Role.values if role_can(role, Perm.VIEW_PERSONAL)]
    return (
        get_user_model()
        .objects.filter(
            memberships__lab_id=lab_id, memberships__role__in=roles, is_active=True
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# ---------------------------------------------------------------------------
# Cohort mix


def lab_target_newcomer_share(*, lab_id: int) -> int:
    value = (
        LabActivitySettings.objects.filter(lab_id=lab_id)
        .values_list("target_newcomer_share", flat=True)
        .first()
    )
    return DEFAULT_TARGET_NEWCOMER_SHARE if value is None else value


@dataclass(frozen=True)
class CohortMix:
    newcomers: int
    nationals: int
    target: int
    target_is_lab_default: bool

    @property
    def total(self) -> int:
        return self.newcomers + self.nationals

    @property
    def newcomer_share(self) -> int | None:
        """Newcomers as a whole percentage of the enrolled, None when empty."""
        if not self.total:
            return None
        return round(100 * self.newcomers / self.total)

    @property
    def gap(self) -> int | None:
        """Points above (positive) or below the target share of newcomers."""
        share = self.newcomer_share
        return None if share is None else share - self.target

    @property
    def gap_points(self) -> int | None:
        """The distance to the target, in points, either way."""
        gap = self.gap
        return None if gap is None else abs(gap)

    @property
    def off_target(self) -> bool:
        gap = self.gap
        return gap is not None and abs(gap) > MIX_TOLERANCE_POINTS


def cohort_mix(*, cohort: Cohort) -> CohortMix:
    """The newcomer/national mix of the people enrolled, against the target.

    Counts every enrolled person of the cohort (a count, not a list of
    names), whatever the viewer may see of each record.
    """
    counts = dict(
        Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED)
        .values_list("participant__profile")
        .annotate(n=Count("id"))
        .values_list("participant__profile", "n")
    )
    own = cohort.target_newcomer_share
    target = (
        own
        if own is not None
        else lab_target_newcomer_share(lab_id=cohort.activity.lab_id)
    )
    return CohortMix(
        newcomers=counts.get(Participant.Profile.NEWCOMER, 0),
        nationals=counts.get(Participant.Profile.NATIONAL, 0),
        target=target,
        target_is_lab_default=own is None,
    )


# ---------------------------------------------------------------------------
# Attendance


@dataclass(frozen=True)
class Rate:
    present: int
    held: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.present / self.held) if self.held else None


@dataclass
class AttendanceRow:
    participant: Participant
    enrolment: Enrolment
    marks: list[tuple[Session, str]]
    rate: Rate


@dataclass
class AttendanceGrid:
    """The people × sessions grid; `sessions` is the window shown, which
    starts at position `start` among the cohort's `total` sessions."""

    cohort: Cohort
    sessions: list[Session]
    rows: list[AttendanceRow]
    held: int
    rate: Rate
    start: int = 0
    total: int = 0
    size: int | None = None

    @property
    def people(self) -> list[Participant]:
        return [row.participant for row in self.rows]

    @property
    def earlier_start(self) -> int | None:
        """Where the previous window starts, if sessions come before this one."""
        if self.size is None or self.start == 0:
            return None
        return max(0, self.start - self.size)

    @property
    def later_start(self) -> int | None:
        if self.size is None or self.start + len(self.sessions) >= self.total:
            return None
        return min(self.start + self.size, max(0, self.total - self.size))

    @property
    def first_position(self) -> int:
        return self.start + 1 if self.sessions else 0

    @property
    def last_position(self) -> int:
        return self.start + len(self.sessions)


#: Sessions the attendance page shows at once: 60 people × 8 sessions is
#: 480 cells, where a whole 40-session course would be 2,400.
GRID_WINDOW = 8


def attendance_grid(
    *,
    user: Any,
    cohort: Cohort,
    now: dt.datetime | None = None,
    size: int | None = None,
    start: int | None = None,
) -> AttendanceGrid:
    """Enrolled people the user may see × a window of sessions, with the
    marks in the window and each person's rate over every held session.

    `size` sessions from position `start` (0 is the first session); without
    `start`, the window ends with the next session to come, so the latest
    sessions held are in view. Without `size`, every session. Four queries
    whatever the size of the cohort: sessions, enrolments with their people,
    the window's marks, and the present marks counted per person.
    """
    moment = now or timezone.now()
    every = list(sessions_of(cohort=cohort))
    # Sessions come in time order, so the held ones come first.
    held = [s for s in every if s.starts_at <= moment]
    if size is None:
        first, sessions = 0, every
    else:
        size = max(1, size)
        if start is None:
            end = min(len(every), len(held) + 1)
            start = end - size
        first = min(max(0, start), max(0, len(every) - 1))
        sessions = every[first : first + size]
    enrolments = list(
        enrolments_of(user=user, cohort=cohort, statuses=(Enrolment.Status.ENROLLED,))
    )
    people = [e.participant_id for e in enrolments]
    marks = {
        (session_id, participant_id): status
        for session_id, participant_id, status in Attendance.objects.filter(
            session_id__in=[s.pk for s in sessions], participant_id__in=people
        ).values_list("session_id", "participant_id", "status")
    }
    present = dict(
        Attendance.objects.filter(
            session_id__in=[s.pk for s in held],
            participant_id__in=people,
            status=Attendance.Status.PRESENT,
        )
        .values("participant_id")
        .annotate(n=Count("id"))
        .values_list("participant_id", "n")
    )
    rows = []
    for enrolment in sorted(
        enrolments,
        key=lambda e: (e.participant.family_name, e.participant.given_name, e.pk),
    ):
        pid = enrolment.participant_id
        rows.append(
            AttendanceRow(
                participant=enrolment.participant,
                enrolment=enrolment,
                marks=[(s, marks.get((s.pk, pid), "")) for s in sessions],
                rate=Rate(present=present.get(pid, 0), held=len(held)),
            )
        )
    return AttendanceGrid(
        cohort=cohort,
        sessions=sessions,
        rows=rows,
        held=len(held),
        rate=Rate(
            present=sum(r.rate.present for r in rows),
            held=sum(r.rate.held for r in rows),
        ),
        start=first,
        total=len(every),
        size=size,
    )


def attendance_rate_for_cohort(
    *, cohort: Cohort, now: dt.datetime | None = None
) -> Rate:
    """Present marks over (sessions held × people enrolled), for everyone."""
    moment = now or timezone.now()
    held = cohort.sessions.filter(starts_at__lte=moment).count()
    enrolled = Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED)
    present = Attendance.objects.filter(
        session__cohort=cohort,
        session__starts_at__lte=moment,
        status=Attendance.Status.PRESENT,
        participant_id__in=enrolled.values("participant_id"),
    ).count()
    return Rate(present=present, held=held * enrolled.count())


def attendance_rate_for_participant(
    *, participant: Participant, now: dt.datetime | None = None
) -> Rate:
    """Sessions the person attended over sessions held, across the cohorts
    they are enrolled in. The caller has already scoped `participant`."""
    moment = now or timezone.now()
    cohorts = Enrolment.objects.filter(
        participant=participant, status=Enrolment.Status.ENROLLED
    ).values("cohort_id")
    held = Session.objects.filter(cohort_id__in=cohorts, starts_at__lte=moment)
    present = Attendance.objects.filter(
        participant=participant,
        session__in=held,
        status=Attendance.Status.PRESENT,
    ).count()
    return Rate(present=present, held=held.count())


# ---------------------------------------------------------------------------
# Calendars


def sessions_upcoming_for_participant(
    *, participant: Participant, today: dt.date, days: int | None = None
) -> QuerySet[Session]:
    """Sessions from `today` on of the cohorts the person is enrolled in.

    The caller has already scoped `participant` (the participant's own
    space, or a staff page that used `participant_get`).
    """
    start = timezone.make_aware(
        dt.datetime.combine(today, dt.time.min), timezone.get_current_timezone()
    )
    qs = Session.objects.filter(
        cohort__enrolments__participant=participant,
        cohort__enrolments__status=Enrolment.Status.ENROLLED,
        ends_at__gte=start,
    )
    if days is not None:
        qs = qs.filter(starts_at__lt=start + dt.timedelta(days=days))
    return qs.select_related("cohort__activity__lab", "facilitator").order_by(
        "starts_at", "id"
    )


def sessions_for_participant_feed(*, participant: Participant) -> QuerySet[Session]:
    """Every session of the person's enrolled cohorts (past ones included, so
    a calendar keeps its history)."""
    return (
        Session.objects.filter(
            cohort__enrolments__participant=participant,
            cohort__enrolments__status=Enrolment.Status.ENROLLED,
        )
        .select_related("cohort__activity__lab")
        .order_by("starts_at", "id")
    )


def sessions_for_facilitator(
    *, user: Any, since: dt.datetime | None = None, days: int | None = None
) -> QuerySet[Session]:
    """Sessions the user facilitates in labs where they are staff."""
    qs = Session.objects.filter(
        facilitator_id=user.pk, cohort__activity__lab_id__in=_lab_ids(user)
    )
    if since is not None:
        qs = qs.filter(ends_at__gte=since)
        if days is not None:
            qs = qs.filter(starts_at__lt=since + dt.timedelta(days=days))
    return qs.select_related("cohort__activity__lab").order_by("starts_at", "id")


def calendar_feed_by_token(*, raw: str) -> CalendarFeed | None:
    """The active feed whose token this is, or None."""
    if not raw or len(raw) > 100:
        return None
    return (
        CalendarFeed.objects.filter(
            digest=CalendarFeed.digest_of(raw), revoked_at__isnull=True
        )
        .select_related("user", "participant")
        .first()
    )


def calendar_feed_for(
    *, user: Any = None, participant: Participant | None = None
) -> CalendarFeed | None:
    qs = CalendarFeed.objects.filter(revoked_at__isnull=True)
    if participant is not None:
        return qs.filter(participant=participant).first()
    return qs.filter(user_id=user.pk).first()
