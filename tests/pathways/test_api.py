"""Pathway API: the same services, with 4xx answers and reasons for bad input."""

import datetime as dt
import json

import pytest
from django.test import Client

from openmil.core.models import AuditEntry
from openmil.core.services import api_token_create
from openmil.participants.models import Consent
from openmil.pathways.models import Assessment, FollowUpSurvey, Goal
from tests.factories import ConsentFactory, NeedFactory, need_type
from tests.pathways.factories import (
    CivicModuleFactory,
    CriterionFactory,
    GoalFactory,
    PathwayFactory,
    TemplateFactory,
    TemplateGoalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(facilitator):
    _token, raw = api_token_create(user=facilitator, name="test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    def call(method: str, url: str, body: dict | None = None):
        if method == "GET":
            return client.get(url, body or {})
        return client.generic(
            method, url, json.dumps(body or {}), content_type="application/json"
        )

    return call


def test_templates_are_listed_with_goals_and_criteria(api, lab_a, lab_b):
    template = TemplateFactory(lab=lab_a, name="Standard")
    TemplateGoalFactory(template=template, title="A2 reading")
    CriterionFactory(template=template)
    TemplateFactory(lab=lab_b, name="Elsewhere")
    data = api("GET", "/api/v1/pathway-templates").json()
    assert [t["name"] for t in data] == ["Standard"]
    assert data[0]["goals"][0]["title"] == "A2 reading"
    assert data[0]["criteria"][0]["label"] == "Employment status: Employed"


def test_create_from_template_then_move_a_goal(api, participant, lab_a):
    template = TemplateFactory(lab=lab_a)
    TemplateGoalFactory(template=template, title="Open a bank account")
    url = f"/api/v1/participants/{participant.pk}/pathway"
    response = api("POST", url, {"template": template.pk})
    assert response.status_code == 201
    goal = response.json()["goals"][0]
    assert goal["allowed_next"] == ["in_progress", "dropped"]
    moved = api(
        "POST", f"/api/v1/goals/{goal['id']}/transition", {"status": "in_progress"}
    )
    assert moved.json()["status"] == "in_progress"
    again = api("POST", url, {"template": template.pk})
    assert again.status_code == 422
    assert "already has a pathway" in again.content.decode()


def test_illegal_transition_is_422_with_a_reason(api, participant):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant))
    response = api(
        "POST", f"/api/v1/goals/{goal.pk}/transition", {"status": "achieved"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "status"
    assert "cannot go from" in response.json()["detail"][0]["message"]
    goal.refresh_from_db()
    assert goal.status == Goal.Status.PLANNED


def test_gate_refusal_is_422(api, participant):
    NeedFactory(participant=participant, need_type=need_type(), urgent=True)
    response = api("POST", f"/api/v1/participants/{participant.pk}/pathway", {})
    assert response.status_code == 422
    assert "urgent needs" in response.content.decode()


def test_unknown_template_is_422(api, participant, lab_b):
    other = TemplateFactory(lab=lab_b)
    response = api(
        "POST", f"/api/v1/participants/{participant.pk}/pathway", {"template": other.pk}
    )
    assert response.status_code == 422


def test_goal_create_and_update_validate(api, participant):
    PathwayFactory(participant=participant)
    url = f"/api/v1/participants/{participant.pk}/pathway/goals"
    assert api("POST", url, {"pillar": "sports", "title": "X"}).status_code == 422
    created = api("POST", url, {"pillar": "civic", "title": "Vote"})
    assert created.status_code == 201
    goal_id = created.json()["id"]
    changed = api("PATCH", f"/api/v1/goals/{goal_id}", {"target_date": "2026-12-01"})
    assert changed.json()["target_date"] == "2026-12-01"
    assert changed.json()["title"] == "Vote"
    listed = api("GET", url).json()
    assert [g["title"] for g in listed] == ["Vote"]


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("cefr", {"language": "pt", "skill": "listening", "cefr_level": 0}),
        (
            "employment",
            {
                "employment_status": "employed",
                "contract_type": "fixed_term",
                "hours_per_week": 20,
                "occupation": "5120",
            },
        ),
        ("education", {"isced_level": 4}),
        ("intercultural", {"participation": "mentoring"}),
    ],
)
def test_assessments_per_kind(api, participant, kind, body):
    url = f"/api/v1/participants/{participant.pk}/assessments/{kind}"
    response = api("POST", url, {"assessed_on": "2026-01-05", **body})
    assert response.status_code == 201, response.content
    listed = api(
        "GET", f"/api/v1/participants/{participant.pk}/assessments", {"kind": kind}
    )
    assert [a["kind"] for a in listed.json()] == [kind]


