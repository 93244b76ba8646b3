"""Erasure requests, retention and the privacy dashboard: same services."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from openmil.core import access
from openmil.core.api import Error, form_errors
from openmil.core.roles import Perm
from openmil.participants import selectors as participant_selectors
from openmil.privacy import selectors, services
from openmil.privacy.forms import DecisionForm, ErasureRequestForm
from openmil.privacy.models import ErasureRequest

router = Router(tags=["privacy"])

MAX_ID = 2**63 - 1


class ErasureRequestOut(Schema):
    id: int
    lab: int
    participant: int
    reference: str
    grounds: str
    reason: str = Field(..., description="Empty once the request is approved.")
    status: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None


class ErasureRequestIn(Schema):
    participant: int = Field(..., ge=1, le=MAX_ID)
    grounds: str
    reason: str


class DecisionIn(Schema):
    note: str = ""


class ErasureFilters(Schema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)
    status: str | None = Field(None, pattern=r"^[a-z_]{0,20}$")


class DueOut(Schema):
    participant: int = Field(..., alias="participant_id")
    reference: str
    rule: str
    since: dt.date
    due_on: dt.date


class PlanOut(Schema):
    lab: int
    today: dt.date
    considered: int
    kept_for_follow_up: int
    due: list[DueOut]


class RetentionRunOut(Schema):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    dry_run: bool
    channel: str
    considered: int
    kept_for_follow_up: int
    anonymised: int
    references: list[str]


class AnomalyOut(Schema):
    user: str = Field(..., alias="actor_name")
    day: dt.date
    count: int
    median: float
    over_threshold: bool
    over_median: bool


class ExportOut(Schema):
    at: dt.datetime
    user: str = Field(..., alias="actor_name")
    action: str
    object_type: str
    channel: str


class DashboardOut(Schema):
    lab: int
    anonymised: int
    consents: dict[str, dict[str, int]]
    pending_erasures: list[ErasureRequestOut]
    retention_runs: list[RetentionRunOut]
    exports: list[ExportOut]
    exports_by_user: dict[str, int]
    anomalies: list[AnomalyOut]


def _request_out(r: ErasureRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "lab": r.lab_id,
        "participant": r.participant_id,
        "reference": r.participant.reference,
        "grounds": r.grounds,
        "reason": r.reason,
        "status": r.status,
        "requested_by": r.requested_by.get_username(),
        "requested_at": r.requested_at,
        "decided_by": r.decided_by.get_username() if r.decided_by else None,
        "decided_at": r.decided_at,
    }


@router.get("/erasure-requests", response={200: list[ErasureRequestOut], 422: Error})
def list_erasure_requests(request: HttpRequest, filters: Query[ErasureFilters]) -> Any:
    qs = selectors.erasure_requests(
        user=request.user, lab_id=filters.lab, status=filters.status or ""
    )
    return [_request_out(r) for r in qs[:500]]


@router.post(
    "/erasure-requests",
    response={201: ErasureRequestOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Ask for a person's erasure (the first of two people)",
)
def create_erasure_request(request: HttpRequest, payload: ErasureRequestIn) -> Any:
    participant = participant_selectors.participant_get_for_edit(
        user=request.user, participant_id=payload.participant
    )
    form = ErasureRequestForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    created = services.erasure_request_create(
        actor=request.user, participant=participant, **form.cleaned_data
    )
    return 201, _request_out(created)


def _decide(request: HttpRequest, request_id: int, note: str, approve: bool) -> Any:
    erasure = selectors.erasure_request_get(user=request.user, request_id=request_id)
    form = DecisionForm({"note": note})
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    try:
        if approve:
            erasure = services.erasure_approve(actor=request.user, request=erasure)
        else:
            erasure = services.erasure_reject(
                actor=request.user, request=erasure, note=form.cleaned_data["note"]
            )
    except PermissionDenied as error:
        return 403, {"detail": str(error) or "Your role does not allow this."}
    erasure.refresh_from_db()
    return 200, _request_out(erasure)


@router.post(
    "/erasure-requests/{request_id}/approve",
    response={200: ErasureRequestOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Approve: a coordinator of the lab other than the requester",
)
def approve_erasure_request(
    request: HttpRequest, request_id: int, payload: DecisionIn
) -> Any:
    return _decide(request, request_id, payload.note, approve=True)


@router.post(
    "/erasure-requests/{request_id}/reject",
    response={200: ErasureRequestOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def reject_erasure_request(
    request: HttpRequest, request_id: int, payload: DecisionIn
) -> Any:
    return _decide(request, request_id, payload.note, approve=False)


@router.post(
    "/labs/{lab_id}/retention/dry-run",
    response={200: PlanOut, 400: Error, 404: Error, 422: Error},
    summary="Who the lab's retention rules would anonymise today",
)
def retention_dry_run(request: HttpRequest, lab_id: int) -> Any:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_RETENTION)
    _run, plan = services.retention_apply(lab=lab, actor=request.user, dry_run=True)
    return {
        "lab": lab.pk,
        "today": plan.today,
        "considered": plan.considered,
        "kept_for_follow_up": plan.kept_for_follow_up,
        "due": plan.due,
    }


@router.get(
    "/labs/{lab_id}/retention/runs",
    response={200: list[RetentionRunOut], 404: Error, 422: Error},
)
def retention_runs(request: HttpRequest, lab_id: int) -> Any:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_PRIVACY)
    return selectors.retention_runs(lab_id=lab.pk, limit=100)


@router.get(
    "/labs/{lab_id}/dashboard",
    response={200: DashboardOut, 404: Error, 422: Error},
    summary="The figures of the lab's privacy dashboard",
)
def dashboard(request: HttpRequest, lab_id: int) -> Any:
    d = selectors.privacy_dashboard(user=request.user, lab_id=lab_id)
    return {
        "lab": d.lab.pk,
        "anonymised": d.anonymised,
        "consents": d.consents,
        "pending_erasures": [_request_out(r) for r in d.pending],
        "retention_runs": d.runs,
        "exports": d.exports,
        "exports_by_user": {row["actor_name"]: row["n"] for row in d.exports_by_user},
        "anomalies": d.anomalies,
    }
