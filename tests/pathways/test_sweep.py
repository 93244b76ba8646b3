"""Every pathway page and API operation, requested by every role that must
not get through, with the World and checks of tests/core/test_access_sweep.py
(which makes sure that every URL and operation is in a sweep)."""

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from openmil.core.roles import Role
from openmil.pathways import services
from openmil.pathways.models import (
    Assessment,
    CivicModule,
    Evidence,
    FollowUpSurvey,
    Goal,
    Pathway,
    PathwayEvent,
    PathwayTemplate,
    ReadinessCriterion,
    TemplateGoal,
)
from tests.conftest import client_for
from tests.core.test_access_sweep import (
    REFUSED,
    Operation,
    Page,
    World,
    _body,
    _is_login_redirect,
    _leaks,
    bearer,
    database_state,
    world,  # noqa: F401 - the shared fixture
)
from tests.factories import ParticipantFactory, member
from tests.pathways.factories import (
    AssessmentFactory,
    CivicModuleFactory,
    CriterionFactory,
    GoalFactory,
    PathwayFactory,
    TemplateFactory,
    TemplateGoalFactory,
)

PATHWAY_MODELS = (
    PathwayTemplate,
    TemplateGoal,
    ReadinessCriterion,
    CivicModule,
    Pathway,
    Goal,
    Evidence,
    Assessment,
    PathwayEvent,
    FollowUpSurvey,
)


def state() -> dict[str, Any]:
    """Everything a refused request could have changed."""
    data = database_state()
    for model in PATHWAY_MODELS:
        data[model.__name__] = list(model.objects.order_by("pk").values())
    return data


@pytest.fixture
def pw(world, settings, tmp_path) -> World:  # noqa: F811 - the shared fixture
    """Lab A's world, with a pathway and everything around it."""
    settings.MEDIA_ROOT = tmp_path
    w = world
    lab = w.lab
    w.template = TemplateFactory(lab=lab, name="Standard")
    w.template_goal = TemplateGoalFactory(template=w.template)
    w.criterion = CriterionFactory(template=w.template)
    w.module = CivicModuleFactory(lab=lab)
    w.pathway = PathwayFactory(
        participant=w.participant, template=w.template, started_on=dt.date(2025, 1, 1)
    )
    w.goal = GoalFactory(pathway=w.pathway, template_goal=w.template_goal)
    w.assessment = AssessmentFactory(participant=w.participant)
    w.evidence = Evidence.objects.create(goal=w.goal, note="seen")
    w.evidence.document.save("certificate.pdf", ContentFile(b"%PDF"), save=True)
    w.survey = FollowUpSurvey.objects.create(
        pathway=w.pathway, months=3, due_on=timezone.localdate()
    )
    w.survey_token = services.survey_link_issue(actor=w.coordinator, survey=w.survey)
    w.fresh = ParticipantFactory(lab=lab, caseworker=w.facilitator)
    return w


def _person(w: World) -> dict[str, int]:
    return {"participant_id": w.participant.pk}


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


