"""Writes to events, registrations, volunteers and mentoring pairs.

Each runs atomically with its audit entry; e-mails are queued on commit.
Seating locks the event row (`select_for_update`): two registrations
confirmed at the same moment are counted one after the other, so an event
never holds more confirmed people than its capacity.
"""

import datetime as dt
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.events import tasks
from openmil.events.models import (
    Event,
    MentoringMeeting,
    MentoringPair,
    Registration,
    Volunteer,
    VolunteerStatusChange,
)
from openmil.participants.models import Participant
from openmil.participants.selectors import participant_queryset

#: A confirmation link works for two days; a cancellation link until the event.
CONFIRM_MAX_AGE = 2 * 24 * 3600
_SALT = "openmil.events.registration"


def _require(actor: Any, permission: str, lab_id: int) -> None:
    if not access.can(actor, permission, lab_id):
        raise PermissionDenied


def _notify(registration: Registration, kind: str) -> None:
    pk = registration.pk
    transaction.on_commit(
        lambda: tasks.send_registration_email.enqueue(registration_id=pk, kind=kind)
    )


# ---------------------------------------------------------------------------
# Links sent by e-mail


def registration_token(*, registration: Registration, purpose: str) -> str:
    """A signed, unguessable link token for one registration and purpose."""
    return signing.dumps({"r": registration.pk, "p": purpose}, salt=_SALT)


def registration_from_token(*, token: str, purpose: str) -> Registration:
    """The registration a link names, or ValidationError if the link is
    tampered with, expired or for another purpose."""
    max_age = CONFIRM_MAX_AGE if purpose == "confirm" else None
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid or has expired.")) from None
    if not isinstance(data, dict) or data.get("p") != purpose:
        raise ValidationError(_("This link is not valid or has expired."))
    pk = data.get("r")
    registration = (
        Registration.objects.select_related("event__lab").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if registration is None:
        raise ValidationError(_("This link is not valid or has expired."))
    return registration


# ---------------------------------------------------------------------------
# Events


def _event_audit(
    *, actor: Any, event: Event, action: str, changes: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="event",
        object_id=event.pk,
        lab_id=event.lab_id,
        changes=changes,
    )


@transaction.atomic
def event_create(*, actor: Any, lab: Lab, data: dict[str, Any]) -> Event:
    _require(actor, Perm.MANAGE_EVENTS, lab.pk)
    event = Event(
        lab=lab, **{k: v for k, v in data.items() if k in Event.EDITABLE_FIELDS}
    )
    if data.get("publish"):
        event.status = Event.Status.PUBLISHED
    event.full_clean()
    event.save()
    _event_audit(
        actor=actor,
        event=event,
        action=AuditEntry.Action.CREATE,
        changes=diff({}, snapshot(event, (*Event.EDITABLE_FIELDS, "status"))),
    )
    return event


@transaction.atomic
def event_update(*, actor: Any, event: Event, data: dict[str, Any]) -> Event:
    """Change an event; a larger capacity seats people from the waitlist."""
    _require(actor, Perm.MANAGE_EVENTS, event.lab_id)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        raise ValidationError(_("A cancelled event cannot be changed."))
    before = snapshot(locked, Event.EDITABLE_FIELDS)
    for name, value in data.items():
        if name in Event.EDITABLE_FIELDS:
            setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    changes = diff(before, snapshot(locked, Event.EDITABLE_FIELDS))
    if changes:
        _event_audit(
            actor=actor, event=locked, action=AuditEntry.Action.UPDATE, changes=changes
        )
    _promote_from_waitlist(actor=actor, event=locked)
    return locked


@transaction.atomic
def event_publish(*, actor: Any, event: Event) -> Event:
    _require(actor, Perm.MANAGE_EVENTS, event.lab_id)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status != Event.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    locked.status = Event.Status.PUBLISHED
    locked.save(update_fields=["status"])
    _event_audit(
        actor=actor,
        event=locked,
        action=AuditEntry.Action.UPDATE,
        changes={"status": {"before": "draft", "after": "published"}},
    )
    return locked


@transaction.atomic
def event_cancel(*, actor: Any, event: Event, reason: str = "") -> Event:
    """Cancel the whole event and tell every registered person by e-mail."""
    _require(actor, Perm.MANAGE_EVENTS, event.lab_id)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event is already cancelled."))
    before = locked.status
    locked.status = Event.Status.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["status", "cancelled_at"])
    _event_audit(
        actor=actor,
        event=locked,
        action=AuditEntry.Action.UPDATE,
        changes={"status": {"before": before, "after": "cancelled"}},
    )
    for registration in Registration.objects.filter(
        event=locked, status__in=Registration.ACTIVE_STATUSES
    ):
        _notify(registration, "event_cancelled")
    return locked


