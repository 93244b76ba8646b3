"""Writes to activities, cohorts, sessions, enrolments and attendance.

Each runs atomically with its audit entries. Enrolment and withdrawal lock
the cohort row, so two requests at the same moment never overfill it.
"""

import datetime as dt
import zoneinfo
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.activities.models import (
    FIRST_YEAR,
    LAST_YEAR,
    Activity,
    Attendance,
    CalendarFeed,
    Cohort,
    Enrolment,
    LabActivitySettings,
    Session,
)
from openmil.activities.selectors import staff_of_lab
from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.participants.models import Participant
from openmil.participants.selectors import participant_queryset


def _require(actor: Any, permission: str, lab_id: int) -> None:
    if not access.can(actor, permission, lab_id):
        raise PermissionDenied


# ---------------------------------------------------------------------------
# Programme: activities, cohorts, sessions


@transaction.atomic
def activity_create(*, actor: Any, lab: Lab, data: dict[str, Any]) -> Activity:
    _require(actor, Perm.MANAGE_ACTIVITIES, lab.pk)
    activity = Activity(
        lab=lab, **{k: v for k, v in data.items() if k in Activity.EDITABLE_FIELDS}
    )
    activity.full_clean()
    activity.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="activity",
        object_id=activity.pk,
        lab_id=lab.pk,
        changes=diff({}, snapshot(activity, Activity.EDITABLE_FIELDS)),
    )
    return activity


@transaction.atomic
def activity_update(
    *, actor: Any, activity: Activity, data: dict[str, Any]
) -> Activity:
    _require(actor, Perm.MANAGE_ACTIVITIES, activity.lab_id)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = snapshot(activity, Activity.EDITABLE_FIELDS)
    for name, value in data.items():
        if name in Activity.EDITABLE_FIELDS:
            setattr(activity, name, value)
    activity.full_clean()
    activity.save()
    changes = diff(before, snapshot(activity, Activity.EDITABLE_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="activity",
            object_id=activity.pk,
            lab_id=activity.lab_id,
            changes=changes,
        )
    return activity


@transaction.atomic
def cohort_create(*, actor: Any, activity: Activity, data: dict[str, Any]) -> Cohort:
    _require(actor, Perm.MANAGE_ACTIVITIES, activity.lab_id)
    cohort = Cohort(
        activity=activity,
        **{k: v for k, v in data.items() if k in Cohort.EDITABLE_FIELDS},
    )
    cohort.full_clean()
    cohort.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="cohort",
        object_id=cohort.pk,
        lab_id=activity.lab_id,
        changes=diff({}, snapshot(cohort, Cohort.EDITABLE_FIELDS)),
    )
    return cohort


@transaction.atomic
def cohort_update(*, actor: Any, cohort: Cohort, data: dict[str, Any]) -> Cohort:
    """Change a cohort; a larger capacity takes people off the waitlist."""
    lab_id = cohort.activity.lab_id
    _require(actor, Perm.MANAGE_ACTIVITIES, lab_id)
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    before = snapshot(locked, Cohort.EDITABLE_FIELDS)
    for name, value in data.items():
        if name in Cohort.EDITABLE_FIELDS:
            setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    changes = diff(before, snapshot(locked, Cohort.EDITABLE_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="cohort",
            object_id=locked.pk,
            lab_id=lab_id,
            changes=changes,
        )
    _promote_from_waitlist(actor=actor, cohort=locked, lab_id=lab_id)
    return locked


def session_times(
    *, day: dt.date, start: dt.time, end: dt.time, time_zone: str
) -> tuple[dt.datetime, dt.datetime]:
    """A day and two wall-clock times in the lab's zone, as aware datetimes."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            {
                "day": _("Choose a date between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    zone = zoneinfo.ZoneInfo(time_zone)
    starts = dt.datetime.combine(day, start, tzinfo=zone)
    ends = dt.datetime.combine(day, end, tzinfo=zone)
    if ends <= starts:
        raise ValidationError({"end": _("The end is not after the start.")})
    return starts, ends


def _check_facilitator(facilitator: Any, lab_id: int) -> None:
    if (
        facilitator is not None
        and not staff_of_lab(lab_id=lab_id).filter(pk=facilitator.pk).exists()
    ):
        raise ValidationError(
            {"facilitator": _("The facilitator must be a staff member of the lab.")}
        )


@transaction.atomic
def session_create(
    *,
    actor: Any,
    cohort: Cohort,
    day: dt.date,
    start: dt.time,
    end: dt.time,
    place: str = "",
    facilitator: Any = None,
) -> Session:
    """Plan a session; the times are wall-clock times in the lab's zone."""
    lab = cohort.activity.lab
    _require(actor, Perm.MANAGE_ACTIVITIES, lab.pk)
    _check_facilitator(facilitator, lab.pk)
    starts_at, ends_at = session_times(
        day=day, start=start, end=end, time_zone=lab.time_zone
    )
    session = Session(
        cohort=cohort,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        facilitator=facilitator,
    )
    session.full_clean()
    session.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="session",
        object_id=session.pk,
        lab_id=lab.pk,
        changes={
            "starts_at": {"before": None, "after": starts_at.isoformat()},
            "facilitator": {
                "before": None,
                "after": facilitator.pk if facilitator else None,
            },
        },
    )
    return session


