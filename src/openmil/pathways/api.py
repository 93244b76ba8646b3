"""Pathway endpoints: the same selectors, services and forms as the pages."""

import datetime as dt
from typing import Any

from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from openmil.core import access
from openmil.core.api import Error, form_errors
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry
from openmil.core.roles import Perm
from openmil.participants import selectors as participant_selectors
from openmil.pathways import selectors, services
from openmil.pathways.forms import (
    AssessmentForm,
    ExitForm,
    GoalForm,
    PathwayCreateForm,
    SurveyForm,
)
from openmil.pathways.models import Assessment, Goal, Pathway

router = Router(tags=["pathways"])

MAX_ID = 2**63 - 1
NO_NUL = r"^[^\x00]*$"
NOT_FOUND = 404, {"detail": "Not found."}


class TemplateGoalOut(Schema):
    id: int
    pillar: str
    title: str
    milestones: str
    target_weeks: int


class CriterionOut(Schema):
    id: int
    kind: str
    weight: int
    label: str


class TemplateOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    name: str
    description: str
    active: bool
    goals: list[TemplateGoalOut]
    criteria: list[CriterionOut]


class GoalOut(Schema):
    id: int
    pillar: str
    title: str
    milestones: str
    status: str
    target_date: dt.date | None
    template_goal: int | None = Field(None, alias="template_goal_id")
    allowed_next: list[str]


class CriterionResultOut(Schema):
    label: str
    weight: int
    met: bool


class PathwayOut(Schema):
    id: int
    participant: int
    template: int | None
    started_on: dt.date
    status: str
    exit_reason: str
    exit_date: dt.date | None
    readiness: int | None
    criteria: list[CriterionResultOut]
    goals: list[GoalOut]


class PathwayIn(Schema):
    template: int | None = Field(None, ge=1, le=MAX_ID)


class GoalIn(Schema):
    pillar: str | None = Field(None, pattern=NO_NUL)
    title: str | None = Field(None, pattern=NO_NUL)
    milestones: str | None = Field(None, pattern=NO_NUL)
    target_date: dt.date | None = None


class TransitionIn(Schema):
    status: str = Field(..., pattern=NO_NUL)


class AssessmentOut(Schema):
    id: int
    participant: int = Field(..., alias="participant_id")
    kind: str
    assessed_on: dt.date
    instrument: str
    assessor: str
    note: str
    language: str
    skill: str
    cefr_level: int | None
    employment_status: str
    contract_type: str
    hours_per_week: int | None
    occupation: str | None = Field(None, alias="occupation_id")
    isced_level: int | None
    programme: str
    civic_module: int | None = Field(None, alias="civic_module_id")
    participation: str
    created_at: dt.datetime


class AssessmentIn(Schema):
    assessed_on: dt.date
    instrument: str = Field("", pattern=NO_NUL)
    assessor: str = Field("", pattern=NO_NUL)
    note: str = Field("", pattern=NO_NUL)
    language: str | None = Field(None, pattern=NO_NUL, description="ISO 639 code")
    skill: str | None = Field(None, pattern=NO_NUL)
    cefr_level: int | None = Field(
        None, description="0 = Pre-A1, 1 = A1 … 6 = C2", ge=-1, le=100
    )
    employment_status: str | None = Field(None, pattern=NO_NUL)
    contract_type: str | None = Field(None, pattern=NO_NUL)
    hours_per_week: int | None = Field(None, ge=-1, le=1000)
    occupation: str | None = Field(None, pattern=NO_NUL, description="ISCO-08 code")
    isced_level: int | None = Field(None, ge=-1, le=100)
    programme: str | None = Field(None, pattern=NO_NUL)
    civic_module: int | None = Field(None, ge=1, le=MAX_ID)
    participation: str | None = Field(None, pattern=NO_NUL)


class AssessmentFilters(Schema):
    kind: str | None = Field(None, pattern=NO_NUL)


class ExitIn(Schema):
    exit_reason: str = Field(..., pattern=NO_NUL)
    exit_date: dt.date
    exit_note: str = Field("", pattern=NO_NUL)


class SurveyOut(Schema):
    id: int
    months: int
    due_on: dt.date
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None
    channel: str
    overdue: bool
    employment_status: str
    income_band: str
    housing: str
    self_rated_health: int | None
    belonging: int | None
    residence_status: str


