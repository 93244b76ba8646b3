"""Every privacy page and API operation, requested by every role that must
not get through (the core sweep leaves the privacy URLs to this file).

Each URL name and each operation has an entry below; a new one without an
entry fails the completeness tests.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from openmil.config.api import api
from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.core.services import api_token_create
from openmil.participants.models import Participant
from openmil.privacy.models import ErasureRequest, LabPrivacySettings, RetentionRun
from tests.conftest import client_for
from tests.factories import ParticipantFactory, member
from tests.privacy.factories import ErasureRequestFactory, identifiable_person

REFUSED = {403, 404}
LOGIN_URL = "/account/login/"


@dataclass
class World:
    lab: Any
    coordinator: Any
    facilitator: Any
    participant: Participant
    request: ErasureRequest
    other: Participant

    @property
    def personal_data(self) -> list[str]:
        p = self.participant
        return [
            p.given_name,
            p.family_name,
            p.phone,
            p.email,
            self.other.given_name,
            self.other.health_notes,
        ]


@pytest.fixture
def world(lab_a, lab_b, coordinator, facilitator, journal) -> World:
    person = identifiable_person(lab_a, facilitator)
    ParticipantFactory(lab=lab_b, given_name="Bruno")
    request = ErasureRequestFactory(participant=person, requested_by=facilitator)
    other = ParticipantFactory(lab=lab_a, caseworker=facilitator)
    return World(lab_a, coordinator, facilitator, person, request, other)


def state() -> dict[str, Any]:
    models = (Participant, ErasureRequest, LabPrivacySettings, RetentionRun)
    data: dict[str, Any] = {
        m.__name__: list(m.objects.order_by("pk").values()) for m in models
    }
    data["audit_writes"] = list(
        AuditEntry.objects.exclude(action="view").values_list("pk", flat=True)
    )
    return data


# ---------------------------------------------------------------------------
# Pages.


@dataclass(frozen=True)
class Page:
    kwargs: Callable[[World], dict[str, Any]]
    get: bool = True
    post: Callable[[World], dict[str, Any]] | None = None
    #: Roles of lab A allowed in (besides the coordinator).
    also: tuple[str, ...] = ()
    #: Roles that see the page's object, so are told "no" on the page they
    #: come from (a redirect with a message) rather than refused.
    told: tuple[str, ...] = ()


PAGES: dict[str, Page] = {
    "privacy:dashboard": Page(kwargs=lambda w: {"lab_id": w.lab.pk}, also=(Role.DPO,)),
    "privacy:retention": Page(
        kwargs=lambda w: {"lab_id": w.lab.pk},
        post=lambda w: {
            "action": "settings",
            "retention_enabled": "on",
            "months_after_exit": 12,
            "months_after_last_activity": 24,
            "daily_view_threshold": 50,
            "median_factor": 3,
        },
    ),
    "privacy:erasure_request": Page(
        kwargs=lambda w: {"participant_id": w.other.pk},
        post=lambda w: {"grounds": "person_asked", "reason": "Asked again"},
        also=(Role.FACILITATOR,),
    ),
    "privacy:erasure_approve": Page(
        kwargs=lambda w: {"request_id": w.request.pk},
        get=False,
        post=lambda w: {},
        told=(Role.DPO,),
    ),
    "privacy:erasure_reject": Page(
        kwargs=lambda w: {"request_id": w.request.pk},
        get=False,
        post=lambda w: {"note": "No"},
        told=(Role.DPO,),
    ),
}


def privacy_url_names() -> set[str]:
    resolver = get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "privacy":
            names |= {f"privacy:{p.name}" for p in pattern.url_patterns}
    return names


def test_the_sweep_knows_every_privacy_page():
    assert privacy_url_names() == set(PAGES)


def _call(client: Client, name: str, world: World, method: str, **extra: Any):
    page = PAGES[name]
    url = reverse(name, kwargs=page.kwargs(world))
    if method == "get":
        return client.get(url, **extra)
    assert page.post is not None
    return client.post(url, page.post(world), **extra)


def _methods(name: str) -> list[str]:
    page = PAGES[name]
    return [m for m, ok in (("get", page.get), ("post", page.post)) if ok]


def _leaks(response, world: World) -> list[str]:
    body = response.content.decode(errors="replace")
    return [v for v in world.personal_data if v and v in body]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_lab_a_coordinator_reaches_every_privacy_page(name, world):
    """The control for the refusals below: the URLs and forms are right."""
    client = client_for(world.coordinator)
    if PAGES[name].get:
        assert _call(client, name, world, "get").status_code == 200
    if PAGES[name].post:
        before = state()
        assert _call(client, name, world, "post").status_code == 302
        assert state() != before


@pytest.mark.parametrize("name", sorted(PAGES))
def test_coordinator_of_another_lab_is_refused_every_privacy_page(
    name, world, outsider
):
    client = client_for(outsider)
    before = state()
    for method in _methods(name):
        response = _call(client, name, world, method)
        assert response.status_code in REFUSED, method
        assert not _leaks(response, world)
    assert state() == before


@pytest.mark.parametrize(
    "role",
    [Role.FACILITATOR, Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR, Role.DPO],
    ids=str,
)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_roles_without_the_permission_are_refused(name, role, world):
    if role in PAGES[name].also:
        return
    client = client_for(member(world.lab, role))
    before = state()
    allowed = REFUSED | ({302} if role in PAGES[name].told else set())
    for method in _methods(name):
        response = _call(client, name, world, method)
        assert response.status_code in allowed, method
        assert not _leaks(response, world)
    assert state() == before


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(name, world):
    before = state()
    for method in _methods(name):
        response = _call(Client(), name, world, method)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
    assert state() == before


# ---------------------------------------------------------------------------
# API operations.


@dataclass(frozen=True)
class Operation:
    path: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World], dict[str, Any]] | None = None
    listing: bool = False
    also: tuple[str, ...] = ()


def _lab(w: World) -> dict[str, Any]:
    return {"lab_id": w.lab.pk}


def _req(w: World) -> dict[str, Any]:
    return {"request_id": w.request.pk}


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/privacy/erasure-requests"): Operation(
        listing=True, also=(Role.DPO,)
    ),
    ("POST", "/api/v1/privacy/erasure-requests"): Operation(
        body=lambda w: {
            "participant": w.other.pk,
            "grounds": "person_asked",
            "reason": "Asked",
        },
        also=(Role.FACILITATOR,),
    ),
    ("POST", "/api/v1/privacy/erasure-requests/{request_id}/approve"): Operation(
        path=_req, body=lambda w: {}
    ),
    ("POST", "/api/v1/privacy/erasure-requests/{request_id}/reject"): Operation(
        path=_req, body=lambda w: {"note": "No"}
    ),
    ("POST", "/api/v1/privacy/labs/{lab_id}/retention/dry-run"): Operation(
        path=_lab, body=lambda w: {}
    ),
    ("GET", "/api/v1/privacy/labs/{lab_id}/retention/runs"): Operation(
        path=_lab, also=(Role.DPO,)
    ),
    ("GET", "/api/v1/privacy/labs/{lab_id}/dashboard"): Operation(
        path=_lab, also=(Role.DPO,)
    ),
}


def test_the_sweep_knows_every_privacy_operation():
    schema = api.get_openapi_schema()
    found = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if path.startswith("/api/v1/privacy/")
    }
    assert found == set(OPERATIONS)


def _api(key: tuple[str, str], world: World, user: Any):
    method, template = key
    op = OPERATIONS[key]
    _token, raw = api_token_create(user=user, name="sweep")
    headers = {"Authorization": f"Bearer {raw}"}
    url = template.format(**op.path(world))
    if method == "GET":
        return Client().get(url, headers=headers)
    assert op.body is not None
    return Client().generic(
        method,
        url,
        json.dumps(op.body(world)),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_lab_a_coordinator_may_call_every_operation(key, world):
    response = _api(key, world, world.coordinator)
    assert response.status_code in (200, 201), response.content
    if OPERATIONS[key].listing:
        assert response.json()


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_coordinator_of_another_lab_gets_nothing(key, world, outsider):
    before = state()
    response = _api(key, world, outsider)
    assert not _leaks(response, world)
    if OPERATIONS[key].listing:
        assert response.json() == []
    else:
        assert response.status_code in REFUSED, response.content
    assert state()["ErasureRequest"] == before["ErasureRequest"]
    assert state()["Participant"] == before["Participant"]


@pytest.mark.parametrize(
    "role", [Role.FACILITATOR, Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR, Role.DPO]
)
@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_roles_without_the_permission_are_refused(key, role, world):
    op = OPERATIONS[key]
    if role in op.also:
        return
    before = state()
    response = _api(key, world, member(world.lab, role))
    assert not _leaks(response, world)
    if op.listing:
        assert response.json() == []
    else:
        assert response.status_code in REFUSED, response.content
    assert state()["ErasureRequest"] == before["ErasureRequest"]
    assert state()["Participant"] == before["Participant"]


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_without_a_token_answers_401(key, world):
    method, template = key
    op = OPERATIONS[key]
    url = template.format(**op.path(world))
    if method == "GET":
        response = Client().get(url)
    else:
        response = Client().post(url, "{}", content_type="application/json")
    assert response.status_code == 401
