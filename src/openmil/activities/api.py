"""Activity, cohort, session, enrolment and attendance endpoints.

The same selectors, services and forms as the pages; lists of people are
logged as views of their records.
"""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema

from openmil.activities import selectors, services
from openmil.activities.forms import ActivityForm, CohortForm, SessionForm
from openmil.activities.models import Activity, Enrolment, Session
from openmil.core import access
from openmil.core.api import Error, form_errors
from openmil.core.pillars import Pillar
from openmil.core.roles import Perm
from openmil.participants.selectors import participant_get_for_edit

router = Router(tags=["activities"])

MAX_ID = 2**63 - 1
NO_NUL = r"^[^\x00]*$"


class ActivityOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    title: str
    kind: str
    pillar: str
    organisation: int | None = Field(None, alias="organisation_id")
    description: str


class ActivityIn(Schema):
    lab: int = Field(..., ge=1, le=MAX_ID)
    title: str
    kind: str
    pillar: str
    organisation: int | None = Field(None, ge=1, le=MAX_ID)
    description: str = ""


class ActivityFilters(FilterSchema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)
    pillar: Pillar | None = None


class CohortOut(Schema):
    id: int
    activity: int = Field(..., alias="activity_id")
    name: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    capacity: int
    target_newcomer_share: int | None = Field(
        None, description="Null: the lab's target applies."
    )
    enrolled: int = 0
    waitlisted: int = 0
    newcomer_share: int | None = None
    effective_target: int = 0
    mix_off_target: bool = False


class CohortIn(Schema):
    name: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    capacity: int = Field(..., ge=1, le=10_000)
    target_newcomer_share: int | None = Field(None, ge=0, le=100)


class SessionOut(Schema):
    id: int
    cohort: int = Field(..., alias="cohort_id")
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    facilitator: int | None = Field(None, alias="facilitator_id")


class SessionIn(Schema):
    day: dt.date
    start: dt.time = Field(..., description="Wall-clock time in the lab's zone")
    end: dt.time
    place: str = Field("", max_length=200, pattern=NO_NUL)
    facilitator: int | None = Field(None, ge=1, le=MAX_ID)


class EnrolmentOut(Schema):
    id: int
    cohort: int = Field(..., alias="cohort_id")
    participant: int = Field(..., alias="participant_id")
    status: str = Field(..., description="enrolled, waitlisted or withdrawn")
    requested_at: dt.datetime
    enrolled_at: dt.datetime | None
    withdrawn_at: dt.datetime | None


class EnrolmentIn(Schema):
    participant: int = Field(..., ge=1, le=MAX_ID)


class MarkOut(Schema):
    participant: int
    status: str = Field(..., description="present, excused, absent, or empty")


class MarkIn(Schema):
    participant: int = Field(..., ge=1, le=MAX_ID)
    status: str = Field(
        ..., pattern=NO_NUL, description="present, excused, absent; empty clears"
    )


class AttendanceIn(Schema):
    marks: list[MarkIn] = Field(..., max_length=10_000)


def _cohort_out(cohort: Any) -> dict[str, Any]:
    mix = selectors.cohort_mix(cohort=cohort)
    counts = {
        status: Enrolment.objects.filter(cohort=cohort, status=status).count()
        for status in (Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED)
    }
    return {
        "id": cohort.pk,
        "activity_id": cohort.activity_id,
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "capacity": cohort.capacity,
        "target_newcomer_share": cohort.target_newcomer_share,
        "enrolled": counts[Enrolment.Status.ENROLLED],
        "waitlisted": counts[Enrolment.Status.WAITLISTED],
        "newcomer_share": mix.newcomer_share,
        "effective_target": mix.target,
        "mix_off_target": mix.off_target,
    }


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in payload.items()}


@router.get("/activities", response={200: list[ActivityOut], 422: Error})
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]) -> Any:
    return list(
        selectors.activity_list(
            user=request.user, lab_id=filters.lab, pillar=filters.pillar or ""
        )
    )


