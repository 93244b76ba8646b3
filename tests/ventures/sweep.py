"""The access sweep of tests/core/test_access_sweep.py, for an app's own pages
and operations: the same World, Page and Operation, the same refusals, with
the app's tables watched too.

An app's sweep file calls `sweep_tests(...)` with its maps; the returned test
functions are bound to names in that module so pytest collects them. Each
names the `db` fixture: the world fixture is looked up at run time, and
without it pytest-django would order these tests after the browser tests,
whose flush empties the built-in tables.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from openmil.config.api import api
from openmil.core.roles import Role
from tests.conftest import client_for
from tests.core import test_access_sweep as core
from tests.factories import member

REFUSED = core.REFUSED


def url_names_in(namespaces: tuple[str, ...]) -> set[str]:
    """Every named URL pattern in these namespaces."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else ""
                walk(pattern.url_patterns, ns or namespace)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return {n for n in names if n.startswith(namespaces)}


def api_operations_under(prefixes: tuple[str, ...]) -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith(prefixes)
    }


def api_routes_under(prefixes: tuple[str, ...]) -> set[str]:
    """Every URL under api/ with these prefixes, written as OpenAPI paths."""
    routes: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("api/"):
                routes.add("/" + route.replace("<", "{").replace(">", "}"))

    walk(get_resolver().url_patterns, "")
    return {r for r in routes if r.startswith(prefixes)}


def make_database_state(
    extra: tuple[type[models.Model], ...],
) -> Callable[[], dict[str, list[dict[str, Any]]]]:
    watched = (*core.WATCHED, *extra)

    def state() -> dict[str, list[dict[str, Any]]]:
        out = {}
        for model in watched:
            names = [
                f.attname
                for f in model._meta.concrete_fields
                if f.attname not in core.UNWATCHED_FIELDS
            ]
            out[model.__name__] = list(model.objects.order_by("pk").values(*names))
        return out

    return state


def request_page(
    pages: dict[str, core.Page],
    client: Client,
    method: str,
    name: str,
    world: Any,
    **extra: Any,
):
    page = pages[name]
    url = page.url(name, world)
    query = page.query(world)
    if method == "get":
        return client.get(url, query, **extra)
    assert page.post is not None
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, page.post(world), **extra)


def leaks(body: str, secrets: list[str]) -> list[str]:
    return [value for value in secrets if value and value in body]


def call(
    operations: dict[tuple[str, str], core.Operation],
    key: tuple[str, str],
    world: Any,
    token: str | None,
):
    method, template = key
    op = operations[key]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = op.url(template, world)
    if method == "GET":
        return Client().get(url, op.query(world), headers=headers)
    assert op.body is not None
    return Client().generic(
        method,
        url,
        json.dumps(op.body(world), default=str),
        content_type="application/json",
        headers=headers,
    )


