"""Participant isolation: a participant's account reaches itself and nothing else.

Two participants of the same lab, A and B, each with an account. A requests
every page of the space with B's ids (404, nothing changed) and without ids
(none of B's data). A participant also requests every staff page and every
API operation of the access sweep: refused or redirected, never data.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.core.test_access_sweep as core_sweep
from openmil.core.models import ApiToken
from openmil.core.services import api_token_create
from openmil.participants.models import Consent, Participant
from openmil.placements.models import MatchingPreference
from openmil.portal.models import ParticipantAccount
from tests.conftest import client_for
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    need_type,
)
from tests.portal.factories import participant_account

REFUSED = {403, 404}
#: Lab A's records of the access sweep, for the staff pages below.
world = core_sweep.world


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@dataclass
class Pair:
    a: ParticipantAccount
    b: ParticipantAccount
    b_consent: Consent

    @property
    def b_data(self) -> list[str]:
        p = self.b.participant
        return [
            p.given_name,
            p.family_name,
            p.reference,
            p.email,
            "Bring the lease",
            "Penha de França",
        ]


@pytest.fixture
def pair(lab_a, facilitator) -> Pair:
    a = participant_account(
        ParticipantFactory(lab=lab_a, given_name="Aylin", family_name="Arslan")
    )
    b_person = ParticipantFactory(
        lab=lab_a,
        given_name="Bahrom",
        family_name="Boboev",
        reference="LABA-B-0042",
        caseworker=facilitator,
    )
    b = participant_account(b_person)
    NeedFactory(participant=b_person, need_type=need_type("housing"))
    FollowUpFactory(participant=b_person, subject="Bring the lease")
    consent = ConsentFactory(participant=b_person, purpose=Consent.Purpose.FOLLOW_UP)
    ConsentFactory(participant=a.participant, purpose=Consent.Purpose.FOLLOW_UP)
    MatchingPreference.objects.create(
        participant=b_person,
        places=["Penha de França"],
        meeting_place="Penha de França",
        meeting_latitude="38.73",
        meeting_longitude="-9.13",
    )
    return Pair(a=a, b=b, b_consent=consent)


@dataclass(frozen=True)
class SpacePage:
    """How to request a page of the space as A with B's objects."""

    kwargs: Any = None  # callable(pair) -> kwargs naming one of B's records
    get: bool = True
    post: Any = None  # callable(pair) -> form data
    staff: bool = False  # a staff action on a participant, not the space


SPACE: dict[str, SpacePage] = {
    "portal:home": SpacePage(),
    "portal:sign_in": SpacePage(post=lambda p: {"username": "x", "password": "y"}),
    "portal:link_request": SpacePage(post=lambda p: {"email": p.b.user.email}),
    "portal:link_use": SpacePage(
        kwargs=lambda p: {"token": "made-up"}, post=lambda p: {}
    ),
    "portal:password_set": SpacePage(
        post=lambda p: {"new_password1": "x", "new_password2": "x"}
    ),
    "portal:preferences": SpacePage(
        post=lambda p: {"places": "Arroios", "meeting_place": "Arroios"}
    ),
    "portal:consent_withdraw": SpacePage(
        kwargs=lambda p: {"consent_id": p.b_consent.pk}, post=lambda p: {}
    ),
    "portal:my_data_json": SpacePage(),
    "portal:my_data_pdf": SpacePage(),
    "portal:invite": SpacePage(
        kwargs=lambda p: {"participant_id": p.b.participant_id},
        get=False,
        post=lambda p: {},
        staff=True,
    ),
    "records:participant_record": SpacePage(
        kwargs=lambda p: {"participant_id": p.b.participant_id}, staff=True
    ),
}


