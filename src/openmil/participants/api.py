"""Participant, need and consent endpoints: same selectors, services, forms."""

import datetime as dt
from typing import Any

from django.forms.models import model_to_dict
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from openmil.core import access
from openmil.core.api import BoundedPages, Error, form_errors
from openmil.core.roles import Perm
from openmil.participants import selectors, services
from openmil.participants.forms import ConsentForm, NeedForm, ParticipantForm
from openmil.participants.models import Need, Participant

router = Router(tags=["participants"])


class ParticipantOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    reference: str
    profile: str
    given_name: str
    family_name: str
    name_latin: str
    birth_date: dt.date | None
    birth_date_precision: str
    sex: str
    country_of_origin: str
    nationality: str
    stateless: bool
    mother_tongue: str
    other_languages: list[str]
    arrival_date: dt.date | None
    household: str | None = None
    household_role: str
    phone: str
    email: str
    address: str
    legal_status: str | None = None
    education_level: int | None
    past_occupations: list[str] = []
    caseworker: str | None = None
    intake_date: dt.date
    pathway_started_on: dt.date | None
    processing_restricted: bool
    legal_status_detail: str | None = Field(
        None, description="Null when your role may not see sensitive fields."
    )
    health_notes: str | None = None
    case_notes: str | None = None


class ParticipantIn(Schema):
    """Fields to set. On create, reference, profile and given_name are required."""

    reference: str | None = None
    profile: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    name_latin: str | None = None
    birth_date: dt.date | None = None
    birth_date_precision: str | None = None
    sex: str | None = None
    country_of_origin: str | None = None
    nationality: str | None = None
    stateless: bool | None = None
    mother_tongue: str | None = None
    other_languages: list[str] | None = None
    arrival_date: dt.date | None = None
    household_reference: str | None = None
    household_role: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    legal_status: int | None = None
    legal_status_detail: str | None = None
    health_notes: str | None = None
    case_notes: str | None = None
    education_level: int | None = None
    past_occupations: list[str] | None = Field(
        None, description="ESCO occupation UUIDs"
    )
    caseworker: int | None = None
    intake_date: dt.date | None = None


class ParticipantCreate(ParticipantIn):
    lab: int


#: The largest id a database column holds; a larger one cannot name a record.
MAX_ID = 2**63 - 1
#: Text the database can compare: PostgreSQL refuses the NUL character.
NO_NUL = r"^[^\x00]*$"


class ParticipantFilters(FilterSchema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)
    profile: str | None = Field(None, pattern=NO_NUL)
    q: str | None = Field(
        None, max_length=100, pattern=NO_NUL, description="Name or reference"
    )
    caseworker: int | None = Field(None, ge=1, le=MAX_ID)
    open_needs: bool | None = None


class NeedOut(Schema):
    id: int
    participant: int = Field(..., alias="participant_id")
    need_type: str = Field(..., alias="need_type.code")
    urgent: bool
    status: str
    owner: int | None = Field(None, alias="owner_id")
    due_date: dt.date | None
    notes: str
    overdue: bool = Field(..., alias="is_overdue")
    resolved_at: dt.datetime | None


class NeedIn(Schema):
    need_type: str | None = Field(
        None, pattern=NO_NUL, description="Need code, e.g. housing"
    )
    urgent: bool | None = None
    status: str | None = None
    owner: int | None = None
    due_date: dt.date | None = None
    notes: str | None = None


class ConsentOut(Schema):
    id: int
    participant: int = Field(..., alias="participant_id")
    purpose: str
    partner_category: str
    notice_version: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None
    active: bool = Field(..., alias="is_active")


class ConsentIn(Schema):
    purpose: str
    partner_category: str = ""
    notice_version: str


def _participant_out(user: Any, p: Participant, *, sensitive: bool) -> dict[str, Any]:
    data = {
        field: getattr(p, field)
        for field in ParticipantOut.model_fields
        if hasattr(p, field)
    }
    data["lab_id"] = p.lab_id
    data["household"] = p.household.reference if p.household else None
    data["legal_status"] = p.legal_status.name if p.legal_status else None
    data["caseworker"] = p.caseworker.get_username() if p.caseworker else None
    data["past_occupations"] = [o.pk for o in p.past_occupations.all()]
    for field in Participant.SENSITIVE_FIELDS:
        data[field] = getattr(p, field) if sensitive else None
    return data


