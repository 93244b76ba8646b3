"""Every matching page and API operation, requested by every role that must
not get through, with the World of tests/core/test_access_sweep.py (which
makes sure that every URL and operation is in a sweep). The pages and
operations of a round are swept twice: for a round of opportunities and for
a mentor round."""

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from openmil.core.models import Organisation
from openmil.core.roles import Role
from openmil.events.models import MentoringPair, Volunteer
from openmil.placements import services
from openmil.placements.models import MatchingPreference, MatchingRound, Proposal
from tests.conftest import client_for
from tests.core.test_access_sweep import (
    REFUSED,
    SWEPT_ELSEWHERE,
    SWEPT_ELSEWHERE_API,
    Operation,
    Page,
    World,
    _body,
    _is_login_redirect,
    _leaks,
    bearer,
    database_state,
    url_names,
    world,  # noqa: F401 - the shared fixture
)
from tests.events.factories import ApprovedMentorFactory
from tests.factories import OrganisationFactory, member
from tests.partners.factories import OpportunityFactory, ServiceFactory
from tests.placements.conftest import sharing_consent

OWN_PREFIX = "matching/"
OWN_API_PREFIX = "/api/v1/matching-rounds"
MODELS = (MatchingPreference, MatchingRound, Proposal, MentoringPair, Volunteer)
MENTORS = "mentors"


def state() -> dict[str, Any]:
    data = database_state()
    for model in MODELS:
        data[model.__name__] = list(model.objects.order_by("pk").values())
    return data


def test_the_core_sweep_leaves_these_pages_to_this_one():
    assert OWN_PREFIX in SWEPT_ELSEWHERE
    assert OWN_API_PREFIX in SWEPT_ELSEWHERE_API


@pytest.fixture
def mw(world, django_capture_on_commit_callbacks) -> World:  # noqa: F811
    """Lab A's world with an employer's job, an approved mentor, a finished
    round of each kind and a proposal of each."""
    w = world
    employer = OrganisationFactory(lab=w.lab, kind=Organisation.Kind.EMPLOYER)
    ServiceFactory(organisation=employer, need_type=None, pillar="economic")
    w.opportunity = OpportunityFactory(organisation=employer, title="Cook")
    sharing_consent(w.participant)
    with django_capture_on_commit_callbacks(execute=True):
        w.round = services.round_create(
            actor=w.coordinator,
            lab=w.lab,
            title="Sweep",
            participants=[w.participant],
            opportunities=[w.opportunity],
        )
    w.proposal = Proposal.objects.get(round=w.round, chosen=True)
    w.mentor = ApprovedMentorFactory(lab=w.lab, languages=["ar", "pt"])
    with django_capture_on_commit_callbacks(execute=True):
        w.mentor_round = services.round_create(
            actor=w.coordinator,
            lab=w.lab,
            kind=MatchingRound.Kind.MENTORS,
            title="Sweep mentors",
            participants=[w.participant],
        )
    w.mentor_proposal = Proposal.objects.get(round=w.mentor_round, chosen=True)
    return w


PAGES: dict[str, Page] = {
    "placements:round_list": Page(
        staff=True, kwargs=lambda w: {"lab_id": w.lab.pk}, lab_a=True
    ),
    "placements:round_create": Page(
        staff=True,
        kwargs=lambda w: {"lab_id": w.lab.pk},
        post=lambda w: {
            "title": "Another",
            "participants": [w.participant.pk],
            "opportunities": [w.opportunity.pk],
        },
        lab_a=True,
    ),
    "placements:round_detail": Page(
        staff=True, kwargs=lambda w: {"round_id": w.round.pk}, lab_a=True
    ),
    "placements:proposal_decide": Page(
        staff=True,
        kwargs=lambda w: {"proposal_id": w.proposal.pk, "action": "reject"},
        get=False,
        post=lambda w: {"reason": "Not now"},
        lab_a=True,
    ),
    "placements:preferences": Page(
        staff=True,
        kwargs=lambda w: {"participant_id": w.participant.pk},
        post=lambda w: {
            "kinds": ["vacancy"],
            "places": "Lisboa",
            "meeting_place": "Arroios",
            "meeting_latitude": "38.7312",
            "meeting_longitude": "-9.1356",
        },
        lab_a=True,
    ),
}