def page_tests(
    pages: dict[str, core.Page],
    state: Callable[[], dict[str, Any]],
    secrets: Callable[[Any], list[str]],
    world_fixture: str,
) -> dict[str, Callable[..., None]]:
    """The refusal tests of the core sweep, over `pages`."""
    lab_a_pages = sorted(n for n, p in pages.items() if p.lab_a)
    staff_pages = sorted(n for n, p in pages.items() if p.staff)
    all_pages = sorted(pages)

    def world_of(request):
        return request.getfixturevalue(world_fixture)

    @pytest.mark.parametrize("name", lab_a_pages)
    def test_lab_a_coordinator_reaches_every_lab_a_page(name, request, db):
        w = world_of(request)
        page = pages[name]
        client = client_for(w.coordinator)
        if page.get:
            response = request_page(pages, client, "get", name, w)
            assert response.status_code == 200
        if page.post:
            before = state()
            response = request_page(pages, client, "post", name, w)
            assert response.status_code == 302
            assert state() != before

    @pytest.mark.parametrize("name", lab_a_pages)
    def test_coordinator_of_another_lab_gets_not_found(name, request, outsider, db):
        w = world_of(request)
        page = pages[name]
        client = client_for(outsider)
        response = request_page(pages, client, "get", name, w)
        assert response.status_code in (REFUSED if page.get else {405})
        if page.post:
            before = state()
            response = request_page(pages, client, "post", name, w)
            assert response.status_code in REFUSED
            assert state() == before

    @pytest.mark.parametrize("name", all_pages)
    def test_coordinator_of_another_lab_never_sees_lab_a_data(
        name, request, outsider, db
    ):
        w = world_of(request)
        client = client_for(outsider)
        for method in pages[name].methods():
            response = request_page(pages, client, method, name, w, follow=True)
            assert not leaks(response.content.decode(), secrets(w)), method

    @pytest.mark.parametrize("name", all_pages)
    def test_analyst_never_receives_lab_a_data(name, request, analyst, db):
        w = world_of(request)
        client = client_for(analyst)
        before = state()
        for method in pages[name].methods():
            response = request_page(pages, client, method, name, w, follow=True)
            assert not leaks(response.content.decode(), secrets(w)), method
            if pages[name].staff:
                assert response.status_code in REFUSED, method
        assert state() == before

    @pytest.mark.parametrize("role", [Role.PARTNER_STAFF, Role.MENTOR])
    @pytest.mark.parametrize("name", staff_pages)
    def test_partner_staff_and_mentors_never_reach_these_pages(name, role, request, db):
        w = world_of(request)
        client = client_for(member(w.lab, role))
        before = state()
        for method in pages[name].methods():
            response = request_page(pages, client, method, name, w)
            assert response.status_code in REFUSED, method
            assert not leaks(response.content.decode(), secrets(w)), method
        assert state() == before

    @pytest.mark.parametrize("name", all_pages)
    def test_anonymous_visitors_are_sent_to_sign_in(name, request, db):
        w = world_of(request)
        before = state()
        for method in pages[name].methods():
            response = request_page(pages, Client(), method, name, w)
            assert response.status_code == 302, method
            assert response["Location"].startswith(core.LOGIN_URL)
        assert state() == before

    return {
        f.__name__: f
        for f in (
            test_lab_a_coordinator_reaches_every_lab_a_page,
            test_coordinator_of_another_lab_gets_not_found,
            test_coordinator_of_another_lab_never_sees_lab_a_data,
            test_analyst_never_receives_lab_a_data,
            test_partner_staff_and_mentors_never_reach_these_pages,
            test_anonymous_visitors_are_sent_to_sign_in,
        )
    }


def api_tests(
    operations: dict[tuple[str, str], core.Operation],
    state: Callable[[], dict[str, Any]],
    secrets: Callable[[Any], list[str]],
    world_fixture: str,
) -> dict[str, Callable[..., None]]:
    """The refusal tests of the core API sweep, over `operations`."""
    keys = sorted(operations)

    def world_of(request):
        return request.getfixturevalue(world_fixture)

    @pytest.mark.parametrize("key", keys, ids=" ".join)
    def test_api_lab_a_coordinator_may_call_every_operation(key, request, db):
        w = world_of(request)
        response = call(operations, key, w, core.bearer(w.coordinator))
        assert response.status_code in (200, 201), response.content
        if operations[key].listing:
            assert response.json()["items"]

    @pytest.mark.parametrize("key", keys, ids=" ".join)
    def test_api_without_a_token_answers_401(key, request, db):
        w = world_of(request)
        before = state()
        assert call(operations, key, w, None).status_code == 401
        assert state() == before

    @pytest.mark.parametrize("key", keys, ids=" ".join)
    def test_api_coordinator_of_another_lab_gets_nothing_of_lab_a(
        key, request, outsider, db
    ):
        w = world_of(request)
        op = operations[key]
        token = core.bearer(outsider)
        before = state()
        response = call(operations, key, w, token)
        assert not leaks(response.content.decode(), secrets(w))
        if op.listing:
            assert response.status_code == 200
            assert response.json()["items"] == []
        else:
            assert response.status_code in REFUSED
            assert state() == before

    @pytest.mark.parametrize(
        "role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR], ids=str
    )
    @pytest.mark.parametrize("key", keys, ids=" ".join)
    def test_api_roles_without_access_get_nothing(key, role, request, db):
        w = world_of(request)
        op = operations[key]
        token = core.bearer(member(w.lab, role))
        before = state()
        response = call(operations, key, w, token)
        assert not leaks(response.content.decode(), secrets(w))
        if op.listing:
            assert response.status_code == 200
            assert response.json()["items"] == []
        else:
            assert response.status_code in REFUSED
            assert state() == before

    return {
        f.__name__: f
        for f in (
            test_api_lab_a_coordinator_may_call_every_operation,
            test_api_without_a_token_answers_401,
            test_api_coordinator_of_another_lab_gets_nothing_of_lab_a,
            test_api_roles_without_access_get_nothing,
        )
    }
