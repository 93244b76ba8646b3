"""Cohort mix against the target, attendance rates, upcoming sessions and
the scoping of every read."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from openmil.activities import selectors
from openmil.activities.models import (
    Attendance,
    Enrolment,
    LabActivitySettings,
)
from openmil.core.roles import Role
from openmil.participants.models import Participant
from tests.activities.factories import (
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    at,
)
from tests.factories import ParticipantFactory, member

pytestmark = pytest.mark.django_db

NEWCOMER, NATIONAL = Participant.Profile.NEWCOMER, Participant.Profile.NATIONAL


def enrol(cohort, lab, profile, n=1, status=Enrolment.Status.ENROLLED):
    return [
        EnrolmentFactory(
            cohort=cohort,
            participant=ParticipantFactory(lab=lab, profile=profile),
            status=status,
        ).participant
        for _ in range(n)
    ]


@pytest.fixture
def cohort(lab_a):
    return CohortFactory(activity=ActivityFactory(lab=lab_a), capacity=20)


# Cohort mix ---------------------------------------------------------------


def test_mix_counts_enrolled_people_by_profile_against_the_lab_default(cohort, lab_a):
    enrol(cohort, lab_a, NEWCOMER, 3)
    enrol(cohort, lab_a, NATIONAL, 1)
    enrol(cohort, lab_a, NATIONAL, 5, status=Enrolment.Status.WAITLISTED)
    mix = selectors.cohort_mix(cohort=cohort)
    assert (mix.newcomers, mix.nationals, mix.newcomer_share) == (3, 1, 75)
    assert (mix.target, mix.target_is_lab_default) == (50, True)
    assert mix.gap == 25
    assert mix.off_target


def test_mix_within_ten_points_of_the_lab_target_is_not_flagged(cohort, lab_a):
    LabActivitySettings.objects.create(lab=lab_a, target_newcomer_share=70)
    enrol(cohort, lab_a, NEWCOMER, 3)
    enrol(cohort, lab_a, NATIONAL, 1)
    mix = selectors.cohort_mix(cohort=cohort)
    assert (mix.target, mix.gap, mix.off_target) == (70, 5, False)


def test_the_cohort_override_wins_over_the_lab_target(cohort, lab_a):
    LabActivitySettings.objects.create(lab=lab_a, target_newcomer_share=70)
    cohort.target_newcomer_share = 40
    cohort.save()
    enrol(cohort, lab_a, NEWCOMER, 1)
    enrol(cohort, lab_a, NATIONAL, 3)
    mix = selectors.cohort_mix(cohort=cohort)
    assert (mix.target, mix.target_is_lab_default) == (40, False)
    assert (mix.newcomer_share, mix.gap, mix.off_target) == (25, -15, True)


def test_exactly_ten_points_off_is_not_flagged(cohort, lab_a):
    cohort.target_newcomer_share = 40
    cohort.save()
    enrol(cohort, lab_a, NEWCOMER, 1)
    enrol(cohort, lab_a, NATIONAL, 1)
    mix = selectors.cohort_mix(cohort=cohort)
    assert (mix.gap, mix.off_target) == (10, False)


def test_an_empty_cohort_has_no_share_and_no_flag(cohort):
    mix = selectors.cohort_mix(cohort=cohort)
    assert (mix.newcomer_share, mix.off_target) == (None, False)


# Attendance rates -------------------------------------------------------------


@pytest.fixture
def three_held_one_coming(cohort):
    held = [SessionFactory(cohort=cohort, starts_at=at(-d)) for d in (3, 2, 1)]
    coming = SessionFactory(cohort=cohort, starts_at=at(5))
    return held, coming


def test_rate_is_present_over_sessions_held(cohort, lab_a, three_held_one_coming):
    held, coming = three_held_one_coming
    ana, ben = enrol(cohort, lab_a, NEWCOMER, 2)
    for session, status in zip(held, ["present", "excused", "present"], strict=True):
        AttendanceFactory(session=session, participant=ana, status=status)
    AttendanceFactory(session=held[0], participant=ben, status="absent")
    AttendanceFactory(session=coming, participant=ben, status="excused")

    ana_rate = selectors.attendance_rate_for_participant(participant=ana)
    assert (ana_rate.present, ana_rate.held, ana_rate.percent) == (2, 3, 67)
    ben_rate = selectors.attendance_rate_for_participant(participant=ben)
    assert (ben_rate.present, ben_rate.held, ben_rate.percent) == (0, 3, 0)
    cohort_rate = selectors.attendance_rate_for_cohort(cohort=cohort)
    assert (cohort_rate.present, cohort_rate.held, cohort_rate.percent) == (2, 6, 33)


def test_the_grid_gives_the_same_rates_as_the_selectors(
    cohort, lab_a, facilitator, three_held_one_coming
):
    held, coming = three_held_one_coming
    ana, ben = enrol(cohort, lab_a, NEWCOMER, 2)
    AttendanceFactory(session=held[0], participant=ana)
    AttendanceFactory(session=held[1], participant=ben)
    AttendanceFactory(session=held[2], participant=ben)
    grid = selectors.attendance_grid(user=facilitator, cohort=cohort)
    assert grid.held == 3
    assert [s.pk for s in grid.sessions] == [*(s.pk for s in held), coming.pk]
    rates = {row.participant.pk: row.rate.percent for row in grid.rows}
    assert rates == {ana.pk: 33, ben.pk: 67}
    assert (
        grid.rate.percent == selectors.attendance_rate_for_cohort(cohort=cohort).percent
    )
    ben_row = next(r for r in grid.rows if r.participant == ben)
    assert [m for _s, m in ben_row.marks] == ["", "present", "present", ""]


def test_a_person_with_no_held_session_has_no_rate(cohort, lab_a):
    SessionFactory(cohort=cohort, starts_at=at(3))
    (ana,) = enrol(cohort, lab_a, NEWCOMER)
    assert selectors.attendance_rate_for_participant(participant=ana).percent is None


def test_the_grid_lists_only_people_the_user_may_see(cohort, lab_a, facilitator):
    visible = enrol(cohort, lab_a, NEWCOMER)[0]
    hidden = ParticipantFactory(lab=lab_a, processing_restricted=True)
    EnrolmentFactory(cohort=cohort, participant=hidden)
    grid = selectors.attendance_grid(user=facilitator, cohort=cohort)
    assert grid.people == [visible]


# Sessions for the participant's and the facilitator's calendars ---------------


def test_upcoming_sessions_of_a_participant_are_those_of_enrolled_cohorts(
    cohort, lab_a
):
    (ana,) = enrol(cohort, lab_a, NEWCOMER)
    SessionFactory(cohort=cohort, starts_at=at(-2))
    soon = SessionFactory(cohort=cohort, starts_at=at(2))
    later = SessionFactory(cohort=cohort, starts_at=at(9))
    waiting = CohortFactory(activity=cohort.activity)
    EnrolmentFactory(
        cohort=waiting, participant=ana, status=Enrolment.Status.WAITLISTED
    )
    SessionFactory(cohort=waiting, starts_at=at(3))
    today = timezone.localdate()
    upcoming = selectors.sessions_upcoming_for_participant(participant=ana, today=today)
    assert list(upcoming) == [soon, later]
    week = selectors.sessions_upcoming_for_participant(
        participant=ana, today=today, days=7
    )
    assert list(week) == [soon]


def test_facilitator_sessions_only_in_labs_where_they_are_staff(
    cohort, facilitator, lab_b
):
    mine = SessionFactory(cohort=cohort, facilitator=facilitator, starts_at=at(1))
    SessionFactory(cohort=cohort, starts_at=at(1))
    elsewhere = CohortFactory(activity=ActivityFactory(lab=lab_b))
    SessionFactory(cohort=elsewhere, facilitator=facilitator, starts_at=at(1))
    sessions = selectors.sessions_for_facilitator(
        user=facilitator, since=timezone.now(), days=7
    )
    assert list(sessions) == [mine]


# Scoping ---------------------------------------------------------------------


def test_activities_of_another_lab_are_not_found(cohort, outsider, lab_b):
    ActivityFactory(lab=lab_b, title="Italian A1")
    assert [a.title for a in selectors.activity_list(user=outsider)] == ["Italian A1"]
    with pytest.raises(Http404):
        selectors.activity_get(user=outsider, activity_id=cohort.activity_id)
    with pytest.raises(Http404):
        selectors.cohort_get(user=outsider, cohort_id=cohort.pk)
    session = SessionFactory(cohort=cohort)
    with pytest.raises(Http404):
        selectors.session_get(user=outsider, session_id=session.pk)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR])
def test_roles_without_personal_access_read_no_programme(cohort, lab_a, role):
    user = member(lab_a, role)
    assert not selectors.activity_list(user=user).exists()
    with pytest.raises(Http404):
        selectors.cohort_get(user=user, cohort_id=cohort.pk)


def test_activity_list_filters_by_pillar(lab_a, facilitator):
    ActivityFactory(lab=lab_a, pillar="language", title="Portuguese")
    ActivityFactory(lab=lab_a, pillar="civic", title="Living in Portugal")
    titles = [
        a.title for a in selectors.activity_list(user=facilitator, pillar="civic")
    ]
    assert titles == ["Living in Portugal"]


def test_enrolment_of_a_hidden_record_is_not_found(cohort, lab_a, facilitator):
    hidden = ParticipantFactory(lab=lab_a, processing_restricted=True)
    enrolment = EnrolmentFactory(cohort=cohort, participant=hidden)
    with pytest.raises(Http404):
        selectors.enrolment_get(user=facilitator, enrolment_id=enrolment.pk)


def test_rates_ignore_sessions_after_now(cohort, lab_a):
    (ana,) = enrol(cohort, lab_a, NEWCOMER)
    session = SessionFactory(cohort=cohort, starts_at=at(-1))
    AttendanceFactory(
        session=session, participant=ana, status=Attendance.Status.PRESENT
    )
    before = session.starts_at - dt.timedelta(minutes=1)
    rate = selectors.attendance_rate_for_participant(participant=ana, now=before)
    assert rate.held == 0
