"""Organisations, services, referrals and opportunities under /api/v1/.

The endpoints call the selectors and services of the pages. A referral's
transitions are each their own POST; an illegal one answers 409 with the
reason, missing consent 422 naming the consent.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from openmil.core.api import BoundedPages, Error, form_errors, validation_detail
from openmil.core.codes import CEFR_CODES, CefrLevel
from openmil.participants.selectors import need_get, participant_get
from openmil.partners import selectors, services
from openmil.partners.forms import OpportunityForm, ServiceForm
from openmil.partners.models import Opportunity, Referral, Service

router = Router(tags=["partners"])

MAX_ID = 2**63 - 1
NO_NUL = r"^[^\x00]*$"
ERRORS: dict[int, Any] = {400: Error, 403: Error, 404: Error, 422: Error}


class OrganisationOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    name: str
    kind: str
    email: str
    phone: str
    website: str


class ServiceOut(Schema):
    id: int
    organisation: int = Field(..., alias="organisation_id")
    name: str
    description: str
    pillar: str
    need_type: str | None = None
    eligibility: str
    eligible_profile: str
    languages: list[str]
    capacity: int | None
    place: str
    contact: str
    response_days: int
    active: bool


class ServiceIn(Schema):
    name: str | None = None
    description: str | None = None
    pillar: str | None = None
    need_type: str | None = Field(None, description="Need code, e.g. housing")
    eligibility: str | None = None
    eligible_profile: str | None = None
    languages: list[str] | None = None
    capacity: int | None = Field(None, ge=0, le=100_000)
    place: str | None = None
    contact: str | None = None
    response_days: int | None = Field(None, ge=1, le=365)
    active: bool | None = None


class ServiceCreate(ServiceIn):
    organisation: int = Field(..., ge=1, le=MAX_ID)


class ReferralOut(Schema):
    id: int
    lab: int
    participant: int | None = Field(
        None, description="Null for partner staff: they see only `shared`."
    )
    shared: dict[str, Any] = Field(
        ..., description="The participant's fields the lab shares with partners."
    )
    need: str | None
    service: int
    organisation: int
    status: str
    note: str
    reason: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    accepted_at: dt.datetime | None
    closed_at: dt.datetime | None
    due_at: dt.datetime | None
    overdue: bool
    allowed_actions: list[str]


class ReferralCreate(Schema):
    participant: int = Field(..., ge=1, le=MAX_ID)
    service: int = Field(..., ge=1, le=MAX_ID)
    need: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=2000)


class SendIn(Schema):
    override_reason: str = Field(
        "", max_length=2000, description="Coordinators: send without consent."
    )


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class OpportunityOut(Schema):
    id: int
    organisation: int = Field(..., alias="organisation_id")
    kind: str
    title: str
    description: str
    pillar: str
    capacity: int
    isco_group: str | None = Field(None, alias="isco_group_id")
    language: str
    min_cefr: str = Field("", description='CEFR code, "pre_a1" … "c2", or ""')
    place: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    is_open: bool

    @staticmethod
    def resolve_min_cefr(obj: Opportunity) -> str:
        return CEFR_CODES[obj.min_cefr] if obj.min_cefr is not None else ""


class OpportunityIn(Schema):
    kind: str | None = None
    title: str | None = None
    description: str | None = None
    pillar: str | None = None
    capacity: int | None = Field(None, ge=0, le=100_000)
    isco_group: str | None = Field(None, description="ISCO-08 unit group code")
    language: str | None = None
    min_cefr: str | None = Field(None, description='CEFR code, "pre_a1" … "c2"')
    place: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    is_open: bool | None = None


class OpportunityCreate(OpportunityIn):
    organisation: int = Field(..., ge=1, le=MAX_ID)


def _clean(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in payload.items()}


def _cefr_from_code(data: dict[str, Any]) -> dict[str, Any] | None:
    """Turn the wire code of `min_cefr` into the stored level; an error if unknown."""
    code = data.get("min_cefr")
    if isinstance(code, str) and code:
        try:
            data["min_cefr"] = CefrLevel.from_code(code).value
        except ValueError:
            return {
                "detail": [
                    {"field": "min_cefr", "message": f"Unknown CEFR level: {code}."}
                ]
            }
    return None


# ---------------------------------------------------------------------------
# Organisations and services.


@router.get("/organisations", response={200: list[OrganisationOut], 422: Error})
@paginate(BoundedPages, page_size=100)
def list_organisations(request: HttpRequest) -> Any:
    return selectors.organisation_queryset(user=request.user).order_by("name", "id")


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, 404: Error, 422: Error},
)
def get_organisation(request: HttpRequest, organisation_id: int) -> Any:
    return selectors.organisation_get(
        user=request.user, organisation_id=organisation_id
    )


def _service_out(s: Service) -> dict[str, Any]:
    data = model_to_dict(s, fields=[f for f in ServiceOut.model_fields if f != "id"])
    data.update(
        id=s.pk,
        organisation_id=s.organisation_id,
        need_type=s.need_type.code if s.need_type else None,
    )
    return data


class ServiceFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL)
    kind: str = Field("", max_length=20, pattern=NO_NUL)
    area: str = Field(
        "", max_length=60, pattern=NO_NUL, description="pillar:<code> or need:<code>"
    )
    language: str = Field("", max_length=3, pattern=NO_NUL)
    place: str = Field("", max_length=100, pattern=NO_NUL)


class _Mapped:
    """A lazy list: each page of `qs` goes through `out` when read."""

    def __init__(self, qs: Any, out: Any) -> None:
        self.qs, self.out = qs, out

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.out(row) for row in self.qs[item]]


@router.get("/services", response={200: list[ServiceOut], 422: Error})
@paginate(BoundedPages, page_size=100)
def list_services(request: HttpRequest, filters: Query[ServiceFilters]) -> Any:
    qs = selectors.service_list(
        user=request.user,
        query=filters.q,
        kind=filters.kind,
        area=filters.area,
        language=filters.language,
        place=filters.place,
    )
    return _Mapped(qs, _service_out)


@router.get(
    "/services/{service_id}", response={200: ServiceOut, 404: Error, 422: Error}
)
def get_service(request: HttpRequest, service_id: int) -> Any:
    return _service_out(selectors.service_get(user=request.user, service_id=service_id))


def _need_type_pk(org: Any, code: str | None) -> Any:
    if not code:
        return ""
    from django.db.models import Q

    from openmil.participants.models import NeedType

    found = NeedType.objects.filter(
        Q(lab__isnull=True) | Q(lab_id=org.lab_id), code=code
    ).first()
    return found.pk if found else -1


@router.post(
    "/services",
    response={201: ServiceOut, **ERRORS},
)
def create_service(request: HttpRequest, payload: ServiceCreate) -> Any:
    org = selectors.organisation_get(
        user=request.user, organisation_id=payload.organisation
    )
    if not selectors.can_manage_organisation(request.user, org):
        raise PermissionDenied
    data = payload.dict(exclude_unset=True)
    data.pop("organisation")
    data["need_type"] = _need_type_pk(org, data.get("need_type"))
    data.setdefault("eligible_profile", "both")
    data.setdefault("response_days", 5)
    data.setdefault("active", True)
    form = ServiceForm(_clean(data), lab=org.lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    service = services.service_create(
        actor=request.user, organisation=org, data=form.service_data()
    )
    return 201, _service_out(service)


@router.patch(
    "/services/{service_id}",
    response={200: ServiceOut, **ERRORS},
)
def update_service(request: HttpRequest, service_id: int, payload: ServiceIn) -> Any:
    service = selectors.service_get(user=request.user, service_id=service_id)
    org = service.organisation
    if not selectors.can_manage_organisation(request.user, org):
        raise PermissionDenied
    base = model_to_dict(service, fields=list(Service.EDITABLE_FIELDS))
    changes = payload.dict(exclude_unset=True)
    if "need_type" in changes:
        changes["need_type"] = _need_type_pk(org, changes["need_type"])
    base.update(changes)
    form = ServiceForm(_clean(base), instance=service, lab=org.lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    service = services.service_update(
        actor=request.user, service=service, data=form.service_data()
    )
    return 200, _service_out(service)


# ---------------------------------------------------------------------------
# Referrals.


def _referral_out(user: Any, r: Referral) -> dict[str, Any]:
    partner_view = selectors.sees_as_partner(user=user, referral=r)
    return {
        "id": r.pk,
        "lab": r.lab_id,
        "participant": None if partner_view else r.participant_id,
        "shared": selectors.shared_participant(referral=r),
        "need": r.need.need_type.code if r.need_id and r.need else None,
        "service": r.service_id,
        "organisation": r.organisation_id,
        "status": r.status,
        "note": r.note,
        "reason": r.reason,
        "created_at": r.created_at,
        "sent_at": r.sent_at,
        "accepted_at": r.accepted_at,
        "closed_at": r.closed_at,
        "due_at": r.due_at,
        "overdue": r.is_overdue,
        "allowed_actions": r.allowed_actions(),
    }


class _AuditedReferrals:
    """A lazy list whose pages are logged as views of the people shown."""

    def __init__(self, user: Any, qs: Any) -> None:
        self.user, self.qs = user, qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        rows = list(self.qs[item])
        selectors.referral_list_audit(user=self.user, referrals=rows)
        return [_referral_out(self.user, r) for r in rows]


class ReferralFilters(Schema):
    status: str = Field("", max_length=15, pattern=NO_NUL)
    overdue: bool = False


@router.get("/referrals", response={200: list[ReferralOut], 422: Error})
@paginate(BoundedPages, page_size=50)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> Any:
    qs = selectors.referral_list(
        user=request.user, status=filters.status, overdue=filters.overdue
    ).select_related("participant__lab")
    return _AuditedReferrals(request.user, qs)


@router.get(
    "/referrals/{referral_id}", response={200: ReferralOut, 404: Error, 422: Error}
)
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    r = selectors.referral_get(user=request.user, referral_id=referral_id)
    return _referral_out(request.user, r)


@router.post(
    "/referrals",
    response={201: ReferralOut, **ERRORS},
)
def create_referral(request: HttpRequest, payload: ReferralCreate) -> Any:
    participant = participant_get(
        user=request.user, participant_id=payload.participant, audit=False
    )
    service = selectors.service_get(user=request.user, service_id=payload.service)
    need = None
    if payload.need is not None:
        need = need_get(user=request.user, need_id=payload.need)
    referral = services.referral_create(
        actor=request.user,
        participant=participant,
        service=service,
        need=need,
        note=payload.note,
    )
    return 201, _referral_out(request.user, referral)


def _run(request: HttpRequest, referral_id: int, action: str, **kwargs: Any) -> Any:
    referral = selectors.referral_get(
        user=request.user, referral_id=referral_id, audit=False
    )
    try:
        referral = services.REFERRAL_ACTIONS[action](
            actor=request.user, referral=referral, **kwargs
        )
    except services.IllegalTransition as error:
        return 409, {"detail": validation_detail(error)}
    except services.ConsentMissing as error:
        return 422, {"detail": validation_detail(error)}
    except ValidationError as error:
        return 422, {"detail": validation_detail(error)}
    return 200, _referral_out(request.user, referral)


TRANSITION_RESPONSES = {200: ReferralOut, 409: Error, **ERRORS}


@router.post("/referrals/{referral_id}/send", response=TRANSITION_RESPONSES)
def send_referral(
    request: HttpRequest, referral_id: int, payload: SendIn | None = None
) -> Any:
    reason = payload.override_reason if payload else ""
    return _run(request, referral_id, "send", override_reason=reason)


@router.post("/referrals/{referral_id}/accept", response=TRANSITION_RESPONSES)
def accept_referral(request: HttpRequest, referral_id: int) -> Any:
    return _run(request, referral_id, "accept")


@router.post("/referrals/{referral_id}/decline", response=TRANSITION_RESPONSES)
def decline_referral(request: HttpRequest, referral_id: int, payload: ReasonIn) -> Any:
    return _run(request, referral_id, "decline", reason=payload.reason)


@router.post("/referrals/{referral_id}/complete", response=TRANSITION_RESPONSES)
def complete_referral(
    request: HttpRequest, referral_id: int, payload: ReasonIn | None = None
) -> Any:
    return _run(
        request, referral_id, "complete", reason=payload.reason if payload else ""
    )


@router.post("/referrals/{referral_id}/not-complete", response=TRANSITION_RESPONSES)
def not_complete_referral(
    request: HttpRequest, referral_id: int, payload: ReasonIn
) -> Any:
    return _run(request, referral_id, "not_complete", reason=payload.reason)


@router.post("/referrals/{referral_id}/revoke", response=TRANSITION_RESPONSES)
def revoke_referral(
    request: HttpRequest, referral_id: int, payload: ReasonIn | None = None
) -> Any:
    return _run(
        request, referral_id, "revoke", reason=payload.reason if payload else ""
    )


# ---------------------------------------------------------------------------
# Opportunities.


class OpportunityFilters(Schema):
    kind: str = Field("", max_length=12, pattern=NO_NUL)
    open_only: bool = False


@router.get("/opportunities", response={200: list[OpportunityOut], 422: Error})
@paginate(BoundedPages, page_size=100)
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFilters]) -> Any:
    return selectors.opportunity_list(
        user=request.user, kind=filters.kind, open_only=filters.open_only
    ).order_by("id")


@router.get(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityOut, 404: Error, 422: Error},
)
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    return selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)


@router.post(
    "/opportunities",
    response={201: OpportunityOut, **ERRORS},
)
def create_opportunity(request: HttpRequest, payload: OpportunityCreate) -> Any:
    org = selectors.organisation_get(
        user=request.user, organisation_id=payload.organisation
    )
    if not selectors.can_manage_organisation(request.user, org):
        raise PermissionDenied
    data = payload.dict(exclude_unset=True)
    data.pop("organisation")
    data.setdefault("capacity", 1)
    data.setdefault("is_open", True)
    if error := _cefr_from_code(data):
        return 422, error
    form = OpportunityForm(_clean(data))
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    opportunity = services.opportunity_create(
        actor=request.user, organisation=org, data=form.opportunity_data()
    )
    return 201, opportunity


@router.patch(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityOut, **ERRORS},
)
def update_opportunity(
    request: HttpRequest, opportunity_id: int, payload: OpportunityIn
) -> Any:
    opportunity = selectors.opportunity_get(
        user=request.user, opportunity_id=opportunity_id
    )
    if not selectors.can_manage_organisation(request.user, opportunity.organisation):
        raise PermissionDenied
    base = model_to_dict(opportunity, fields=list(Opportunity.EDITABLE_FIELDS))
    changes = payload.dict(exclude_unset=True)
    if error := _cefr_from_code(changes):
        return 422, error
    base.update(changes)
    form = OpportunityForm(_clean(base), instance=opportunity)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    opportunity = services.opportunity_update(
        actor=request.user, opportunity=opportunity, data=form.opportunity_data()
    )
    return 200, opportunity