def app_url_names(*namespaces: str) -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], ns: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or ns)
            elif isinstance(pattern, URLPattern) and ns in namespaces:
                names.add(f"{ns}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_the_sweep_covers_every_page_of_the_space_and_records():
    assert app_url_names("portal", "records") == set(SPACE)


def b_state(pair: Pair) -> dict[str, Any]:
    b = Participant.objects.get(pk=pair.b.participant_id)
    return {
        "participant": Participant.objects.filter(pk=b.pk).values().get(),
        "consents": list(b.consents.values()),
        "follow_ups": list(b.follow_ups.values()),
        "needs": list(b.needs.values()),
        "preferences": list(MatchingPreference.objects.filter(participant=b).values()),
        "user": list(type(pair.b.user).objects.filter(pk=pair.b.user_id).values()),
    }


def leaks(response, pair: Pair) -> list[str]:
    body = response.content.decode(errors="replace")
    return [value for value in pair.b_data if value and value in body]


@pytest.mark.parametrize("name", sorted(SPACE))
def test_participant_a_reaches_nothing_of_participant_b(name, pair):
    page = SPACE[name]
    client = client_for(pair.a.user)
    url = reverse(name, kwargs=page.kwargs(pair) if page.kwargs else None)
    before = b_state(pair)
    methods = [m for m, ok in (("get", page.get), ("post", page.post)) if ok]
    for method in methods:
        data = page.post(pair) if method == "post" else None
        response = getattr(client, method)(url, data)
        assert not leaks(response, pair), (method, leaks(response, pair))
        if page.staff or name == "portal:consent_withdraw":
            assert response.status_code in REFUSED, method
        else:
            assert response.status_code < 500
    assert b_state(pair) == before
    assert not ParticipantAccount.objects.exclude(pk__in=[pair.a.pk, pair.b.pk])


def test_a_and_b_each_download_only_themselves(pair):
    for me, other in ((pair.a, pair.b), (pair.b, pair.a)):
        client = client_for(me.user)
        data = client.get(reverse("portal:my_data_json")).json()
        assert data["participant"]["id"] == me.participant_id
        text = str(data)
        assert other.participant.given_name not in text
        assert other.user.email not in text


@pytest.mark.parametrize("name", sorted(core_sweep.PAGES))
def test_participant_account_never_reaches_a_staff_page(name, world, pair):
    """Every page of the access sweep, filled with lab A's records."""
    page = core_sweep.PAGES[name]
    client = client_for(pair.a.user)
    before = core_sweep.database_state()
    for method in page.methods():
        response = core_sweep._request(client, method, name, world)
        body = core_sweep._body(response)
        assert not core_sweep._leaks(body, world), method
        assert not leaks(response, pair), method
        if page.staff:
            assert response.status_code in REFUSED or response.status_code == 302
            if response.status_code == 302:
                assert not response["Location"].startswith("/participants/")
    if page.staff:
        assert core_sweep.database_state() == before


@pytest.mark.parametrize("key", sorted(core_sweep.OPERATIONS), ids=" ".join)
def test_participant_token_never_reaches_staff_api(key, world, pair):
    op = core_sweep.OPERATIONS[key]
    _token, raw = api_token_create(user=pair.a.user, name="phone")
    before = core_sweep.database_state()
    response = core_sweep._call(Client(), key, world, raw)
    assert not core_sweep._leaks(core_sweep._body(response), world)
    assert not leaks(response, pair)
    if op.own:
        assert response.status_code == 200
        assert response.json()["participant"]["id"] == pair.a.participant_id
    elif op.listing:
        assert response.status_code == 200 and response.json()["items"] == []
    elif op.personal or op.lab_a:
        assert response.status_code in REFUSED
        before.pop("AuditEntry")
        after = core_sweep.database_state()
        after.pop("AuditEntry")
        before.pop("ApiToken"), after.pop("ApiToken")
        assert after == before


def test_me_record_with_a_session_and_without_an_account(pair, coordinator):
    response = client_for(pair.a.user).get("/api/v1/me/record")
    assert response.status_code == 200
    assert response.json()["participant"]["id"] == pair.a.participant_id
    assert client_for(coordinator).get("/api/v1/me/record").status_code == 404
    assert Client().get("/api/v1/me/record").status_code == 401
    assert ApiToken.objects.count() == 0
