"""Partner isolation: every partners and notifications page and every
partners API operation, requested by partner staff of organisation X.

Staff of X never see organisation Y's referrals, any participant not referred
to X, nor the fields of X's own referrals that the lab does not share. The
sweep walks the URL configuration and the OpenAPI document, so a new page or
endpoint without an entry here fails.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openmil.config.api import api
from openmil.core.models import Lab, Organisation
from openmil.core.services import api_token_create
from openmil.participants.models import Participant
from openmil.partners.models import Opportunity, Referral, Service
from tests.conftest import client_for
from tests.core.test_access_sweep import SWEPT_ELSEWHERE, SWEPT_ELSEWHERE_API
from tests.factories import NeedFactory, ParticipantFactory, need_type
from tests.partners.factories import OpportunityFactory, referral

REFUSED = {403, 404}
#: This sweep's share of the core sweep's SWEPT_ELSEWHERE lists.
OWN_PREFIXES = ("partners/", "notifications/")
OWN_API_PREFIXES = (
    "/api/v1/organisations",
    "/api/v1/services",
    "/api/v1/referrals",
    "/api/v1/opportunities",
)


def test_the_core_sweep_leaves_these_pages_to_this_one():
    assert set(OWN_PREFIXES) <= set(SWEPT_ELSEWHERE)
    assert set(OWN_API_PREFIXES) <= set(SWEPT_ELSEWHERE_API)


@dataclass
class World:
    lab: Lab
    coordinator: Any
    facilitator: Any
    org_x: Organisation
    org_y: Organisation
    partner_x: Any
    partner_y: Any
    service_x: Service
    service_y: Service
    to_x: Referral
    to_y: Referral
    referred: Participant
    other: Participant
    unreferred: Participant
    opportunity_x: Opportunity
    opportunity_y: Opportunity

    def forbidden_for_x(self) -> list[str]:
        """Text partner X must never receive."""
        p = self.referred
        unshared = [
            p.reference,
            p.email,
            p.address,
            p.health_notes,
            p.case_notes,
            p.legal_status_detail,
        ]
        people = [self.other, self.unreferred]
        return unshared + [
            value
            for person in people
            for value in (person.given_name, person.family_name, person.reference)
        ]


@pytest.fixture
def world(
    lab_a,
    coordinator,
    facilitator,
    housing_org,
    legal_org,
    partner,
    legal_partner,
    service,
    legal_service,
):
    referred = ParticipantFactory(
        lab=lab_a,
        caseworker=facilitator,
        given_name="Zuleikha",
        family_name="Haddadine",
        reference="LABA-7731",
        email="zuleikha.private@example.org",
        address="Rua Secreta 7",
        health_notes="Insulin twice daily",
        case_notes="Lost her papers at the border",
        legal_status_detail="Appeal lodged in May",
    )
    other = ParticipantFactory(
        lab=lab_a, given_name="Olusegun", family_name="Adeyemi", reference="LABA-8802"
    )
    unreferred = ParticipantFactory(
        lab=lab_a, given_name="Marisol", family_name="Quintero", reference="LABA-9903"
    )
    need = NeedFactory(participant=referred, need_type=need_type("housing"))
    to_x = referral(
        participant=referred,
        service=service,
        actor=facilitator,
        status="sent",
        need=need,
    )
    to_y = referral(
        participant=other, service=legal_service, actor=facilitator, status="sent"
    )
    # A draft to X is not X's to see yet.
    referral(participant=unreferred, service=service, actor=facilitator)
    return World(
        lab=lab_a,
        coordinator=coordinator,
        facilitator=facilitator,
        org_x=housing_org,
        org_y=legal_org,
        partner_x=partner,
        partner_y=legal_partner,
        service_x=service,
        service_y=legal_service,
        to_x=to_x,
        to_y=to_y,
        referred=referred,
        other=other,
        unreferred=unreferred,
        opportunity_x=OpportunityFactory(organisation=housing_org),
        opportunity_y=OpportunityFactory(organisation=legal_org),
    )


@dataclass(frozen=True)
class Page:
    """How to request one URL name. `control` is who may use it (GET 200)."""

    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    post: Callable[[World], dict[str, Any]] | None = None
    get: bool = True
    control: str = "coordinator"


def _service_form(w: World) -> dict[str, Any]:
    return {
        "name": "Night shelter",
        "need_type": need_type("housing").pk,
        "eligible_profile": "both",
        "response_days": 3,
        "active": "on",
    }


def _opportunity_form(w: World) -> dict[str, Any]:
    return {"kind": "vacancy", "title": "Cook", "capacity": 1, "is_open": "on"}


PAGES: dict[str, Page] = {
    "partners:home": Page(),
    "partners:directory": Page(),
    "partners:organisation": Page(kwargs=lambda w: {"organisation_id": w.org_y.pk}),
    "partners:service_create": Page(
        kwargs=lambda w: {"organisation_id": w.org_y.pk}, post=_service_form
    ),
    "partners:service_edit": Page(
        kwargs=lambda w: {"service_id": w.service_y.pk}, post=_service_form
    ),
    "partners:opportunity_create": Page(
        kwargs=lambda w: {"organisation_id": w.org_y.pk}, post=_opportunity_form
    ),
    "partners:opportunity_list": Page(),
    "partners:opportunity_edit": Page(
        kwargs=lambda w: {"opportunity_id": w.opportunity_y.pk},
        post=_opportunity_form,
    ),
    "partners:referral_list": Page(),
    "partners:referral_create": Page(
        kwargs=lambda w: {"participant_id": w.other.pk},
        post=lambda w: {"service": w.service_x.pk},
    ),
    "partners:referral_detail": Page(kwargs=lambda w: {"referral_id": w.to_y.pk}),
    "partners:referral_action": Page(
        kwargs=lambda w: {"referral_id": w.to_y.pk, "action": "accept"},
        get=False,
        post=lambda w: {},
        control="partner_y",
    ),
    "partners:portal": Page(control="partner_y"),
    "partners:portal_referral": Page(
        kwargs=lambda w: {"referral_id": w.to_y.pk}, control="partner_y"
    ),
    "partners:settings": Page(
        kwargs=lambda w: {"lab_id": w.lab.pk},
        post=lambda w: {"shared_fields": ["given_name"], "completion_days": 9},
    ),
    "partners:steering": Page(kwargs=lambda w: {"lab_id": w.lab.pk}),
    "notifications:list": Page(),
    "notifications:open": Page(
        kwargs=lambda w: {"notification_id": _notification_of(w.partner_y)},
        get=False,
        post=lambda w: {},
    ),
    "notifications:read_all": Page(get=False, post=lambda w: {}),
    "notifications:preferences": Page(post=lambda w: {"email": "digest"}),
}


def _notification_of(user) -> int:
    return user.notifications.order_by("id").values_list("id", flat=True).first()


def url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else ""
                walk(pattern.url_patterns, route, ns or namespace)
            elif isinstance(pattern, URLPattern) and route.startswith(OWN_PREFIXES):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "", "")
    return names


def test_the_sweep_knows_every_partners_and_notifications_page():
    assert url_names() == set(PAGES)


def _url(name: str, w: World) -> str:
    return reverse(name, kwargs=PAGES[name].kwargs(w))


def _body(response) -> str:
    return response.content.decode(errors="replace")


def _state(w: World) -> list[Any]:
    return [
        list(Referral.objects.order_by("pk").values()),
        list(Service.objects.order_by("pk").values()),
        list(Opportunity.objects.order_by("pk").values()),
    ]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_partner_x_never_receives_what_is_not_shared_with_x(name, world):
    page = PAGES[name]
    client = client_for(world.partner_x)
    before = _state(world)
    for method in ("get", "post"):
        if (method == "get" and not page.get) or (method == "post" and not page.post):
            continue
        data = page.post(world) if method == "post" and page.post else None
        response = getattr(client, method)(_url(name, world), data, follow=True)
        body = _body(response)
        leaked = [value for value in world.forbidden_for_x() if value in body]
        assert not leaked, (method, leaked)
    # Pages about Y's records are refused outright and change nothing of Y's.
    after = _state(world)
    assert [r for r in after[0] if r["id"] == world.to_y.pk] == [
        r for r in before[0] if r["id"] == world.to_y.pk
    ]
    assert [s for s in after[1] if s["organisation_id"] == world.org_y.pk] == [
        s for s in before[1] if s["organisation_id"] == world.org_y.pk
    ]


Y_RECORD_PAGES = sorted(
    n
    for n in PAGES
    if n
    in {
        "partners:service_create",
        "partners:service_edit",
        "partners:opportunity_create",
        "partners:opportunity_edit",
        "partners:referral_create",
        "partners:referral_detail",
        "partners:referral_action",
        "partners:portal_referral",
        "partners:settings",
        "partners:steering",
        "partners:referral_list",
    }
)


@pytest.mark.parametrize("name", Y_RECORD_PAGES)
def test_partner_x_is_refused_pages_of_other_organisations_and_staff_pages(name, world):
    page = PAGES[name]
    client = client_for(world.partner_x)
    if page.get:
        assert client.get(_url(name, world)).status_code in REFUSED
    if page.post:
        assert client.post(_url(name, world), page.post(world)).status_code in REFUSED


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_control_user_reaches_every_page(name, world):
    """The control for the refusals above: URLs and forms are right."""
    page = PAGES[name]
    user = getattr(world, page.control)
    client = client_for(user)
    if page.get:
        response = client.get(_url(name, world), follow=True)
        assert response.status_code == 200
    if page.post:
        response = client.post(_url(name, world), page.post(world))
        assert response.status_code == 302, _body(response)[:2000]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_coordinator_of_another_lab_gets_nothing_of_lab_a(name, world, outsider):
    page = PAGES[name]
    client = client_for(outsider)
    before = _state(world)
    for method in ("get", "post"):
        if (method == "get" and not page.get) or (method == "post" and not page.post):
            continue
        data = page.post(world) if method == "post" and page.post else None
        response = getattr(client, method)(_url(name, world), data, follow=True)
        body = _body(response)
        for value in (world.referred.given_name, world.other.given_name):
            assert value not in body
    assert _state(world) == before


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(name, world):
    page = PAGES[name]
    client = Client()
    if page.get:
        response = client.get(_url(name, world))
    else:
        response = client.post(_url(name, world), page.post(world) if page.post else {})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_partner_x_sees_the_shared_fields_of_its_own_referral(world):
    client = client_for(world.partner_x)
    body = _body(client.get(reverse("partners:portal_referral", args=[world.to_x.pk])))
    assert world.referred.given_name in body
    assert world.referred.family_name in body
    assert world.referred.health_notes not in body


# ---------------------------------------------------------------------------
# The API.


@dataclass(frozen=True)
class Operation:
    path: Callable[[World], dict[str, int]] = lambda w: {}
    body: Callable[[World], dict[str, Any]] | None = None
    control: str = "coordinator"
    y_record: bool = True


def _y_ref(w: World) -> dict[str, int]:
    return {"referral_id": w.to_y.pk}


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/organisations"): Operation(y_record=False),
    ("GET", "/api/v1/organisations/{organisation_id}"): Operation(
        path=lambda w: {"organisation_id": w.org_y.pk}, y_record=False
    ),
    ("GET", "/api/v1/services"): Operation(y_record=False),
    ("POST", "/api/v1/services"): Operation(
        body=lambda w: {
            "organisation": w.org_y.pk,
            "name": "Night shelter",
            "need_type": "housing",
        }
    ),
    ("GET", "/api/v1/services/{service_id}"): Operation(
        path=lambda w: {"service_id": w.service_y.pk}, y_record=False
    ),
    ("PATCH", "/api/v1/services/{service_id}"): Operation(
        path=lambda w: {"service_id": w.service_y.pk},
        body=lambda w: {"place": "Sintra"},
    ),
    ("GET", "/api/v1/referrals"): Operation(y_record=False),
    ("POST", "/api/v1/referrals"): Operation(
        body=lambda w: {"participant": w.other.pk, "service": w.service_x.pk}
    ),
    ("GET", "/api/v1/referrals/{referral_id}"): Operation(path=_y_ref),
    ("POST", "/api/v1/referrals/{referral_id}/send"): Operation(
        path=_y_ref, body=lambda w: {}
    ),
    ("POST", "/api/v1/referrals/{referral_id}/accept"): Operation(
        path=_y_ref, control="partner_y"
    ),
    ("POST", "/api/v1/referrals/{referral_id}/decline"): Operation(
        path=_y_ref, body=lambda w: {"reason": "full"}, control="partner_y"
    ),
    ("POST", "/api/v1/referrals/{referral_id}/complete"): Operation(
        path=_y_ref, body=lambda w: {}, control="partner_y"
    ),
    ("POST", "/api/v1/referrals/{referral_id}/not-complete"): Operation(
        path=_y_ref, body=lambda w: {"reason": "absent"}, control="partner_y"
    ),
    ("POST", "/api/v1/referrals/{referral_id}/revoke"): Operation(
        path=_y_ref, body=lambda w: {}
    ),
    ("GET", "/api/v1/opportunities"): Operation(y_record=False),
    ("POST", "/api/v1/opportunities"): Operation(
        body=lambda w: {"organisation": w.org_y.pk, "kind": "vacancy", "title": "Cook"}
    ),
    ("GET", "/api/v1/opportunities/{opportunity_id}"): Operation(
        path=lambda w: {"opportunity_id": w.opportunity_y.pk}, y_record=False
    ),
    ("PATCH", "/api/v1/opportunities/{opportunity_id}"): Operation(
        path=lambda w: {"opportunity_id": w.opportunity_y.pk},
        body=lambda w: {"is_open": False},
    ),
}


def test_the_sweep_knows_every_partners_api_operation():
    schema = api.get_openapi_schema()
    found = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith(OWN_API_PREFIXES)
    }
    assert found == set(OPERATIONS)


def _call(key: tuple[str, str], w: World, user: Any):
    method, template = key
    op = OPERATIONS[key]
    _token, raw = api_token_create(user=user, name="sweep")
    headers = {"Authorization": f"Bearer {raw}"}
    url = template.format(**op.path(w))
    client = Client()
    if method == "GET":
        return client.get(url, headers=headers)
    body = json.dumps(op.body(w) if op.body else {})
    return client.generic(
        method, url, body, content_type="application/json", headers=headers
    )


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_partner_x_never_receives_what_is_not_shared_with_x(key, world):
    before = _state(world)
    response = _call(key, world, world.partner_x)
    body = _body(response)
    leaked = [value for value in world.forbidden_for_x() if value in body]
    assert not leaked
    if OPERATIONS[key].y_record:
        assert response.status_code in REFUSED, body
        assert _state(world) == before


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_the_control_user_may_call_every_operation(key, world):
    if key == ("POST", "/api/v1/referrals/{referral_id}/complete") or key == (
        "POST",
        "/api/v1/referrals/{referral_id}/not-complete",
    ):
        from openmil.partners.services import referral_accept

        referral_accept(actor=world.partner_y, referral=world.to_y)
    if key == ("POST", "/api/v1/referrals/{referral_id}/send"):
        Referral.objects.filter(pk=world.to_y.pk).update(status="draft", sent_at=None)
    response = _call(key, world, getattr(world, OPERATIONS[key].control))
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_coordinator_of_another_lab_gets_nothing_of_lab_a(key, world, outsider):
    before = _state(world)
    response = _call(key, world, outsider)
    body = _body(response)
    assert world.referred.given_name not in body
    assert world.other.given_name not in body
    if OPERATIONS[key].y_record or "{" in key[1]:
        assert response.status_code in REFUSED
    else:
        assert response.json()["items"] == []
    assert _state(world) == before
