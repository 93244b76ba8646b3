"""The partners API: same rules as the pages, with 409 and 422 reasons."""

import json

from django.test import Client

from openmil.core.services import api_token_create
from openmil.partners.models import Referral
from tests.partners.factories import referral


def _api(user):
    _token, raw = api_token_create(user=user, name="test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    def call(method: str, url: str, body=None):
        if method == "get":
            return client.get(url, body or {})
        return client.generic(
            method.upper(),
            url,
            json.dumps(body or {}),
            content_type="application/json",
        )

    return call


def test_create_send_and_answer_through_the_api(
    consenting, facilitator, partner, service
):
    staff = _api(facilitator)
    response = staff(
        "post",
        "/api/v1/referrals",
        {"participant": consenting.pk, "service": service.pk},
    )
    assert response.status_code == 201
    referral_id = response.json()["id"]
    assert response.json()["allowed_actions"] == ["send", "revoke"]
    response = staff("post", f"/api/v1/referrals/{referral_id}/send")
    assert response.json()["status"] == "sent"
    partner_api = _api(partner)
    seen = partner_api("get", f"/api/v1/referrals/{referral_id}").json()
    assert seen["participant"] is None
    assert seen["shared"]["given_name"] == consenting.given_name
    assert "health_notes" not in json.dumps(seen)
    response = partner_api("post", f"/api/v1/referrals/{referral_id}/accept")
    assert response.json()["status"] == "accepted"


def test_illegal_transition_answers_409_with_the_reason(
    consenting, facilitator, partner, service
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="completed"
    )
    response = _api(partner)(
        "post", f"/api/v1/referrals/{r.pk}/decline", {"reason": "x"}
    )
    assert response.status_code == 409
    assert "cannot be declined" in response.json()["detail"][0]["message"]


def test_missing_consent_answers_422_naming_the_consent(
    participant, facilitator, service
):
    r = referral(participant=participant, service=service, actor=facilitator)
    response = _api(facilitator)("post", f"/api/v1/referrals/{r.pk}/send")
    assert response.status_code == 422
    message = response.json()["detail"][0]["message"]
    assert "Sharing with a category of partner" in message


def test_decline_without_a_reason_answers_422(
    consenting, facilitator, partner, service
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    response = _api(partner)(
        "post", f"/api/v1/referrals/{r.pk}/decline", {"reason": ""}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "reason"


def test_facilitator_cannot_override_through_the_api(participant, facilitator, service):
    r = referral(participant=participant, service=service, actor=facilitator)
    response = _api(facilitator)(
        "post", f"/api/v1/referrals/{r.pk}/send", {"override_reason": "urgent"}
    )
    assert response.status_code == 403
    assert Referral.objects.get(pk=r.pk).status == "draft"


def test_services_list_filters_and_create_validates(coordinator, service, housing_org):
    call = _api(coordinator)
    items = call("get", "/api/v1/services", {"area": "need:housing"}).json()["items"]
    assert [s["id"] for s in items] == [service.pk]
    assert (
        call("get", "/api/v1/services", {"area": "pillar:civic"}).json()["items"] == []
    )
    response = call(
        "post", "/api/v1/services", {"organisation": housing_org.pk, "name": "Nothing"}
    )
    assert response.status_code == 422
    response = call(
        "post",
        "/api/v1/services",
        {
            "organisation": housing_org.pk,
            "name": "Night shelter",
            "pillar": "civic",
            "languages": ["pt", "xx-not"],
        },
    )
    assert response.status_code == 422


def test_opportunity_create_and_close(partner, housing_org):
    call = _api(partner)
    response = call(
        "post",
        "/api/v1/opportunities",
        {
            "organisation": housing_org.pk,
            "kind": "vacancy",
            "title": "Cook",
            "isco_group": "5120",
            "language": "pt",
            "min_cefr": "a2",
        },
    )
    assert response.status_code == 201, response.content
    opportunity = response.json()
    assert (opportunity["isco_group"], opportunity["min_cefr"]) == ("5120", "a2")
    response = call(
        "patch", f"/api/v1/opportunities/{opportunity['id']}", {"is_open": False}
    )
    assert response.json()["is_open"] is False
