"""The privacy API: the two-person rule and clear refusals."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from openmil.core.services import api_token_create
from openmil.participants.models import Participant
from openmil.privacy.models import ErasureRequest
from tests.factories import ParticipantFactory
from tests.privacy.factories import PrivacySettingsFactory


def call(user, method, url, body=None):
    _token, raw = api_token_create(user=user, name="test")
    headers = {"Authorization": f"Bearer {raw}"}
    if method == "GET":
        return Client().get(url, headers=headers)
    return Client().generic(
        method,
        url,
        json.dumps(body or {}),
        content_type="application/json",
        headers=headers,
    )


def ask(user, participant, **changes):
    body = {"participant": participant.pk, "grounds": "person_asked", "reason": "Asked"}
    body.update(changes)
    return call(user, "POST", "/api/v1/privacy/erasure-requests", body)


def approve(user, request_id):
    return call(
        user, "POST", f"/api/v1/privacy/erasure-requests/{request_id}/approve", {}
    )


def test_two_people_erase_through_the_api(
    participant, facilitator, coordinator, second_coordinator, journal
):
    created = ask(facilitator, participant)
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert created.json()["status"] == "pending"

    refused = approve(facilitator, request_id)
    assert refused.status_code == 404

    done = approve(coordinator, request_id)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "approved"
    assert done.json()["reason"] == ""
    participant.refresh_from_db()
    assert participant.anonymised_at is not None
    assert done.json()["reference"] == participant.reference

    again = approve(second_coordinator, request_id)
    assert again.status_code == 422
    assert "already decided" in again.content.decode()


def test_the_requester_is_refused_with_a_reason(participant, coordinator):
    request_id = ask(coordinator, participant).json()["id"]
    response = approve(coordinator, request_id)
    assert response.status_code == 403
    assert "may not approve" in response.json()["detail"]
    participant.refresh_from_db()
    assert participant.anonymised_at is None


def test_a_coordinator_of_another_lab_cannot_see_the_request(
    participant, facilitator, outsider
):
    request_id = ask(facilitator, participant).json()["id"]
    assert approve(outsider, request_id).status_code == 404
    assert call(outsider, "GET", "/api/v1/privacy/erasure-requests").json() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"grounds": "because"}, "grounds"), ({"reason": ""}, "reason")],
)
def test_bad_input_is_a_422_with_the_field(participant, facilitator, changes, field):
    response = ask(facilitator, participant, **changes)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["detail"]}
    assert not ErasureRequest.objects.exists()


def test_a_second_pending_request_is_a_422(participant, facilitator):
    ask(facilitator, participant)
    response = ask(facilitator, participant)
    assert response.status_code == 422
    assert "pending" in response.content.decode()


def test_an_unknown_participant_is_a_404(facilitator):
    response = call(
        facilitator,
        "POST",
        "/api/v1/privacy/erasure-requests",
        {"participant": 999999, "grounds": "person_asked", "reason": "x"},
    )
    assert response.status_code == 404


def test_retention_dry_run_runs_and_dashboard(lab_a, coordinator, dpo, journal):
    PrivacySettingsFactory(lab=lab_a)
    old = ParticipantFactory(lab=lab_a)
    then = timezone.now() - dt.timedelta(days=5 * 365)
    Participant.objects.filter(pk=old.pk).update(
        intake_date=then.date(), updated_at=then, created_at=then
    )
    plan = call(
        coordinator, "POST", f"/api/v1/privacy/labs/{lab_a.pk}/retention/dry-run"
    )
    assert plan.status_code == 200
    assert [d["participant"] for d in plan.json()["due"]] == [old.pk]
    assert plan.json()["due"][0]["rule"] == "inactivity"

    runs = call(dpo, "GET", f"/api/v1/privacy/labs/{lab_a.pk}/retention/runs")
    assert runs.status_code == 200
    assert runs.json()[0]["dry_run"] is True

    dash = call(dpo, "GET", f"/api/v1/privacy/labs/{lab_a.pk}/dashboard")
    assert dash.status_code == 200
    assert set(dash.json()) >= {
        "consents",
        "pending_erasures",
        "retention_runs",
        "exports",
        "exports_by_user",
        "anomalies",
    }
    refused = call(dpo, "POST", f"/api/v1/privacy/labs/{lab_a.pk}/retention/dry-run")
    assert refused.status_code == 404
