"""Every page and API operation of imports and duplicates, requested by every
role that must not get through (the checks of tests/core/test_access_sweep.py,
applied to the URLs that sweep leaves to this package)."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from openmil.config.api import api
from openmil.core.roles import Role
from openmil.dedup.models import DedupRun, DuplicateCandidate, Merge
from openmil.dedup.services import participant_merge
from openmil.imports.models import ImportJob
from openmil.imports.services import storage_dir
from tests.conftest import client_for
from tests.core.test_access_sweep import (
    LOGIN_URL,
    REFUSED,
    bearer,
    database_state,
    url_names,
    world,  # noqa: F401 - the fixture
)
from tests.factories import ParticipantFactory, member
from tests.imports.factories import csv_bytes, rows

NAMESPACES = ("imports:", "dedup:")
API_PREFIXES = ("/api/v1/imports", "/api/v1/duplicates")


@dataclass
class Extra:
    job: ImportJob
    candidate: DuplicateCandidate
    merge: Merge


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def extra(world) -> Extra:  # noqa: F811
    lab = world.lab
    job = ImportJob.objects.create(
        lab=lab,
        kind="participants",
        created_by=world.coordinator,
        file_name="people.csv",
        file_format="csv",
        stored_path="sweep.csv",
        status=ImportJob.Status.CHECKED,
        row_count=1,
    )
    (storage_dir() / "sweep.csv").write_bytes(csv_bytes(rows(1)))
    twin = ParticipantFactory(
        lab=lab,
        given_name=world.participant.given_name,
        family_name=world.participant.family_name,
        birth_date=world.participant.birth_date,
    )
    run = DedupRun.objects.create(
        requested_by=world.coordinator,
        lab=lab,
        network=lab.network,
        status=DedupRun.Status.DONE,
    )
    candidate = DuplicateCandidate.objects.create(
        run=run, left=world.participant, right=twin, probability=0.99
    )
    kept = ParticipantFactory(lab=lab, reference="KEPT-1")
    gone = ParticipantFactory(lab=lab, reference="GONE-1")
    merge = participant_merge(
        actor=world.coordinator, kept=kept, removed=gone, take_from_removed=[]
    )
    return Extra(job=job, candidate=candidate, merge=merge)


@dataclass(frozen=True)
class Page:
    kwargs: Callable[[Any, Extra], dict[str, Any]] = lambda w, e: {}
    query: Callable[[Any, Extra], dict[str, Any]] = lambda w, e: {}
    get: bool = True
    post: Callable[[Any, Extra], dict[str, Any]] | None = None
    #: Roles other than the coordinator that may use the page.
    also: tuple[str, ...] = ()
    #: The page addresses one of lab A's records (another lab gets a 404).
    lab_a: bool = True


def _job(w, e):
    return {"job_id": e.job.uuid}


def _upload(w, e):
    return {
        "lab": w.lab.pk,
        "kind": "participants",
        "file": SimpleUploadedFile("p.csv", csv_bytes(rows(1))),
    }


PAGES: dict[str, Page] = {
    "imports:start": Page(post=_upload, lab_a=False),
    "imports:template": Page(kwargs=lambda w, e: {"fmt": "csv"}, lab_a=False),
    "imports:export": Page(
        query=lambda w, e: {"lab": w.lab.pk, "kind": "participants", "format": "csv"},
        lab_a=False,
    ),
    "imports:detail": Page(kwargs=_job),
    "imports:progress": Page(kwargs=_job),
    "imports:confirm": Page(kwargs=_job, get=False, post=lambda w, e: {}),
    "imports:cancel": Page(kwargs=_job, get=False, post=lambda w, e: {}),
    "dedup:list": Page(post=lambda w, e: {"scope": f"lab-{w.lab.pk}"}, lab_a=False),
    "dedup:check": Page(
        query=lambda w, e: {
            "lab": w.lab.pk,
            "given_name": w.participant.given_name,
            "family_name": w.participant.family_name,
            "birth_date": w.participant.birth_date.isoformat(),
        },
        also=(Role.FACILITATOR,),
        lab_a=False,
    ),
    "dedup:merge": Page(
        kwargs=lambda w, e: {"candidate_id": e.candidate.pk},
        post=lambda w, e: {"keep": "left"},
    ),
    "dedup:dismiss": Page(
        kwargs=lambda w, e: {"candidate_id": e.candidate.pk},
        get=False,
        post=lambda w, e: {},
    ),
    "dedup:merge_detail": Page(kwargs=lambda w, e: {"merge_id": e.merge.pk}),
    "dedup:merge_undo": Page(
        kwargs=lambda w, e: {"merge_id": e.merge.pk}, get=False, post=lambda w, e: {}
    ),
}


def test_every_url_of_imports_and_duplicates_is_in_this_sweep():
    names = url_names(swept_elsewhere=True)
    assert {n for n in names if n.startswith(NAMESPACES)} == set(PAGES)


def _request(client: Client, method: str, name: str, w, e, **extra: Any):
    page = PAGES[name]
    url = reverse(name, kwargs=page.kwargs(w, e))
    if method == "get":
        return client.get(url, page.query(w, e), **extra)
    assert page.post is not None
    return client.post(url, page.post(w, e), **extra)


def _methods(page: Page) -> list[str]:
    return [m for m, ok in (("get", page.get), ("post", page.post)) if ok]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _leaks(body: str, w) -> list[str]:
    return [v for v in w.personal_data if v and v in body]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_lab_coordinator_reaches_every_page(name, world, extra):  # noqa: F811
    page = PAGES[name]
    client = client_for(world.coordinator)
    if page.get:
        response = _request(client, "get", name, world, extra)
        assert response.status_code == 200, name
    if page.post:
        response = _request(client, "post", name, world, extra)
        assert response.status_code == 302, _body(response)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_coordinator_of_another_lab_gets_nothing_of_lab_a(
    name,
    world,  # noqa: F811
    extra,
    outsider,
):
    page = PAGES[name]
    client = client_for(outsider)
    before = database_state()
    for method in _methods(page):
        response = _request(client, method, name, world, extra, follow=True)
        assert not _leaks(_body(response), world), method
        if page.lab_a:
            assert response.status_code in REFUSED, method
    assert database_state()["Participant"] == before["Participant"]
    if page.lab_a:
        assert database_state() == before


@pytest.mark.parametrize(
    "role", [Role.FACILITATOR, Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR]
)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_other_roles_of_the_lab_are_refused_and_see_nothing(
    name,
    role,
    world,  # noqa: F811
    extra,
):
    page = PAGES[name]
    if role in page.also:
        return
    client = client_for(member(world.lab, role))
    before = database_state()
    for method in _methods(page):
        response = _request(client, method, name, world, extra)
        assert response.status_code in REFUSED, (method, response.status_code)
        assert not _leaks(_body(response), world), method
    assert database_state() == before


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(name, world, extra):  # noqa: F811
    client = Client()
    before = database_state()
    for method in _methods(PAGES[name]):
        response = _request(client, method, name, world, extra)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
    assert database_state() == before


# ---------------------------------------------------------------------------
# API


@dataclass(frozen=True)
class Operation:
    path: Callable[[Any, Extra], dict[str, Any]] = lambda w, e: {}
    body: Callable[[Any, Extra], dict[str, Any]] | None = None
    multipart: bool = False


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", "/api/v1/imports"): Operation(body=_upload, multipart=True),
    ("GET", "/api/v1/imports/{job_id}"): Operation(path=_job),
    ("GET", "/api/v1/imports/{job_id}/errors"): Operation(path=_job),
    ("POST", "/api/v1/imports/{job_id}/confirm"): Operation(
        path=_job, body=lambda w, e: {}
    ),
    ("POST", "/api/v1/imports/{job_id}/cancel"): Operation(
        path=_job, body=lambda w, e: {}
    ),
    ("GET", "/api/v1/duplicates/participants/{participant_id}"): Operation(
        path=lambda w, e: {"participant_id": w.participant.pk}
    ),
    ("POST", "/api/v1/duplicates/runs"): Operation(body=lambda w, e: {"lab": w.lab.pk}),
    ("GET", "/api/v1/duplicates/runs/{run_id}"): Operation(
        path=lambda w, e: {"run_id": e.candidate.run_id}
    ),
    ("POST", "/api/v1/duplicates/merge"): Operation(
        body=lambda w, e: {
            "kept": e.candidate.left_id,
            "removed": e.candidate.right_id,
            "take_from_removed": ["phone"],
        }
    ),
    ("POST", "/api/v1/duplicates/merges/{merge_id}/undo"): Operation(
        path=lambda w, e: {"merge_id": e.merge.pk}, body=lambda w, e: {}
    ),
}


def test_every_api_operation_of_imports_and_duplicates_is_in_this_sweep():
    schema = api.get_openapi_schema()
    found = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path.startswith(API_PREFIXES)
    }
    assert found == set(OPERATIONS)


def _call(key, w, e, token: str | None):
    method, template = key
    op = OPERATIONS[key]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = template.format(**op.path(w, e))
    client = Client()
    if method == "GET":
        return client.get(url, headers=headers)
    assert op.body is not None
    if op.multipart:
        return client.post(url, op.body(w, e), headers=headers)
    return client.generic(
        method,
        url,
        json.dumps(op.body(w, e)),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_the_lab_coordinator_may_call_every_operation(key, world, extra):  # noqa: F811
    response = _call(key, world, extra, bearer(world.coordinator))
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_without_a_token_answers_401(key, world, extra):  # noqa: F811
    before = database_state()
    assert _call(key, world, extra, None).status_code == 401
    assert database_state() == before


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_coordinator_of_another_lab_gets_nothing_of_lab_a(
    key,
    world,  # noqa: F811
    extra,
    outsider,
):
    before = database_state()
    response = _call(key, world, extra, bearer(outsider))
    assert response.status_code in REFUSED, response.content
    assert not _leaks(_body(response), world)
    assert database_state()["Participant"] == before["Participant"]


@pytest.mark.parametrize(
    "role", [Role.FACILITATOR, Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR]
)
@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=" ".join)
def test_api_other_roles_get_no_personal_data_and_change_nothing(
    key,
    role,
    world,  # noqa: F811
    extra,
):
    token = bearer(member(world.lab, role))
    before = database_state()
    response = _call(key, world, extra, token)
    if role == Role.FACILITATOR and key[1].startswith(
        "/api/v1/duplicates/participants"
    ):
        # A facilitator may ask who may be the same person as a record they see.
        assert response.status_code == 200
        return
    assert response.status_code in REFUSED, response.content
    assert not _leaks(_body(response), world)
    before.pop("ApiToken")
    after = database_state()
    after.pop("ApiToken")
    assert after == before
