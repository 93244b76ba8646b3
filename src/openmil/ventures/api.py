"""Venture and territorial-need endpoints: same selectors, services and forms."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from openmil.core import access
from openmil.core.api import BoundedPages, Error, form_errors
from openmil.core.roles import Perm
from openmil.participants.api import MAX_ID, NO_NUL
from openmil.ventures import selectors, services
from openmil.ventures.forms import (
    JobsForm,
    SupportForm,
    TerritorialNeedForm,
    TransitionForm,
    VentureForm,
)
from openmil.ventures.models import TerritorialNeed, Venture

router = Router(tags=["ventures"])


class VentureOut(Schema):
    id: int
    lab: int
    name: str
    stage: str
    sector: str
    description: str
    started_on: dt.date
    registration_date: dt.date | None
    revenue_band: str
    jobs_created: int
    territorial_need: int | None
    founders: list[int] = Field(..., description="Founders you may see (ids)")


class VentureStageChangeOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    on: dt.date
    recorded_by: str | None
    note: str


class VentureSupportOut(Schema):
    id: int
    kind: str
    provider: int = Field(..., alias="provider_id")
    on: dt.date
    amount: Decimal | None
    currency: str
    note: str


class VentureJobsOut(Schema):
    id: int
    on: dt.date
    jobs: int


class VentureDetailOut(VentureOut):
    timeline: list[VentureStageChangeOut]
    supports: list[VentureSupportOut]
    jobs_history: list[VentureJobsOut]


class VentureIn(Schema):
    """Fields to set; on create, name, sector and founders are required."""

    name: str | None = Field(None, pattern=NO_NUL)
    sector: str | None = Field(None, pattern=NO_NUL)
    description: str | None = Field(None, pattern=NO_NUL)
    started_on: dt.date | None = None
    revenue_band: str | None = Field(None, pattern=NO_NUL)
    territorial_need: int | None = Field(None, ge=1, le=MAX_ID)
    founders: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        None, description="Participant ids"
    )


class VentureCreate(VentureIn):
    lab: int = Field(..., ge=1, le=MAX_ID)


class VentureTransitionIn(Schema):
    to_stage: str = Field(..., pattern=NO_NUL)
    on: dt.date | None = None
    registration_date: dt.date | None = None
    note: str = Field("", pattern=NO_NUL)


class VentureSupportIn(Schema):
    kind: str = Field(..., pattern=NO_NUL)
    provider: int = Field(..., ge=1, le=MAX_ID)
    on: dt.date
    amount: Decimal | None = None
    currency: str = Field("EUR", pattern=NO_NUL)
    note: str = Field("", pattern=NO_NUL)


class VentureJobsIn(Schema):
    jobs: int
    on: dt.date | None = None


class VentureFilters(FilterSchema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)
    stage: str | None = Field(None, pattern=NO_NUL)
    sector: str | None = Field(None, pattern=NO_NUL)
    q: str | None = Field(None, max_length=100, pattern=NO_NUL)


class TerritorialNeedOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    kind: str
    title: str
    description: str
    place: str
    occupation: str | None = Field(None, alias="occupation_id")
    status: str
    ventures: list[int] = Field(..., description="Ventures you may see answering it")


class TerritorialNeedIn(Schema):
    kind: str | None = Field(None, pattern=NO_NUL)
    title: str | None = Field(None, pattern=NO_NUL)
    description: str | None = Field(None, pattern=NO_NUL)
    place: str | None = Field(None, pattern=NO_NUL)
    occupation: str | None = Field(
        None, pattern=NO_NUL, description="ESCO occupation UUID"
    )
    status: str | None = Field(None, pattern=NO_NUL)


class TerritorialNeedCreate(TerritorialNeedIn):
    lab: int = Field(..., ge=1, le=MAX_ID)


class TerritorialNeedFilters(FilterSchema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)
    status: str | None = Field(None, pattern=NO_NUL)


def _venture_out(v: Venture) -> dict[str, Any]:
    return {
        "id": v.pk,
        "lab": v.lab_id,
        "name": v.name,
        "stage": v.stage,
        "sector": v.sector,
        "description": v.description,
        "started_on": v.started_on,
        "registration_date": v.registration_date,
        "revenue_band": v.revenue_band,
        "jobs_created": v.jobs_created,
        "territorial_need": v.territorial_need_id,
        "founders": [p.pk for p in getattr(v, "visible_founders", [])],
    }


def _venture_detail_out(v: Venture) -> dict[str, Any]:
    data = _venture_out(v)
    data["timeline"] = [
        {
            "id": c.pk,
            "from_stage": c.from_stage,
            "to_stage": c.to_stage,
            "on": c.on,
            "recorded_by": c.recorded_by.get_username() if c.recorded_by else None,
            "note": c.note,
        }
        for c in selectors.venture_timeline(venture=v)
    ]
    data["supports"] = list(v.supports.all())
    data["jobs_history"] = list(selectors.venture_jobs_history(venture=v))
    return data


class _AuditedVentures:
    """A lazy list whose pages are logged as views of the founders shown."""

    def __init__(self, user: Any, qs: Any) -> None:
        self.user, self.qs = user, qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        rows = list(self.qs[item])
        selectors.venture_list_audit(user=self.user, ventures=rows)
        return [_venture_out(v) for v in rows]


@router.get("/ventures", response={200: list[VentureOut], 422: Error})
@paginate(BoundedPages, page_size=50)
def list_ventures(request: HttpRequest, filters: Query[VentureFilters]) -> Any:
    qs = selectors.venture_list(
        user=request.user,
        lab_id=filters.lab,
        stage=filters.stage or "",
        sector=filters.sector or "",
        query=filters.q or "",
    )
    return _AuditedVentures(request.user, qs)


@router.get(
    "/ventures/{venture_id}",
    response={200: VentureDetailOut, 404: Error, 422: Error},
)
def get_venture(request: HttpRequest, venture_id: int) -> Any:
    venture = selectors.venture_get(user=request.user, venture_id=venture_id)
    return _venture_detail_out(venture)


def _venture_form_data(
    payload: dict[str, Any], base: dict[str, Any], user: Any, lab_id: int
) -> dict[str, Any] | None:
    """Form data from a payload; None when a founder id is not one the user sees."""
    data = dict(base)
    data.update({k: v for k, v in payload.items() if k not in ("lab", "founders")})
    if payload.get("founders") is not None:
        ids = set(payload["founders"])
        refs = list(
            selectors.founders_choice(user=user, lab_id=lab_id)
            .filter(pk__in=ids)
            .values_list("reference", flat=True)
        )
        if len(refs) != len(ids):
            return None
        data["founders_text"] = ", ".join(refs)
    return {k: ("" if v is None else v) for k, v in data.items()}


UNKNOWN_FOUNDER = {
    "detail": [{"field": "founders", "message": "Unknown participant id."}]
}


@router.post(
    "/ventures",
    response={201: VentureDetailOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_venture(request: HttpRequest, payload: VentureCreate) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.EDIT_PERSONAL
    )
    given = payload.dict(exclude_unset=True)
    defaults = {
        "started_on": timezone.localdate().isoformat(),
        "revenue_band": Venture.RevenueBand.NONE,
    }
    data = _venture_form_data(
        {k: v for k, v in given.items() if v is not None or k not in defaults},
        defaults,
        request.user,
        lab.pk,
    )
    if data is None:
        return 422, UNKNOWN_FOUNDER
    people = selectors.founders_choice(user=request.user, lab_id=lab.pk)
    form = VentureForm(data, lab=lab, people=people)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    venture = services.venture_create(
        actor=request.user, lab=lab, data=form.service_data(), founders=form.founders
    )
    venture = selectors.venture_get(
        user=request.user, venture_id=venture.pk, audit=False
    )
    return 201, _venture_detail_out(venture)


@router.patch(
    "/ventures/{venture_id}",
    response={200: VentureDetailOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def update_venture(request: HttpRequest, venture_id: int, payload: VentureIn) -> Any:
    venture = selectors.venture_get_for_edit(user=request.user, venture_id=venture_id)
    base = {
        "name": venture.name,
        "sector": venture.sector,
        "description": venture.description,
        "started_on": venture.started_on.isoformat(),
        "revenue_band": venture.revenue_band,
        "territorial_need": venture.territorial_need_id,
        "founders_text": ", ".join(
            p.reference
            for p in venture.visible_founders  # type: ignore[attr-defined]
        ),
    }
    data = _venture_form_data(
        payload.dict(exclude_unset=True), base, request.user, venture.lab_id
    )
    if data is None:
        return 422, UNKNOWN_FOUNDER
    people = selectors.founders_choice(user=request.user, lab_id=venture.lab_id)
    form = VentureForm(data, instance=venture, lab=venture.lab, people=people)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    services.venture_update(
        actor=request.user,
        venture=venture,
        data=form.service_data(),
        founders=[
            *form.founders,
            *selectors.hidden_founders(user=request.user, venture=venture),
        ],
    )
    venture = selectors.venture_get(
        user=request.user, venture_id=venture.pk, audit=False
    )
    return _venture_detail_out(venture)


@router.post(
    "/ventures/{venture_id}/transitions",
    response={
        201: VentureStageChangeOut,
        400: Error,
        403: Error,
        404: Error,
        422: Error,
    },
    summary="Move a venture to another stage",
    description=(
        "Allowed: idea → business_plan | closed; business_plan → financing | "
        "idea | closed; financing → registered | business_plan | closed; "
        "registered → operating | closed; operating → growing | closed; "
        "growing → operating | closed. Entering registered needs "
        "registration_date. Anything else answers 422 with the reason."
    ),
)
def transition_venture(
    request: HttpRequest, venture_id: int, payload: VentureTransitionIn
) -> Any:
    venture = selectors.venture_get_for_edit(user=request.user, venture_id=venture_id)
    form = TransitionForm(
        {k: ("" if v is None else v) for k, v in payload.dict().items()}
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    data = form.cleaned_data
    change = services.venture_transition(
        actor=request.user,
        venture=venture,
        to_stage=data["to_stage"],
        on=data["on"],
        registration_date=data["registration_date"],
        note=data["note"],
    )
    return 201, {
        "id": change.pk,
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        "on": change.on,
        "recorded_by": request.user.get_username(),
        "note": change.note,
    }


@router.post(
    "/ventures/{venture_id}/supports",
    response={201: VentureSupportOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def add_support(
    request: HttpRequest, venture_id: int, payload: VentureSupportIn
) -> Any:
    venture = selectors.venture_get_for_edit(user=request.user, venture_id=venture_id)
    form = SupportForm(
        {k: ("" if v is None else v) for k, v in payload.dict().items()},
        lab=venture.lab,
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.venture_support_add(
        actor=request.user, venture=venture, data=form.cleaned_data
    )


@router.post(
    "/ventures/{venture_id}/jobs",
    response={201: VentureJobsOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Record a count of jobs for people other than the founders",
)
def record_jobs(request: HttpRequest, venture_id: int, payload: VentureJobsIn) -> Any:
    venture = selectors.venture_get_for_edit(user=request.user, venture_id=venture_id)
    form = JobsForm({k: ("" if v is None else v) for k, v in payload.dict().items()})
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.venture_jobs_record(
        actor=request.user,
        venture=venture,
        jobs=form.cleaned_data["jobs"],
        on=form.cleaned_data["on"],
    )


def _need_out(need: TerritorialNeed) -> dict[str, Any]:
    return {
        "id": need.pk,
        "lab_id": need.lab_id,
        "kind": need.kind,
        "title": need.title,
        "description": need.description,
        "place": need.place,
        "occupation_id": need.occupation_id,
        "status": need.status,
        "ventures": [v.pk for v in getattr(need, "answering", [])],
    }


@router.get("/territorial-needs", response={200: list[TerritorialNeedOut], 422: Error})
@paginate(BoundedPages, page_size=100)
def list_territorial_needs(
    request: HttpRequest, filters: Query[TerritorialNeedFilters]
) -> Any:
    needs = selectors.territorial_need_list(
        user=request.user, lab_id=filters.lab, status=filters.status or ""
    )
    return [_need_out(n) for n in needs]


def _need_form_data(payload: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    data = dict(base)
    data.update({k: v for k, v in payload.items() if k != "lab"})
    occupation = data.pop("occupation", None)
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["occupation"] = [occupation] if occupation else []
    return data


@router.post(
    "/territorial-needs",
    response={201: TerritorialNeedOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_territorial_need(
    request: HttpRequest, payload: TerritorialNeedCreate
) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.EDIT_PERSONAL
    )
    form = TerritorialNeedForm(
        _need_form_data(
            payload.dict(exclude_unset=True),
            {"status": TerritorialNeed.Status.OPEN},
        )
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    need = services.territorial_need_create(
        actor=request.user, lab=lab, data=form.service_data()
    )
    return 201, _need_out(need)


@router.patch(
    "/territorial-needs/{territorial_need_id}",
    response={200: TerritorialNeedOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def update_territorial_need(
    request: HttpRequest, territorial_need_id: int, payload: TerritorialNeedIn
) -> Any:
    need = selectors.territorial_need_get(
        user=request.user, need_id=territorial_need_id
    )
    if not access.can(request.user, Perm.EDIT_PERSONAL, need.lab_id):
        return 404, {"detail": "Not found."}
    base = {
        "kind": need.kind,
        "title": need.title,
        "description": need.description,
        "place": need.place,
        "occupation": need.occupation_id,
        "status": need.status,
    }
    form = TerritorialNeedForm(
        _need_form_data(payload.dict(exclude_unset=True), base), instance=need
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    need = services.territorial_need_update(
        actor=request.user, need=need, data=form.service_data()
    )
    return _need_out(need)
