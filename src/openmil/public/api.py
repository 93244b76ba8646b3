"""Citizen projects and policy recommendations in the API.

Published projects and every recommendation can be read without signing
in; writes go through the same forms, services and selectors as the pages.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from openmil.core import access
from openmil.core.api import BoundedPages, Error, form_errors, validation_detail
from openmil.core.roles import Perm
from openmil.participants.api import MAX_ID, NO_NUL
from openmil.public import selectors, services
from openmil.public.forms import (
    EvidenceForm,
    ModerationForm,
    ParticipationForm,
    PostForm,
    ProjectForm,
    RecommendationForm,
    ReportForm,
    StatusForm,
)
from openmil.public.models import Evidence, Project, Recommendation

router = Router(tags=["public site"])

#: Every operation may answer these, with a reason in `detail`.
ERRORS: dict[int, Any] = {400: Error, 403: Error, 404: Error, 422: Error}


class Counts(Schema):
    newcomer: int
    national: int
    organisation: int


class ProjectOut(Schema):
    id: int
    lab: int
    title: str
    summary: str
    kind: str
    pillars: list[str]
    sdgs: list[int]
    language: str
    status: str


class PostOut(Schema):
    id: int
    kind: str
    body: str
    created_at: dt.datetime


class ProjectDetailOut(ProjectOut):
    description: str
    supporters: Counts
    members: Counts
    named_supporters: list[str]
    named_members: list[str]
    posts: list[PostOut]


class ProjectIn(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., pattern=NO_NUL)
    summary: str = Field(..., pattern=NO_NUL)
    description: str = Field(..., pattern=NO_NUL)
    kind: str = Field(..., pattern=NO_NUL)
    pillars: list[str]
    sdgs: list[int] = []
    language: str = Field(..., pattern=NO_NUL)


class ParticipationIn(Schema):
    kind: str = Field(..., description="support or join", pattern=NO_NUL)
    group: str = Field(..., description="newcomer, national or organisation")
    show_name: bool = False
    display_name: str = Field("", pattern=NO_NUL)


class ParticipationOut(Schema):
    project: int = Field(..., alias="project_id")
    kind: str
    group: str
    show_name: bool


class PostIn(Schema):
    kind: str = Field(..., description="update or result", pattern=NO_NUL)
    body: str = Field(..., pattern=NO_NUL)


class ReportIn(Schema):
    reason: str = Field(..., pattern=NO_NUL)


class ReportOut(Schema):
    id: int
    project: int = Field(..., alias="project_id")
    reason: str
    status: str


class ModerationIn(Schema):
    decision: str = Field(..., description="approve or reject", pattern=NO_NUL)
    reason: str = Field("", pattern=NO_NUL)


class ReportDecisionIn(Schema):
    decision: str = Field(..., description="dismiss or uphold", pattern=NO_NUL)


class ProjectFilters(Schema):
    kind: str = Field("", pattern=NO_NUL)
    pillar: str = Field("", pattern=NO_NUL)
    q: str = Field("", max_length=100, pattern=NO_NUL)


def _project_out(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk,
        "lab": project.lab_id,
        "title": project.title,
        "summary": project.summary,
        "kind": project.kind,
        "pillars": project.pillars,
        "sdgs": project.sdgs,
        "language": project.language,
        "status": project.status,
    }


def _project_detail_out(project: Project) -> dict[str, Any]:
    people = selectors.project_participants(project=project)
    return {
        **_project_out(project),
        "description": project.description,
        "supporters": people.supporters,
        "members": people.members,
        "named_supporters": people.named_supporters,
        "named_members": people.named_members,
        "posts": list(project.posts.all()),
    }


def _authenticated(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, auth=None)
@paginate(BoundedPages, page_size=50)
def list_projects(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    """Published projects; no sign-in needed."""
    return [
        _project_out(p)
        for p in selectors.projects_published(
            kind=filters.kind, pillar=filters.pillar, query=filters.q
        )
    ]


@router.get("/projects/moderation", response={200: list[ProjectOut], **ERRORS})
@paginate(BoundedPages, page_size=50)
def list_projects_to_moderate(request: HttpRequest) -> Any:
    """Projects waiting for moderation in the labs where you moderate."""
    return [_project_out(p) for p in selectors.projects_pending(user=request.user)]


@router.get("/projects/reports", response={200: list[ReportOut], **ERRORS})
@paginate(BoundedPages, page_size=50)
def list_open_reports(request: HttpRequest) -> Any:
    """Open reports from readers in the labs where you moderate."""
    return selectors.reports_open(user=request.user)


@router.post(
    "/projects/reports/{report_id}/decision",
    response={200: ReportOut, **ERRORS},
)
def decide_report(
    request: HttpRequest, report_id: int, payload: ReportDecisionIn
) -> Any:
    report = selectors.report_for_moderator(user=request.user, report_id=report_id)
    if payload.decision not in ("dismiss", "uphold"):
        return 422, {"detail": [{"field": "decision", "message": "Unknown decision."}]}
    return services.report_handle(
        actor=request.user, report=report, uphold=payload.decision == "uphold"
    )


@router.get(
    "/projects/{project_id}",
    response={200: ProjectDetailOut, **ERRORS},
    auth=None,
)
def get_project(request: HttpRequest, project_id: int) -> Any:
    """A published project (or one of your own); no sign-in needed."""
    project = selectors.project_for_reader(user=request.user, project_id=project_id)
    return _project_detail_out(project)


@router.post("/projects", response={201: ProjectDetailOut, **ERRORS})
def propose_project(request: HttpRequest, payload: ProjectIn) -> Any:
    """Propose a project; it waits for the lab's moderators."""
    _authenticated(request)
    form = ProjectForm(payload.dict(), labs=selectors.labs_for_projects())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    data = form.cleaned_data
    project = services.project_propose(
        actor=request.user,
        lab=data["lab"],
        title=data["title"],
        summary=data["summary"],
        description=data["description"],
        kind=data["kind"],
        pillars=data["pillars"],
        sdgs=data["sdgs"],
        language=data["language"],
    )
    return 201, _project_detail_out(project)