#: The same pages for a mentor round: its form, its review, its decisions.
MENTOR_PAGES: dict[str, Page] = {
    "placements:round_create": Page(
        staff=True,
        kwargs=lambda w: {"lab_id": w.lab.pk},
        query=lambda w: {"kind": MENTORS},
        post=lambda w: {"title": "Mentors again", "participants": [w.participant.pk]},
        lab_a=True,
    ),
    "placements:round_detail": Page(
        staff=True, kwargs=lambda w: {"round_id": w.mentor_round.pk}, lab_a=True
    ),
    "placements:proposal_decide": Page(
        staff=True,
        kwargs=lambda w: {"proposal_id": w.mentor_proposal.pk, "action": "accept"},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
}
CASES = [(name, "opportunities") for name in sorted(PAGES)] + [
    (name, MENTORS) for name in sorted(MENTOR_PAGES)
]


def test_the_sweep_knows_every_matching_url():
    names = {n for n in url_names(swept_elsewhere=True) if n.startswith("placements:")}
    assert names == set(PAGES)
    assert set(MENTOR_PAGES) <= names


def _page(name: str, kind: str) -> Page:
    return (MENTOR_PAGES if kind == MENTORS else PAGES)[name]


def _request(client: Client, method: str, name: str, w: World, kind: str, **extra: Any):
    page = _page(name, kind)
    url = page.url(name, w)
    if method == "get":
        return client.get(url, page.query(w), **extra)
    assert page.post is not None
    if page.query(w):
        url = f"{url}?{urlencode(page.query(w))}"
    return client.post(url, page.post(w), **extra)


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_lab_a_coordinator_reaches_every_matching_page(name, kind, mw):
    page = _page(name, kind)
    client = client_for(mw.coordinator)
    if page.get:
        assert _request(client, "get", name, mw, kind).status_code == 200
    if page.post:
        before = state()
        response = _request(client, "post", name, mw, kind)
        assert response.status_code == 302, _body(response)
        assert state() != before


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_coordinator_of_another_lab_gets_nothing_of_lab_a(name, kind, mw, outsider):
    client = client_for(outsider)
    before = state()
    for method in _page(name, kind).methods():
        response = _request(client, method, name, mw, kind)
        assert response.status_code in REFUSED, method
        assert not _leaks(_body(response), mw)
        assert mw.mentor.name not in _body(response)
    assert state() == before


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR])
@pytest.mark.parametrize(("name", "kind"), CASES)
def test_roles_without_matching_never_reach_matching_pages(name, kind, role, mw):
    client = client_for(member(mw.lab, role))
    before = state()
    for method in _page(name, kind).methods():
        response = _request(client, method, name, mw, kind)
        assert response.status_code in REFUSED, method
        assert not _leaks(_body(response), mw), method
    assert state() == before


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_anonymous_visitors_are_sent_to_sign_in_from_matching_pages(name, kind, mw):
    before = state()
    for method in _page(name, kind).methods():
        assert _is_login_redirect(_request(Client(), method, name, mw, kind)), method
    assert state() == before


# ---------------------------------------------------------------------------
# API operations.


def _r(w: World) -> dict[str, int]:
    return {"round_id": w.round.pk}


def _rp(w: World) -> dict[str, int]:
    return {"round_id": w.round.pk, "proposal_id": w.proposal.pk}


def _mr(w: World) -> dict[str, int]:
    return {"round_id": w.mentor_round.pk}


