"""Duplicate endpoints: the same services and selectors as the pages."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from openmil.core import access
from openmil.core.api import Error
from openmil.core.models import Network
from openmil.core.roles import Perm
from openmil.dedup import selectors, services
from openmil.dedup.models import DedupRun
from openmil.participants.selectors import participant_get

router = Router(tags=["duplicates"])

MAX_ID = 2**63 - 1


class MatchOut(Schema):
    participant: int
    reference: str
    lab: int
    probability: float


class CandidateOut(Schema):
    id: int
    left: int = Field(..., alias="left_id")
    right: int = Field(..., alias="right_id")
    probability: float
    status: str


class RunIn(Schema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)
    network: int | None = Field(None, ge=1, le=MAX_ID)


class DedupRunOut(Schema):
    id: int
    lab: int | None = Field(None, alias="lab_id")
    network: int = Field(..., alias="network_id")
    status: str
    record_count: int
    pair_count: int
    seconds: float
    message: str
    created_at: dt.datetime
    candidates: list[CandidateOut] = []


class MergeIn(Schema):
    kept: int = Field(..., ge=1, le=MAX_ID)
    removed: int = Field(..., ge=1, le=MAX_ID)
    take_from_removed: list[str] = []


class MergeOut(Schema):
    id: int
    kept: int = Field(..., alias="kept_id")
    removed: int = Field(..., alias="removed_id")
    removed_reference: str
    merged_at: dt.datetime
    undone_at: dt.datetime | None


@router.get(
    "/duplicates/participants/{participant_id}",
    response={200: list[MatchOut], 400: Error, 404: Error, 422: Error},
    summary="People who may be the same person as this participant",
)
def candidates_for_participant(request: HttpRequest, participant_id: int) -> Any:
    person = participant_get(user=request.user, participant_id=participant_id)
    data = {name: getattr(person, name) for name in selectors.RECORD_FIELDS[2:]}
    matches = selectors.live_candidates(
        user=request.user, lab=person.lab, data=data, exclude_id=person.pk
    )
    return [
        {
            "participant": m.participant.pk,
            "reference": m.participant.reference,
            "lab": m.participant.lab_id,
            "probability": round(m.probability, 4),
        }
        for m in matches
    ]


def _run_out(user: Any, run: DedupRun) -> dict[str, Any]:
    data = DedupRunOut.from_orm(run).model_dump(by_alias=True)
    data["candidates"] = [
        CandidateOut.from_orm(c).model_dump(by_alias=True)
        for c in selectors.candidates_for(user=user, status="").filter(run=run)[:1000]
    ]
    return data


@router.post(
    "/duplicates/runs",
    response={201: DedupRunOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def start_run(request: HttpRequest, payload: RunIn) -> Any:
    if payload.lab is not None:
        lab = access.lab_get(
            request.user, lab_id=payload.lab, permission=Perm.MERGE_PARTICIPANTS
        )
        run = services.dedup_run_request(actor=request.user, lab=lab)
    elif payload.network is not None:
        network = Network.objects.filter(pk=payload.network).first()
        if network is None:
            raise Http404
        run = services.dedup_run_request(actor=request.user, network=network)
    else:
        return 422, {"detail": "Give a lab or a network."}
    run.refresh_from_db()
    return 201, _run_out(request.user, run)


@router.get(
    "/duplicates/runs/{run_id}",
    response={200: DedupRunOut, 400: Error, 404: Error, 422: Error},
)
def get_run(request: HttpRequest, run_id: int) -> Any:
    run = selectors.run_get(user=request.user, run_id=run_id)
    return _run_out(request.user, run)


@router.post(
    "/duplicates/merge",
    response={201: MergeOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def merge(request: HttpRequest, payload: MergeIn) -> Any:
    kept = participant_get(user=request.user, participant_id=payload.kept, audit=False)
    removed = participant_get(
        user=request.user, participant_id=payload.removed, audit=False
    )
    if not access.can(request.user, Perm.MERGE_PARTICIPANTS, kept.lab_id):
        raise Http404
    record = services.participant_merge(
        actor=request.user,
        kept=kept,
        removed=removed,
        take_from_removed=payload.take_from_removed,
    )
    return 201, record


@router.post(
    "/duplicates/merges/{merge_id}/undo",
    response={200: MergeOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def undo(request: HttpRequest, merge_id: int) -> Any:
    record = selectors.merge_get(user=request.user, merge_id=merge_id)
    services.merge_undo(actor=request.user, merge=record)
    record.refresh_from_db()
    return record
