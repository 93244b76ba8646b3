"""Events, registrations, volunteers and mentoring pairs in the JSON API.

The same selectors, services and forms as the staff pages.
"""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from openmil.core import access
from openmil.core.api import BoundedPages, Error, form_errors
from openmil.core.roles import Perm
from openmil.events import selectors, services
from openmil.events.forms import EventCreateForm, EventForm
from openmil.events.models import Event, Volunteer
from openmil.participants.selectors import participant_get_for_edit

router = Router(tags=["events"])

MAX_ID = 2**63 - 1
NO_NUL = r"^[^\x00]*$"
ERRORS: dict[int, Any] = {400: Error, 403: Error, 404: Error, 422: Error}


class EventOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    title: str
    kind: str
    description: str = Field(..., description="Markdown")
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    capacity: int
    status: str = Field(..., description="draft, published or cancelled")
    activity: int | None = Field(None, alias="activity_id")
    cohort: int | None = Field(None, alias="cohort_id")


class EventDetailOut(EventOut):
    confirmed: int
    waitlisted: int
    free: int


class EventIn(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., max_length=200, pattern=NO_NUL)
    kind: str
    description: str = Field("", max_length=8000, pattern=NO_NUL)
    day: dt.date
    start: dt.time = Field(..., description="Wall-clock time in the lab's zone")
    end: dt.time
    place: str = Field("", max_length=300, pattern=NO_NUL)
    capacity: int = Field(..., ge=1, le=100_000)
    activity: int | None = Field(None, ge=1, le=MAX_ID)
    cohort: int | None = Field(None, ge=1, le=MAX_ID)
    publish: bool = False


class EventPatch(Schema):
    title: str | None = Field(None, max_length=200, pattern=NO_NUL)
    kind: str | None = None
    description: str | None = Field(None, max_length=8000, pattern=NO_NUL)
    day: dt.date | None = None
    start: dt.time | None = None
    end: dt.time | None = None
    place: str | None = Field(None, max_length=300, pattern=NO_NUL)
    capacity: int | None = Field(None, ge=1, le=100_000)
    activity: int | None = Field(None, ge=1, le=MAX_ID)
    cohort: int | None = Field(None, ge=1, le=MAX_ID)


class EventFilters(Schema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)


class RegistrationOut(Schema):
    id: int
    event: int = Field(..., alias="event_id")
    name: str
    email: str
    status: str = Field(..., description="pending, confirmed, waitlisted or cancelled")
    code: str
    confirmed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    checked_in_at: dt.datetime | None


class RegistrationIn(Schema):
    name: str = Field(..., max_length=200, pattern=NO_NUL)
    email: str = Field(..., max_length=254, pattern=NO_NUL)


class CheckInIn(Schema):
    code: str = Field(..., max_length=12, pattern=NO_NUL)


def _event_detail(event: Event) -> dict[str, Any]:
    seats = selectors.event_seats(event=event)
    out = EventOut.from_orm(event).dict()
    out.update(
        lab_id=event.lab_id,
        activity_id=event.activity_id,
        cohort_id=event.cohort_id,
        confirmed=seats.confirmed,
        waitlisted=seats.waitlisted,
        free=seats.free,
    )
    return out


def _form_data(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in payload.items()}


@router.get("/events", response={200: list[EventOut], 422: Error})
@paginate(BoundedPages, page_size=50)
def list_events(
    request: HttpRequest, lab: int | None = Query(None, ge=1, le=MAX_ID)
) -> Any:
    return selectors.event_list(user=request.user, lab_id=lab)