def _mrp(w: World) -> dict[str, int]:
    return {"round_id": w.mentor_round.pk, "proposal_id": w.mentor_proposal.pk}


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/matching-rounds"): Operation(lab_a=False, listing=True),
    ("POST", "/api/v1/matching-rounds"): Operation(
        body=lambda w: {
            "lab": w.lab.pk,
            "participants": [w.participant.pk],
            "opportunities": [w.opportunity.pk],
        }
    ),
    ("GET", "/api/v1/matching-rounds/{round_id}"): Operation(path=_r),
    ("GET", "/api/v1/matching-rounds/{round_id}/proposals"): Operation(path=_r),
    ("POST", "/api/v1/matching-rounds/{round_id}/proposals/{proposal_id}/accept"): (
        Operation(path=_rp, body=lambda w: {})
    ),
    ("POST", "/api/v1/matching-rounds/{round_id}/proposals/{proposal_id}/reject"): (
        Operation(path=_rp, body=lambda w: {"reason": "Not now"})
    ),
}
#: The same operations on a mentor round.
MENTOR_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", "/api/v1/matching-rounds"): Operation(
        body=lambda w: {
            "lab": w.lab.pk,
            "kind": MENTORS,
            "participants": [w.participant.pk],
            "mentors": [w.mentor.pk],
        }
    ),
    ("GET", "/api/v1/matching-rounds/{round_id}"): Operation(path=_mr),
    ("GET", "/api/v1/matching-rounds/{round_id}/proposals"): Operation(path=_mr),
    ("POST", "/api/v1/matching-rounds/{round_id}/proposals/{proposal_id}/accept"): (
        Operation(path=_mrp, body=lambda w: {})
    ),
    ("POST", "/api/v1/matching-rounds/{round_id}/proposals/{proposal_id}/reject"): (
        Operation(path=_mrp, body=lambda w: {"reason": "Not now"})
    ),
}
ALL_OPERATIONS = [(*key, "opportunities") for key in sorted(OPERATIONS)] + [
    (*key, MENTORS) for key in sorted(MENTOR_OPERATIONS)
]


def test_the_sweep_knows_every_matching_operation():
    from openmil.config.api import api

    schema = api.get_openapi_schema()
    ops = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        if path.startswith(OWN_API_PREFIX)
        for method in item
    }
    assert ops == set(OPERATIONS)
    assert set(MENTOR_OPERATIONS) <= ops


def _op(key: tuple[str, str, str]) -> Operation:
    method, template, kind = key
    return (MENTOR_OPERATIONS if kind == MENTORS else OPERATIONS)[(method, template)]


def _call(client: Client, key: tuple[str, str, str], w: World, token: str | None):
    method, template, _kind = key
    op = _op(key)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = op.url(template, w)
    if method == "GET":
        return client.get(url, op.query(w), headers=headers)
    assert op.body is not None
    return client.generic(
        method,
        url,
        json.dumps(op.body(w)),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_lab_a_coordinator_may_call_every_matching_operation(key, mw):
    before = state()
    response = _call(Client(), key, mw, bearer(mw.coordinator))
    assert response.status_code in (200, 201), response.content
    if key[0] != "GET":
        assert state() != before
    if _op(key).listing:
        assert response.json()["items"]


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_matching_operations_without_a_token_answer_401(key, mw):
    before = state()
    assert _call(Client(), key, mw, token=None).status_code == 401
    assert state() == before


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_coordinator_of_another_lab_gets_nothing_of_lab_a_matching(
    key, mw, outsider
):
    token = bearer(outsider)
    before = state()
    response = _call(Client(), key, mw, token)
    assert not _leaks(_body(response), mw)
    if _op(key).listing:
        assert response.json()["items"] == []
    else:
        assert response.status_code in REFUSED
    assert state() == before


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR], ids=str
)
@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_roles_without_matching_get_nothing(key, role, mw):
    token = bearer(member(mw.lab, role))
    before = state()
    response = _call(Client(), key, mw, token)
    assert not _leaks(_body(response), mw)
    if _op(key).listing:
        assert response.json()["items"] == []
    else:
        assert response.status_code in REFUSED
    assert state() == before