# ---------------------------------------------------------------------------
# Registrations


def _registration_audit(
    *, actor: Any, registration: Registration, before: str | None, detail: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
        object_type="registration",
        object_id=registration.pk,
        lab_id=registration.event.lab_id,
        detail=detail or f"event {registration.event_id}",
        changes={"status": {"before": before, "after": registration.status}},
    )


def _new_registration(
    *, event: Event, name: str, email: str, language: str, status: str
) -> Registration:
    name, email = name.strip(), email.strip().lower()
    if not name or not email:
        raise ValidationError({"name": _("Give a name and an e-mail address.")})
    if Registration.objects.filter(
        event=event,
        email=email,
        status__in=(Registration.Status.PENDING, *Registration.ACTIVE_STATUSES),
    ).exists():
        raise ValidationError(
            {"email": _("This e-mail address is already registered for this event.")}
        )
    registration = Registration(
        event=event, name=name, email=email, language=language[:8], status=status
    )
    registration.full_clean(exclude=["code"])
    for _attempt in range(5):
        try:
            with transaction.atomic():
                registration.save()
            return registration
        except IntegrityError:
            # Another person got the same check-in code, or the same address
            # registered at this very moment.
            if Registration.objects.filter(
                event=event,
                email=email,
                status__in=(Registration.Status.PENDING, *Registration.ACTIVE_STATUSES),
            ).exists():
                raise ValidationError(
                    {
                        "email": _(
                            "This e-mail address is already registered for this event."
                        )
                    }
                ) from None
            registration.pk = None
            registration.code = Registration._meta.get_field("code").get_default()
    raise ValidationError(_("Please try again."))


@transaction.atomic
def registration_request(
    *, event: Event, name: str, email: str, language: str = "en"
) -> Registration:
    """A registration from the public site: it holds no place until the
    person confirms their address with the link e-mailed to them."""
    if not event.is_open:
        raise ValidationError(_("Registration for this event is closed."))
    registration = _new_registration(
        event=event,
        name=name,
        email=email,
        language=language,
        status=Registration.Status.PENDING,
    )
    _registration_audit(actor=None, registration=registration, before=None)
    _notify(registration, "confirm_request")
    return registration


def _seat(*, actor: Any, registration: Registration, locked: Event) -> None:
    """Seat or waitlist a registration; the caller holds the event lock."""
    before = registration.status
    confirmed = Registration.objects.filter(
        event=locked, status=Registration.Status.CONFIRMED
    ).count()
    now = timezone.now()
    registration.status = (
        Registration.Status.CONFIRMED
        if confirmed < locked.capacity
        else Registration.Status.WAITLISTED
    )
    registration.confirmed_at = now
    registration.save(update_fields=["status", "confirmed_at"])
    _registration_audit(actor=actor, registration=registration, before=before)
    _notify(registration, registration.status)


@transaction.atomic
def registration_confirm(*, registration: Registration) -> Registration:
    """Confirm an address: the person gets a place, or the next place on the
    waitlist when the event is full. Confirming twice changes nothing."""
    locked = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.PENDING:
        return registration
    if not locked.is_open:
        raise ValidationError(_("Registration for this event is closed."))
    _seat(actor=None, registration=registration, locked=locked)
    return registration


@transaction.atomic
def registration_add(
    *, actor: Any, event: Event, name: str, email: str, language: str = "en"
) -> Registration:
    """Staff register someone directly (no confirmation by e-mail)."""
    _require(actor, Perm.MANAGE_EVENTS, event.lab_id)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event is cancelled."))
    registration = _new_registration(
        event=locked,
        name=name,
        email=email,
        language=language,
        status=Registration.Status.PENDING,
    )
    _registration_audit(actor=actor, registration=registration, before=None)
    _seat(actor=actor, registration=registration, locked=locked)
    return registration