@transaction.atomic
def lab_activity_settings_update(
    *, actor: Any, lab: Lab, target_newcomer_share: int
) -> LabActivitySettings:
    """Set the share of newcomers the lab aims for in every cohort."""
    _require(actor, Perm.MANAGE_LAB, lab.pk)
    settings, _created = LabActivitySettings.objects.select_for_update().get_or_create(
        lab=lab
    )
    before = settings.target_newcomer_share if not _created else None
    settings.target_newcomer_share = target_newcomer_share
    settings.full_clean()
    settings.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="activity_settings",
        object_id=settings.pk,
        lab_id=lab.pk,
        changes={
            "target_newcomer_share": {"before": before, "after": target_newcomer_share}
        },
    )
    return settings


# ---------------------------------------------------------------------------
# Enrolment


def _enrolment_audit(
    *, actor: Any, enrolment: Enrolment, before: str | None, detail: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
        object_type="enrolment",
        object_id=enrolment.pk,
        participant=enrolment.participant,
        detail=detail or f"cohort {enrolment.cohort_id}",
        changes={"status": {"before": before, "after": enrolment.status}},
    )


@transaction.atomic
def enrolment_create(
    *, actor: Any, cohort: Cohort, participant: Participant
) -> Enrolment:
    """Enrol a person, or put them on the waitlist when the cohort is full.

    The cohort row is locked first: a second enrolment at the same moment
    waits for this one and then counts it.
    """
    lab_id = cohort.activity.lab_id
    _require(actor, Perm.EDIT_PERSONAL, lab_id)
    if (
        participant.lab_id != lab_id
        or not participant_queryset(user=actor).filter(pk=participant.pk).exists()
    ):
        raise ValidationError(
            {"participant": _("Only participants of this lab can be enrolled.")}
        )
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    active = Enrolment.objects.filter(
        cohort=locked, status__in=Enrolment.ACTIVE_STATUSES
    )
    if active.filter(participant=participant).exists():
        raise ValidationError(
            {"participant": _("This person is already enrolled or on the waitlist.")}
        )
    enrolled = active.filter(status=Enrolment.Status.ENROLLED).count()
    now = timezone.now()
    full = enrolled >= locked.capacity
    enrolment = Enrolment.objects.create(
        cohort=locked,
        participant=participant,
        status=Enrolment.Status.WAITLISTED if full else Enrolment.Status.ENROLLED,
        requested_at=now,
        enrolled_at=None if full else now,
    )
    _enrolment_audit(actor=actor, enrolment=enrolment, before=None)
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, actor: Any, enrolment: Enrolment) -> Enrolment:
    """Withdraw a person; a freed place goes to the first on the waitlist."""
    lab_id = enrolment.cohort.activity.lab_id
    _require(actor, Perm.EDIT_PERSONAL, lab_id)
    locked = Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
    enrolment = Enrolment.objects.select_related("participant").get(pk=enrolment.pk)
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError(_("This enrolment is already withdrawn."))
    before = enrolment.status
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    _enrolment_audit(actor=actor, enrolment=enrolment, before=before)
    if before == Enrolment.Status.ENROLLED:
        _promote_from_waitlist(actor=actor, cohort=locked, lab_id=lab_id)
    return enrolment


def _promote_from_waitlist(*, actor: Any, cohort: Cohort, lab_id: int) -> None:
    """Fill free places from the waitlist, first asked first served.

    Runs with the cohort row locked by the caller.
    """
    enrolled = Enrolment.objects.filter(
        cohort=cohort, status=Enrolment.Status.ENROLLED
    ).count()
    free = cohort.capacity - enrolled
    if free <= 0:
        return
    waiting = list(
        Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.WAITLISTED)
        .select_related("participant")
        .order_by("requested_at", "id")[:free]
    )
    now = timezone.now()
    for enrolment in waiting:
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.enrolled_at = now
        enrolment.save(update_fields=["status", "enrolled_at"])
        _enrolment_audit(
            actor=actor,
            enrolment=enrolment,
            before=Enrolment.Status.WAITLISTED,
            detail=f"cohort {cohort.pk}: promoted from the waitlist",
        )


