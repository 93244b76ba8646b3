import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.public.models import Project
from tests.core.test_access_sweep import bearer
from tests.factories import UserFactory
from tests.public.factories import ProjectFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def _call(method: str, url: str, token: str | None = None, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )


def _project_body(lab, **changes):
    body = {
        "lab": lab.pk,
        "title": "Choir",
        "summary": "Sing together",
        "description": "Tuesdays",
        "kind": "cultural",
        "pillars": ["intercultural"],
        "sdgs": [10],
        "language": "it",
    }
    body.update(changes)
    return body


def test_a_citizen_proposes_through_the_api_and_a_moderator_publishes(
    lab_a, coordinator
):
    citizen = bearer(UserFactory())
    response = _call("POST", "/api/v1/projects", citizen, _project_body(lab_a))
    assert response.status_code == 201
    project_id = response.json()["id"]
    assert response.json()["status"] == "pending"
    assert Client().get("/api/v1/projects").json()["items"] == []
    staff = bearer(coordinator)
    queue = _call("GET", "/api/v1/projects/moderation", staff).json()["items"]
    assert [p["id"] for p in queue] == [project_id]
    response = _call(
        "POST",
        f"/api/v1/projects/{project_id}/moderation",
        staff,
        {"decision": "approve"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    listed = Client().get("/api/v1/projects?kind=cultural").json()["items"]
    assert [p["id"] for p in listed] == [project_id]
    assert AuditEntry.objects.filter(object_type="citizen_project").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "military"}, "kind"),
        ({"pillars": []}, "pillars"),
        ({"sdgs": [0]}, "sdgs"),
        ({"language": "xx"}, "language"),
        ({"lab": 999999}, "lab"),
    ],
)
def test_bad_proposals_answer_422_with_the_field(lab_a, changes, field):
    token = bearer(UserFactory())
    body = {**_project_body(lab_a), **changes}
    response = _call("POST", "/api/v1/projects", token, body)
    assert response.status_code == 422
    assert field in {item["field"] for item in response.json()["detail"]}
    assert not Project.objects.exists()


def test_taking_part_through_the_api_counts_without_names(lab_a):
    project = ProjectFactory(lab=lab_a)
    for group in ("newcomer", "organisation"):
        response = _call(
            "POST",
            f"/api/v1/projects/{project.pk}/participations",
            bearer(UserFactory()),
            {"kind": "support", "group": group},
        )
        assert response.status_code == 201
    detail = Client().get(f"/api/v1/projects/{project.pk}").json()
    assert detail["supporters"] == {"newcomer": 1, "national": 0, "organisation": 1}
    assert detail["named_supporters"] == []


def test_a_rejection_without_reason_answers_422(lab_a, coordinator):
    project = ProjectFactory(lab=lab_a, status="pending")
    response = _call(
        "POST",
        f"/api/v1/projects/{project.pk}/moderation",
        bearer(coordinator),
        {"decision": "reject"},
    )
    assert response.status_code == 422
    assert Project.objects.get(pk=project.pk).status == "pending"


def test_recommendation_status_through_the_api_with_a_dated_history(lab_a, coordinator):
    recommendation = RecommendationFactory(
        lab=lab_a, status_since=timezone.localdate() - dt.timedelta(days=10)
    )
    token = bearer(coordinator)
    url = f"/api/v1/recommendations/{recommendation.pk}/status"
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = _call("POST", url, token, {"to_status": "adopted", "on": future})
    assert response.status_code == 422
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = _call("POST", url, token, {"to_status": "adopted", "on": yesterday})
    assert response.status_code == 201
    public = Client().get(f"/api/v1/recommendations/{recommendation.pk}").json()
    assert public["status"] == "adopted"
    assert public["history"][-1]["on"] == yesterday
    listed = Client().get("/api/v1/recommendations?status=adopted").json()["items"]
    assert [r["id"] for r in listed] == [recommendation.pk]
