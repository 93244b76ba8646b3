"""Enrolment with a waitlist, withdrawal and promotion, attendance records,
the programme set-up, and calendar feeds."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.activities import services
from openmil.activities.models import Attendance, CalendarFeed, Enrolment, Session
from openmil.core.models import AuditEntry
from openmil.core.pillars import Pillar
from openmil.core.roles import Role
from openmil.participants.models import Consent
from tests.activities.factories import (
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
)
from tests.factories import (
    ConsentFactory,
    OrganisationFactory,
    ParticipantFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(lab_a):
    return CohortFactory(activity=ActivityFactory(lab=lab_a), capacity=2)


def people(lab, n, **kwargs):
    return [ParticipantFactory(lab=lab, **kwargs) for _ in range(n)]


def statuses(cohort):
    return list(
        Enrolment.objects.filter(cohort=cohort)
        .order_by("requested_at", "id")
        .values_list("participant__given_name", "status")
    )


# Enrolment and the waitlist ----------------------------------------------------


def test_enrolling_past_capacity_puts_people_on_the_waitlist_in_order(
    cohort, lab_a, facilitator
):
    a, b, c, d = people(lab_a, 4)
    results = [
        services.enrolment_create(actor=facilitator, cohort=cohort, participant=p)
        for p in (a, b, c, d)
    ]
    assert [e.status for e in results] == [
        Enrolment.Status.ENROLLED,
        Enrolment.Status.ENROLLED,
        Enrolment.Status.WAITLISTED,
        Enrolment.Status.WAITLISTED,
    ]
    assert results[0].enrolled_at is not None
    assert results[2].enrolled_at is None


def test_withdrawing_an_enrolled_person_promotes_the_first_waitlisted(
    cohort, lab_a, facilitator
):
    a, b, c, d = people(lab_a, 4)
    enrolments = [
        services.enrolment_create(actor=facilitator, cohort=cohort, participant=p)
        for p in (a, b, c, d)
    ]
    services.enrolment_withdraw(actor=facilitator, enrolment=enrolments[0])
    assert statuses(cohort) == [
        (a.given_name, Enrolment.Status.WITHDRAWN),
        (b.given_name, Enrolment.Status.ENROLLED),
        (c.given_name, Enrolment.Status.ENROLLED),
        (d.given_name, Enrolment.Status.WAITLISTED),
    ]
    promoted = Enrolment.objects.get(pk=enrolments[2].pk)
    assert promoted.enrolled_at is not None
    entry = AuditEntry.objects.filter(participant_id=c.pk, object_type="enrolment")
    assert entry.filter(detail__contains="promoted").exists()


def test_withdrawing_from_the_waitlist_promotes_nobody(cohort, lab_a, facilitator):
    a, b, c, d = people(lab_a, 4)
    enrolments = [
        services.enrolment_create(actor=facilitator, cohort=cohort, participant=p)
        for p in (a, b, c, d)
    ]
    services.enrolment_withdraw(actor=facilitator, enrolment=enrolments[2])
    assert [s for _n, s in statuses(cohort)] == [
        Enrolment.Status.ENROLLED,
        Enrolment.Status.ENROLLED,
        Enrolment.Status.WITHDRAWN,
        Enrolment.Status.WAITLISTED,
    ]


def test_withdrawing_twice_is_a_clear_error(cohort, lab_a, facilitator):
    enrolment = services.enrolment_create(
        actor=facilitator, cohort=cohort, participant=people(lab_a, 1)[0]
    )
    services.enrolment_withdraw(actor=facilitator, enrolment=enrolment)
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.enrolment_withdraw(actor=facilitator, enrolment=enrolment)


def test_a_person_cannot_be_enrolled_twice_but_may_come_back_after_withdrawing(
    cohort, lab_a, facilitator
):
    person = people(lab_a, 1)[0]
    first = services.enrolment_create(
        actor=facilitator, cohort=cohort, participant=person
    )
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrolment_create(actor=facilitator, cohort=cohort, participant=person)
    services.enrolment_withdraw(actor=facilitator, enrolment=first)
    again = services.enrolment_create(
        actor=facilitator, cohort=cohort, participant=person
    )
    assert again.status == Enrolment.Status.ENROLLED


def test_only_participants_of_the_same_lab_can_be_enrolled(cohort, lab_b, coordinator):
    stranger = ParticipantFactory(lab=lab_b)
    with pytest.raises(ValidationError, match="Only participants of this lab"):
        services.enrolment_create(
            actor=coordinator, cohort=cohort, participant=stranger
        )
    assert not Enrolment.objects.exists()


def test_a_restricted_record_cannot_be_enrolled_by_a_facilitator(
    cohort, lab_a, facilitator
):
    person = ParticipantFactory(lab=lab_a, processing_restricted=True)
    with pytest.raises(ValidationError):
        services.enrolment_create(actor=facilitator, cohort=cohort, participant=person)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR])
def test_roles_without_edit_rights_cannot_enrol(cohort, lab_a, role):
    with pytest.raises(PermissionDenied):
        services.enrolment_create(
            actor=member(lab_a, role),
            cohort=cohort,
            participant=people(lab_a, 1)[0],
        )


def test_outsider_cannot_withdraw(cohort, lab_a, facilitator, outsider):
    enrolment = services.enrolment_create(
        actor=facilitator, cohort=cohort, participant=people(lab_a, 1)[0]
    )
    with pytest.raises(PermissionDenied):
        services.enrolment_withdraw(actor=outsider, enrolment=enrolment)


def test_a_larger_capacity_takes_people_off_the_waitlist(cohort, lab_a, coordinator):
    for p in people(lab_a, 4):
        services.enrolment_create(actor=coordinator, cohort=cohort, participant=p)
    services.cohort_update(actor=coordinator, cohort=cohort, data={"capacity": 3})
    assert [s for _n, s in statuses(cohort)] == [
        Enrolment.Status.ENROLLED,
        Enrolment.Status.ENROLLED,
        Enrolment.Status.ENROLLED,
        Enrolment.Status.WAITLISTED,
    ]


def test_enrolment_is_audited_with_the_person(cohort, lab_a, facilitator):
    person = people(lab_a, 1)[0]
    services.enrolment_create(actor=facilitator, cohort=cohort, participant=person)
    entry = AuditEntry.objects.get(object_type="enrolment")
    assert (entry.participant_id, entry.lab_id, entry.action) == (
        person.pk,
        lab_a.pk,
        AuditEntry.Action.CREATE,
    )
    assert entry.changes == {"status": {"before": None, "after": "enrolled"}}


# Attendance ------------------------------------------------------------------


@pytest.fixture
def enrolled(cohort, lab_a):
    return [
        EnrolmentFactory(cohort=cohort, participant=p).participant
        for p in people(lab_a, 2)
    ]


def test_attendance_is_recorded_changed_and_cleared(cohort, enrolled, facilitator):
    session = SessionFactory(cohort=cohort)
    a, b = enrolled
    services.attendance_record(
        actor=facilitator,
        session=session,
        marks={a.pk: Attendance.Status.PRESENT, b.pk: Attendance.Status.ABSENT},
    )
    services.attendance_record(
        actor=facilitator,
        session=session,
        marks={a.pk: Attendance.Status.PRESENT, b.pk: Attendance.Status.EXCUSED},
    )
    marks = dict(Attendance.objects.values_list("participant_id", "status"))
    assert marks == {a.pk: "present", b.pk: "excused"}
    # Only changes are logged: two creations and one change.
    assert AuditEntry.objects.filter(object_type="attendance").count() == 3
    services.attendance_record(actor=facilitator, session=session, marks={a.pk: ""})
    assert dict(Attendance.objects.values_list("participant_id", "status")) == {
        b.pk: "excused"
    }


def test_attendance_of_a_person_not_enrolled_is_refused(
    cohort, enrolled, facilitator, lab_a
):
    session = SessionFactory(cohort=cohort)
    stranger = ParticipantFactory(lab=lab_a)
    with pytest.raises(ValidationError, match="Not enrolled"):
        services.attendance_record(
            actor=facilitator, session=session, marks={stranger.pk: "present"}
        )
    assert not Attendance.objects.exists()


def test_unknown_attendance_values_are_refused(cohort, enrolled, facilitator):
    session = SessionFactory(cohort=cohort)
    with pytest.raises(ValidationError, match="Unknown attendance"):
        services.attendance_record(
            actor=facilitator, session=session, marks={enrolled[0].pk: "late"}
        )


def test_a_future_session_takes_only_excused_absences(cohort, enrolled, facilitator):
    start = timezone.now() + dt.timedelta(days=2)
    session = SessionFactory(
        cohort=cohort, starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="not started yet"):
        services.attendance_record(
            actor=facilitator, session=session, marks={enrolled[0].pk: "present"}
        )
    services.attendance_record(
        actor=facilitator, session=session, marks={enrolled[0].pk: "excused"}
    )
    assert Attendance.objects.get().status == "excused"


def test_analyst_cannot_record_attendance(cohort, enrolled, analyst):
    session = SessionFactory(cohort=cohort)
    with pytest.raises(PermissionDenied):
        services.attendance_record(
            actor=analyst, session=session, marks={enrolled[0].pk: "present"}
        )


# Programme set-up ------------------------------------------------------------


def test_coordinator_creates_an_activity_run_by_a_partner(lab_a, coordinator):
    partner = OrganisationFactory(lab=lab_a)
    activity = services.activity_create(
        actor=coordinator,
        lab=lab_a,
        data={
            "title": "Start your business",
            "kind": "workshop",
            "pillar": Pillar.ECONOMIC,
            "organisation": partner,
        },
    )
    assert activity.organisation == partner
    assert AuditEntry.objects.filter(object_type="activity", lab_id=lab_a.pk).exists()


def test_an_activity_cannot_be_run_by_another_labs_partner(lab_a, lab_b, coordinator):
    with pytest.raises(ValidationError):
        services.activity_create(
            actor=coordinator,
            lab=lab_a,
            data={
                "title": "Borrowed",
                "kind": "course",
                "pillar": Pillar.CIVIC,
                "organisation": OrganisationFactory(lab=lab_b),
            },
        )


def test_facilitator_cannot_create_activities(lab_a, facilitator):
    with pytest.raises(PermissionDenied):
        services.activity_create(
            actor=facilitator,
            lab=lab_a,
            data={"title": "X", "kind": "course", "pillar": Pillar.CIVIC},
        )


def test_session_times_are_wall_clock_times_in_the_labs_zone(
    cohort, coordinator, facilitator
):
    session = services.session_create(
        actor=coordinator,
        cohort=cohort,
        day=dt.date(2026, 7, 1),
        start=dt.time(18, 0),
        end=dt.time(20, 0),
        place="Library",
        facilitator=facilitator,
    )
    # Lisbon is UTC+1 in summer.
    assert session.starts_at == dt.datetime(2026, 7, 1, 17, 0, tzinfo=dt.UTC)
    assert session.ends_at == dt.datetime(2026, 7, 1, 19, 0, tzinfo=dt.UTC)


def test_session_facilitator_must_be_staff_of_the_lab(cohort, coordinator, lab_a):
    for who in (member(lab_a, Role.MENTOR), member(lab_a, Role.ANALYST)):
        with pytest.raises(ValidationError, match="staff member"):
            services.session_create(
                actor=coordinator,
                cohort=cohort,
                day=dt.date(2026, 7, 1),
                start=dt.time(18, 0),
                end=dt.time(20, 0),
                facilitator=who,
            )
    assert not Session.objects.exists()


def test_session_end_before_start_is_refused(cohort, coordinator):
    with pytest.raises(ValidationError):
        services.session_create(
            actor=coordinator,
            cohort=cohort,
            day=dt.date(2026, 7, 1),
            start=dt.time(18, 0),
            end=dt.time(17, 0),
        )


def test_lab_target_needs_lab_management(lab_a, coordinator, facilitator):
    with pytest.raises(PermissionDenied):
        services.lab_activity_settings_update(
            actor=facilitator, lab=lab_a, target_newcomer_share=60
        )
    settings = services.lab_activity_settings_update(
        actor=coordinator, lab=lab_a, target_newcomer_share=60
    )
    assert settings.target_newcomer_share == 60


# Calendar feeds ----------------------------------------------------------------


def test_regenerating_a_feed_revokes_the_old_one(facilitator):
    first, raw1 = services.calendar_feed_regenerate(user=facilitator)
    second, raw2 = services.calendar_feed_regenerate(user=facilitator)
    assert raw1 != raw2
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert CalendarFeed.objects.get(digest=CalendarFeed.digest_of(raw2)) == second
    assert not CalendarFeed.objects.filter(digest=raw2).exists()


def test_participant_feed_needs_edit_rights(participant, analyst, facilitator):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    with pytest.raises(PermissionDenied):
        services.calendar_feed_regenerate_for_participant(
            actor=analyst, participant=participant
        )
    feed, _raw = services.calendar_feed_regenerate_for_participant(
        actor=facilitator, participant=participant
    )
    assert feed.participant == participant
    assert AuditEntry.objects.filter(
        object_type="calendar_feed", participant_id=participant.pk
    ).exists()


def test_a_partner_running_activities_is_kept_unless_its_lab_goes(lab_a):
    from django.db.models import RestrictedError

    from openmil.activities.models import Activity

    partner = OrganisationFactory(lab=lab_a)
    ActivityFactory(lab=lab_a, organisation=partner)
    with pytest.raises(RestrictedError):
        partner.delete()
    lab_a.delete()
    assert not Activity.objects.exists()
