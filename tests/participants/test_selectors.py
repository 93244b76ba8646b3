"""Participant reads: scoping, search, disclosure of sensitive fields, summaries."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.participants import selectors, services
from openmil.participants.models import Consent, Need, Participant
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    LabFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def days(n):
    return TODAY() + dt.timedelta(days=n)


# participant_queryset: what each role sees


@pytest.fixture
def two_labs(lab_a, lab_b):
    return ParticipantFactory(lab=lab_a), ParticipantFactory(lab=lab_b)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FACILITATOR])
def test_staff_see_every_participant_of_their_lab_only(two_labs, lab_a, role):
    in_a, _in_b = two_labs
    user = member(lab_a, role)

    assert list(selectors.participant_queryset(user=user)) == [in_a]


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR, Role.NETWORK_ADMIN]
)
def test_roles_without_personal_access_see_no_participant(two_labs, lab_a, role):
    user = member(lab_a, role)

    assert not selectors.participant_queryset(user=user).exists()


def test_member_of_two_labs_sees_both(two_labs, lab_a, lab_b):
    user = member(lab_a, Role.FACILITATOR)
    member(lab_b, Role.FACILITATOR, user=user)

    assert set(selectors.participant_queryset(user=user)) == set(two_labs)


def test_staff_role_in_one_lab_does_not_open_another(two_labs, lab_a, lab_b):
    in_a, _in_b = two_labs
    user = member(lab_a, Role.FACILITATOR)
    member(lab_b, Role.ANALYST, user=user)

    assert list(selectors.participant_queryset(user=user)) == [in_a]


def test_restricted_record_is_visible_to_the_coordinator_only(
    lab_a, coordinator, facilitator
):
    restricted = ParticipantFactory(
        lab=lab_a, caseworker=facilitator, processing_restricted=True
    )

    assert restricted in selectors.participant_queryset(user=coordinator)
    assert restricted not in selectors.participant_queryset(user=facilitator)


def test_anonymous_and_inactive_users_see_nothing(two_labs, lab_a):
    user = member(lab_a, Role.COORDINATOR)
    user.is_active = False

    assert not selectors.participant_queryset(user=AnonymousUser()).exists()
    assert not selectors.participant_queryset(user=user).exists()


def test_participant_get_of_another_lab_is_not_found(two_labs, lab_a):
    _in_a, in_b = two_labs

    with pytest.raises(Http404):
        selectors.participant_get(
            user=member(lab_a, Role.COORDINATOR), participant_id=in_b.pk
        )


def test_participant_get_logs_the_view(participant, facilitator):
    selectors.participant_get(user=facilitator, participant_id=participant.pk)

    entry = AuditEntry.objects.get(action="view")
    assert entry.participant_id == participant.pk
    assert entry.actor == facilitator


# Search: any script, ignoring case and accents


@pytest.fixture
def register(lab_a, coordinator):
    counter = iter(range(1, 1000))

    def make(given_name, family_name="", name_latin=""):
        return services.participant_register(
            actor=coordinator,
            lab=lab_a,
            data={
                "reference": f"LIS-{next(counter):04d}",
                "profile": Participant.Profile.NEWCOMER,
                "given_name": given_name,
                "family_name": family_name,
                "name_latin": name_latin,
            },
        )

    return make


@pytest.mark.parametrize(
    ("given_name", "family_name", "query"),
    [
        ("Anna", "Müller", "muller"),
        ("Anna", "Müller", "MÜLLER"),
        ("José", "Álvarez", "JOSE"),
        ("José", "Álvarez", "jose alvarez"),
        ("Ayşe", "Yılmaz", "ayse"),
        ("Thị", "Nguyễn", "nguyen"),
        ("François", "Lefèvre", "francois lefevre"),
        ("محمد", "الأحمد", "محمد"),
        ("محمد", "الأحمد", "مُحَمَّد"),
        ("محـمد", "", "محمد"),
        ("Олена", "Шевченко", "олена"),
        ("Олена", "Шевченко", "ШЕВЧЕНКО"),
        ("Γιώργος", "Παπαδόπουλος", "γιωργος"),
        ("Γιώργος", "Παπαδόπουλος", "ΓΙΏΡΓΟΣ παπαδοπουλος"),
    ],
)
def test_search_ignores_case_accents_and_marks_in_any_script(
    register, coordinator, given_name, family_name, query
):
    wanted = register(given_name, family_name)
    register("Someone", "Else")

    found = selectors.participant_list(user=coordinator, query=query)

    assert list(found) == [wanted]


def test_search_finds_a_name_by_its_latin_transcription(register, coordinator):
    wanted = register("محمد", "الأحمد", name_latin="Mohammed Al-Ahmad")

    assert list(selectors.participant_list(user=coordinator, query="mohammed")) == [
        wanted
    ]


def test_search_finds_by_reference_in_any_case(register, coordinator):
    register("Anna")
    wanted = register("Bruno")

    assert list(selectors.participant_list(user=coordinator, query="lis-0002")) == [
        wanted
    ]


def test_search_needs_every_word_to_match(register, coordinator):
    register("José", "Álvarez")

    assert not selectors.participant_list(user=coordinator, query="jose smith")


def test_search_never_reaches_another_lab(register, coordinator, lab_b, outsider):
    register("Olena", "Shevchenko")

    assert not selectors.participant_list(user=outsider, query="olena").exists()


# Filters of the list


def test_list_filters_by_profile_lab_caseworker_and_open_needs(
    lab_a, coordinator, facilitator
):
    newcomer = ParticipantFactory(lab=lab_a, caseworker=facilitator)
    national = ParticipantFactory(
        lab=lab_a, profile=Participant.Profile.NATIONAL, caseworker=coordinator
    )
    NeedFactory(participant=newcomer, status=Need.Status.IN_PROGRESS)
    NeedFactory(participant=national, status=Need.Status.MET)

    def ids(**filters):
        return {p.pk for p in selectors.participant_list(user=coordinator, **filters)}

    assert ids(profile="national") == {national.pk}
    assert ids(caseworker_id=facilitator.pk) == {newcomer.pk}
    assert ids(open_needs=True) == {newcomer.pk}
    assert ids(open_needs=False) == {national.pk}
    assert ids(lab_id=lab_a.pk) == {newcomer.pk, national.pk}


# can_see_sensitive


def test_coordinator_sees_sensitive_fields(participant, coordinator):
    assert selectors.can_see_sensitive(user=coordinator, participant=participant)


def test_own_caseworker_sees_sensitive_fields(participant, facilitator):
    assert participant.caseworker == facilitator
    assert selectors.can_see_sensitive(user=facilitator, participant=participant)


def test_other_facilitator_does_not_see_sensitive_fields(participant, lab_a):
    colleague = member(lab_a, Role.FACILITATOR)

    assert not selectors.can_see_sensitive(user=colleague, participant=participant)


def test_coordinator_of_another_lab_does_not_see_sensitive_fields(
    participant, outsider
):
    assert not selectors.can_see_sensitive(user=outsider, participant=participant)


def test_caseworker_who_left_the_lab_no_longer_sees_sensitive_fields(
    participant, facilitator
):
    facilitator.memberships.all().delete()
    fresh = type(facilitator).objects.get(pk=facilitator.pk)

    assert not selectors.can_see_sensitive(user=fresh, participant=participant)


# needs_overdue


def test_needs_overdue_lists_open_needs_past_their_due_date(lab_a, lab_b, coordinator):
    p = ParticipantFactory(lab=lab_a)
    late = NeedFactory(participant=p, need_type=need_type("housing"), due_date=days(-1))
    late_in_progress = NeedFactory(
        participant=p,
        need_type=need_type("health"),
        status=Need.Status.IN_PROGRESS,
        due_date=days(-30),
    )
    NeedFactory(
        participant=p,
        need_type=need_type("income"),
        status=Need.Status.MET,
        due_date=days(-5),
    )
    NeedFactory(participant=p, need_type=need_type("documents"), due_date=TODAY())
    NeedFactory(participant=ParticipantFactory(lab=lab_b), due_date=days(-5))

    assert list(selectors.needs_overdue(user=coordinator)) == [late_in_progress, late]


def test_needs_overdue_for_an_owner_includes_their_caseload(
    lab_a, coordinator, facilitator
):
    mine = ParticipantFactory(lab=lab_a, caseworker=facilitator)
    other = ParticipantFactory(lab=lab_a, caseworker=coordinator)
    of_my_caseload = NeedFactory(participant=mine, due_date=days(-2))
    owned_by_me = NeedFactory(participant=other, owner=facilitator, due_date=days(-3))
    NeedFactory(
        participant=other,
        need_type=need_type("health"),
        owner=coordinator,
        due_date=days(-3),
    )

    overdue = selectors.needs_overdue(user=facilitator, owner_id=facilitator.pk)

    assert list(overdue) == [owned_by_me, of_my_caseload]


# follow_ups_due


def test_follow_ups_due_are_only_mine_due_by_today_and_with_consent(
    lab_a, facilitator, coordinator
):
    p = ParticipantFactory(lab=lab_a, caseworker=facilitator)
    ConsentFactory(participant=p, purpose=Consent.Purpose.FOLLOW_UP)
    today = FollowUpFactory(participant=p, assigned_to=facilitator, due_on=TODAY())
    late = FollowUpFactory(participant=p, assigned_to=facilitator, due_on=days(-2))
    FollowUpFactory(participant=p, assigned_to=facilitator, due_on=days(1))
    FollowUpFactory(participant=p, assigned_to=coordinator, due_on=TODAY())
    FollowUpFactory(
        participant=p, assigned_to=facilitator, due_on=TODAY(), done_at=timezone.now()
    )
    FollowUpFactory(
        participant=p,
        assigned_to=facilitator,
        due_on=TODAY(),
        cancelled_at=timezone.now(),
    )
    without_consent = ParticipantFactory(lab=lab_a, caseworker=facilitator)
    FollowUpFactory(participant=without_consent, assigned_to=facilitator)
    withdrawn = ParticipantFactory(lab=lab_a, caseworker=facilitator)
    ConsentFactory(
        participant=withdrawn,
        purpose=Consent.Purpose.FOLLOW_UP,
        withdrawn_at=timezone.now(),
    )
    FollowUpFactory(participant=withdrawn, assigned_to=facilitator)

    assert list(selectors.follow_ups_due(user=facilitator)) == [late, today]
    assert len(selectors.follow_ups_due(user=facilitator, on=days(1))) == 3


# home_summary


def test_home_summary_shows_my_caseload_overdue_needs_and_follow_ups(
    lab_a, facilitator, coordinator
):
    mine = ParticipantFactory(lab=lab_a, caseworker=facilitator)
    ParticipantFactory(lab=lab_a, caseworker=facilitator)
    ParticipantFactory(lab=lab_a, caseworker=coordinator)
    NeedFactory(participant=mine, due_date=days(-1))
    NeedFactory(participant=mine, need_type=need_type("health"), status="met")
    ConsentFactory(participant=mine, purpose=Consent.Purpose.FOLLOW_UP)
    follow_up = FollowUpFactory(participant=mine, assigned_to=facilitator)

    summary = selectors.home_summary(user=facilitator)

    assert summary.my_participant_count == 2
    counts = {p.pk: p.open_need_count for p in summary.my_participants}
    assert counts[mine.pk] == 1
    assert summary.overdue_count == 1
    assert summary.overdue_needs[0].participant == mine
    assert summary.follow_ups == [follow_up]


def test_home_summary_limits_the_lists_but_not_the_counts(lab_a, facilitator):
    ParticipantFactory.create_batch(4, lab=lab_a, caseworker=facilitator)

    summary = selectors.home_summary(user=facilitator, limit=3)

    assert summary.my_participant_count == 4
    assert len(summary.my_participants) == 3


# lab_overview


def test_lab_overview_counts_people_needs_and_pathways(lab_a, lab_b, coordinator):
    newcomer = ParticipantFactory(lab=lab_a, pathway_started_on=days(-10))
    national = ParticipantFactory(lab=lab_a, profile=Participant.Profile.NATIONAL)
    ParticipantFactory(lab=lab_a, profile=Participant.Profile.NATIONAL)
    ParticipantFactory(lab=lab_b)
    NeedFactory(participant=newcomer, status=Need.Status.MET)
    NeedFactory(participant=national, status=Need.Status.MET)
    NeedFactory(participant=national, need_type=need_type("health"))

    stats = selectors.lab_overview(user=coordinator, lab_id=lab_a.pk)

    assert stats["participants"] == 3
    assert stats["by_profile"] == {"newcomer": 1, "national": 2}
    assert stats["needs"] == {("housing", "met"): 2, ("health", "identified"): 1}
    assert stats["pathways_started"] == 1


def test_lab_overview_leaves_out_people_who_objected_to_statistics(lab_a, coordinator):
    counted = ParticipantFactory(lab=lab_a)
    objected = ParticipantFactory(lab=lab_a)
    ConsentFactory(
        participant=objected,
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at=timezone.now(),
    )
    changed_mind = ParticipantFactory(lab=lab_a)
    ConsentFactory(
        participant=changed_mind,
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at=timezone.now(),
    )
    ConsentFactory(participant=changed_mind, purpose=Consent.Purpose.STATISTICS)
    NeedFactory(participant=objected)
    NeedFactory(participant=counted)

    stats = selectors.lab_overview(user=coordinator, lab_id=lab_a.pk)

    assert stats["participants"] == 2
    assert stats["needs"] == {("housing", "identified"): 1}


def test_lab_overview_is_open_to_the_analyst(lab_a, analyst):
    ParticipantFactory(lab=lab_a)

    assert selectors.lab_overview(user=analyst, lab_id=lab_a.pk)["participants"] == 1


def test_lab_overview_of_another_lab_is_not_found(lab_b, coordinator):
    with pytest.raises(Http404):
        selectors.lab_overview(user=coordinator, lab_id=lab_b.pk)


def test_network_admin_reads_the_overview_of_every_lab_of_the_network(
    lab_a, coordinator
):
    sister = LabFactory(network=lab_a.network)
    ParticipantFactory(lab=sister)
    admin = member(lab_a, Role.NETWORK_ADMIN)

    assert selectors.lab_overview(user=admin, lab_id=sister.pk)["participants"] == 1