class SurveyIn(Schema):
    employment_status: str | None = Field(None, pattern=NO_NUL)
    income_band: str | None = Field(None, pattern=NO_NUL)
    housing: str | None = Field(None, pattern=NO_NUL)
    self_rated_health: int | None = Field(None, ge=-1, le=100)
    belonging: int | None = Field(None, ge=-1, le=100)
    residence_status: str | None = Field(None, pattern=NO_NUL)


def _blank(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in data.items()}


def _goal_out(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "pillar": goal.pillar,
        "title": goal.title,
        "milestones": goal.milestones,
        "status": goal.status,
        "target_date": goal.target_date,
        "template_goal_id": goal.template_goal_id,
        "allowed_next": list(Goal.TRANSITIONS[goal.status]),
    }


def _pathway_out(pathway: Pathway) -> dict[str, Any]:
    result = selectors.pathway_readiness(pathway=pathway)
    return {
        "id": pathway.pk,
        "participant": pathway.participant_id,
        "template": pathway.template_id,
        "started_on": pathway.started_on,
        "status": pathway.status,
        "exit_reason": pathway.exit_reason,
        "exit_date": pathway.exit_date,
        "readiness": result.score,
        "criteria": [
            {"label": r.criterion.label, "weight": r.criterion.weight, "met": r.met}
            for r in result.results
        ],
        "goals": [_goal_out(g) for g in selectors.goals_of(pathway=pathway)],
    }


def _audit_view(user: Any, pathway: Pathway, detail: str) -> None:
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="pathway",
        object_id=pathway.pk,
        participant=pathway.participant,
        detail=detail,
    )


def _pathway_for_edit(user: Any, participant_id: int) -> Pathway:
    pathway = selectors.pathway_get(user=user, participant_id=participant_id)
    if not access.can(user, Perm.EDIT_PERSONAL, pathway.participant.lab_id):
        raise Http404
    return pathway


# Templates ------------------------------------------------------------------------


@router.get("/pathway-templates", response={200: list[TemplateOut], 422: Error})
def list_templates(
    request: HttpRequest, lab: int | None = Query(None, ge=1, le=MAX_ID)
) -> Any:
    templates = selectors.template_list(user=request.user, lab_id=lab)
    return [_template_out(t) for t in templates.prefetch_related("criteria__goal")]


def _template_out(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "lab_id": t.lab_id,
        "name": t.name,
        "description": t.description,
        "active": t.active,
        "goals": list(t.goals.all()),
        "criteria": [
            {"id": c.pk, "kind": c.kind, "weight": c.weight, "label": c.label}
            for c in t.criteria.all()
        ],
    }


@router.get(
    "/pathway-templates/{template_id}",
    response={200: TemplateOut, 404: Error, 422: Error},
)
def get_template(request: HttpRequest, template_id: int) -> Any:
    return _template_out(
        selectors.template_get(user=request.user, template_id=template_id)
    )


# Pathways and goals ---------------------------------------------------------------


@router.get(
    "/participants/{participant_id}/pathway",
    response={200: PathwayOut, 404: Error, 422: Error},
)
def get_pathway(request: HttpRequest, participant_id: int) -> Any:
    pathway = selectors.pathway_get(user=request.user, participant_id=participant_id)
    _audit_view(request.user, pathway, "")
    return _pathway_out(pathway)


