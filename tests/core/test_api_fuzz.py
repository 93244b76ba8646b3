"""Fuzz the API from its own OpenAPI document.

Schemathesis generates requests for every operation, valid and invalid; the
API must never fail with a server error nor answer outside its schema.
"""

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from openmil.config.api import api
from openmil.core.services import api_token_create
from openmil.participants.models import Consent, Need, Participant
from tests.conftest import client_for
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    need_type,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

PATH_IDS = {
    "participant_id": "participants",
    "need_id": "needs",
    "consent_id": "consents",
    "lab_id": "labs",
}


@pytest.fixture
def fuzz_lab(lab_a, facilitator) -> dict[str, Any]:
    """A lab with a few people, their needs and consents; a facilitator's token."""
    people = [
        ParticipantFactory(lab=lab_a, caseworker=facilitator if i % 2 else None)
        for i in range(4)
    ]
    needs, consents = [], []
    for person in people:
        needs.append(NeedFactory(participant=person, need_type=need_type("housing")))
        for purpose in (Consent.Purpose.FOLLOW_UP, Consent.Purpose.STATISTICS):
            consents.append(ConsentFactory(participant=person, purpose=purpose))
        FollowUpFactory(participant=person, assigned_to=facilitator)
    _token, raw = api_token_create(user=facilitator, name="fuzz")
    return {
        "token": raw,
        "participants": [p.pk for p in people],
        "needs": [n.pk for n in needs],
        "consents": [c.pk for c in consents],
        "labs": [lab_a.pk],
    }


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, serving inside the test's transaction.

    Built inside the test, after the test settings (no HTTPS redirect) apply.
    Like Django's test client, keep the connection open between requests: on
    PostgreSQL closing it would end the test's transaction.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


# Loaded from the API object itself: no request is needed to collect the tests.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


# Values the schema types only as strings; the forms accept these.
KNOWN_VALUES = {
    "need_type": ["housing", "health", "income", "documents"],
    "purpose": Consent.Purpose.values,
    "status": Need.Status.values,
    "profile": Participant.Profile.values,
    "sex": Participant.Sex.values,
    "birth_date_precision": Participant.DatePrecision.values,
    "household_role": Participant.HouseholdRole.values,
    "country_of_origin": ["SY", "UA", "AF"],
    "nationality": ["SY", "UA", "AF"],
    "mother_tongue": ["ar", "uk", "fa"],
}


REQUIRED_ON_CREATE = {
    "reference": "FUZZ-1",
    "profile": Participant.Profile.NEWCOMER.value,
    "given_name": "Fuzz",
    "birth_date_precision": Participant.DatePrecision.DAY.value,
    "sex": Participant.Sex.NOT_STATED.value,
}


def _aim_at_real_records(case: Any, ids: dict[str, list[int]]) -> None:
    """Point half of the generated ids and codes at things that exist.

    Random integers almost never name a record, nor random strings a need or
    a consent purpose, so without this the fuzzer would only ever see 404 and
    422 and never reach the code that saves.
    """
    for name, value in list((case.path_parameters or {}).items()):
        known = ids.get(PATH_IDS.get(name, ""))
        if known and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = known[value // 2 % len(known)]
    if not isinstance(case.body, dict):
        return
    if isinstance(case.body.get("lab"), int) and case.body["lab"] % 2 == 0:
        case.body["lab"] = ids["labs"][0]
        # The fields a new record needs, which the schema leaves optional.
        for name, value in REQUIRED_ON_CREATE.items():
            if case.body.get(name) is None:
                case.body[name] = value
    for name, values in KNOWN_VALUES.items():
        value = case.body.get(name)
        if isinstance(value, str) and len(value) % 2 == 0:
            case.body[name] = values[len(value) // 2 % len(values)]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@pytest.mark.django_db
def test_api_never_fails_and_always_answers_within_its_schema(case, fuzz_lab, wsgi_app):
    _aim_at_real_records(case, fuzz_lab)
    case.call_and_validate(
        app=wsgi_app,
        headers={"Authorization": f"Bearer {fuzz_lab['token']}"},
        checks=CHECKS,
    )


# What the fuzzer found, kept as plain examples so they stay fixed.


@pytest.mark.parametrize(
    "query",
    [
        {"page": 2505938031792388917166080},
        {"lab": 10**23},
        {"caseworker": 10**23},
        {"lab": -(10**23)},
    ],
    ids=["page", "lab", "caseworker", "negative lab"],
)
def test_api_list_answers_422_for_numbers_no_record_can_have(query, fuzz_lab):
    response = Client().get(
        "/api/v1/participants",
        query,
        headers={"Authorization": f"Bearer {fuzz_lab['token']}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", next(iter(query))]


@pytest.mark.parametrize("name", ["q", "profile"])
def test_api_list_answers_422_for_a_nul_character_in_a_filter(name, fuzz_lab):
    """PostgreSQL cannot compare text holding NUL; the API says so first."""
    response = Client().get(
        "/api/v1/participants",
        {name: "Am\x00al"},
        headers={"Authorization": f"Bearer {fuzz_lab['token']}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", name]


def test_api_need_with_a_nul_character_in_its_code_answers_422(fuzz_lab):
    response = Client().post(
        f"/api/v1/participants/{fuzz_lab['participants'][0]}/needs",
        {"need_type": "hous\x00ing"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {fuzz_lab['token']}"},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "url", ["/participants/occupations/", "/audit/"], ids=["occupations", "audit"]
)
def test_search_boxes_with_a_nul_character_find_nothing_without_failing(
    url, coordinator, fuzz_lab
):
    client = client_for(coordinator)
    response = client.get(url, {"q": "co\x00ok", "actor": "ro\x00ot"})
    assert response.status_code == 200


def test_api_answers_400_for_a_body_that_is_not_json(fuzz_lab):
    response = Client().post(
        f"/api/v1/participants/{fuzz_lab['participants'][0]}/consents",
        b"\xff not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {fuzz_lab['token']}"},
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_api_documents_the_errors_it_answers_with():
    """Validation errors (422) and unreadable bodies (400) are in the schema."""
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if operation.get("parameters") or "requestBody" in operation:
                assert 422 in codes, (method, path)
            if "requestBody" in operation:
                assert 400 in codes, (method, path)


def test_a_body_over_the_size_limit_gets_a_json_reason(coordinator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _token, raw = api_token_create(user=coordinator, name="big")
    response = Client().post(
        "/api/v1/participants",
        data="{" + '"x": "' + "a" * 5000 + '"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "The request body is too large."}