# ---------------------------------------------------------------------------
# Attendance


@transaction.atomic
def attendance_record(
    *, actor: Any, session: Session, marks: dict[int, str]
) -> list[Attendance]:
    """Record attendance for a session: {participant id: status}.

    An empty status clears a mark. Only people enrolled in the cohort (and
    visible to the actor) can be marked; present and absent only once the
    session has started. Returns the marks now held for those people.
    """
    lab_id = session.cohort.activity.lab_id
    _require(actor, Perm.EDIT_PERSONAL, lab_id)
    valid = set(Attendance.Status.values) | {""}
    bad = sorted(str(s) for s in marks.values() if s not in valid)
    if bad:
        raise ValidationError(
            {"status": _("Unknown attendance: %(values)s") % {"values": ", ".join(bad)}}
        )
    enrolled = {
        e.participant_id: e.participant
        for e in Enrolment.objects.filter(
            cohort_id=session.cohort_id,
            status=Enrolment.Status.ENROLLED,
            participant_id__in=list(marks),
            participant__in=participant_queryset(user=actor),
        ).select_related("participant")
    }
    strangers = sorted(str(pid) for pid in marks if pid not in enrolled)
    if strangers:
        raise ValidationError(
            {
                "participant": _("Not enrolled in this cohort: %(ids)s")
                % {"ids": ", ".join(strangers)}
            }
        )
    if not session.is_held and any(
        s in (Attendance.Status.PRESENT, Attendance.Status.ABSENT)
        for s in marks.values()
    ):
        raise ValidationError(
            {
                "status": _(
                    "This session has not started yet: only excused absences "
                    "can be recorded."
                )
            }
        )
    existing = {
        a.participant_id: a
        for a in Attendance.objects.select_for_update().filter(
            session=session, participant_id__in=list(marks)
        )
    }
    now = timezone.now()
    created: list[Attendance] = []
    for pid, status in marks.items():
        mark = existing.get(pid)
        before = mark.status if mark else None
        if (before or "") == status:
            continue
        if mark is not None and not status:
            mark.delete()
            existing.pop(pid)
        elif mark is None:
            mark = Attendance(
                session=session,
                participant_id=pid,
                status=status,
                recorded_by=actor,
                recorded_at=now,
            )
            created.append(mark)
            existing[pid] = mark
        else:
            mark.status, mark.recorded_by, mark.recorded_at = status, actor, now
            mark.save(update_fields=["status", "recorded_by", "recorded_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            object_type="attendance",
            object_id=session.pk,
            participant=enrolled[pid],
            detail=f"session {session.pk}",
            changes={"status": {"before": before, "after": status or None}},
        )
    Attendance.objects.bulk_create(created)
    return list(existing.values())


# ---------------------------------------------------------------------------
# Calendar feeds


def _feed_replace(**owner: Any) -> tuple[CalendarFeed, str]:
    now = timezone.now()
    CalendarFeed.objects.filter(revoked_at__isnull=True, **owner).update(revoked_at=now)
    raw = CalendarFeed.generate_raw()
    feed = CalendarFeed.objects.create(
        digest=CalendarFeed.digest_of(raw), created_at=now, **owner
    )
    return feed, raw


@transaction.atomic
def calendar_feed_regenerate(*, user: Any) -> tuple[CalendarFeed, str]:
    """A new feed of the sessions the user facilitates; the old URL stops.

    Returns the feed and its token, which is not stored and shown once.
    """
    if not access.is_staff_user(user):
        raise PermissionDenied
    feed, raw = _feed_replace(kind=CalendarFeed.Kind.FACILITATOR, user=user)
    audit_record(
        actor=user,
        action=AuditEntry.Action.CREATE,
        object_type="calendar_feed",
        object_id=feed.pk,
        detail="facilitator feed regenerated",
    )
    return feed, raw


@transaction.atomic
def calendar_feed_regenerate_for_participant(
    *, actor: Any, participant: Participant
) -> tuple[CalendarFeed, str]:
    """A new feed of a participant's sessions, to hand to them; the old URL
    stops. Staff who may change the person's record can do this."""
    _require(actor, Perm.EDIT_PERSONAL, participant.lab_id)
    if not participant_queryset(user=actor).filter(pk=participant.pk).exists():
        raise PermissionDenied
    feed, raw = _feed_replace(
        kind=CalendarFeed.Kind.PARTICIPANT, participant=participant
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="calendar_feed",
        object_id=feed.pk,
        participant=participant,
        detail="participant feed regenerated",
    )
    return feed, raw


def calendar_feed_touch(*, feed: CalendarFeed) -> None:
    """Note when a calendar app last fetched the feed (bookkeeping only)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