@router.post(
    "/projects/{project_id}/participations",
    response={201: ParticipationOut, **ERRORS},
)
def take_part(request: HttpRequest, project_id: int, payload: ParticipationIn) -> Any:
    """Support or join a published project."""
    _authenticated(request)
    project = selectors.project_for_reader(user=request.user, project_id=project_id)
    form = ParticipationForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.project_participate(
        actor=request.user, project=project, kind=payload.kind, **form.cleaned_data
    )


@router.post(
    "/projects/{project_id}/posts",
    response={201: PostOut, **ERRORS},
)
def add_post(request: HttpRequest, project_id: int, payload: PostIn) -> Any:
    """The owner posts an update or a result."""
    _authenticated(request)
    project = selectors.project_for_reader(user=request.user, project_id=project_id)
    form = PostForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.project_post_add(
        actor=request.user, project=project, **form.cleaned_data
    )


@router.post(
    "/projects/{project_id}/reports",
    response={201: ReportOut, **ERRORS},
)
def report_project(request: HttpRequest, project_id: int, payload: ReportIn) -> Any:
    """Report a published project to the lab's moderators."""
    _authenticated(request)
    project = selectors.project_for_reader(user=None, project_id=project_id)
    form = ReportForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.report_create(
        actor=request.user, project=project, reason=form.cleaned_data["reason"]
    )


@router.post(
    "/projects/{project_id}/moderation",
    response={200: ProjectOut, **ERRORS},
)
def moderate_project(
    request: HttpRequest, project_id: int, payload: ModerationIn
) -> Any:
    """Approve or reject a waiting project (a rejection needs a reason)."""
    project = selectors.project_for_moderator(user=request.user, project_id=project_id)
    form = ModerationForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    project = services.project_moderate(
        actor=request.user,
        project=project,
        approve=form.cleaned_data["decision"] == "approve",
        reason=form.cleaned_data["reason"],
    )
    return _project_out(project)


@router.post(
    "/projects/{project_id}/block-owner",
    response={200: ProjectOut, **ERRORS},
)
def block_owner(request: HttpRequest, project_id: int) -> Any:
    """Block the citizen account that proposed the project; the project, now
    hidden, in the answer."""
    project = selectors.project_for_moderator(user=request.user, project_id=project_id)
    services.citizen_block(actor=request.user, project=project)
    project.refresh_from_db()
    return _project_out(project)


# ---------------------------------------------------------------------------
# Recommendations.


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    on: dt.date
    note: str


class EvidenceOut(Schema):
    id: int
    kind: str
    indicator_id: str
    url: str
    label: str


class RecommendationOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    title: str
    addressed_to: str
    language: str
    status: str
    status_since: dt.date


class RecommendationDetailOut(RecommendationOut):
    body: str
    history: list[StatusChangeOut]
    evidence: list[EvidenceOut]


class RecommendationIn(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., pattern=NO_NUL)
    body: str = Field(..., pattern=NO_NUL)
    addressed_to: str = Field("", pattern=NO_NUL)
    language: str = Field(..., pattern=NO_NUL)


class RecommendationPatch(Schema):
    title: str | None = Field(None, pattern=NO_NUL)
    body: str | None = Field(None, pattern=NO_NUL)
    addressed_to: str | None = Field(None, pattern=NO_NUL)
    language: str | None = Field(None, pattern=NO_NUL)


