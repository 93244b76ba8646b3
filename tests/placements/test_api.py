"""The matching API: create a round, read its proposals, decide."""

from openmil.partners.models import Referral
from openmil.placements.models import Proposal
from tests.partners.test_api import _api
from tests.placements.conftest import sharing_consent


def test_round_through_the_api(setup, facilitator, django_capture_on_commit_callbacks):
    call = _api(facilitator)
    body = {
        "lab": setup.lab.pk,
        "title": "API round",
        "participants": [setup.cook.pk, setup.porter.pk, setup.beginner.pk],
        "opportunities": [setup.kitchen.pk, setup.warehouse.pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = call("post", "/api/v1/matching-rounds", body)
    assert response.status_code == 201, response.content
    round_id = response.json()["id"]
    data = call("get", f"/api/v1/matching-rounds/{round_id}").json()
    assert (data["status"], data["progress"]) == ("done", 100)
    assert data["result"]["proposed"] == 2
    pairs = call("get", f"/api/v1/matching-rounds/{round_id}/proposals").json()
    cook = [p for p in pairs if p["participant"] == setup.cook.pk and p["chosen"]]
    assert cook[0]["opportunity"] == setup.kitchen.pk
    assert cook[0]["components"]["components"][0]["name"] == "occupation"
    unmet = [
        p
        for p in pairs
        if p["participant"] == setup.beginner.pk
        and p["opportunity"] == setup.kitchen.pk
    ]
    assert unmet[0]["why"].startswith("Requirement unmet")
    url = f"/api/v1/matching-rounds/{round_id}/proposals/{cook[0]['id']}"
    response = call("post", f"{url}/accept", {})
    assert response.status_code == 422
    assert "consent" in response.content.decode()
    sharing_consent(setup.cook)
    response = call("post", f"{url}/accept", {})
    assert response.status_code == 200, response.content
    referral = Referral.objects.get(pk=response.json()["referral"])
    assert referral.organisation == setup.employer and referral.status == "sent"
    porter = Proposal.objects.get(
        round_id=round_id, participant=setup.porter, chosen=True
    )
    url = f"/api/v1/matching-rounds/{round_id}/proposals/{porter.pk}/reject"
    assert call("post", url, {"reason": ""}).status_code == 422
    assert call("post", url, {"reason": "Moved away"}).status_code == 200


def test_bad_round_input_is_422(setup, facilitator):
    call = _api(facilitator)
    body = {
        "lab": setup.lab.pk,
        "participants": [setup.cook.pk],
        "opportunities": [999999],
    }
    response = call("post", "/api/v1/matching-rounds", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "opportunities"
    body["participants"] = []
    assert call("post", "/api/v1/matching-rounds", body).status_code == 422


def test_opportunity_cefr_code_is_kept_on_the_wire(setup, coordinator):
    call = _api(coordinator)
    url = f"/api/v1/opportunities/{setup.kitchen.pk}"
    assert call("get", url).json()["min_cefr"] == "a2"
    response = call("patch", url, {"min_cefr": "d9"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "min_cefr"
    assert call("patch", url, {"min_cefr": "c1"}).json()["min_cefr"] == "c1"
    setup.kitchen.refresh_from_db()
    assert setup.kitchen.min_cefr == 5
