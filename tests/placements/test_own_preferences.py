"""One write of stated preferences, for staff and the person alike: the
fields each may set, the meeting area's coordinates cleared with a new place,
and the audit entry naming who changed what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from openmil.core.models import AuditEntry
from openmil.placements import services
from openmil.placements.models import MatchingPreference
from openmil.placements.selectors import mentee_facts
from tests.portal.factories import participant_account

ARROIOS = {
    "meeting_place": "Arroios",
    "meeting_latitude": "38.731249",
    "meeting_longitude": "-9.135612",
}


def _last_entry(pref: MatchingPreference) -> AuditEntry:
    return AuditEntry.objects.filter(
        object_type="matching_preference", object_id=str(pref.pk)
    ).latest("pk")


@pytest.fixture
def located(participant, facilitator) -> MatchingPreference:
    """The person's meeting area, with coordinates, stated with staff, and an
    occupation chosen with them."""
    return services.preference_update(
        actor=facilitator,
        participant=participant,
        data={**ARROIOS, "occupations": ["5120"], "interests": ["cooking"]},
    )


@pytest.fixture
def account(participant):
    return participant_account(participant)


# ---------------------------------------------------------------------------
# The person in their space.


def test_participant_states_their_preferences_audited_as_themselves(account):
    pref = services.own_preference_update(
        user=account.user,
        data={
            "kinds": ["vacancy", "training"],
            "places": ["Lisboa", "Amadora"],
            "available_from": dt.date(2026, 3, 1),
            "mentor_gender": "female",
            "interests": ["language", "football"],
            "availability": ["weekends"],
            "meeting_place": " Benfica ",
        },
    )
    pref.refresh_from_db()
    assert pref.participant == account.participant
    assert pref.kinds == ["vacancy", "training"]
    assert pref.places == ["Lisboa", "Amadora"]
    assert pref.available_from == dt.date(2026, 3, 1)
    assert pref.mentor_gender == "female"
    assert pref.interests == ["language", "football"]
    assert pref.meeting_place == "Benfica"
    assert pref.updated_by == account.user
    entry = _last_entry(pref)
    assert entry.actor == account.user
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.participant_id == account.participant_id
    assert entry.detail == "own space"
    assert entry.changes["meeting_place"] == {"before": "", "after": "Benfica"}
    assert entry.changes["interests"]["after"] == "['language', 'football']"
    # What they said feeds the mentor score.
    facts = mentee_facts([account.participant])[account.participant_id]
    assert facts.interests == ("language", "football")
    assert facts.wants_gender == "female"


def test_participant_cannot_set_occupations_or_coordinates(located, account):
    services.own_preference_update(
        user=account.user,
        data={
            "occupations": ["9333"],
            "meeting_latitude": "41.15",
            "meeting_longitude": "-8.61",
            "updated_by": None,
            "kinds": ["training"],
        },
    )
    located.refresh_from_db()
    assert located.occupations == ["5120"]
    assert (located.meeting_latitude, located.meeting_longitude) == (
        Decimal("38.73"),
        Decimal("-9.14"),
    )
    assert located.kinds == ["training"]
    assert located.updated_by == account.user


def test_participant_changing_the_meeting_place_clears_its_coordinates(
    located, account
):
    services.own_preference_update(user=account.user, data={"meeting_place": "Graça"})
    located.refresh_from_db()
    assert located.meeting_place == "Graça"
    assert located.meeting_latitude is None and located.meeting_longitude is None
    entry = _last_entry(located)
    assert entry.changes["meeting_latitude"] == {"before": "38.73", "after": "None"}
    # The distance to mentors is now unknown rather than wrong.
    facts = mentee_facts([located.participant])[located.participant_id]
    assert facts.lat is None and facts.lon is None


def test_participant_keeping_the_meeting_place_keeps_its_coordinates(located, account):
    services.own_preference_update(
        user=account.user, data={"meeting_place": " Arroios ", "kinds": ["vacancy"]}
    )
    located.refresh_from_db()
    assert located.meeting_latitude == Decimal("38.73")
    assert "meeting_latitude" not in _last_entry(located).changes


def test_participant_emptying_the_meeting_place_clears_its_coordinates(
    located, account
):
    services.own_preference_update(user=account.user, data={"meeting_place": ""})
    located.refresh_from_db()
    assert located.meeting_place == ""
    assert located.meeting_latitude is None


def test_only_a_participant_account_states_its_own_preferences(
    participant, facilitator, coordinator
):
    for user in (facilitator, coordinator):
        with pytest.raises(PermissionDenied):
            services.own_preference_update(user=user, data={"kinds": ["vacancy"]})
    assert not MatchingPreference.objects.filter(participant=participant).exists()


def test_an_inactive_account_states_nothing(account):
    account.user.is_active = False
    account.user.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        services.own_preference_update(user=account.user, data={"kinds": ["vacancy"]})
    assert not MatchingPreference.objects.exists()


# ---------------------------------------------------------------------------
# Staff, through the same write.


def test_staff_changing_the_meeting_place_without_coordinates_clears_them(
    located, facilitator
):
    services.preference_update(
        actor=facilitator,
        participant=located.participant,
        data={"meeting_place": "Graça"},
    )
    located.refresh_from_db()
    assert located.meeting_place == "Graça"
    assert located.meeting_latitude is None and located.meeting_longitude is None


def test_staff_changing_the_place_with_the_old_coordinates_clears_them(
    located, facilitator
):
    """The staff form sends the coordinates it showed: unchanged, they are
    the old place's."""
    services.preference_update(
        actor=facilitator,
        participant=located.participant,
        data={**ARROIOS, "meeting_place": "Graça"},
    )
    located.refresh_from_db()
    assert located.meeting_latitude is None


def test_staff_giving_a_new_place_with_new_coordinates_keeps_them(located, facilitator):
    services.preference_update(
        actor=facilitator,
        participant=located.participant,
        data={
            "meeting_place": "Graça",
            "meeting_latitude": "38.7167",
            "meeting_longitude": "-9.1306",
        },
    )
    located.refresh_from_db()
    assert located.meeting_place == "Graça"
    assert (located.meeting_latitude, located.meeting_longitude) == (
        Decimal("38.72"),
        Decimal("-9.13"),
    )
    entry = _last_entry(located)
    assert entry.actor == located.updated_by
    assert entry.detail == ""


def test_staff_still_set_occupations(located, facilitator):
    services.preference_update(
        actor=facilitator,
        participant=located.participant,
        data={"occupations": ["9333"]},
    )
    located.refresh_from_db()
    assert located.occupations == ["9333"]
    assert located.meeting_latitude == Decimal("38.73")
