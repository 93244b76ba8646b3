"""Matching rounds under /api/v1/matching-rounds.

The endpoints call the selectors and services of the pages: a round is
queued and runs in the background (poll `status` and `progress`); its
proposals carry their score components and the explanation of each choice.
A round of `kind` "opportunities" matches people to open jobs and training
(an accepted proposal is a referral); of `kind` "mentors", to approved
mentors of the lab (an accepted proposal is a mentoring pair).
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from openmil.core.api import BoundedPages, Error
from openmil.core.models import Lab
from openmil.events.models import Volunteer
from openmil.participants.models import Participant
from openmil.partners.models import Opportunity
from openmil.placements import selectors, services
from openmil.placements.models import MatchingRound

router = Router(tags=["matching"])

MAX_ID = 2**63 - 1
ERRORS: dict[int, Any] = {400: Error, 403: Error, 404: Error, 422: Error}


class RoundOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    title: str
    kind: str = Field(..., description="opportunities or mentors")
    status: str
    progress: int
    result: dict[str, Any]
    outcome_model: dict[str, Any]
    created_at: dt.datetime
    finished_at: dt.datetime | None


#: A row id as the database can hold it (a larger number is a 422, not a 500).
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class RoundCreate(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field("", max_length=200, pattern=r"^[^\x00]*$")
    kind: Literal["opportunities", "mentors"] = "opportunities"
    participants: list[RowId] = Field(..., min_length=1, max_length=2000)
    opportunities: list[RowId] = Field(
        default_factory=list,
        max_length=1000,
        description="Required for kind opportunities; empty for mentors.",
    )
    mentors: list[RowId] = Field(
        default_factory=list,
        max_length=1000,
        description="Approved mentors (kind mentors); empty: all of the lab's.",
    )


class ProposalOut(Schema):
    id: int
    participant: int
    opportunity: int | None
    opportunity_title: str | None
    organisation: int | None
    mentor: int | None
    mentor_name: str | None
    score: float
    components: dict[str, Any]
    chosen: bool
    decision: str
    why: str
    referral: int | None
    mentoring_pair: int | None


class ProposalDecisionIn(Schema):
    reason: str = Field("", max_length=2000, pattern=r"^[^\x00]*$")
    consent_override_reason: str = Field("", max_length=2000, pattern=r"^[^\x00]*$")


def _proposal_out(proposal: Any, why: str) -> dict[str, Any]:
    opportunity, mentor = proposal.opportunity, proposal.mentor
    return {
        "id": proposal.pk,
        "participant": proposal.participant_id,
        "opportunity": proposal.opportunity_id,
        "opportunity_title": opportunity.title if opportunity else None,
        "organisation": opportunity.organisation_id if opportunity else None,
        "mentor": proposal.mentor_id,
        "mentor_name": mentor.name if mentor else None,
        "score": proposal.score,
        "components": proposal.components,
        "chosen": proposal.chosen,
        "decision": proposal.decision,
        "why": why,
        "referral": proposal.referral_id,
        "mentoring_pair": proposal.mentoring_pair_id,
    }


@router.get("/matching-rounds", response={200: list[RoundOut], 422: Error})
@paginate(BoundedPages, page_size=50)
def list_rounds(request: HttpRequest) -> Any:
    return selectors.round_queryset(user=request.user).order_by("-created_at", "-id")


@router.post("/matching-rounds", response={201: RoundOut, **ERRORS})
def create_round(request: HttpRequest, payload: RoundCreate) -> Any:
    if payload.lab not in selectors.lab_ids_matching(request.user):
        return 404, {"detail": "Not found."}
    lab = Lab.objects.get(pk=payload.lab)
    people = list(Participant.objects.filter(pk__in=payload.participants))
    opportunities = list(Opportunity.objects.filter(pk__in=payload.opportunities))
    mentors = list(Volunteer.objects.filter(pk__in=payload.mentors))
    if len(people) != len(set(payload.participants)):
        return 422, {
            "detail": [{"field": "participants", "message": "Unknown participant."}]
        }
    if len(opportunities) != len(set(payload.opportunities)):
        return 422, {
            "detail": [{"field": "opportunities", "message": "Unknown opportunity."}]
        }
    if len(mentors) != len(set(payload.mentors)):
        return 422, {"detail": [{"field": "mentors", "message": "Unknown mentor."}]}
    round = services.round_create(
        actor=request.user,
        lab=lab,
        kind=MatchingRound.Kind(payload.kind),
        title=payload.title,
        participants=people,
        opportunities=opportunities,
        mentors=mentors,
    )
    round.refresh_from_db()
    return 201, round


@router.get("/matching-rounds/{round_id}", response={200: RoundOut, **ERRORS})
def get_round(request: HttpRequest, round_id: int) -> Any:
    return selectors.round_get(user=request.user, round_id=round_id)


@router.get(
    "/matching-rounds/{round_id}/proposals",
    response={200: list[ProposalOut], **ERRORS},
)
def list_proposals(request: HttpRequest, round_id: int) -> Any:
    round = selectors.round_get(user=request.user, round_id=round_id)
    review = selectors.round_review(user=request.user, round=round)
    if review:
        selectors.round_review_audit(
            user=request.user, round=round, ids=[e["participant"].pk for e in review]
        )
    return [
        _proposal_out(pair["proposal"], pair["why"])
        for entry in review
        for pair in entry["pairs"]
    ]


def _decide(request: HttpRequest, round_id: int, proposal_id: int) -> Any:
    proposal = selectors.proposal_get(user=request.user, proposal_id=proposal_id)
    if proposal.round_id != round_id:
        return None
    return proposal


@router.post(
    "/matching-rounds/{round_id}/proposals/{proposal_id}/accept",
    response={200: ProposalOut, **ERRORS},
)
def accept_proposal(
    request: HttpRequest, round_id: int, proposal_id: int, payload: ProposalDecisionIn
) -> Any:
    proposal = _decide(request, round_id, proposal_id)
    if proposal is None:
        return 404, {"detail": "Not found."}
    proposal = services.proposal_accept(
        actor=request.user,
        proposal=proposal,
        reason=payload.reason,
        consent_override_reason=payload.consent_override_reason,
    )
    return 200, _proposal_out(proposal, "")


@router.post(
    "/matching-rounds/{round_id}/proposals/{proposal_id}/reject",
    response={200: ProposalOut, **ERRORS},
)
def reject_proposal(
    request: HttpRequest, round_id: int, proposal_id: int, payload: ProposalDecisionIn
) -> Any:
    proposal = _decide(request, round_id, proposal_id)
    if proposal is None:
        return 404, {"detail": "Not found."}
    proposal = services.proposal_reject(
        actor=request.user, proposal=proposal, reason=payload.reason
    )
    return 200, _proposal_out(proposal, "")