def test_civic_assessment_with_the_labs_module(api, participant, lab_a, lab_b):
    url = f"/api/v1/participants/{participant.pk}/assessments/civic"
    foreign = CivicModuleFactory(lab=lab_b)
    bad = api("POST", url, {"assessed_on": "2026-01-05", "civic_module": foreign.pk})
    assert bad.status_code == 422
    mine = CivicModuleFactory(lab=lab_a)
    good = api("POST", url, {"assessed_on": "2026-01-05", "civic_module": mine.pk})
    assert good.json()["civic_module"] == mine.pk


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("cefr", {"language": "pt", "skill": "listening", "cefr_level": 9}),
        ("cefr", {"language": "zz", "skill": "listening", "cefr_level": 2}),
        ("employment", {"employment_status": "retired"}),
        ("employment", {"employment_status": "employed", "hours_per_week": 200}),
        ("education", {"isced_level": 11}),
        ("intercultural", {}),
    ],
)
def test_bad_assessments_are_422(api, participant, kind, body):
    url = f"/api/v1/participants/{participant.pk}/assessments/{kind}"
    response = api("POST", url, {"assessed_on": "2026-01-05", **body})
    assert response.status_code == 422
    assert not Assessment.objects.exists()


def test_unknown_assessment_kind_is_404_or_422(api, participant):
    base = f"/api/v1/participants/{participant.pk}/assessments"
    assert api("POST", f"{base}/iq", {"assessed_on": "2026-01-05"}).status_code == 404
    assert api("GET", base, {"kind": "iq"}).status_code == 422


def test_exit_then_surveys_then_answer(api, participant):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    PathwayFactory(participant=participant, started_on=dt.date(2025, 1, 1))
    base = f"/api/v1/participants/{participant.pk}/pathway"
    bad = api(
        "POST", f"{base}/exit", {"exit_reason": "bored", "exit_date": "2025-06-01"}
    )
    assert bad.status_code == 422
    done = api(
        "POST", f"{base}/exit", {"exit_reason": "graduated", "exit_date": "2025-06-01"}
    )
    assert done.json()["status"] == "exited"
    again = api(
        "POST", f"{base}/exit", {"exit_reason": "graduated", "exit_date": "2025-06-01"}
    )
    assert again.status_code == 422
    surveys = api("GET", f"{base}/surveys").json()
    assert [(s["months"], s["due_on"]) for s in surveys] == [
        (3, "2025-09-01"),
        (6, "2025-12-01"),
        (12, "2026-06-01"),
    ]
    assert surveys[0]["overdue"] is True
    first = surveys[0]["id"]
    assert (
        api("POST", f"/api/v1/surveys/{first}/answer", {"belonging": 7}).status_code
        == 422
    )
    answer = api(
        "POST", f"/api/v1/surveys/{first}/answer", {"belonging": 3, "housing": "shared"}
    )
    assert answer.json()["belonging"] == 3
    assert answer.json()["channel"] == "staff"
    assert FollowUpSurvey.objects.filter(answered_at__isnull=False).count() == 1


def test_reading_a_pathway_is_audited(api, participant, facilitator):
    PathwayFactory(participant=participant)
    api("GET", f"/api/v1/participants/{participant.pk}/pathway")
    entry = AuditEntry.objects.filter(object_type="pathway", action="view").get()
    assert (entry.actor, entry.participant_id, entry.channel) == (
        facilitator,
        participant.pk,
        "api",
    )


def test_readiness_in_the_pathway_answer(api, participant, lab_a):
    template = TemplateFactory(lab=lab_a)
    CriterionFactory(template=template, weight=1)
    PathwayFactory(participant=participant, template=template)
    url = f"/api/v1/participants/{participant.pk}/assessments/employment"
    api("POST", url, {"assessed_on": "2026-01-05", "employment_status": "employed"})
    data = api("GET", f"/api/v1/participants/{participant.pk}/pathway").json()
    assert data["readiness"] == 100
    assert data["criteria"] == [
        {"label": "Employment status: Employed", "weight": 1, "met": True}
    ]