@router.post("/events", response={201: EventDetailOut, **ERRORS})
def create_event(request: HttpRequest, payload: EventIn) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.MANAGE_EVENTS
    )
    form = EventCreateForm(_form_data(payload.dict(exclude={"lab"})), lab=lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    event = services.event_create(actor=request.user, lab=lab, data=form.cleaned_data)
    return 201, _event_detail(event)


@router.get(
    "/events/{event_id}", response={200: EventDetailOut, 404: Error, 422: Error}
)
def get_event(request: HttpRequest, event_id: int) -> Any:
    return _event_detail(selectors.event_get(user=request.user, event_id=event_id))


@router.patch("/events/{event_id}", response={200: EventDetailOut, **ERRORS})
def update_event(request: HttpRequest, event_id: int, payload: EventPatch) -> Any:
    event = selectors.event_get(user=request.user, event_id=event_id)
    data = {**EventForm.initial_from(event), **payload.dict(exclude_unset=True)}
    form = EventForm(_form_data(data), lab=event.lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    event = services.event_update(
        actor=request.user, event=event, data=form.cleaned_data
    )
    return _event_detail(event)


@router.post("/events/{event_id}/publish", response={200: EventDetailOut, **ERRORS})
def publish_event(request: HttpRequest, event_id: int) -> Any:
    event = selectors.event_get(user=request.user, event_id=event_id)
    return _event_detail(services.event_publish(actor=request.user, event=event))


@router.post(
    "/events/{event_id}/cancel",
    response={200: EventDetailOut, **ERRORS},
    summary="Cancel the event; every registered person is told by e-mail",
)
def cancel_event(request: HttpRequest, event_id: int) -> Any:
    event = selectors.event_get(user=request.user, event_id=event_id)
    return _event_detail(services.event_cancel(actor=request.user, event=event))


@router.get(
    "/events/{event_id}/registrations",
    response={200: list[RegistrationOut], 404: Error, 422: Error},
    summary="Seated people first, then the waitlist in its order",
)
def list_registrations(request: HttpRequest, event_id: int) -> Any:
    event = selectors.event_get(user=request.user, event_id=event_id)
    registrations = list(selectors.registrations_of(event=event))
    selectors.registration_list_audit(
        user=request.user, event=event, count=len(registrations)
    )
    return registrations


@router.post(
    "/events/{event_id}/registrations",
    response={201: RegistrationOut, **ERRORS},
    summary="Register someone: a place, or the waitlist when the event is full",
)
def add_registration(
    request: HttpRequest, event_id: int, payload: RegistrationIn
) -> Any:
    event = selectors.event_get(user=request.user, event_id=event_id)
    try:
        email = forms.EmailField().clean(payload.email)
    except ValidationError:
        return 422, {
            "detail": [{"field": "email", "message": "Enter a valid e-mail address."}]
        }
    return 201, services.registration_add(
        actor=request.user, event=event, name=payload.name, email=email
    )


@router.post(
    "/events/{event_id}/check-in",
    response={200: RegistrationOut, **ERRORS},
    summary="Check a person in by the code on their confirmation",
)
def check_in_by_code(request: HttpRequest, event_id: int, payload: CheckInIn) -> Any:
    event = selectors.event_get(user=request.user, event_id=event_id)
    return services.registration_check_in(
        actor=request.user, event=event, code=payload.code
    )


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **ERRORS},
    summary="Cancel; a freed place goes to the first on the waitlist",
)
def cancel_registration(request: HttpRequest, registration_id: int) -> Any:
    registration = selectors.registration_get(
        user=request.user, registration_id=registration_id
    )
    return services.registration_cancel(actor=request.user, registration=registration)


@router.post(
    "/registrations/{registration_id}/check-in",
    response={200: RegistrationOut, **ERRORS},
)
def check_in(request: HttpRequest, registration_id: int) -> Any:
    registration = selectors.registration_get(
        user=request.user, registration_id=registration_id
    )
    return services.registration_check_in(
        actor=request.user, event=registration.event, registration=registration
    )


# ---------------------------------------------------------------------------
# Volunteers


class VolunteerOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    name: str
    email: str
    phone: str
    role: str = Field(..., description="volunteer, mentor or both")
    languages: list[str] = Field(..., description="ISO 639 codes")
    skills: list[str]
    availability: list[str]
    place: str
    latitude: float | None
    longitude: float | None
    interests: list[str] = Field(..., description="Pillar codes")
    gender: str = Field(..., description="female, male, other or empty")
    gender_preference: str
    max_mentees: int
    status: str = Field(..., description="applied, interviewed, approved, rejected")
    background_check_on: dt.date | None
    applied_at: dt.datetime


class VettingTransitionIn(Schema):
    to_status: Volunteer.Status
    background_check_on: dt.date | None = None
    note: str = Field("", max_length=500, pattern=NO_NUL)


class CandidateFilters(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)


class MentorCandidateOut(Schema):
    id: int
    languages: list[str]
    interests: list[str]
    skills: list[str]
    gender: str
    gender_preference: str
    max_mentees: int
    availability: list[str]
    place: str
    latitude: float | None
    longitude: float | None
    active_pairs: int


@router.get("/volunteers", response={200: list[VolunteerOut], 422: Error})
@paginate(BoundedPages, page_size=50)
def list_volunteers(
    request: HttpRequest,
    lab: int | None = Query(None, ge=1, le=MAX_ID),
    status: Volunteer.Status | None = None,
) -> Any:
    volunteers = list(
        selectors.volunteer_list(user=request.user, lab_id=lab, status=status or "")
    )
    selectors.volunteer_list_audit(
        user=request.user,
        lab_ids={v.lab_id for v in volunteers},
        ids=[v.pk for v in volunteers],
    )
    return volunteers


@router.get(
    "/volunteers/mentor-candidates",
    response={200: list[MentorCandidateOut], 404: Error, 422: Error},
    summary="Approved mentors of a lab as plain data, for matching",
)
def mentor_candidates(request: HttpRequest, filters: Query[CandidateFilters]) -> Any:
    if not access.can(request.user, Perm.MANAGE_MENTORING, filters.lab):
        raise Http404
    return selectors.mentor_candidates(filters.lab)


