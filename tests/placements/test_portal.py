"""The "What I am looking for" section of the participant's space and the
page where the person changes it (`placements/portal.py`,
`views.own_preference_edit`)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from openmil.core.models import AuditEntry
from openmil.placements.models import MatchingPreference
from tests.conftest import client_for
from tests.portal.factories import participant_account

URL = "/portal/preferences/"


@pytest.fixture
def account(participant):
    return participant_account(participant)


@pytest.fixture
def stated(participant) -> MatchingPreference:
    """What the person said with their caseworker, coordinates included."""
    return MatchingPreference.objects.create(
        participant=participant,
        occupations=["5120"],
        kinds=["vacancy", "mentoring"],
        places=["Lisboa", "Amadora"],
        available_from=dt.date(2026, 3, 2),
        mentor_gender="female",
        interests=["economic", "cooking"],
        availability=["weekends", "weekday_evenings"],
        meeting_place="Arroios",
        meeting_latitude=Decimal("38.73"),
        meeting_longitude=Decimal("-9.14"),
    )


def _section(client: Client) -> str:
    body = client.get(reverse("portal:home")).content.decode()
    return body.split('id="preferences"')[1].split("</section>")[0]


def _form(**changes) -> dict:
    data = {
        "kinds": ["training"],
        "places": "Porto, Braga",
        "available_from": "2026-05-04",
        "mentor_gender": "male",
        "pillars": ["language", "civic"],
        "other_interests": "chess, cooking",
        "availability": ["weekday_mornings"],
        "meeting_place": "Bonfim",
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------------------
# The section.


def test_section_says_in_plain_words_what_the_person_stated(account, stated):
    section = _section(client_for(account.user))
    assert "What I am looking for" in section
    for words in (
        "A job",
        "A mentor",
        "Lisboa, Amadora",
        "March 2, 2026",
        "A woman",
        "Work and business, cooking",
        "Weekends, Weekday evenings",
        "Arroios",
        "Cooks",
        "Chosen with your caseworker.",
    ):
        assert words in section, words
    # Never the coordinates, the ISCO-08 codes or staff words.
    for hidden in ("38.73", "-9.14", "5120", "vacancy", "economic", "Mentoring slot"):
        assert hidden not in section, hidden
    assert f'href="{URL}"' in section and "Change" in section


def test_section_without_preferences_says_so_and_offers_the_page(account):
    section = _section(client_for(account.user))
    assert "You have not said yet what you are looking for." in section
    assert f'href="{URL}"' in section


def test_section_comes_after_the_mentor(account, stated):
    body = client_for(account.user).get(reverse("portal:home")).content.decode()
    assert body.index('id="mentor"') < body.index('id="preferences"')
    assert body.index('id="preferences"') < body.index('id="consents"')


# ---------------------------------------------------------------------------
# The page.


def test_page_shows_the_form_filled_and_logs_the_view(account, stated):
    response = client_for(account.user).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Lisboa, Amadora"' in body
    assert 'value="2026-03-02"' in body
    assert 'value="cooking"' in body  # the interests that are not a pillar
    assert 'value="economic" id="id_pillars_1" checked' in body
    assert "never your home address" in body
    # Neither the occupations nor the coordinates are on the page.
    assert "ISCO" not in body and "5120" not in body and "38.73" not in body
    entry = AuditEntry.objects.filter(action="view").latest("pk")
    assert entry.actor == account.user
    assert entry.participant_id == account.participant_id
    assert entry.detail == "own preferences"


def test_saving_the_form_updates_the_section(account, stated):
    client = client_for(account.user)
    response = client.post(URL, _form(), follow=True)
    assert response.redirect_chain[-1][0] == "/portal/#preferences"
    assert "Thank you: what you are looking for is saved." in (
        response.content.decode()
    )
    stated.refresh_from_db()
    assert stated.kinds == ["training"]
    assert stated.places == ["Porto", "Braga"]
    assert stated.available_from == dt.date(2026, 5, 4)
    assert stated.mentor_gender == "male"
    assert stated.interests == ["language", "civic", "chess", "cooking"]
    assert stated.availability == ["weekday_mornings"]
    # Staff's choices stay; the new place has no coordinates of the old one.
    assert stated.occupations == ["5120"]
    assert stated.meeting_place == "Bonfim"
    assert stated.meeting_latitude is None and stated.meeting_longitude is None
    section = _section(client)
    for words in ("A training course", "Porto, Braga", "A man", "Bonfim"):
        assert words in section, words
    entry = AuditEntry.objects.filter(object_type="matching_preference").latest("pk")
    assert entry.actor == account.user
    assert entry.changes["meeting_place"] == {"before": "Arroios", "after": "Bonfim"}


def test_saving_an_empty_form_states_no_preference(account, stated):
    client_for(account.user).post(URL, {})
    stated.refresh_from_db()
    assert stated.kinds == [] and stated.places == [] and stated.interests == []
    assert stated.available_from is None and stated.mentor_gender == ""
    assert stated.occupations == ["5120"]


def test_first_preferences_of_a_person_are_created(account):
    client_for(account.user).post(URL, _form(meeting_place=""))
    pref = MatchingPreference.objects.get(participant=account.participant)
    assert pref.kinds == ["training"] and pref.meeting_place == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"available_from": "next monday"}, "available_from"),
        ({"available_from": "2026-02-30"}, "available_from"),
        ({"available_from": "99999-01-01"}, "available_from"),
        ({"places": "x" * 501}, "places"),
        ({"other_interests": "y" * 501}, "other_interests"),
        ({"meeting_place": "z" * 101}, "meeting_place"),
        ({"meeting_place": "Bon\x00fim"}, "meeting_place"),
        ({"mentor_gender": "other"}, "mentor_gender"),
        ({"kinds": ["spaceship"]}, "kinds"),
        ({"availability": ["midnight"]}, "availability"),
    ],
)
def test_bad_input_is_explained_in_the_persons_language(
    participant, stated, changes, field
):
    account = participant_account(participant, language="ar")
    before = MatchingPreference.objects.filter(pk=stated.pk).values().get()
    response = client_for(account.user).post(URL, _form(**changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'dir="rtl"' in body
    errors = response.context["form"].errors[field]
    assert errors and all(message in body for message in errors)
    # In Arabic, as Django words them.
    assert not any(message.isascii() for message in errors)
    assert MatchingPreference.objects.filter(pk=stated.pk).values().get() == before


# ---------------------------------------------------------------------------
# Who reaches it.


def test_staff_have_no_such_page(coordinator, facilitator, stated):
    before = MatchingPreference.objects.filter(pk=stated.pk).values().get()
    for user in (coordinator, facilitator):
        client = client_for(user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, _form()).status_code == 404
    assert MatchingPreference.objects.filter(pk=stated.pk).values().get() == before


def test_anonymous_visitors_are_sent_to_the_portal_sign_in(stated):
    for method in ("get", "post"):
        response = getattr(Client(), method)(URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/portal/sign-in/?next=")


def test_a_participant_changes_only_their_own_preferences(account, stated, lab_a):
    other = participant_account(lab=lab_a, given_name="Bahrom")
    client_for(other.user).post(URL, _form(places="Faro"))
    stated.refresh_from_db()
    assert stated.places == ["Lisboa", "Amadora"]
    assert MatchingPreference.objects.get(participant=other.participant).places == [
        "Faro"
    ]
    page = client_for(other.user).get(URL).content.decode()
    assert "Lisboa" not in page and "Arroios" not in page