PAGES: dict[str, Page] = {
    "pathways:template_list": Page(
        staff=True,
        post=lambda w: {"lab": w.lab.pk, "name": "Sweep", "active": "on"},
    ),
    "pathways:template_edit": Page(
        staff=True,
        kwargs=lambda w: {"template_id": w.template.pk},
        post=lambda w: {"name": "Renamed", "description": "", "active": "on"},
        lab_a=True,
    ),
    "pathways:template_goal_add": Page(
        staff=True,
        kwargs=lambda w: {"template_id": w.template.pk},
        get=False,
        post=lambda w: {
            "goal-pillar": "civic",
            "goal-title": "Sweep",
            "goal-target_weeks": 4,
        },
        lab_a=True,
    ),
    "pathways:template_goal_remove": Page(
        staff=True,
        kwargs=lambda w: {"goal_id": w.template_goal.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
    "pathways:criterion_add": Page(
        staff=True,
        kwargs=lambda w: {"template_id": w.template.pk},
        get=False,
        post=lambda w: {
            "criterion-kind": "civic_modules",
            "criterion-weight": 2,
            "criterion-count": 3,
        },
        lab_a=True,
    ),
    "pathways:criterion_remove": Page(
        staff=True,
        kwargs=lambda w: {"criterion_id": w.criterion.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
    "pathways:civic_modules": Page(
        staff=True,
        kwargs=lambda w: {"lab_id": w.lab.pk},
        post=lambda w: {"title": "Local democracy"},
        lab_a=True,
    ),
    "pathways:detail": Page(staff=True, kwargs=_person, lab_a=True),
    "pathways:create": Page(
        staff=True,
        kwargs=lambda w: {"participant_id": w.fresh.pk},
        get=False,
        post=lambda w: {"template": w.template.pk},
        lab_a=True,
    ),
    "pathways:goal_add": Page(
        staff=True,
        kwargs=_person,
        get=False,
        post=lambda w: {"goal-pillar": "civic", "goal-title": "Sweep goal"},
        lab_a=True,
    ),
    "pathways:assessment_add": Page(
        staff=True,
        kwargs=lambda w: {"participant_id": w.participant.pk, "kind": "employment"},
        post=lambda w: {"assessed_on": "2026-01-02", "employment_status": "employed"},
        lab_a=True,
    ),
    "pathways:exit": Page(
        staff=True,
        kwargs=_person,
        post=lambda w: {"exit_reason": "moved_away", "exit_date": "2026-01-02"},
        lab_a=True,
    ),
    "pathways:goal_edit": Page(
        staff=True,
        kwargs=lambda w: {"goal_id": w.goal.pk},
        post=lambda w: {"pillar": "language", "title": "Changed", "target_date": ""},
        lab_a=True,
    ),
    "pathways:goal_transition": Page(
        staff=True,
        kwargs=lambda w: {"goal_id": w.goal.pk},
        get=False,
        post=lambda w: {"status": "in_progress"},
        lab_a=True,
    ),
    "pathways:goal_remove": Page(
        staff=True,
        kwargs=lambda w: {"goal_id": w.goal.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
    "pathways:evidence_add": Page(
        staff=True,
        kwargs=lambda w: {"goal_id": w.goal.pk},
        post=lambda w: {"evidence-note": "Attended every session"},
        lab_a=True,
    ),
    "pathways:evidence_document": Page(
        staff=True, kwargs=lambda w: {"evidence_id": w.evidence.pk}, lab_a=True
    ),
    "pathways:survey_list": Page(staff=True, query=lambda w: {"all": "1"}),
    "pathways:survey_answer": Page(
        staff=True,
        kwargs=lambda w: {"survey_id": w.survey.pk},
        post=lambda w: {"employment_status": "employed"},
        lab_a=True,
    ),
    "pathways:survey_link": Page(
        staff=True,
        kwargs=lambda w: {"survey_id": w.survey.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
    "pathways:survey_public": Page(
        public=True,
        kwargs=lambda w: {"token": "not-a-real-token-0123456789abcdefghijklmnop"},
        post=lambda w: {"housing": "shared"},
    ),
}

LAB_A_PAGES = sorted(n for n, p in PAGES.items() if p.lab_a)
STAFF_PAGES = sorted(n for n, p in PAGES.items() if p.staff)
ALL_PAGES = sorted(PAGES)


def _request(client: Client, method: str, name: str, w: World, **extra: Any):
    page = PAGES[name]
    url = page.url(name, w)
    if method == "get":
        return client.get(url, page.query(w), **extra)
    assert page.post is not None
    return client.post(url, page.post(w), **extra)


@pytest.mark.parametrize("name", LAB_A_PAGES)
def test_lab_a_coordinator_reaches_every_pathway_page(name, pw):
    page = PAGES[name]
    client = client_for(pw.coordinator)
    if page.get:
        assert _request(client, "get", name, pw).status_code == 200
    if page.post:
        before = state()
        response = _request(client, "post", name, pw)
        assert response.status_code == 302, _body(response)
        assert state() != before


@pytest.mark.parametrize("name", LAB_A_PAGES)
def test_coordinator_of_another_lab_gets_not_found_for_lab_a_pathways(
    name, pw, outsider
):
    page = PAGES[name]
    client = client_for(outsider)
    response = _request(client, "get", name, pw)
    assert response.status_code in (REFUSED if page.get else {405})
    assert not _leaks(_body(response), pw)
    if page.post:
        before = state()
        response = _request(client, "post", name, pw)
        assert response.status_code in REFUSED
        assert state() == before


@pytest.mark.parametrize("name", ALL_PAGES)
def test_outsider_never_sees_lab_a_personal_data_on_pathway_pages(name, pw, outsider):
    client = client_for(outsider)
    for method in PAGES[name].methods():
        response = _request(client, method, name, pw, follow=True)
        assert not _leaks(_body(response), pw), method


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR])
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_roles_without_personal_access_never_reach_pathway_pages(name, role, pw):
    client = client_for(member(pw.lab, role))
    before = state()  # after the member is created
    for method in PAGES[name].methods():
        response = _request(client, method, name, pw)
        assert response.status_code in REFUSED, method
        assert not _leaks(_body(response), pw), method
    assert state() == before


@pytest.mark.parametrize("name", sorted(n for n, p in PAGES.items() if not p.public))
def test_anonymous_visitors_are_sent_to_sign_in_from_pathway_pages(name, pw):
    before = state()
    for method in PAGES[name].methods():
        response = _request(Client(), method, name, pw)
        assert _is_login_redirect(response), method
    assert state() == before


def test_public_survey_page_with_a_made_up_token_reveals_nothing(pw):
    before = state()
    for method in ("get", "post"):
        response = _request(Client(), method, "pathways:survey_public", pw)
        assert response.status_code == 404
        assert not _leaks(_body(response), pw)
    assert state() == before


def test_public_survey_page_opens_with_the_real_token_only(pw):
    response = Client().get(f"/pathways/survey/{pw.survey_token}/")
    assert response.status_code == 200
    body = _body(response)
    assert pw.participant.given_name in body
    assert pw.participant.family_name not in body
    assert pw.participant.reference not in body


# ---------------------------------------------------------------------------
# API operations.


def _p(w: World) -> dict[str, int]:
    return {"participant_id": w.participant.pk}


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/pathway-templates"): Operation(personal=False, lab_a=False),
    ("GET", "/api/v1/pathway-templates/{template_id}"): Operation(
        path=lambda w: {"template_id": w.template.pk}, personal=False
    ),
    ("GET", "/api/v1/participants/{participant_id}/pathway"): Operation(path=_p),
    ("POST", "/api/v1/participants/{participant_id}/pathway"): Operation(
        path=lambda w: {"participant_id": w.fresh.pk},
        body=lambda w: {"template": w.template.pk},
    ),
    ("GET", "/api/v1/participants/{participant_id}/pathway/goals"): Operation(path=_p),
    ("POST", "/api/v1/participants/{participant_id}/pathway/goals"): Operation(
        path=_p, body=lambda w: {"pillar": "civic", "title": "API goal"}
    ),
    ("PATCH", "/api/v1/goals/{goal_id}"): Operation(
        path=lambda w: {"goal_id": w.goal.pk}, body=lambda w: {"title": "Changed"}
    ),
    ("POST", "/api/v1/goals/{goal_id}/transition"): Operation(
        path=lambda w: {"goal_id": w.goal.pk}, body=lambda w: {"status": "in_progress"}
    ),
    ("GET", "/api/v1/participants/{participant_id}/assessments"): Operation(path=_p),
    ("POST", "/api/v1/participants/{participant_id}/assessments/{kind}"): Operation(
        path=lambda w: {"participant_id": w.participant.pk, "kind": "intercultural"},
        body=lambda w: {"assessed_on": "2026-01-02", "participation": "activity"},
    ),
    ("POST", "/api/v1/participants/{participant_id}/pathway/exit"): Operation(
        path=_p,
        body=lambda w: {"exit_reason": "graduated", "exit_date": "2026-01-02"},
    ),
    ("GET", "/api/v1/participants/{participant_id}/pathway/surveys"): Operation(
        path=_p
    ),
    ("POST", "/api/v1/surveys/{survey_id}/answer"): Operation(
        path=lambda w: {"survey_id": w.survey.pk},
        body=lambda w: {"belonging": 4},
    ),
}
ALL_OPERATIONS = sorted(OPERATIONS)


def _call(client: Client, key: tuple[str, str], w: World, token: str | None):
    method, template = key
    op = OPERATIONS[key]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = op.url(template, w)
    if method == "GET":
        return client.get(url, op.query(w), headers=headers)
    assert op.body is not None
    return client.generic(
        method,
        url,
        json.dumps(op.body(w)),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_lab_a_coordinator_may_call_every_pathway_operation(key, pw):
    token = bearer(pw.coordinator)
    before = state()
    response = _call(Client(), key, pw, token)
    assert response.status_code in (200, 201), response.content
    if key[0] != "GET":
        assert state() != before


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_pathway_operations_without_a_token_answer_401(key, pw):
    before = state()
    assert _call(Client(), key, pw, token=None).status_code == 401
    assert state() == before


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_coordinator_of_another_lab_gets_nothing_of_lab_a_pathways(
    key, pw, outsider
):
    token = bearer(outsider)
    before = state()
    response = _call(Client(), key, pw, token)
    assert not _leaks(_body(response), pw)
    if OPERATIONS[key].lab_a:
        assert response.status_code in REFUSED
    else:
        assert response.json() == []
    assert state() == before


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR], ids=str
)
@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_roles_without_personal_access_get_no_pathway_data(key, role, pw):
    token = bearer(member(pw.lab, role))
    before = state()
    response = _call(Client(), key, pw, token)
    assert not _leaks(_body(response), pw)
    if OPERATIONS[key].lab_a:
        assert response.status_code in REFUSED
    else:
        assert response.json() == []
    assert state() == before
