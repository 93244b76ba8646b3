"""Registration, waitlist, cancellation, vetting and mentoring rules."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.events import selectors, services
from openmil.events.models import (
    Event,
    MentoringPair,
    Registration,
    Volunteer,
    VolunteerStatusChange,
)
from tests.events.factories import (
    ApprovedMentorFactory,
    EventFactory,
    PairFactory,
    RegistrationFactory,
    VolunteerFactory,
)
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def _confirmed(event, n):
    out = []
    for i in range(n):
        r = services.registration_request(
            event=event, name=f"Person {i}", email=f"p{i}@example.net"
        )
        out.append(services.registration_confirm(registration=r))
    return out


def test_a_public_registration_holds_no_place_until_confirmed(lab_a):
    event = EventFactory(lab=lab_a, capacity=1)
    pending = services.registration_request(
        event=event, name="Ana", email="Ana@Example.net"
    )
    assert pending.status == Registration.Status.PENDING
    assert pending.email == "ana@example.net"
    assert selectors.event_seats(event=event).confirmed == 0
    confirmed = services.registration_confirm(registration=pending)
    assert confirmed.status == Registration.Status.CONFIRMED
    # Confirming twice changes nothing.
    again = services.registration_confirm(registration=confirmed)
    assert again.status == Registration.Status.CONFIRMED
    assert selectors.event_seats(event=event).confirmed == 1


def test_a_full_event_puts_people_on_the_waitlist_in_order(lab_a):
    event = EventFactory(lab=lab_a, capacity=2)
    people = _confirmed(event, 4)
    assert [p.status for p in people] == ["confirmed", "confirmed"] + ["waitlisted"] * 2
    seats = selectors.event_seats(event=event)
    assert (seats.confirmed, seats.waitlisted, seats.free) == (2, 2, 0)


def test_cancelling_a_place_promotes_the_first_on_the_waitlist(
    lab_a, django_capture_on_commit_callbacks
):
    event = EventFactory(lab=lab_a, capacity=1)
    first, second, third = _confirmed(event, 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=None, registration=first)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Registration.Status.CONFIRMED
    assert third.status == Registration.Status.WAITLISTED
    assert [m.to for m in mail.outbox] == [[second.email]]
    assert second.code in mail.outbox[0].body


def test_cancelling_a_waitlist_place_promotes_nobody(lab_a):
    event = EventFactory(lab=lab_a, capacity=1)
    first, second, third = _confirmed(event, 3)
    services.registration_cancel(actor=None, registration=second)
    third.refresh_from_db()
    assert third.status == Registration.Status.WAITLISTED


def test_a_larger_capacity_seats_people_from_the_waitlist(lab_a, coordinator):
    event = EventFactory(lab=lab_a, capacity=1)
    _first, second, third = _confirmed(event, 3)
    services.event_update(actor=coordinator, event=event, data={"capacity": 2})
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Registration.Status.CONFIRMED
    assert third.status == Registration.Status.WAITLISTED


def test_the_same_address_registers_once_per_event(lab_a):
    event = EventFactory(lab=lab_a)
    services.registration_request(event=event, name="Ana", email="ana@example.net")
    with pytest.raises(ValidationError):
        services.registration_request(
            event=event, name="Ana again", email="ANA@example.net"
        )


def test_registration_closes_for_drafts_cancelled_and_past_events(lab_a):
    for event in (
        EventFactory(lab=lab_a, status=Event.Status.DRAFT),
        EventFactory(lab=lab_a, status=Event.Status.CANCELLED),
        EventFactory(
            lab=lab_a,
            starts_at=timezone.now() - dt.timedelta(hours=1),
            ends_at=timezone.now() + dt.timedelta(hours=1),
        ),
    ):
        with pytest.raises(ValidationError):
            services.registration_request(event=event, name="A", email="a@x.org")


def test_links_are_signed_for_one_purpose(lab_a):
    registration = RegistrationFactory(event=EventFactory(lab=lab_a))
    token = services.registration_token(registration=registration, purpose="cancel")
    assert (
        services.registration_from_token(token=token, purpose="cancel").pk
        == registration.pk
    )
    with pytest.raises(ValidationError):
        services.registration_from_token(token=token, purpose="confirm")
    with pytest.raises(ValidationError):
        services.registration_from_token(token=token[:-2] + "xx", purpose="cancel")


def test_cancelling_an_event_emails_every_registered_person(
    lab_a, coordinator, django_capture_on_commit_callbacks
):
    event = EventFactory(lab=lab_a, capacity=1)
    seated = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(actor=coordinator, event=event)
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([seated.email, waiting.email])
    assert all("cancelled" in m.subject.lower() for m in mail.outbox)
    assert AuditEntry.objects.filter(
        object_type="event", object_id=str(event.pk), actor=coordinator
    ).exists()


def test_staff_of_another_lab_cannot_change_an_event(lab_a, outsider):
    event = EventFactory(lab=lab_a)
    with pytest.raises(PermissionDenied):
        services.event_cancel(actor=outsider, event=event)


def test_check_in_by_code_and_only_once(lab_a, facilitator):
    event = EventFactory(lab=lab_a)
    registration = RegistrationFactory(event=event)
    done = services.registration_check_in(
        actor=facilitator, event=event, code=registration.code.lower()
    )
    assert done.checked_in_at is not None
    with pytest.raises(ValidationError):
        services.registration_check_in(
            actor=facilitator, event=event, code=registration.code
        )
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    with pytest.raises(ValidationError):
        services.registration_check_in(
            actor=facilitator, event=event, registration=waiting
        )
    with pytest.raises(ValidationError):
        services.registration_check_in(actor=facilitator, event=event, code="NOPE42")


def test_an_event_links_only_to_its_own_labs_activity(lab_a, lab_b, coordinator):
    from tests.activities.factories import ActivityFactory

    foreign = ActivityFactory(lab=lab_b)
    starts = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        services.event_create(
            actor=coordinator,
            lab=lab_a,
            data={
                "title": "Picnic",
                "kind": "intercultural",
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=1),
                "capacity": 5,
                "activity": foreign,
            },
        )
    assert "activity" in error.value.message_dict
    own = ActivityFactory(lab=lab_a)
    event = services.event_create(
        actor=coordinator,
        lab=lab_a,
        data={
            "title": "Picnic",
            "kind": "intercultural",
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=1),
            "capacity": 5,
            "activity": own,
        },
    )
    assert event.activity == own


# ---------------------------------------------------------------------------
# Volunteers


def test_vetting_follows_the_legal_steps_and_is_recorded(lab_a, coordinator):
    volunteer = VolunteerFactory(lab=lab_a)
    with pytest.raises(ValidationError):
        services.volunteer_transition(
            actor=coordinator, volunteer=volunteer, to_status="approved"
        )
    volunteer = services.volunteer_transition(
        actor=coordinator, volunteer=volunteer, to_status="interviewed"
    )
    with pytest.raises(ValidationError) as error:
        services.volunteer_transition(
            actor=coordinator, volunteer=volunteer, to_status="approved"
        )
    assert "background_check_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.volunteer_transition(
            actor=coordinator,
            volunteer=volunteer,
            to_status="approved",
            background_check_on=timezone.localdate() + dt.timedelta(days=1),
        )
    checked = timezone.localdate() - dt.timedelta(days=2)
    volunteer = services.volunteer_transition(
        actor=coordinator,
        volunteer=volunteer,
        to_status="approved",
        background_check_on=checked,
    )
    assert volunteer.status == Volunteer.Status.APPROVED
    assert volunteer.background_check_on == checked
    assert list(
        VolunteerStatusChange.objects.filter(volunteer=volunteer).values_list(
            "from_status", "to_status"
        )
    ) == [("applied", "interviewed"), ("interviewed", "approved")]
    assert (
        AuditEntry.objects.filter(object_type="volunteer", object_id=str(volunteer.pk))
        .filter(action=AuditEntry.Action.UPDATE)
        .count()
        == 2
    )
    # Approved is final.
    with pytest.raises(ValidationError):
        services.volunteer_transition(
            actor=coordinator, volunteer=volunteer, to_status="rejected"
        )


def test_facilitators_do_not_vet_volunteers(lab_a, facilitator):
    with pytest.raises(PermissionDenied):
        services.volunteer_transition(
            actor=facilitator,
            volunteer=VolunteerFactory(lab=lab_a),
            to_status="interviewed",
        )


def test_mentor_candidates_are_approved_mentors_as_plain_data(lab_a, lab_b):
    mentor = ApprovedMentorFactory(
        lab=lab_a, gender_preference="women", latitude="38.71667", longitude="-9.13333"
    )
    ApprovedMentorFactory(lab=lab_a, role=Volunteer.Role.VOLUNTEER)
    VolunteerFactory(lab=lab_a)  # not vetted yet
    ApprovedMentorFactory(lab=lab_b)
    candidates = selectors.mentor_candidates(lab_a)
    assert candidates == [
        {
            "id": mentor.pk,
            "languages": ["pt", "ar"],
            "interests": ["language"],
            "skills": ["cooking"],
            "gender": "",
            "gender_preference": "women",
            "max_mentees": 1,
            "availability": ["weekends"],
            "place": "Graça",
            "latitude": 38.71667,
            "longitude": -9.13333,
            "active_pairs": 0,
        }
    ]


# ---------------------------------------------------------------------------
# Mentoring pairs


def test_only_approved_mentors_of_the_lab_are_paired(
    lab_a, lab_b, coordinator, participant
):
    for mentor in (
        VolunteerFactory(lab=lab_a),
        ApprovedMentorFactory(lab=lab_b),
        ApprovedMentorFactory(lab=lab_a, role=Volunteer.Role.VOLUNTEER),
    ):
        with pytest.raises(ValidationError):
            services.pair_create(
                actor=coordinator, mentor=mentor, participant=participant
            )
    pair = services.pair_create(
        actor=coordinator,
        mentor=ApprovedMentorFactory(lab=lab_a),
        participant=participant,
    )
    assert pair.lab == lab_a
    assert AuditEntry.objects.filter(
        object_type="mentoring_pair", participant_id=participant.pk
    ).exists()


def test_pair_health_flags_pairs_without_a_recent_meeting(
    lab_a, coordinator, participant
):
    today = timezone.localdate()
    pair = PairFactory(
        participant=participant, started_on=today - dt.timedelta(weeks=10)
    )
    health = selectors.pair_health(pair=pair)
    assert (health.meetings, health.last_meeting, health.quiet) == (0, None, True)
    services.meeting_log(
        actor=coordinator,
        pair=pair,
        on=today - dt.timedelta(weeks=5),
        duration_minutes=60,
    )
    assert selectors.pair_health(pair=pair).quiet
    services.meeting_log(
        actor=coordinator,
        pair=pair,
        on=today - dt.timedelta(days=3),
        duration_minutes=45,
    )
    health = selectors.pair_health(pair=pair)
    assert (health.meetings, health.last_meeting, health.quiet) == (
        2,
        today - dt.timedelta(days=3),
        False,
    )
    rows = selectors.pair_list(user=coordinator)
    assert [(p.pk, h.meetings, h.quiet) for p, h in rows] == [(pair.pk, 2, False)]
    assert selectors.pair_list(user=coordinator, quiet_only=True) == []


def test_meetings_are_not_logged_in_the_future_or_before_the_pair(
    lab_a, coordinator, participant
):
    pair = PairFactory(participant=participant)
    with pytest.raises(ValidationError):
        services.meeting_log(
            actor=coordinator,
            pair=pair,
            on=timezone.localdate() + dt.timedelta(days=1),
            duration_minutes=30,
        )
    with pytest.raises(ValidationError):
        services.meeting_log(
            actor=coordinator,
            pair=pair,
            on=pair.started_on - dt.timedelta(days=1),
            duration_minutes=30,
        )


def test_protected_participants_pairs_stay_hidden(lab_a, coordinator, facilitator):
    from openmil.participants.models import ProtectedCase

    person = ParticipantFactory(lab=lab_a)
    pair = PairFactory(participant=person)
    case = ProtectedCase.objects.create(participant=person)
    case.staff.add(coordinator)
    assert [p.pk for p, _h in selectors.pair_list(user=coordinator)] == [pair.pk]
    assert selectors.pair_list(user=facilitator) == []
    assert MentoringPair.objects.count() == 1


def test_a_mentors_capacity_and_gender_are_set_by_a_vetter(
    lab_a, coordinator, facilitator
):
    mentor = ApprovedMentorFactory(lab=lab_a)
    assert (mentor.max_mentees, mentor.gender) == (1, "")
    services.volunteer_mentoring_update(
        actor=coordinator, volunteer=mentor, max_mentees=3, gender="female"
    )
    mentor.refresh_from_db()
    assert (mentor.max_mentees, mentor.gender) == (3, "female")
    entry = AuditEntry.objects.get(object_type="volunteer", action="update")
    assert entry.changes == {
        "max_mentees": {"before": 1, "after": 3},
        "gender": {"before": "", "after": "female"},
    }
    with pytest.raises(ValidationError):
        services.volunteer_mentoring_update(
            actor=coordinator, volunteer=mentor, max_mentees=0, gender=""
        )
    with pytest.raises(ValidationError):
        services.volunteer_mentoring_update(
            actor=coordinator,
            volunteer=ApprovedMentorFactory(lab=lab_a, role=Volunteer.Role.VOLUNTEER),
            max_mentees=2,
            gender="",
        )
    with pytest.raises(PermissionDenied):
        services.volunteer_mentoring_update(
            actor=facilitator, volunteer=mentor, max_mentees=2, gender=""
        )
    mentor.refresh_from_db()
    assert mentor.max_mentees == 3