class StatusIn(Schema):
    to_status: str = Field(..., pattern=NO_NUL)
    on: dt.date | None = None
    note: str = Field("", pattern=NO_NUL)


class EvidenceIn(Schema):
    kind: str = Field(..., description="indicator or practice", pattern=NO_NUL)
    indicator_id: str = Field("", pattern=NO_NUL)
    url: str = Field("", pattern=NO_NUL)
    label: str = Field("", pattern=NO_NUL)


class RecommendationFilters(Schema):
    status: str = Field("", pattern=NO_NUL)


def _recommendation_detail(recommendation: Recommendation) -> Recommendation:
    return selectors.recommendation_public_get(recommendation_id=recommendation.pk)


@router.get(
    "/recommendations",
    response={200: list[RecommendationOut], **ERRORS},
    auth=None,
)
@paginate(BoundedPages, page_size=50)
def list_recommendations(
    request: HttpRequest, filters: Query[RecommendationFilters]
) -> Any:
    """Every recommendation with its status; no sign-in needed."""
    status = filters.status if filters.status in Recommendation.Status.values else ""
    return selectors.recommendations_public(status=status)


@router.get(
    "/recommendations/{recommendation_id}",
    response={200: RecommendationDetailOut, **ERRORS},
    auth=None,
)
def get_recommendation(request: HttpRequest, recommendation_id: int) -> Any:
    return selectors.recommendation_public_get(recommendation_id=recommendation_id)


@router.post(
    "/recommendations",
    response={201: RecommendationDetailOut, **ERRORS},
)
def create_recommendation(request: HttpRequest, payload: RecommendationIn) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.MANAGE_RECOMMENDATIONS
    )
    labs = access.labs_with(request.user, Perm.MANAGE_RECOMMENDATIONS)
    form = RecommendationForm(payload.dict(), labs=labs)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    data = dict(form.cleaned_data)
    data.pop("lab")
    recommendation = services.recommendation_create(actor=request.user, lab=lab, **data)
    return 201, _recommendation_detail(recommendation)


@router.patch(
    "/recommendations/{recommendation_id}",
    response={200: RecommendationDetailOut, **ERRORS},
)
def update_recommendation(
    request: HttpRequest, recommendation_id: int, payload: RecommendationPatch
) -> Any:
    recommendation = selectors.recommendation_for_staff(
        user=request.user, recommendation_id=recommendation_id
    )
    data = {
        "lab": recommendation.lab_id,
        "title": recommendation.title,
        "body": recommendation.body,
        "addressed_to": recommendation.addressed_to,
        "language": recommendation.language,
    }
    data.update(payload.dict(exclude_unset=True, exclude_none=True))
    labs = access.labs_with(request.user, Perm.MANAGE_RECOMMENDATIONS)
    form = RecommendationForm(data, labs=labs)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    fields = dict(form.cleaned_data)
    fields.pop("lab")
    services.recommendation_update(
        actor=request.user, recommendation=recommendation, **fields
    )
    return _recommendation_detail(recommendation)


@router.post(
    "/recommendations/{recommendation_id}/status",
    response={201: StatusChangeOut, **ERRORS},
)
def change_recommendation_status(
    request: HttpRequest, recommendation_id: int, payload: StatusIn
) -> Any:
    recommendation = selectors.recommendation_for_staff(
        user=request.user, recommendation_id=recommendation_id
    )
    data = payload.dict()
    data["on"] = (data["on"] or timezone.localdate()).isoformat()
    form = StatusForm(data)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    try:
        change = services.recommendation_status_change(
            actor=request.user, recommendation=recommendation, **form.cleaned_data
        )
    except ValidationError as error:
        return 422, {"detail": validation_detail(error)}
    return 201, change


@router.post(
    "/recommendations/{recommendation_id}/evidence",
    response={201: EvidenceOut, **ERRORS},
)
def add_evidence(
    request: HttpRequest, recommendation_id: int, payload: EvidenceIn
) -> Any:
    recommendation = selectors.recommendation_for_staff(
        user=request.user, recommendation_id=recommendation_id
    )
    form = EvidenceForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    evidence: Evidence = services.evidence_add(
        actor=request.user, recommendation=recommendation, **form.cleaned_data
    )
    return 201, evidence


@router.delete(
    "/recommendations/evidence/{evidence_id}",
    response={200: EvidenceOut, **ERRORS},
)
def remove_evidence(request: HttpRequest, evidence_id: int) -> Any:
    """Unlink a piece of evidence; the removed link in the answer."""
    evidence = selectors.evidence_for_staff(user=request.user, evidence_id=evidence_id)
    removed = {
        "id": evidence.pk,
        "kind": evidence.kind,
        "indicator_id": evidence.indicator_id,
        "url": evidence.url,
        "label": evidence.label,
    }
    services.evidence_remove(actor=request.user, evidence=evidence)
    return removed
