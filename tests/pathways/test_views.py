"""Pathway pages: build, goals, assessments, exit, surveys, the public link,
and a query count that does not grow with the pathway."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.core.pillars import Pillar
from openmil.participants.models import Consent
from openmil.pathways import services
from openmil.pathways.models import Assessment, Evidence, FollowUpSurvey, Goal
from tests.conftest import client_for
from tests.factories import ConsentFactory, NeedFactory, need_type
from tests.pathways.factories import (
    AssessmentFactory,
    CivicModuleFactory,
    CriterionFactory,
    GoalFactory,
    PathwayFactory,
    TemplateFactory,
    TemplateGoalFactory,
)

pytestmark = pytest.mark.django_db


def detail(participant) -> str:
    return reverse("pathways:detail", kwargs={"participant_id": participant.pk})


def test_participant_page_links_to_the_pathway(facilitator, participant):
    response = client_for(facilitator).get(
        reverse("participants:detail", kwargs={"participant_id": participant.pk})
    )
    assert detail(participant) in response.content.decode()


def test_facilitator_builds_a_pathway_from_a_template(facilitator, participant, lab_a):
    template = TemplateFactory(lab=lab_a, name="Standard")
    TemplateGoalFactory(template=template, title="Reach A2 in Portuguese")
    client = client_for(facilitator)
    page = client.get(detail(participant)).content.decode()
    assert "Standard" in page
    response = client.post(
        reverse("pathways:create", kwargs={"participant_id": participant.pk}),
        {"template": template.pk},
        follow=True,
    )
    body = response.content.decode()
    assert "Reach A2 in Portuguese" in body
    assert participant.pathway.goals.count() == 1


def test_blocked_gate_shows_the_needs_and_refuses(facilitator, participant, lab_a):
    NeedFactory(participant=participant, need_type=need_type(), urgent=True)
    client = client_for(facilitator)
    assert "Housing" in client.get(detail(participant)).content.decode()
    response = client.post(
        reverse("pathways:create", kwargs={"participant_id": participant.pk}),
        {"template": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "urgent needs must be addressed first" in response.content.decode()


def test_illegal_transition_posted_is_an_error_message_not_a_crash(
    facilitator, participant
):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant))
    response = client_for(facilitator).post(
        reverse("pathways:goal_transition", kwargs={"goal_id": goal.pk}),
        {"status": Goal.Status.ACHIEVED},
        follow=True,
    )
    assert response.status_code == 200
    assert "cannot go from" in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.PLANNED


def test_goal_moves_through_the_page_and_shows_in_the_timeline(
    facilitator, participant
):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant), title="Vote")
    client = client_for(facilitator)
    for status in ("in_progress", "achieved"):
        client.post(
            reverse("pathways:goal_transition", kwargs={"goal_id": goal.pk}),
            {"status": status},
        )
    goal.refresh_from_db()
    assert goal.status == "achieved"
    body = client.get(detail(participant)).content.decode()
    assert "In progress → Achieved" in body
    assert "1 of 1 achieved" in body


def test_goal_add_edit_remove_pages(facilitator, participant):
    PathwayFactory(participant=participant)
    client = client_for(facilitator)
    client.post(
        reverse("pathways:goal_add", kwargs={"participant_id": participant.pk}),
        {"goal-pillar": Pillar.CIVIC, "goal-title": "Register to vote"},
    )
    goal = Goal.objects.get()
    assert client.get(reverse("pathways:goal_edit", args=[goal.pk])).status_code == 200
    client.post(
        reverse("pathways:goal_edit", args=[goal.pk]),
        {"pillar": Pillar.CIVIC, "title": "Vote in local elections", "target_date": ""},
    )
    goal.refresh_from_db()
    assert goal.title == "Vote in local elections"
    client.post(reverse("pathways:goal_remove", args=[goal.pk]))
    assert (
        "Vote in local elections"
        not in client.get(detail(participant))
        .content.decode()
        .split('id="timeline"')[0]
    )


def test_evidence_document_upload_and_scoped_download(
    facilitator, participant, outsider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    goal = GoalFactory(pathway=PathwayFactory(participant=participant))
    client = client_for(facilitator)
    client.post(
        reverse("pathways:evidence_add", args=[goal.pk]),
        {
            "evidence-note": "Certificate",
            "evidence-document": SimpleUploadedFile("a2.pdf", b"%PDF-1.4 test"),
        },
    )
    evidence = Evidence.objects.get()
    url = reverse("pathways:evidence_document", args=[evidence.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client_for(outsider).get(url).status_code == 404
    assert AuditEntry.objects.filter(detail="document downloaded").count() == 1


def test_evidence_page_lists_the_persons_assessments_and_explains_an_empty_form(
    facilitator, participant
):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant))
    mine = AssessmentFactory(participant=participant, instrument="Mine")
    other = AssessmentFactory(instrument="Somebody else's")
    url = reverse("pathways:evidence_add", args=[goal.pk])
    client = client_for(facilitator)
    page = client.get(url).content.decode()
    assert f'value="{mine.pk}"' in page
    assert f'value="{other.pk}"' not in page
    assert AuditEntry.objects.filter(
        action="view", object_type="goal", detail="evidence form"
    ).exists()
    response = client.post(url, {"evidence-note": "  "})
    assert response.status_code == 200
    assert "Give a note, a document or an assessment." in response.content.decode()
    assert not Evidence.objects.exists()
    response = client.post(url, {"evidence-assessment": mine.pk})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#goal-{goal.pk}")
    assert Evidence.objects.get().assessment == mine


def test_pathway_page_links_each_goal_to_its_evidence_page(facilitator, participant):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant))
    page = client_for(facilitator).get(detail(participant)).content.decode()
    assert reverse("pathways:evidence_add", args=[goal.pk]) in page


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("cefr", {"language": "pt", "skill": "writing", "cefr_level": 2}),
        ("employment", {"employment_status": "employed", "hours_per_week": 30}),
        ("education", {"isced_level": 3, "programme": "Cook"}),
        ("intercultural", {"participation": "mentoring"}),
    ],
)
def test_assessment_forms_record_each_kind(facilitator, participant, kind, data):
    url = reverse("pathways:assessment_add", args=[participant.pk, kind])
    client = client_for(facilitator)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"assessed_on": "2026-01-10", "instrument": "Test", **data}
    )
    assert response.status_code == 302
    assert Assessment.objects.get().kind == kind


def test_civic_assessment_uses_the_labs_curriculum(facilitator, participant, lab_a):
    module = CivicModuleFactory(lab=lab_a, title="Rights and duties")
    url = reverse("pathways:assessment_add", args=[participant.pk, "civic"])
    client_for(facilitator).post(
        url, {"assessed_on": "2026-01-10", "civic_module": module.pk}
    )
    assert Assessment.objects.get().civic_module == module


def test_bad_assessment_shows_errors(facilitator, participant):
    url = reverse("pathways:assessment_add", args=[participant.pk, "cefr"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client_for(facilitator).post(
        url, {"assessed_on": tomorrow, "language": "pt", "skill": "x"}
    )
    assert response.status_code == 200
    assert "This date is in the future." in response.content.decode()
    assert not Assessment.objects.exists()


def test_unknown_assessment_kind_is_not_found(facilitator, participant):
    url = reverse("pathways:assessment_add", args=[participant.pk, "iq"])
    assert client_for(facilitator).get(url).status_code == 404


def test_exit_form_then_surveys_listed(facilitator, participant):
    PathwayFactory(participant=participant, started_on=dt.date(2025, 1, 1))
    client = client_for(facilitator)
    url = reverse("pathways:exit", args=[participant.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"exit_reason": "graduated", "exit_date": "2020-01-01"})
    assert "before the pathway started" in bad.content.decode()
    client.post(url, {"exit_reason": "graduated", "exit_date": "2025-06-01"})
    assert FollowUpSurvey.objects.count() == 3
    body = client.get(detail(participant)).content.decode()
    assert "Follow-up at 3 months" in body
    assert "overdue" in body  # 2025-09-01 is long past


def test_survey_list_and_staff_answer(facilitator, participant):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2025, 1, 1))
    services.pathway_exit(
        actor=facilitator,
        pathway=pathway,
        data={"exit_reason": "graduated", "exit_date": dt.date(2025, 6, 1)},
    )
    client = client_for(facilitator)
    listing = client.get(reverse("pathways:survey_list")).content.decode()
    assert participant.given_name in listing
    survey = pathway.surveys.get(months=3)
    url = reverse("pathways:survey_answer", args=[survey.pk])
    assert "Answer at least one question." in client.post(url, {}).content.decode()
    client.post(url, {"employment_status": "employed", "belonging": "5"})
    survey.refresh_from_db()
    assert survey.belonging == 5 and survey.answered_by == facilitator


def test_personal_link_answers_once_without_an_account(facilitator, participant):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    participant.mother_tongue = "ar"
    participant.save()
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2025, 1, 1))
    survey = pathway.surveys.create(months=3, due_on=dt.date(2025, 9, 1))
    raw = services.survey_link_issue(actor=facilitator, survey=survey)
    url = reverse("pathways:survey_public", args=[raw])
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'dir="rtl"' in body and 'lang="ar"' in body
    assert participant.family_name not in body  # first name only
    english = anonymous.get(url, {"lang": "en"}).content.decode()
    assert 'dir="ltr"' in english
    done = anonymous.post(url, {"housing": "shared", "self_rated_health": "4"})
    assert done.status_code == 200
    survey.refresh_from_db()
    assert survey.channel == "participant" and survey.housing == "shared"
    assert anonymous.get(url).status_code == 404  # single use
    assert anonymous.post(url, {"housing": "precarious"}).status_code == 404


def test_expired_or_made_up_link_is_refused(facilitator, participant):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    pathway = PathwayFactory(participant=participant)
    survey = pathway.surveys.create(months=3, due_on=dt.date(2025, 9, 1))
    raw = services.survey_link_issue(actor=facilitator, survey=survey)
    FollowUpSurvey.objects.update(token_expires_at=timezone.now())
    assert (
        Client().get(reverse("pathways:survey_public", args=[raw])).status_code == 404
    )
    assert (
        Client().get(reverse("pathways:survey_public", args=["x" * 43])).status_code
        == 404
    )


def test_coordinator_manages_templates(coordinator, lab_a):
    client = client_for(coordinator)
    response = client.post(
        reverse("pathways:template_list"),
        {"lab": lab_a.pk, "name": "Fast track", "description": "", "active": "on"},
    )
    template = lab_a.pathway_templates.get()
    assert response.status_code == 302
    client.post(
        reverse("pathways:template_goal_add", args=[template.pk]),
        {
            "goal-pillar": Pillar.LANGUAGE,
            "goal-title": "B1 spoken",
            "goal-target_weeks": 30,
        },
    )
    goal = template.goals.get()
    client.post(
        reverse("pathways:criterion_add", args=[template.pk]),
        {"criterion-kind": "goal", "criterion-weight": 3, "criterion-goal": goal.pk},
    )
    missing = client.post(
        reverse("pathways:criterion_add", args=[template.pk]),
        {"criterion-kind": "cefr", "criterion-weight": 3},
        follow=True,
    )
    assert "This criterion needs this field." in missing.content.decode()
    assert template.criteria.count() == 1
    page = client.get(reverse("pathways:template_edit", args=[template.pk]))
    assert "Goal achieved: B1 spoken" in page.content.decode()


def test_facilitator_reads_templates_but_cannot_change_them(facilitator, lab_a):
    template = TemplateFactory(lab=lab_a)
    client = client_for(facilitator)
    assert (
        client.get(reverse("pathways:template_edit", args=[template.pk])).status_code
        == 200
    )
    response = client.post(
        reverse("pathways:template_goal_add", args=[template.pk]),
        {"goal-pillar": "civic", "goal-title": "X", "goal-target_weeks": 3},
    )
    assert response.status_code == 404
    assert not template.goals.exists()


def _grow(participant, lab, n: int) -> None:
    template = participant.pathway.template
    module = CivicModuleFactory(lab=lab)
    for i in range(n):
        tgoal = TemplateGoalFactory(template=template)
        goal = GoalFactory(pathway=participant.pathway, template_goal=tgoal)
        CriterionFactory(template=template, kind="goal", goal=tgoal)
        a = AssessmentFactory(participant=participant, cefr_level=i % 6)
        AssessmentFactory(
            participant=participant, kind="civic", civic_module=module, cefr_level=None
        )
        Evidence.objects.create(goal=goal, note=f"note {i}", assessment=a)
        services.goal_transition(
            actor=participant.caseworker, goal=goal, status="in_progress"
        )


def test_pathway_page_queries_do_not_grow_with_goals_and_assessments(
    facilitator, participant, lab_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    template = TemplateFactory(lab=lab_a)
    PathwayFactory(participant=participant, template=template)
    client = client_for(facilitator)
    _grow(participant, lab_a, 2)
    client.get(detail(participant))
    with CaptureQueriesContext(connection) as small:
        assert client.get(detail(participant)).status_code == 200
    _grow(participant, lab_a, 20)
    with django_assert_max_num_queries(len(small)):
        response = client.get(detail(participant))
    assert response.status_code == 200
    assert response.content.decode().count('<li id="goal-') == 22
