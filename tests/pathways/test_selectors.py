"""Readiness score, pillar progress, scoping and the indicator selector."""

import datetime as dt

import pytest
from django.http import Http404

from openmil.core.pillars import Pillar
from openmil.pathways import selectors
from openmil.pathways.models import Assessment, Goal, ReadinessCriterion
from tests.factories import ParticipantFactory
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
K = ReadinessCriterion.Kind


@pytest.fixture
def setup(lab_a, participant):
    template = TemplateFactory(lab=lab_a)
    tgoal = TemplateGoalFactory(template=template, pillar=Pillar.ECONOMIC)
    pathway = PathwayFactory(participant=participant, template=template)
    goal = GoalFactory(pathway=pathway, template_goal=tgoal, pillar=Pillar.ECONOMIC)
    criteria = [
        CriterionFactory(
            template=template,
            kind=K.CEFR,
            weight=3,
            language="pt",
            skill="spoken_interaction",
            cefr_level=3,
            employment_status="",
        ),
        CriterionFactory(template=template, kind=K.GOAL, weight=2, goal=tgoal),
        CriterionFactory(template=template, kind=K.EMPLOYMENT, weight=4),
        CriterionFactory(template=template, kind=K.CIVIC_MODULES, weight=1, count=2),
    ]
    return pathway, goal, criteria


def score(pathway):
    return selectors.pathway_readiness(pathway=pathway)


def test_readiness_is_zero_with_nothing_met(setup):
    pathway, _goal, _criteria = setup
    result = score(pathway)
    assert result.score == 0
    assert [r.met for r in result.results] == [False] * 4


def test_readiness_weighs_each_met_criterion(setup, participant, lab_a):
    pathway, goal, _criteria = setup
    AssessmentFactory(participant=participant, cefr_level=3)  # B1: weight 3
    assert score(pathway).score == 30
    Goal.objects.filter(pk=goal.pk).update(status=Goal.Status.ACHIEVED)  # weight 2
    assert score(pathway).score == 50
    for _ in range(2):
        AssessmentFactory(
            participant=participant,
            kind=Assessment.Kind.CIVIC,
            civic_module=CivicModuleFactory(lab=lab_a),
            language="",
            skill="",
            cefr_level=None,
        )
    assert score(pathway).score == 60
    AssessmentFactory(
        participant=participant,
        kind=Assessment.Kind.EMPLOYMENT,
        employment_status="employed",
        language="",
        skill="",
        cefr_level=None,
    )
    result = score(pathway)
    assert result.score == 100
    assert all(r.met for r in result.results)


def test_readiness_follows_the_latest_assessment_not_the_best(setup, participant):
    pathway, _goal, _criteria = setup
    AssessmentFactory(
        participant=participant, cefr_level=4, assessed_on=dt.date(2025, 1, 1)
    )
    AssessmentFactory(
        participant=participant, cefr_level=2, assessed_on=dt.date(2025, 6, 1)
    )
    assert score(pathway).results[0].met is False
    # Another skill or language does not count.
    AssessmentFactory(participant=participant, cefr_level=6, skill="reading")
    AssessmentFactory(participant=participant, cefr_level=6, language="en")
    assert score(pathway).results[0].met is False


def test_the_same_civic_module_twice_counts_once(setup, participant, lab_a):
    pathway, _goal, _criteria = setup
    module = CivicModuleFactory(lab=lab_a)
    for _ in range(2):
        AssessmentFactory(
            participant=participant,
            kind=Assessment.Kind.CIVIC,
            civic_module=module,
            cefr_level=None,
        )
    assert score(pathway).results[3].met is False


def test_readiness_without_criteria_is_none(participant):
    assert score(PathwayFactory(participant=participant)).score is None


def test_pillar_progress_leaves_dropped_goals_out(participant):
    pathway = PathwayFactory(participant=participant)
    for status in ("achieved", "in_progress", "dropped", "achieved"):
        GoalFactory(pathway=pathway, pillar=Pillar.LANGUAGE, status=status)
    bars = {b.pillar: b for b in selectors.pillar_progress(list(pathway.goals.all()))}
    assert (bars["language"].achieved, bars["language"].counted) == (2, 3)
    assert bars["language"].percent == 67
    assert bars["civic"].percent == 0


def test_pathway_of_another_lab_is_not_found(outsider, participant):
    PathwayFactory(participant=participant)
    with pytest.raises(Http404):
        selectors.pathway_get(user=outsider, participant_id=participant.pk)


def test_timeline_is_newest_first_and_mixes_events_and_assessments(
    participant, facilitator
):
    from openmil.pathways import services

    pathway = PathwayFactory(participant=participant)
    goal = services.goal_add(
        actor=facilitator, pathway=pathway, data={"pillar": "civic", "title": "Vote"}
    )
    AssessmentFactory(participant=participant)
    services.goal_transition(actor=facilitator, goal=goal, status="in_progress")
    page = selectors.pathway_page(participant=participant)
    moments = [item.at for item in page.timeline]
    assert moments == sorted(moments, reverse=True)
    assert page.timeline[0].event.kind == "goal_status"
    assert page.timeline[1].assessment is not None


def test_intercultural_participations_for_indicators(lab_a, lab_b, participant):
    AssessmentFactory(
        participant=participant,
        kind="intercultural",
        participation="mentoring",
        assessed_on=dt.date(2025, 3, 1),
    )
    AssessmentFactory(
        participant=participant,
        kind="intercultural",
        participation="activity",
        assessed_on=dt.date(2025, 9, 1),
    )
    AssessmentFactory(
        participant=ParticipantFactory(lab=lab_b),
        kind="intercultural",
        participation="activity",
    )
    rows = selectors.intercultural_participations(lab_ids={lab_a.pk})
    assert rows.count() == 2
    assert (
        selectors.intercultural_participations(
            lab_ids={lab_a.pk}, start=dt.date(2025, 6, 1)
        ).count()
        == 1
    )
    assert selectors.intercultural_participations(
        lab_ids={lab_a.pk}, kind="mentoring"
    ).get().assessed_on == dt.date(2025, 3, 1)
