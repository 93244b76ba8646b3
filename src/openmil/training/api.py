"""Training, competency and certification endpoints (staff data)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from openmil.core.api import BoundedPages, Error, form_errors
from openmil.participants.api import MAX_ID, NO_NUL
from openmil.training import selectors, services
from openmil.training.forms import (
    AttendeeForm,
    CertificationForm,
    CompetencyForm,
    TrainingForm,
)
from openmil.training.models import Certification, Training

router = Router(tags=["training"])


class TrainingOut(Schema):
    id: int
    lab: int
    title: str
    provider: str
    hours: Decimal
    held_on: dt.date
    competencies: list[int]
    attendees: list[int]


class TrainingIn(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., pattern=NO_NUL)
    provider: str = Field(..., pattern=NO_NUL)
    hours: Decimal
    held_on: dt.date
    competencies: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = []
    attendees: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        [], description="User ids of the lab's staff"
    )


class TrainingAttendeeIn(Schema):
    user: int = Field(..., ge=1, le=MAX_ID)


class CompetencyOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    name: str
    description: str
    validity_months: int | None


class CompetencyIn(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., pattern=NO_NUL)
    description: str = Field("", pattern=NO_NUL)
    validity_months: int | None = Field(None, ge=0, le=240)


class CertificationOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    user: int = Field(..., alias="user_id")
    competency: int = Field(..., alias="competency_id")
    certified_on: dt.date
    expires_on: dt.date | None
    training: int | None = Field(None, alias="training_id")


class CertificationIn(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)
    user: int = Field(..., ge=1, le=MAX_ID)
    competency: int = Field(..., ge=1, le=MAX_ID)
    certified_on: dt.date
    expires_on: dt.date | None = None
    training: int | None = Field(None, ge=1, le=MAX_ID)


class TrainingLabFilter(FilterSchema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)


class CertificationFilters(FilterSchema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)
    user: int | None = Field(None, ge=1, le=MAX_ID)


def _training_out(t: Training) -> dict[str, Any]:
    return {
        "id": t.pk,
        "lab": t.lab_id,
        "title": t.title,
        "provider": t.provider,
        "hours": t.hours,
        "held_on": t.held_on,
        "competencies": sorted(c.pk for c in t.competencies.all()),
        "attendees": sorted(u.pk for u in t.attendees.all()),
    }


def _blank(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in payload.items() if k != "lab"}


@router.get("/trainings", response={200: list[TrainingOut], 422: Error})
@paginate(BoundedPages, page_size=100)
def list_trainings(request: HttpRequest, filters: Query[TrainingLabFilter]) -> Any:
    return [
        _training_out(t)
        for t in selectors.training_list(user=request.user, lab_id=filters.lab)
    ]


@router.post(
    "/trainings",
    response={201: TrainingOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_training(request: HttpRequest, payload: TrainingIn) -> Any:
    lab = selectors.training_lab_get(user=request.user, lab_id=payload.lab)
    form = TrainingForm(_blank(payload.dict()), lab=lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    training = services.training_create(
        actor=request.user,
        lab=lab,
        data=form.service_data(),
        competencies=list(form.cleaned_data["competencies"]),
        attendees=list(form.cleaned_data["attendees"]),
    )
    return 201, _training_out(training)


@router.post(
    "/trainings/{training_id}/attendees",
    response={200: TrainingOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def add_attendee(
    request: HttpRequest, training_id: int, payload: TrainingAttendeeIn
) -> Any:
    training = selectors.training_get_for_manage(
        user=request.user, training_id=training_id
    )
    form = AttendeeForm(payload.dict(), lab=training.lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    services.training_attendee_add(
        actor=request.user, training=training, user=form.cleaned_data["user"]
    )
    return _training_out(training)


@router.get("/competencies", response={200: list[CompetencyOut], 422: Error})
@paginate(BoundedPages, page_size=100)
def list_competencies(request: HttpRequest, filters: Query[TrainingLabFilter]) -> Any:
    return selectors.competency_list(user=request.user, lab_id=filters.lab)


@router.post(
    "/competencies",
    response={201: CompetencyOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_competency(request: HttpRequest, payload: CompetencyIn) -> Any:
    lab = selectors.training_lab_get(user=request.user, lab_id=payload.lab)
    form = CompetencyForm(_blank(payload.dict()))
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.competency_create(
        actor=request.user, lab=lab, data=form.cleaned_data
    )


@router.get("/certifications", response={200: list[CertificationOut], 422: Error})
@paginate(BoundedPages, page_size=100)
def list_certifications(
    request: HttpRequest, filters: Query[CertificationFilters]
) -> Any:
    return selectors.certification_list(
        user=request.user, lab_id=filters.lab, holder_id=filters.user
    )


@router.post(
    "/certifications",
    response={201: CertificationOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_certification(request: HttpRequest, payload: CertificationIn) -> Any:
    lab = selectors.training_lab_get(user=request.user, lab_id=payload.lab)
    form = CertificationForm(_blank(payload.dict()), lab=lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    certification: Certification = services.certification_record(
        actor=request.user, lab=lab, **form.cleaned_data
    )
    return 201, certification
