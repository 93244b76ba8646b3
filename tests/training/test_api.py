"""Training API: coordinators manage, facilitators read their own."""

import pytest
from django.test import Client

from openmil.core.services import api_token_create
from tests.training.factories import CertificationFactory, CompetencyFactory

pytestmark = pytest.mark.django_db


def api(user):
    _token, raw = api_token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_facilitators_list_only_their_certifications(coordinator, facilitator, lab_a):
    competency = CompetencyFactory(lab=lab_a)
    mine = CertificationFactory(competency=competency, user=facilitator)
    CertificationFactory(competency=competency, user=coordinator)
    items = api(facilitator).get("/api/v1/certifications").json()["items"]
    assert [i["id"] for i in items] == [mine.pk]
    assert len(api(coordinator).get("/api/v1/certifications").json()["items"]) == 2


def test_a_bad_certification_answers_422(coordinator, facilitator, lab_a):
    competency = CompetencyFactory(lab=lab_a)
    response = api(coordinator).post(
        "/api/v1/certifications",
        {
            "lab": lab_a.pk,
            "user": facilitator.pk,
            "competency": competency.pk,
            "certified_on": "2026-01-10",
            "expires_on": "2026-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 422


def test_facilitators_cannot_create_competencies(facilitator, lab_a):
    response = api(facilitator).post(
        "/api/v1/competencies",
        {"lab": lab_a.pk, "name": "X"},
        content_type="application/json",
    )
    assert response.status_code == 404