@router.get(
    "/volunteers/{volunteer_id}", response={200: VolunteerOut, 404: Error, 422: Error}
)
def get_volunteer(request: HttpRequest, volunteer_id: int) -> Any:
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    selectors.volunteer_view_audit(user=request.user, volunteer=volunteer)
    return volunteer


@router.post(
    "/volunteers/{volunteer_id}/transitions",
    response={200: VolunteerOut, **ERRORS},
    summary="One vetting step: applied → interviewed → approved | rejected",
)
def transition_volunteer(
    request: HttpRequest, volunteer_id: int, payload: VettingTransitionIn
) -> Any:
    volunteer = selectors.volunteer_get(user=request.user, volunteer_id=volunteer_id)
    return services.volunteer_transition(
        actor=request.user,
        volunteer=volunteer,
        to_status=payload.to_status,
        background_check_on=payload.background_check_on,
        note=payload.note,
    )


# ---------------------------------------------------------------------------
# Mentoring pairs


class PairOut(Schema):
    id: int
    lab: int
    mentor: int
    participant: int
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    meetings: int
    last_meeting: dt.date | None
    quiet: bool = Field(..., description="No meeting for the lab's number of weeks")


class MeetingOut(Schema):
    id: int
    on: dt.date
    duration_minutes: int
    note: str


class PairDetailOut(PairOut):
    meeting_log: list[MeetingOut]


class PairIn(Schema):
    mentor: int = Field(..., ge=1, le=MAX_ID)
    participant: int = Field(..., ge=1, le=MAX_ID)
    started_on: dt.date | None = None


class MeetingIn(Schema):
    on: dt.date
    duration_minutes: int = Field(..., ge=5, le=24 * 60)
    note: str = Field("", max_length=2000, pattern=NO_NUL)


def _pair_out(pair: Any, health: selectors.PairHealth | None = None) -> dict[str, Any]:
    health = health or selectors.pair_health(pair=pair)
    return {
        "id": pair.pk,
        "lab": pair.lab_id,
        "mentor": pair.mentor_id,
        "participant": pair.participant_id,
        "status": pair.status,
        "started_on": pair.started_on,
        "ended_on": pair.ended_on,
        "meetings": health.meetings,
        "last_meeting": health.last_meeting,
        "quiet": health.quiet,
    }


def _pair_detail(pair: Any) -> dict[str, Any]:
    return {**_pair_out(pair), "meeting_log": list(selectors.meetings_of(pair=pair))}


@router.get("/mentoring-pairs", response={200: list[PairOut], 422: Error})
@paginate(BoundedPages, page_size=50)
def list_pairs(
    request: HttpRequest,
    lab: int | None = Query(None, ge=1, le=MAX_ID),
    quiet: bool = False,
) -> Any:
    rows = selectors.pair_list(user=request.user, lab_id=lab, quiet_only=quiet)
    selectors.pair_list_audit(user=request.user, pairs=[pair for pair, _h in rows])
    return [_pair_out(pair, health) for pair, health in rows]


@router.post("/mentoring-pairs", response={201: PairDetailOut, **ERRORS})
def create_pair(request: HttpRequest, payload: PairIn) -> Any:
    participant = participant_get_for_edit(
        user=request.user, participant_id=payload.participant
    )
    if not access.can(request.user, Perm.MANAGE_MENTORING, participant.lab_id):
        raise Http404
    mentor = (
        selectors.approved_mentors(lab_id=participant.lab_id)
        .filter(pk=payload.mentor)
        .first()
    )
    if mentor is None:
        return 422, {
            "detail": [
                {
                    "field": "mentor",
                    "message": "Only an approved mentor of this lab can be paired.",
                }
            ]
        }
    pair = services.pair_create(
        actor=request.user,
        mentor=mentor,
        participant=participant,
        started_on=payload.started_on,
    )
    return 201, _pair_detail(pair)


@router.get(
    "/mentoring-pairs/{pair_id}", response={200: PairDetailOut, 404: Error, 422: Error}
)
def get_pair(request: HttpRequest, pair_id: int) -> Any:
    return _pair_detail(selectors.pair_get(user=request.user, pair_id=pair_id))


@router.post(
    "/mentoring-pairs/{pair_id}/meetings", response={201: PairDetailOut, **ERRORS}
)
def log_meeting(request: HttpRequest, pair_id: int, payload: MeetingIn) -> Any:
    pair = selectors.pair_get(user=request.user, pair_id=pair_id, audit=False)
    services.meeting_log(actor=request.user, pair=pair, **payload.dict())
    return 201, _pair_detail(pair)


@router.post("/mentoring-pairs/{pair_id}/end", response={200: PairDetailOut, **ERRORS})
def end_pair(request: HttpRequest, pair_id: int) -> Any:
    pair = selectors.pair_get(user=request.user, pair_id=pair_id, audit=False)
    return _pair_detail(services.pair_end(actor=request.user, pair=pair))
