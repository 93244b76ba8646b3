"""Pathway services: building from a template, goal transitions, assessments,
readiness inputs, exit and the follow-up schedule."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.core.pillars import Pillar
from openmil.participants import services as participant_services
from openmil.participants.models import Consent, Need
from openmil.pathways import services
from openmil.pathways.models import (
    Assessment,
    FollowUpSurvey,
    Goal,
    Pathway,
    PathwayEvent,
)
from openmil.pathways.tasks import send_due_surveys
from tests.factories import ConsentFactory, NeedFactory, ParticipantFactory, need_type
from tests.pathways.factories import (
    AssessmentFactory,
    CivicModuleFactory,
    GoalFactory,
    PathwayFactory,
    TemplateFactory,
    TemplateGoalFactory,
)

pytestmark = pytest.mark.django_db

S = Goal.Status


@pytest.fixture
def template(lab_a):
    template = TemplateFactory(lab=lab_a, name="Standard")
    TemplateGoalFactory(template=template, pillar=Pillar.LANGUAGE, target_weeks=10)
    TemplateGoalFactory(template=template, pillar=Pillar.ECONOMIC, target_weeks=20)
    TemplateGoalFactory(template=template, pillar=Pillar.CIVIC, target_weeks=8)
    return template


def test_pathway_from_template_copies_goals_with_target_dates(
    facilitator, participant, template
):
    pathway = services.pathway_create(
        actor=facilitator,
        participant=participant,
        template=template,
        on=dt.date(2026, 1, 5),
    )
    participant.refresh_from_db()
    assert participant.pathway_started_on == dt.date(2026, 1, 5)
    goals = {g.pillar: g for g in pathway.goals.all()}
    assert set(goals) == {Pillar.LANGUAGE, Pillar.ECONOMIC, Pillar.CIVIC}
    assert goals[Pillar.ECONOMIC].target_date == dt.date(2026, 1, 5) + dt.timedelta(
        weeks=20
    )
    assert all(g.status == S.PLANNED for g in goals.values())
    assert pathway.events.filter(kind=PathwayEvent.Kind.STARTED).exists()
    assert AuditEntry.objects.filter(
        object_type="pathway", participant_id=participant.pk, action="create"
    ).exists()


def test_pathway_refused_while_an_urgent_need_blocks_the_gate(
    facilitator, participant, template
):
    NeedFactory(participant=participant, need_type=need_type(), urgent=True)
    with pytest.raises(ValidationError, match="urgent needs"):
        services.pathway_create(
            actor=facilitator, participant=participant, template=template
        )
    assert not Pathway.objects.exists()
    Need.objects.update(status=Need.Status.IN_PROGRESS)
    services.pathway_create(
        actor=facilitator, participant=participant, template=template
    )
    assert Pathway.objects.count() == 1


def test_second_pathway_and_another_labs_template_are_refused(
    facilitator, participant, template, lab_b
):
    other = TemplateFactory(lab=lab_b)
    with pytest.raises(ValidationError):
        services.pathway_create(
            actor=facilitator, participant=participant, template=other
        )
    services.pathway_create(
        actor=facilitator, participant=participant, template=template
    )
    with pytest.raises(ValidationError, match="already has a pathway"):
        services.pathway_create(
            actor=facilitator, participant=participant, template=None
        )


def test_analyst_cannot_build_a_pathway(analyst, participant, template):
    with pytest.raises(PermissionDenied):
        services.pathway_create(actor=analyst, participant=participant, template=None)


ALLOWED = [
    (S.PLANNED, S.IN_PROGRESS),
    (S.PLANNED, S.DROPPED),
    (S.IN_PROGRESS, S.ACHIEVED),
    (S.IN_PROGRESS, S.NOT_ACHIEVED),
    (S.IN_PROGRESS, S.DROPPED),
    (S.NOT_ACHIEVED, S.IN_PROGRESS),
    (S.DROPPED, S.PLANNED),
]
ILLEGAL = [(a, b) for a in S.values for b in S.values if (a, b) not in ALLOWED]


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_allowed_goal_transitions_change_status_and_log(
    facilitator, participant, current, new
):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant), status=current)
    services.goal_transition(actor=facilitator, goal=goal, status=new)
    goal.refresh_from_db()
    assert goal.status == new
    event = goal.pathway.events.get(kind=PathwayEvent.Kind.GOAL_STATUS)
    assert (event.from_status, event.to_status) == (current, new)
    entry = AuditEntry.objects.get(object_type="goal", object_id=str(goal.pk))
    assert entry.changes == {"status": {"before": current, "after": new}}


@pytest.mark.parametrize(("current", "new"), ILLEGAL)
def test_illegal_goal_transitions_are_refused_and_change_nothing(
    facilitator, participant, current, new
):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant), status=current)
    with pytest.raises(ValidationError) as error:
        services.goal_transition(actor=facilitator, goal=goal, status=new)
    assert "status" in error.value.message_dict
    goal.refresh_from_db()
    assert goal.status == current
    assert not PathwayEvent.objects.exists()


def test_unknown_status_is_a_validation_error(facilitator, participant):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant))
    with pytest.raises(ValidationError):
        services.goal_transition(actor=facilitator, goal=goal, status="finished")


def test_goals_are_added_edited_and_removed_with_a_timeline(facilitator, participant):
    pathway = PathwayFactory(participant=participant)
    goal = services.goal_add(
        actor=facilitator,
        pathway=pathway,
        data={"pillar": Pillar.INTERCULTURAL, "title": "Join a mixed choir"},
    )
    services.goal_update(
        actor=facilitator, goal=goal, data={"title": "Join the mixed choir"}
    )
    services.goal_remove(actor=facilitator, goal=goal)
    kinds = list(pathway.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["goal_added", "goal_changed", "goal_removed"]
    goal.refresh_from_db()
    assert goal.removed_at is not None
    entry = AuditEntry.objects.get(object_type="goal", action="update")
    assert entry.changes["title"]["after"] == "Join the mixed choir"


def test_evidence_needs_content_and_an_assessment_of_the_same_person(
    facilitator, participant
):
    goal = GoalFactory(pathway=PathwayFactory(participant=participant))
    with pytest.raises(ValidationError):
        services.evidence_add(actor=facilitator, goal=goal, note="  ")
    someone_else = AssessmentFactory(
        participant=ParticipantFactory(lab=participant.lab)
    )
    with pytest.raises(ValidationError):
        services.evidence_add(actor=facilitator, goal=goal, assessment=someone_else)
    mine = AssessmentFactory(participant=participant)
    evidence = services.evidence_add(
        actor=facilitator, goal=goal, note="Certificate seen", assessment=mine
    )
    assert evidence.assessment == mine
    assert goal.pathway.events.filter(kind="evidence").count() == 1


def test_assessments_keep_their_history(facilitator, participant):
    for level in (1, 2, 3):
        services.assessment_record(
            actor=facilitator,
            participant=participant,
            kind=Assessment.Kind.CEFR,
            data={
                "assessed_on": dt.date(2026, level, 1),
                "instrument": "DELF",
                "assessor": "Ms Costa",
                "language": "pt",
                "skill": "reading",
                "cefr_level": level,
            },
        )
    levels = list(
        participant.assessments.order_by("assessed_on").values_list(
            "cefr_level", flat=True
        )
    )
    assert levels == [1, 2, 3]
    assert AuditEntry.objects.filter(object_type="assessment").count() == 3


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("cefr", {"language": "pt", "skill": "reading"}, "cefr_level"),
        ("employment", {"hours_per_week": 20}, "employment_status"),
        ("education", {"programme": "Cook"}, "isced_level"),
        ("civic", {}, "civic_module"),
        ("intercultural", {}, "participation"),
    ],
)
def test_assessment_without_its_required_field_is_refused(
    facilitator, participant, kind, data, field
):
    with pytest.raises(ValidationError) as error:
        services.assessment_record(
            actor=facilitator,
            participant=participant,
            kind=kind,
            data={"assessed_on": dt.date(2026, 1, 1), **data},
        )
    assert field in error.value.message_dict


def test_civic_module_of_another_lab_is_refused(facilitator, participant, lab_b):
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=facilitator,
            participant=participant,
            kind="civic",
            data={
                "assessed_on": dt.date(2026, 1, 1),
                "civic_module": CivicModuleFactory(lab=lab_b),
            },
        )


# Exit and follow-up surveys --------------------------------------------------------


def _exit(actor, pathway, on=dt.date(2026, 1, 31), reason="graduated"):
    return services.pathway_exit(
        actor=actor,
        pathway=pathway,
        data={"exit_reason": reason, "exit_date": on, "exit_note": ""},
    )


def test_exit_schedules_surveys_at_3_6_and_12_months(facilitator, participant):
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2025, 1, 1))
    _exit(facilitator, pathway)
    due = list(pathway.surveys.order_by("months").values_list("months", "due_on"))
    # January 31st + 1 month lands on the last day of the shorter month.
    assert due == [
        (3, dt.date(2026, 4, 30)),
        (6, dt.date(2026, 7, 31)),
        (12, dt.date(2027, 1, 31)),
    ]
    pathway.refresh_from_db()
    assert (pathway.status, pathway.exit_reason) == ("exited", "graduated")


def test_exit_only_from_an_active_pathway(facilitator, participant):
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2025, 1, 1))
    _exit(facilitator, pathway)
    with pytest.raises(ValidationError, match="ended"):
        _exit(facilitator, pathway)
    assert FollowUpSurvey.objects.count() == 3
    goal = GoalFactory(pathway=pathway, status=S.IN_PROGRESS)
    with pytest.raises(ValidationError, match="ended"):
        services.goal_transition(actor=facilitator, goal=goal, status=S.ACHIEVED)


@pytest.mark.parametrize(
    ("reason", "on", "field"),
    [
        ("", dt.date(2026, 1, 1), "exit_reason"),
        ("retired", dt.date(2026, 1, 1), "exit_reason"),
        ("graduated", dt.date(2024, 1, 1), "exit_date"),
        ("graduated", None, "exit_date"),
    ],
)
def test_exit_with_bad_reason_or_date_is_refused(
    facilitator, participant, reason, on, field
):
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as error:
        _exit(facilitator, pathway, on=on, reason=reason)
    assert field in error.value.message_dict
    assert not FollowUpSurvey.objects.exists()


def test_exit_in_the_future_is_refused(facilitator, participant):
    pathway = PathwayFactory(participant=participant)
    with pytest.raises(ValidationError):
        _exit(facilitator, pathway, on=timezone.localdate() + dt.timedelta(days=1))


def _at(day: dt.date):
    """Patch the clock to noon UTC on `day`."""
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_daily_task_sends_due_surveys_once_with_a_personal_link(
    facilitator, participant, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    participant.email = "fatima@example.org"
    participant.mother_tongue = "ar"
    participant.save()
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    exit_day = dt.date(2025, 1, 15)
    with _at(exit_day):
        pathway = PathwayFactory(
            participant=participant, started_on=dt.date(2024, 6, 1)
        )
        _exit(facilitator, pathway, on=exit_day)

    with _at(dt.date(2025, 4, 14)):
        assert send_due_surveys.call() == 0
    assert mail.outbox == []

    with _at(dt.date(2025, 4, 15)):
        assert send_due_surveys.call() == 1
        assert send_due_surveys.call() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fatima@example.org"]
    assert "/pathways/survey/" in message.body
    survey = pathway.surveys.get(months=3)
    assert survey.sent_at is not None and survey.token_digest
    assert pathway.surveys.filter(sent_at__isnull=False).count() == 1

    # A year on, the 6- and 12-month surveys go out on the same run.
    with _at(dt.date(2026, 2, 1)):
        assert send_due_surveys.call() == 2


def test_surveys_are_not_emailed_without_consent_or_address(facilitator, participant):
    participant.email = "someone@example.org"
    participant.save()
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2024, 6, 1))
    _exit(facilitator, pathway, on=dt.date(2025, 1, 15))
    with _at(dt.date(2026, 6, 1)):
        assert send_due_surveys.call() == 0
    assert not FollowUpSurvey.objects.filter(sent_at__isnull=False).exists()


def test_surveys_become_due_then_overdue_as_time_passes(facilitator, participant):
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2024, 6, 1))
    _exit(facilitator, pathway, on=dt.date(2025, 1, 15))
    survey = pathway.surveys.get(months=3)
    assert not survey.is_due(dt.date(2025, 4, 14))
    assert survey.is_due(dt.date(2025, 4, 15))
    assert not survey.is_overdue(dt.date(2025, 4, 29))
    assert survey.is_overdue(dt.date(2025, 4, 30))


def test_survey_answer_once_by_staff(facilitator, participant):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2024, 6, 1))
    _exit(facilitator, pathway, on=dt.date(2025, 1, 15))
    survey = pathway.surveys.get(months=3)
    answers = {"employment_status": "employed", "belonging": 4}
    with _at(dt.date(2025, 3, 1)), pytest.raises(ValidationError, match="not due"):
        services.survey_answer(actor=facilitator, survey=survey, data=answers)
    with _at(dt.date(2025, 4, 20)):
        services.survey_answer(actor=facilitator, survey=survey, data=answers)
        with pytest.raises(ValidationError, match="already answered"):
            services.survey_answer(actor=facilitator, survey=survey, data=answers)
    survey.refresh_from_db()
    assert (survey.employment_status, survey.belonging, survey.channel) == (
        "employed",
        4,
        "staff",
    )


def test_survey_belonging_outside_1_to_5_is_refused(facilitator, participant):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    survey = PathwayFactory(participant=participant).surveys.create(
        months=3, due_on=dt.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.survey_answer(actor=facilitator, survey=survey, data={"belonging": 9})


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert services.add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)
    assert services.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert services.add_months(dt.date(2024, 5, 15), 6) == dt.date(2024, 11, 15)


def test_no_survey_answer_or_link_without_follow_up_consent(facilitator, participant):
    consent = ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    survey = PathwayFactory(participant=participant).surveys.create(
        months=3, due_on=dt.date(2025, 1, 1)
    )
    services.survey_link_issue(actor=facilitator, survey=survey)
    participant_services.consent_withdraw(actor=facilitator, consent=consent)
    for attempt in (
        lambda: services.survey_link_issue(actor=facilitator, survey=survey),
        lambda: services.survey_answer(
            actor=facilitator, survey=survey, data={"belonging": 3}
        ),
        lambda: services.survey_answer(
            actor=None, survey=survey, data={"belonging": 3}, by_participant=True
        ),
    ):
        with pytest.raises(ValidationError, match="not consented"):
            attempt()
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_removing_a_template_goal_removes_its_criterion_and_logs_both(
    coordinator, lab_a
):
    template = TemplateFactory(lab=lab_a)
    goal = TemplateGoalFactory(template=template)
    services.criterion_add(
        actor=coordinator, template=template, data={"kind": "goal", "goal": goal}
    )
    services.template_goal_remove(actor=coordinator, goal=goal)
    assert not template.criteria.exists()
    deleted = set(
        AuditEntry.objects.filter(action="delete").values_list("object_type", flat=True)
    )
    assert deleted == {"template_goal", "readiness_criterion"}


def test_facilitator_cannot_change_templates(facilitator, lab_a):
    with pytest.raises(PermissionDenied):
        services.template_create(actor=facilitator, lab=lab_a, data={"name": "X"})
