"""The indicators API: definitions, values, exports, reference values."""

import json

import pytest
from django.test import Client

from openmil.core.roles import Role
from openmil.core.services import api_token_create
from openmil.indicators.models import ReferenceValue
from openmil.indicators.registry import REGISTRY
from tests.factories import member

SHARE = "needs.urgent_met_share"


def api(user):
    _token, raw = api_token_create(user=user, name="test")
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def post(client, path, body, method="post"):
    return getattr(client, method)(
        path, json.dumps(body), content_type="application/json"
    )


def reference_body(lab, **changes):
    body = {
        "lab": lab.pk,
        "indicator": SHARE,
        "area": "Spain",
        "population": "non-EU citizens",
        "period": "2026",
        "value": 80.0,
        "ci_low": 78.0,
        "ci_high": 82.0,
        "source": "Eurostat",
        "url": "https://ec.europa.eu/eurostat/",
    }
    body.update(changes)
    return body


def test_the_definitions_list_every_registered_indicator(analyst):
    response = api(analyst).get("/api/v1/indicators")
    assert response.status_code == 200
    assert [i["id"] for i in response.json()] == list(REGISTRY)
    formats = api(analyst).get("/api/v1/indicators/formats").json()
    assert {f["id"] for f in formats} == {"csv", "xlsx", "datapackage", "hxl"}


def test_staff_read_exact_values_and_analysts_protected_ones(
    lab_a, coordinator, analyst, eleven_of_twelve
):
    path = f"/api/v1/indicators/labs/{lab_a.pk}/values"
    exact = api(coordinator).get(path, {"period": "2026", "breakdown": "sex"}).json()
    safe = api(analyst).get(path, {"period": "2026", "breakdown": "sex"}).json()
    assert exact["exact"] is True and safe["exact"] is False
    share = next(i for i in exact["indicators"] if i["indicator"] == SHARE)
    assert share["values"][0]["n"] == 12
    assert share["values"][0]["value"] == pytest.approx(11 / 12)
    assert len(share["values"]) > 1  # the sex groups
    share = next(i for i in safe["indicators"] if i["indicator"] == SHARE)
    assert share["values"][0]["n"] == 10
    assert all(v["n"] != 12 for v in share["values"])
    assert "computed_at" in safe


def test_values_include_the_gap_to_reference_values(
    lab_a, coordinator, eleven_of_twelve
):
    client = api(coordinator)
    created = post(client, "/api/v1/indicators/references", reference_body(lab_a))
    assert created.status_code == 201
    values = client.get(
        f"/api/v1/indicators/labs/{lab_a.pk}/values", {"period": "2026"}
    ).json()
    share = next(i for i in values["indicators"] if i["indicator"] == SHARE)
    (gap,) = share["gaps"]
    assert gap["reference"] == created.json()["id"] and gap["unit"] == "pp"
    assert gap["gap"] == pytest.approx(11.667, abs=1e-3)
    assert gap["ci_low"] == pytest.approx(-15.462, abs=1e-3)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"period": "last year"}, 422),
        ({"period": "2026", "breakdown": "shoe_size"}, 422),
        ({"period": "2019"}, 404),
    ],
)
def test_bad_value_queries_get_a_4xx_with_a_reason(
    lab_a, coordinator, eleven_of_twelve, query, status
):
    response = api(coordinator).get(f"/api/v1/indicators/labs/{lab_a.pk}/values", query)
    assert response.status_code == status
    assert response.json()["detail"]


def test_exports_through_the_api_are_disclosure_controlled(
    lab_a, coordinator, eleven_of_twelve
):
    client = api(coordinator)
    response = client.get(
        f"/api/v1/indicators/labs/{lab_a.pk}/export/csv", {"period": "2026"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert f"{SHARE}," in text and ",12," not in text
    bad = client.get(
        f"/api/v1/indicators/labs/{lab_a.pk}/export/pdf", {"period": "2026"}
    )
    assert bad.status_code == 404 and "formats" in bad.json()["detail"]


def test_another_lab_and_roles_without_aggregates_get_404(
    lab_a, outsider, eleven_of_twelve
):
    path = f"/api/v1/indicators/labs/{lab_a.pk}/values"
    assert api(outsider).get(path, {"period": "2026"}).status_code == 404
    partner = member(lab_a, Role.PARTNER_STAFF)
    assert api(partner).get(path, {"period": "2026"}).status_code == 404
    assert Client().get(path, {"period": "2026"}).status_code == 401


def test_reference_values_crud(lab_a, coordinator, analyst, outsider):
    client = api(coordinator)
    created = post(client, "/api/v1/indicators/references", reference_body(lab_a))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    path = f"/api/v1/indicators/references/{pk}"
    changed = post(client, path, {"value": 79.5}, method="patch")
    assert changed.status_code == 200 and changed.json()["value"] == 79.5
    listing = api(analyst).get("/api/v1/indicators/references", {"lab": lab_a.pk})
    assert [r["id"] for r in listing.json()["items"]] == [pk]
    assert api(analyst).get(path).status_code == 200
    # Reading is for whoever reads the lab's aggregates; changing is not.
    assert post(api(analyst), path, {"value": 1.0}, method="patch").status_code == 404
    assert api(outsider).get(path).status_code == 404
    assert api(outsider).get("/api/v1/indicators/references").json()["items"] == []
    assert client.delete(path).json() == {"deleted": pk}
    assert not ReferenceValue.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"indicator": "nope"}, "indicator"),
        ({"value": 150.0, "ci_high": 160.0}, "value"),
        ({"ci_low": 90.0}, "__all__"),
        ({"period": "soon"}, "period"),
    ],
)
def test_bad_reference_values_get_422_with_the_field(
    lab_a, coordinator, changes, field
):
    response = post(
        api(coordinator),
        "/api/v1/indicators/references",
        reference_body(lab_a, **changes),
    )
    assert response.status_code == 422
    assert field in {d["field"] for d in response.json()["detail"]}
    assert not ReferenceValue.objects.exists()


def test_an_analyst_cannot_create_reference_values(lab_a, analyst):
    response = post(
        api(analyst), "/api/v1/indicators/references", reference_body(lab_a)
    )
    assert response.status_code == 404
    assert not ReferenceValue.objects.exists()