@router.post(
    "/participants/{participant_id}/pathway",
    response={201: PathwayOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Build the participant's pathway from a template",
)
def create_pathway(
    request: HttpRequest, participant_id: int, payload: PathwayIn
) -> Any:
    participant = participant_selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    form = PathwayCreateForm(_blank(payload.dict()), lab=participant.lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    pathway = services.pathway_create(
        actor=request.user,
        participant=participant,
        template=form.cleaned_data["template"],
    )
    return 201, _pathway_out(pathway)


@router.get(
    "/participants/{participant_id}/pathway/goals",
    response={200: list[GoalOut], 404: Error, 422: Error},
)
def list_goals(request: HttpRequest, participant_id: int) -> Any:
    pathway = selectors.pathway_get(user=request.user, participant_id=participant_id)
    _audit_view(request.user, pathway, "goals")
    return [_goal_out(g) for g in selectors.goals_of(pathway=pathway)]


@router.post(
    "/participants/{participant_id}/pathway/goals",
    response={201: GoalOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_goal(request: HttpRequest, participant_id: int, payload: GoalIn) -> Any:
    pathway = _pathway_for_edit(request.user, participant_id)
    form = GoalForm(_blank(payload.dict(exclude_unset=True)))
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    goal = services.goal_add(
        actor=request.user, pathway=pathway, data=form.cleaned_data
    )
    return 201, _goal_out(goal)


@router.patch(
    "/goals/{goal_id}",
    response={200: GoalOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def update_goal(request: HttpRequest, goal_id: int, payload: GoalIn) -> Any:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id)
    if not access.can(
        request.user, Perm.EDIT_PERSONAL, goal.pathway.participant.lab_id
    ):
        return NOT_FOUND
    base = model_to_dict(goal, fields=["pillar", "title", "milestones", "target_date"])
    base.update(payload.dict(exclude_unset=True))
    form = GoalForm(_blank(base), instance=goal)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    goal = services.goal_update(actor=request.user, goal=goal, data=form.cleaned_data)
    return _goal_out(goal)


@router.post(
    "/goals/{goal_id}/transition",
    response={200: GoalOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Move a goal to another status (only the allowed transitions)",
)
def transition_goal(request: HttpRequest, goal_id: int, payload: TransitionIn) -> Any:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id)
    if not access.can(
        request.user, Perm.EDIT_PERSONAL, goal.pathway.participant.lab_id
    ):
        return NOT_FOUND
    goal = services.goal_transition(
        actor=request.user, goal=goal, status=payload.status
    )
    return _goal_out(goal)


# Assessments ----------------------------------------------------------------------


@router.get(
    "/participants/{participant_id}/assessments",
    response={200: list[AssessmentOut], 404: Error, 422: Error},
)
def list_assessments(
    request: HttpRequest, participant_id: int, filters: Query[AssessmentFilters]
) -> Any:
    participant = participant_selectors.participant_get(
        user=request.user, participant_id=participant_id
    )
    kind = filters.kind or ""
    if kind and kind not in Assessment.Kind.values:
        return 422, {"detail": [{"field": "kind", "message": "Unknown kind."}]}
    return list(selectors.assessments_of(participant=participant, kind=kind))


@router.post(
    "/participants/{participant_id}/assessments/{kind}",
    response={201: AssessmentOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Record an assessment: cefr, employment, education, civic, intercultural",
)
def create_assessment(
    request: HttpRequest, participant_id: int, kind: str, payload: AssessmentIn
) -> Any:
    participant = participant_selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    if kind not in Assessment.Kind.values:
        return NOT_FOUND
    form = AssessmentForm(
        _blank(payload.dict(exclude_unset=True)), kind=kind, lab=participant.lab
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.assessment_record(
        actor=request.user, participant=participant, kind=kind, data=form.cleaned_data
    )


# Exit and follow-up surveys ----------------------------------------------------------


@router.post(
    "/participants/{participant_id}/pathway/exit",
    response={200: PathwayOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="End the pathway; schedules the 3, 6 and 12-month surveys",
)
def exit_pathway(request: HttpRequest, participant_id: int, payload: ExitIn) -> Any:
    pathway = _pathway_for_edit(request.user, participant_id)
    form = ExitForm(_blank(payload.dict()))
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    pathway = services.pathway_exit(
        actor=request.user, pathway=pathway, data=form.cleaned_data
    )
    return _pathway_out(pathway)


def _survey_out(survey: Any) -> dict[str, Any]:
    data = {name: getattr(survey, name) for name in SurveyOut.model_fields}
    data["overdue"] = survey.is_overdue()
    return data


@router.get(
    "/participants/{participant_id}/pathway/surveys",
    response={200: list[SurveyOut], 404: Error, 422: Error},
)
def list_surveys(request: HttpRequest, participant_id: int) -> Any:
    pathway = selectors.pathway_get(user=request.user, participant_id=participant_id)
    _audit_view(request.user, pathway, "follow-up surveys")
    return [_survey_out(s) for s in selectors.surveys_of(pathway=pathway)]


@router.post(
    "/surveys/{survey_id}/answer",
    response={200: SurveyOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def answer_survey(request: HttpRequest, survey_id: int, payload: SurveyIn) -> Any:
    survey = selectors.survey_get(user=request.user, survey_id=survey_id)
    if not access.can(
        request.user, Perm.EDIT_PERSONAL, survey.pathway.participant.lab_id
    ):
        return NOT_FOUND
    form = SurveyForm(_blank(payload.dict(exclude_unset=True)))
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    survey = services.survey_answer(
        actor=request.user, survey=survey, data=form.cleaned_data
    )
    return _survey_out(survey)