def _form_payload(
    payload: dict[str, Any], base: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = dict(base or {})
    data.update({k: v for k, v in payload.items() if k != "lab"})
    return {k: ("" if v is None else v) for k, v in data.items()}


def _sensitive_refused(payload: dict[str, Any], allowed: bool) -> bool:
    return not allowed and any(payload.get(f) for f in Participant.SENSITIVE_FIELDS)


@router.get("/participants", response={200: list[ParticipantOut], 422: Error})
@paginate(BoundedPages, page_size=50)
def list_participants(request: HttpRequest, filters: Query[ParticipantFilters]) -> Any:
    qs = (
        selectors.participant_list(
            user=request.user,
            query=filters.q or "",
            lab_id=filters.lab,
            profile=filters.profile or "",
            caseworker_id=filters.caseworker,
            open_needs=filters.open_needs,
        )
        .select_related("household", "legal_status")
        .prefetch_related("past_occupations")
    )
    return _AuditedList(request.user, qs)


class _AuditedList:
    """A lazy list whose slices (pages) are logged as views when read."""

    def __init__(self, user: Any, qs: Any) -> None:
        self.user, self.qs = user, qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        rows = list(self.qs[item])
        selectors.participant_list_audit(user=self.user, participants=rows)
        return [
            _participant_out(
                self.user,
                p,
                sensitive=selectors.can_see_sensitive(user=self.user, participant=p),
            )
            for p in rows
        ]


@router.get(
    "/participants/{participant_id}",
    response={200: ParticipantOut, 404: Error, 422: Error},
)
def get_participant(request: HttpRequest, participant_id: int) -> Any:
    p = selectors.participant_get(user=request.user, participant_id=participant_id)
    sensitive = selectors.can_see_sensitive(user=request.user, participant=p)
    return _participant_out(request.user, p, sensitive=sensitive)


@router.post(
    "/participants",
    response={201: ParticipantOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_participant(request: HttpRequest, payload: ParticipantCreate) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.EDIT_PERSONAL
    )
    # Fields with a model default are optional here, as the schema documents.
    defaults = {
        field.name: field.get_default()
        for field in Participant._meta.concrete_fields
        if field.name in ("birth_date_precision", "sex", "intake_date")
    }
    # A null for one of them also means "use the default".
    given = {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if not (v is None and k in defaults)
    }
    form = ParticipantForm(
        _form_payload(given, defaults),
        lab=lab,
        show_sensitive=True,
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    p = services.participant_register(
        actor=request.user,
        lab=lab,
        data=form.service_data(),
        household_reference=form.cleaned_data["household_reference"],
        past_occupations=list(form.cleaned_data["past_occupations"]),
    )
    return 201, _participant_out(request.user, p, sensitive=True)


@router.patch(
    "/participants/{participant_id}",
    response={200: ParticipantOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def update_participant(
    request: HttpRequest, participant_id: int, payload: ParticipantIn
) -> Any:
    p = selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    sensitive = selectors.can_see_sensitive(user=request.user, participant=p)
    changes = payload.dict(exclude_unset=True)
    if _sensitive_refused(changes, sensitive):
        return 403, {
            "detail": "Your role may not change sensitive fields of this person."
        }
    base = model_to_dict(p, fields=ParticipantForm.Meta.fields)
    base["past_occupations"] = [o.pk for o in base.get("past_occupations", [])]
    base["household_reference"] = p.household.reference if p.household else ""
    form = ParticipantForm(
        _form_payload(changes, base), instance=p, lab=p.lab, show_sensitive=sensitive
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    p = services.participant_update(
        actor=request.user,
        participant=p,
        data=form.service_data(),
        household_reference=form.cleaned_data["household_reference"],
        past_occupations=list(form.cleaned_data["past_occupations"]),
    )
    return _participant_out(request.user, p, sensitive=sensitive)


@router.get(
    "/participants/{participant_id}/needs",
    response={200: list[NeedOut], 404: Error, 422: Error},
)
def list_needs(request: HttpRequest, participant_id: int) -> Any:
    p = selectors.participant_get(user=request.user, participant_id=participant_id)
    return list(p.needs.select_related("need_type"))


def _need_form_data(
    payload: dict[str, Any], lab_id: int, base: dict[str, Any]
) -> dict[str, Any]:
    data = dict(base)
    data.update(payload)
    if "need_type" in payload:
        match = selectors.need_types_for_lab(lab_id=lab_id).filter(
            code=payload["need_type"] or ""
        )
        found = match.first()
        data["need_type"] = found.pk if found is not None else "unknown"
    return {k: ("" if v is None else v) for k, v in data.items()}


@router.post(
    "/participants/{participant_id}/needs",
    response={201: NeedOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_need(request: HttpRequest, participant_id: int, payload: NeedIn) -> Any:
    p = selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    data = _need_form_data(
        payload.dict(exclude_unset=True), p.lab_id, {"status": Need.Status.IDENTIFIED}
    )
    form = NeedForm(data, lab=p.lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    need = services.need_add(actor=request.user, participant=p, data=form.cleaned_data)
    return 201, need


@router.patch(
    "/needs/{need_id}",
    response={200: NeedOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def update_need(request: HttpRequest, need_id: int, payload: NeedIn) -> Any:
    need = selectors.need_get(user=request.user, need_id=need_id)
    if not access.can(request.user, Perm.EDIT_PERSONAL, need.participant.lab_id):
        return 404, {"detail": "Not found."}
    changes = payload.dict(exclude_unset=True)
    changes.pop("need_type", None)
    base = model_to_dict(
        need, fields=["urgent", "status", "owner", "due_date", "notes"]
    )
    form = NeedForm(
        _need_form_data(changes, need.participant.lab_id, base),
        instance=need,
        lab=need.participant.lab,
        editing=True,
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return services.need_update(actor=request.user, need=need, data=form.cleaned_data)


@router.get(
    "/participants/{participant_id}/consents",
    response={200: list[ConsentOut], 404: Error, 422: Error},
)
def list_consents(request: HttpRequest, participant_id: int) -> Any:
    p = selectors.participant_get(user=request.user, participant_id=participant_id)
    return list(p.consents.all())


@router.post(
    "/participants/{participant_id}/consents",
    response={201: ConsentOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def give_consent(request: HttpRequest, participant_id: int, payload: ConsentIn) -> Any:
    p = selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    form = ConsentForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.consent_give(
        actor=request.user, participant=p, **form.cleaned_data
    )


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def withdraw_consent(request: HttpRequest, consent_id: int) -> Any:
    consent = selectors.consent_get(user=request.user, consent_id=consent_id)
    return services.consent_withdraw(actor=request.user, consent=consent)
