"""A protected case is seen only by its named staff; aggregates still count it."""

import datetime as dt

import pytest
from django.utils import timezone

from openmil.core.roles import Role
from openmil.core.selectors import audit_entries
from openmil.participants import selectors, services
from openmil.participants.models import Consent, Household, Need
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(lab_a):
    """A facilitator named on the case."""
    return member(lab_a, Role.FACILITATOR)


@pytest.fixture
def case(lab_a, coordinator, facilitator, named):
    """A protected person whose caseworker (facilitator) is not named."""
    person = ParticipantFactory(lab=lab_a, caseworker=facilitator, given_name="Leyla")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    NeedFactory(
        participant=person, owner=facilitator, due_date=yesterday, need_type=need_type()
    )
    ConsentFactory(participant=person, purpose=Consent.Purpose.FOLLOW_UP)
    FollowUpFactory(participant=person, assigned_to=facilitator)
    services.protected_case_set(
        actor=coordinator, participant=person, staff=[coordinator, named]
    )
    return person


def visible(user):
    return set(selectors.participant_queryset(user=user).values_list("pk", flat=True))


def test_only_named_staff_see_a_protected_case(case, coordinator, named, facilitator):
    other_coordinator = member(case.lab, Role.COORDINATOR)
    assert case.pk in visible(coordinator)
    assert case.pk in visible(named)
    assert case.pk not in visible(facilitator)
    assert case.pk not in visible(other_coordinator)


def test_a_protected_case_leaves_search_and_the_caseload_of_unnamed_staff(
    case, facilitator, named
):
    assert not selectors.participant_list(user=facilitator, query="Leyla").exists()
    assert not selectors.participant_list(
        user=facilitator, caseworker_id=facilitator.pk
    ).exists()
    assert selectors.participant_list(user=named, query="Leyla").get() == case


def test_counts_and_reminders_shown_to_unnamed_staff_leave_it_out(
    case, facilitator, coordinator
):
    summary = selectors.home_summary(user=facilitator)
    assert summary.my_participant_count == 0
    assert summary.overdue_count == 0
    assert summary.overdue_needs == [] and summary.follow_ups == []
    assert not selectors.needs_overdue(user=facilitator).exists()
    assert not selectors.follow_ups_due(user=facilitator).exists()
    assert selectors.needs_overdue(user=coordinator).count() == 1


def test_related_records_of_a_protected_case_are_not_found(case, facilitator):
    from django.http import Http404

    need = Need.objects.get(participant=case)
    with pytest.raises(Http404):
        selectors.need_get(user=facilitator, need_id=need.pk)
    with pytest.raises(Http404):
        selectors.participant_get(user=facilitator, participant_id=case.pk)


def test_aggregates_still_count_the_protected_person(case, coordinator, facilitator):
    ParticipantFactory(lab=case.lab)
    stats = selectors.lab_overview(user=facilitator, lab_id=case.lab_id)
    assert stats["participants"] == 2
    assert stats["needs"][("housing", Need.Status.IDENTIFIED)] == 1


def test_household_members_shown_are_only_those_the_user_may_see(
    case, lab_a, facilitator
):
    household = Household.objects.create(lab=lab_a, reference="H-1")
    case.household = household
    case.save()
    sibling = ParticipantFactory(lab=lab_a, household=household)
    assert (
        list(selectors.household_members(user=facilitator, participant=sibling)) == []
    )
    assert list(
        selectors.household_members(
            user=case.lab.memberships.get(role=Role.COORDINATOR).user,
            participant=sibling,
        )
    ) == [case]


def test_audit_entries_about_a_protected_case_are_for_named_coordinators_only(
    case, coordinator, lab_a
):
    other_coordinator = member(lab_a, Role.COORDINATOR)
    mine = audit_entries(user=coordinator).filter(participant_id=case.pk)
    assert mine.filter(object_type="protected_case").exists()
    assert not audit_entries(user=other_coordinator).filter(participant_id=case.pk)


def test_after_the_protection_is_lifted_the_lab_sees_the_case_again(
    case, coordinator, facilitator
):
    services.protected_case_lift(actor=coordinator, participant=case)
    assert case.pk in visible(facilitator)


def test_protection_adds_no_condition_for_users_without_labs(case, analyst):
    assert visible(analyst) == set()
