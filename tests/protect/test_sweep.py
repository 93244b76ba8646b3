"""Every page and every API route, requested by staff not named on a protected
case, shows neither the person's name nor their id.

The routes are read from the URL resolver and the OpenAPI document, and their
parameters filled by name, so pages and endpoints added later are swept
without an entry here: `participant_id` is the protected person; `<model>_id`
one of their records when a model with a `participant` field has that name;
`lab_id` their lab.
"""

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from openmil.config.api import api
from openmil.core.models import Lab
from openmil.core.roles import Role
from openmil.core.services import api_token_create
from openmil.participants import services
from openmil.participants.models import Consent, Participant
from tests.conftest import client_for
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)

PROTECTED_ID = 987_654_321
GIVEN, FAMILY, REFERENCE = "Zarifa", "Qasimova", "PROT-4471"
# Searches use part of each value, so a search box echoing the query is no leak.
SEARCHES = ["Zarif", "qasimov", "PROT-44"]


@dataclass
class World:
    lab: Lab
    person: Participant
    named: Any
    unnamed: dict[str, Any]

    def leaks(self, body: str, *, requested: str) -> list[str]:
        # A page may echo its own address (the language form's "next"); that
        # address is what the user typed, not something the page revealed.
        for echo in {requested, quote(requested, safe="/"), quote(requested, safe="")}:
            body = body.replace(echo, "")
        values = [GIVEN, FAMILY, REFERENCE, str(PROTECTED_ID), "Insulin at night"]
        return [v for v in values if v in body]


@pytest.fixture
def world(lab_a, coordinator, facilitator) -> World:
    person = ParticipantFactory(
        id=PROTECTED_ID,
        lab=lab_a,
        caseworker=facilitator,
        given_name=GIVEN,
        family_name=FAMILY,
        reference=REFERENCE,
        health_notes="Insulin at night",
    )
    NeedFactory(participant=person, need_type=need_type("housing"))
    ConsentFactory(participant=person, purpose=Consent.Purpose.FOLLOW_UP)
    FollowUpFactory(participant=person, assigned_to=facilitator)
    # Somebody else in the lab, so that lists are not simply empty.
    ParticipantFactory(lab=lab_a, caseworker=facilitator, given_name="Visible")
    services.protected_case_set(
        actor=coordinator, participant=person, staff=[coordinator]
    )
    return World(
        lab=lab_a,
        person=person,
        named=coordinator,
        unnamed={
            "caseworker": facilitator,
            "coordinator": member(lab_a, Role.COORDINATOR),
        },
    )


def _related_models() -> dict[str, type[models.Model]]:
    """Models holding a person's records, by the name a URL gives their id."""
    found = {}
    for model in apps.get_models():
        field = next(
            (f for f in model._meta.concrete_fields if f.name == "participant"), None
        )
        if field is not None and field.related_model is Participant:
            found[model._meta.model_name] = model
    return found


def fill(names: list[str], world: World) -> dict[str, Any]:
    related = _related_models()
    values: dict[str, Any] = {}
    for name in names:
        stem = name.removesuffix("_id").replace("_", "")
        if name == "participant_id":
            values[name] = world.person.pk
        elif name == "lab_id":
            values[name] = world.lab.pk
        elif stem in related:
            record = related[stem]._base_manager.filter(participant=world.person)
            values[name] = getattr(record.first(), "pk", PROTECTED_ID)
        else:
            values[name] = PROTECTED_ID if name.endswith("id") else "x"
    return values