@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Cancel a registration (by its registrant's link, or by staff); a freed
    place goes to the first on the waitlist."""
    if actor is not None:
        _require(actor, Perm.MANAGE_EVENTS, registration.event.lab_id)
    locked = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_related("event").get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        return registration
    before = registration.status
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _registration_audit(actor=actor, registration=registration, before=before)
    if before == Registration.Status.CONFIRMED:
        _promote_from_waitlist(actor=actor, event=locked)
    return registration


def _promote_from_waitlist(*, actor: Any, event: Event) -> list[Registration]:
    """Seat people from the waitlist, first confirmed first served.

    Runs with the event row locked by the caller.
    """
    if event.status == Event.Status.CANCELLED:
        return []
    confirmed = Registration.objects.filter(
        event=event, status=Registration.Status.CONFIRMED
    ).count()
    free = event.capacity - confirmed
    if free <= 0:
        return []
    waiting = list(
        Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
        .select_related("event")
        .order_by("confirmed_at", "id")[:free]
    )
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status"])
        _registration_audit(
            actor=actor,
            registration=registration,
            before=Registration.Status.WAITLISTED,
            detail=f"event {event.pk}: promoted from the waitlist",
        )
        _notify(registration, "promoted")
    return waiting


@transaction.atomic
def registration_check_in(
    *,
    actor: Any,
    event: Event,
    registration: Registration | None = None,
    code: str = "",
) -> Registration:
    """Mark a confirmed person as arrived, picked from the list or by the
    code on their confirmation e-mail."""
    _require(actor, Perm.MANAGE_EVENTS, event.lab_id)
    qs = Registration.objects.select_for_update().filter(event=event)
    if registration is not None:
        found = qs.filter(pk=registration.pk).first()
    else:
        found = qs.filter(code=code.strip().upper()).first() if code.strip() else None
    if found is None:
        raise ValidationError({"code": _("No registration with this code.")})
    if found.status != Registration.Status.CONFIRMED:
        raise ValidationError({"code": _("This registration has no confirmed place.")})
    if found.checked_in_at is not None:
        raise ValidationError({"code": _("Already checked in.")})
    found.checked_in_at = timezone.now()
    found.save(update_fields=["checked_in_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="registration",
        object_id=found.pk,
        lab_id=event.lab_id,
        detail="checked in",
        changes={"checked_in": {"before": False, "after": True}},
    )
    return found


# ---------------------------------------------------------------------------
# Volunteers


@transaction.atomic
def volunteer_apply(*, lab: Lab, data: dict[str, Any]) -> Volunteer:
    """A sign-up from the public site: the volunteer waits to be vetted."""
    fields = (
        "name",
        "email",
        "phone",
        "role",
        "languages",
        "skills",
        "availability",
        "place",
        "latitude",
        "longitude",
        "interests",
        "gender_preference",
    )
    volunteer = Volunteer(
        lab=lab, **{k: v for k, v in data.items() if k in fields and v is not None}
    )
    volunteer.email = volunteer.email.strip().lower()
    volunteer.full_clean()
    volunteer.save()
    audit_record(
        actor=None,
        action=AuditEntry.Action.CREATE,
        object_type="volunteer",
        object_id=volunteer.pk,
        lab_id=lab.pk,
        detail=f"signed up as {volunteer.role}",
    )
    return volunteer


@transaction.atomic
def volunteer_transition(
    *,
    actor: Any,
    volunteer: Volunteer,
    to_status: str,
    background_check_on: dt.date | None = None,
    note: str = "",
) -> Volunteer:
    """Move a volunteer one step through vetting: applied → interviewed →
    approved | rejected. Approval needs the date of the background check."""
    _require(actor, Perm.VET_VOLUNTEERS, volunteer.lab_id)
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    allowed = Volunteer.TRANSITIONS.get(locked.status, ())
    if to_status not in allowed:
        raise ValidationError(
            {
                "to_status": _("A volunteer cannot go from %(a)s to %(b)s.")
                % {"a": locked.status, "b": to_status}
            }
        )
    if background_check_on is not None:
        if background_check_on > timezone.localdate():
            raise ValidationError(
                {"background_check_on": _("The date is in the future.")}
            )
        locked.background_check_on = background_check_on
    if to_status == Volunteer.Status.APPROVED and locked.background_check_on is None:
        raise ValidationError(
            {
                "background_check_on": _(
                    "Give the date of the background check to approve."
                )
            }
        )
    before = locked.status
    locked.status = to_status
    if to_status in (Volunteer.Status.APPROVED, Volunteer.Status.REJECTED):
        locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "background_check_on", "decided_at"])
    VolunteerStatusChange.objects.create(
        volunteer=locked,
        from_status=before,
        to_status=to_status,
        note=note.strip()[:500],
        changed_by=actor,
    )
    changes: dict[str, Any] = {"status": {"before": before, "after": to_status}}
    if background_check_on is not None:
        changes["background_check_on"] = {
            "before": None,
            "after": background_check_on.isoformat(),
        }
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="volunteer",
        object_id=locked.pk,
        lab_id=locked.lab_id,
        changes=changes,
    )
    return locked


@transaction.atomic
def volunteer_mentoring_update(
    *, actor: Any, volunteer: Volunteer, max_mentees: int, gender: str
) -> Volunteer:
    """Set how many people a mentor accompanies at once, and their gender
    (used when a mentee asks for a mentor of a given gender)."""
    _require(actor, Perm.VET_VOLUNTEERS, volunteer.lab_id)
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not locked.is_mentor:
        raise ValidationError(_("Only a mentor takes mentees."))
    before = {"max_mentees": locked.max_mentees, "gender": locked.gender}
    locked.max_mentees = max_mentees
    locked.gender = gender
    locked.full_clean()
    locked.save(update_fields=["max_mentees", "gender"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="volunteer",
        object_id=locked.pk,
        lab_id=locked.lab_id,
        changes={
            name: {"before": value, "after": getattr(locked, name)}
            for name, value in before.items()
            if value != getattr(locked, name)
        },
    )
    return locked


# ---------------------------------------------------------------------------
# Mentoring pairs


@transaction.atomic
def pair_create(
    *,
    actor: Any,
    mentor: Volunteer,
    participant: Participant,
    started_on: dt.date | None = None,
) -> MentoringPair:
    """Pair an approved mentor with a participant of the same lab."""
    lab_id = participant.lab_id
    _require(actor, Perm.MANAGE_MENTORING, lab_id)
    if not participant_queryset(user=actor).filter(pk=participant.pk).exists():
        raise ValidationError({"participant": _("Unknown participant.")})
    if (
        mentor.lab_id != lab_id
        or mentor.status != Volunteer.Status.APPROVED
        or not mentor.is_mentor
    ):
        raise ValidationError(
            {"mentor": _("Only an approved mentor of this lab can be paired.")}
        )
    if MentoringPair.objects.filter(
        mentor=mentor, participant=participant, status=MentoringPair.Status.ACTIVE
    ).exists():
        raise ValidationError({"mentor": _("This pair already exists.")})
    pair = MentoringPair.objects.create(
        lab_id=lab_id,
        mentor=mentor,
        participant=participant,
        started_on=started_on or timezone.localdate(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="mentoring_pair",
        object_id=pair.pk,
        participant=participant,
        changes={"mentor": {"before": None, "after": mentor.pk}},
    )
    return pair


@transaction.atomic
def pair_end(*, actor: Any, pair: MentoringPair) -> MentoringPair:
    _require(actor, Perm.MANAGE_MENTORING, pair.lab_id)
    locked = MentoringPair.objects.select_for_update().get(pk=pair.pk)
    if locked.status == MentoringPair.Status.ENDED:
        raise ValidationError(_("This pair has already ended."))
    locked.status = MentoringPair.Status.ENDED
    locked.ended_on = timezone.localdate()
    locked.save(update_fields=["status", "ended_on"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="mentoring_pair",
        object_id=locked.pk,
        participant=pair.participant,
        changes={"status": {"before": "active", "after": "ended"}},
    )
    return locked


@transaction.atomic
def meeting_log(
    *,
    actor: Any,
    pair: MentoringPair,
    on: dt.date,
    duration_minutes: int,
    note: str = "",
) -> MentoringMeeting:
    _require(actor, Perm.MANAGE_MENTORING, pair.lab_id)
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date is in the future.")})
    if on < pair.started_on:
        raise ValidationError({"on": _("The date is before the pair started.")})
    meeting = MentoringMeeting(
        pair=pair,
        on=on,
        duration_minutes=duration_minutes,
        note=note.strip(),
        logged_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="mentoring_meeting",
        object_id=meeting.pk,
        participant=pair.participant,
        detail=f"pair {pair.pk}",
    )
    return meeting