@router.post(
    "/activities",
    response={201: ActivityOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_activity(request: HttpRequest, payload: ActivityIn) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.MANAGE_ACTIVITIES
    )
    if not access.is_staff_user(request.user):
        raise Http404
    form = ActivityForm(_data(payload.dict(exclude={"lab"})), lab=lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.activity_create(
        actor=request.user, lab=lab, data=form.cleaned_data
    )


@router.get(
    "/activities/{activity_id}", response={200: ActivityOut, 404: Error, 422: Error}
)
def get_activity(request: HttpRequest, activity_id: int) -> Activity:
    return selectors.activity_get(user=request.user, activity_id=activity_id)


@router.get(
    "/activities/{activity_id}/cohorts",
    response={200: list[CohortOut], 404: Error, 422: Error},
)
def list_cohorts(request: HttpRequest, activity_id: int) -> Any:
    activity = selectors.activity_get(user=request.user, activity_id=activity_id)
    cohorts = activity.cohorts.select_related("activity").order_by("starts_on", "id")
    return [_cohort_out(c) for c in cohorts]


@router.post(
    "/activities/{activity_id}/cohorts",
    response={201: CohortOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_cohort(request: HttpRequest, activity_id: int, payload: CohortIn) -> Any:
    activity = selectors.activity_get(user=request.user, activity_id=activity_id)
    if not access.can(request.user, Perm.MANAGE_ACTIVITIES, activity.lab_id):
        raise Http404
    form = CohortForm(_data(payload.dict()))
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    cohort = services.cohort_create(
        actor=request.user, activity=activity, data=form.cleaned_data
    )
    return 201, _cohort_out(cohort)


@router.get("/cohorts/{cohort_id}", response={200: CohortOut, 404: Error, 422: Error})
def get_cohort(request: HttpRequest, cohort_id: int) -> Any:
    return _cohort_out(selectors.cohort_get(user=request.user, cohort_id=cohort_id))


@router.get(
    "/cohorts/{cohort_id}/sessions",
    response={200: list[SessionOut], 404: Error, 422: Error},
)
def list_sessions(request: HttpRequest, cohort_id: int) -> Any:
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    return list(selectors.sessions_of(cohort=cohort))


@router.post(
    "/cohorts/{cohort_id}/sessions",
    response={201: SessionOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def create_session(request: HttpRequest, cohort_id: int, payload: SessionIn) -> Any:
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    lab = cohort.activity.lab
    if not access.can(request.user, Perm.MANAGE_ACTIVITIES, lab.pk):
        raise Http404
    form = SessionForm(_data(payload.dict()), lab=lab)
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    return 201, services.session_create(
        actor=request.user, cohort=cohort, **form.cleaned_data
    )


@router.get(
    "/cohorts/{cohort_id}/enrolments",
    response={200: list[EnrolmentOut], 404: Error, 422: Error},
    summary="Enrolled people and the waitlist, in its order",
)
def list_enrolments(request: HttpRequest, cohort_id: int) -> Any:
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    enrolments = list(selectors.enrolments_of(user=request.user, cohort=cohort))
    selectors.enrolment_list_audit(
        user=request.user, cohort=cohort, people=[e.participant for e in enrolments]
    )
    return enrolments


@router.post(
    "/cohorts/{cohort_id}/enrolments",
    response={201: EnrolmentOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Enrol a participant: enrolled, or waitlisted when the cohort is full",
)
def enrol(request: HttpRequest, cohort_id: int, payload: EnrolmentIn) -> Any:
    cohort = selectors.cohort_get(user=request.user, cohort_id=cohort_id)
    if not access.can(request.user, Perm.EDIT_PERSONAL, cohort.activity.lab_id):
        raise Http404
    participant = participant_get_for_edit(
        user=request.user, participant_id=payload.participant
    )
    return 201, services.enrolment_create(
        actor=request.user, cohort=cohort, participant=participant
    )


@router.post(
    "/enrolments/{enrolment_id}/withdraw",
    response={200: EnrolmentOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Withdraw; a freed place goes to the first on the waitlist",
)
def withdraw(request: HttpRequest, enrolment_id: int) -> Any:
    enrolment = selectors.enrolment_get(user=request.user, enrolment_id=enrolment_id)
    return services.enrolment_withdraw(actor=request.user, enrolment=enrolment)


def _marks_out(session: Session, user: Any) -> list[dict[str, Any]]:
    grid = selectors.attendance_grid(user=user, cohort=session.cohort)
    selectors.enrolment_list_audit(user=user, cohort=session.cohort, people=grid.people)
    column = next(i for i, s in enumerate(grid.sessions) if s.pk == session.pk)
    return [
        {"participant": row.participant.pk, "status": row.marks[column][1]}
        for row in grid.rows
    ]


@router.get(
    "/sessions/{session_id}/attendance",
    response={200: list[MarkOut], 404: Error, 422: Error},
    summary="A session's attendance: one mark per enrolled person",
)
def get_attendance(request: HttpRequest, session_id: int) -> Any:
    session = selectors.session_get(user=request.user, session_id=session_id)
    return _marks_out(session, request.user)


@router.put(
    "/sessions/{session_id}/attendance",
    response={200: list[MarkOut], 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Record attendance for a session in bulk",
)
def record_attendance(
    request: HttpRequest, session_id: int, payload: AttendanceIn
) -> Any:
    session = selectors.session_get(user=request.user, session_id=session_id)
    if not access.can(request.user, Perm.EDIT_PERSONAL, session.cohort.activity.lab_id):
        raise Http404
    marks = {m.participant: m.status for m in payload.marks}
    services.attendance_record(actor=request.user, session=session, marks=marks)
    return _marks_out(session, request.user)