def url_patterns() -> list[tuple[str, list[str]]]:
    """(URL name, parameter names) of every named pattern outside the API."""
    found = []

    def walk(patterns: list[Any], namespace: str, params: list[str]) -> None:
        for pattern in patterns:
            own = list(getattr(pattern.pattern, "converters", {}))
            own += list(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("api/"):
                    continue
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else ""
                walk(pattern.url_patterns, ns or namespace, params + own)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((f"{namespace}{pattern.name}", sorted(set(params + own))))

    walk(get_resolver().url_patterns, "", [])
    return sorted({(n, tuple(p)) for n, p in found})  # type: ignore[arg-type]


def api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return sorted(
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    )


UNNAMED = ["caseworker", "coordinator"]


def _reverse(name: str, params: list[str], world: World) -> str | None:
    values = fill(params, world)
    # Ids are integers, or UUIDs for patterns that take them (import jobs).
    as_uuid = {
        k: uuid.UUID(int=PROTECTED_ID) if isinstance(v, int) else v
        for k, v in values.items()
    }
    for kwargs in (values, as_uuid):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


@pytest.mark.django_db
def test_the_sweep_reaches_the_pages_that_show_people(world):
    names = {name for name, _params in url_patterns()}
    assert {"participants:list", "participants:detail", "core:home"} <= names
    assert ("GET", "/api/v1/participants") in api_operations()
    unreachable = [
        name
        for name, params in url_patterns()
        if _reverse(name, list(params), world) is None
    ]
    # Only the admin's patterns restricted to known values (app labels).
    assert all(name.startswith("admin:") for name in unreachable), unreachable


@pytest.mark.django_db
def test_named_staff_do_find_the_person_the_control(world):
    client = client_for(world.named)
    body = client.get(reverse("participants:list"), {"q": "Zarif"}).content.decode()
    assert GIVEN in body
    detail = reverse("participants:detail", kwargs={"participant_id": PROTECTED_ID})
    assert client.get(detail).status_code == 200
    token = api_token_create(user=world.named, name="t")[1]
    response = Client().get(
        "/api/v1/participants", {"q": "Zarif"}, headers=_bearer(token)
    )
    assert [item["id"] for item in response.json()["items"]] == [PROTECTED_ID]


@pytest.mark.django_db
@pytest.mark.parametrize("who", UNNAMED)
def test_no_page_shows_the_protected_person_to_unnamed_staff(world, who):
    user = world.unnamed[who]
    reader = client_for(user)
    checked = 0
    for name, params in url_patterns():
        url = _reverse(name, list(params), world)
        if url is None:
            continue
        addresses_person = any(
            p == "participant_id"
            or p.removesuffix("_id").replace("_", "") in _related_models()
            for p in params
        )
        # Searches and filters on the pages that take no parameter (lists).
        queries: list[dict[str, Any]] = [{}]
        if not params:
            queries += [{"q": q} for q in SEARCHES] + [{"lab": world.lab.pk}]
        admin = name.startswith("admin:")
        for query in queries:
            # The admin sends everyone but superusers to its own sign-in page.
            response = reader.get(url, query, follow=not admin)
            body = response.content.decode(errors="replace")
            assert not world.leaks(body, requested=url), (name, query)
            if addresses_person and not query:
                assert response.status_code in (404, 405), name
        if admin:
            assert response.status_code in (200, 302), name
            checked += 1
            continue
        client = client_for(user)
        response = client.post(url, {})
        assert not world.leaks(response.content.decode(errors="replace"), requested=url)
        if addresses_person:
            assert response.status_code == 404, name
        checked += 1
    assert checked >= 20


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
@pytest.mark.parametrize("who", UNNAMED)
def test_no_api_route_returns_the_protected_person_to_unnamed_staff(world, who):
    token = api_token_create(user=world.unnamed[who], name="sweep")[1]
    for method, template in api_operations():
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        url = template.format(**fill(names, world))
        if method == "GET":
            for query in [{}, {"lab": world.lab.pk}] + [{"q": q} for q in SEARCHES]:
                response = Client().get(url, query, headers=_bearer(token))
                body = response.content.decode()
                assert not world.leaks(body, requested=url), (url, query)
                if names and any(n != "lab_id" for n in names):
                    if response.status_code == 422:  # the id is a UUID here
                        values = fill(names, world)
                        url = template.format(
                            **{
                                k: uuid.UUID(int=v) if isinstance(v, int) else v
                                for k, v in values.items()
                            }
                        )
                        response = Client().get(url, query, headers=_bearer(token))
                        assert not world.leaks(response.content.decode(), requested=url)
                    assert response.status_code == 404, url
        else:
            response = Client().generic(
                method,
                url,
                json.dumps({}),
                content_type="application/json",
                headers=_bearer(token),
            )
            assert not world.leaks(response.content.decode(), requested=url), url
    # The person is still there for those named on the case.
    assert Participant.objects.filter(pk=PROTECTED_ID).exists()
