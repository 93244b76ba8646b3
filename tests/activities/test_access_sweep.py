"""Every activities page and API operation, requested by every role that
must not get through, and by the coordinator of another lab.

The same sweep as tests/core/test_access_sweep.py, over this app's URLs and
operations (that module checks that each one has an entry here).
"""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from openmil.activities import services
from openmil.activities.models import (
    Activity,
    Attendance,
    CalendarFeed,
    Cohort,
    Enrolment,
    LabActivitySettings,
    Session,
)
from openmil.core.roles import Role
from tests.activities.factories import (
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    at,
)
from tests.conftest import client_for
from tests.core.test_access_sweep import (
    REFUSED,
    Operation,
    Page,
    World,
    _body,
    _is_login_redirect,
    bearer,
    world,  # noqa: F401 - the fixture of lab A's records
)
from tests.core.test_access_sweep import database_state as core_state
from tests.core.test_access_sweep import lab_a_state as core_lab_a_state
from tests.factories import ParticipantFactory, member


@dataclass
class ActivityWorld:
    """Lab A's records of the core sweep, and its programme."""

    base: World
    activity: Activity
    cohort: Cohort
    session: Session
    enrolment: Enrolment
    newcomer: Any
    feed_token: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    @property
    def personal_data(self) -> list[str]:
        return self.base.personal_data


@pytest.fixture
def aworld(world) -> ActivityWorld:  # noqa: F811 - the imported fixture
    activity = ActivityFactory(lab=world.lab, title="Portuguese A2")
    cohort = CohortFactory(activity=activity, capacity=5)
    session = SessionFactory(
        cohort=cohort, starts_at=at(-1), facilitator=world.facilitator
    )
    enrolment = EnrolmentFactory(cohort=cohort, participant=world.participant)
    AttendanceFactory(session=session, participant=world.participant, status="absent")
    _feed, raw = services.calendar_feed_regenerate(user=world.facilitator)
    return ActivityWorld(
        base=world,
        activity=activity,
        cohort=cohort,
        session=session,
        enrolment=enrolment,
        newcomer=ParticipantFactory(lab=world.lab, given_name="Yonas"),
        feed_token=raw,
    )


def _cohort(w: ActivityWorld) -> dict[str, int]:
    return {"cohort_id": w.cohort.pk}


PAGES: dict[str, Page] = {
    "activities:list": Page(staff=True, query=lambda w: {"lab": w.lab.pk}),
    "activities:create": Page(
        staff=True,
        query=lambda w: {"lab": w.lab.pk},
        post=lambda w: {
            "lab": w.lab.pk,
            "title": "Civic orientation",
            "kind": "course",
            "pillar": "civic",
        },
    ),
    "activities:detail": Page(
        staff=True, kwargs=lambda w: {"activity_id": w.activity.pk}, lab_a=True
    ),
    "activities:cohort_create": Page(
        staff=True,
        kwargs=lambda w: {"activity_id": w.activity.pk},
        get=False,
        post=lambda w: {"name": "Autumn", "capacity": 8},
        lab_a=True,
    ),
    "activities:lab_target": Page(
        staff=True,
        kwargs=lambda w: {"lab_id": w.lab.pk},
        get=False,
        post=lambda w: {f"lab{w.lab.pk}-target_newcomer_share": 70},
        lab_a=True,
    ),
    "activities:cohort": Page(staff=True, kwargs=_cohort, lab_a=True),
    "activities:enrol_search": Page(
        staff=True,
        kwargs=_cohort,
        query=lambda w: {"q": w.participant.family_name},
        lab_a=True,
    ),
    "activities:enrol": Page(
        staff=True,
        kwargs=_cohort,
        get=False,
        post=lambda w: {"participant": w.newcomer.pk},
        lab_a=True,
    ),
    "activities:session_create": Page(
        staff=True,
        kwargs=_cohort,
        get=False,
        post=lambda w: {"day": "2026-03-02", "start": "10:00", "end": "12:00"},
        lab_a=True,
    ),
    "activities:attendance": Page(staff=True, kwargs=_cohort, lab_a=True),
    "activities:withdraw": Page(
        staff=True,
        kwargs=lambda w: {"enrolment_id": w.enrolment.pk},
        get=False,
        post=lambda w: {},
        lab_a=True,
    ),
    "activities:session_attendance": Page(
        staff=True,
        kwargs=lambda w: {"session_id": w.session.pk},
        get=False,
        post=lambda w: {f"p{w.participant.pk}": "present"},
        lab_a=True,
    ),
    "activities:my_calendar": Page(staff=True, post=lambda w: {}),
    "activities:participant_calendar": Page(
        staff=True,
        kwargs=lambda w: {"participant_id": w.participant.pk},
        post=lambda w: {},
        lab_a=True,
    ),
    "activities:feed": Page(public=True, kwargs=lambda w: {"token": w.feed_token}),
}

WATCHED = (Activity, Cohort, Session, Enrolment, Attendance, CalendarFeed)


def database_state() -> dict[str, list[dict[str, Any]]]:
    state = core_state()
    for model in WATCHED:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname != "last_used_at"
        ]
        state[model.__name__] = list(model.objects.order_by("pk").values(*names))
    state["settings"] = list(LabActivitySettings.objects.values())
    return state


def lab_a_state(w: ActivityWorld) -> dict[str, Any]:
    state = core_lab_a_state(w.base)
    state["activities"] = list(Activity.objects.filter(lab=w.lab).values())
    state["cohorts"] = list(Cohort.objects.filter(activity__lab=w.lab).values())
    state["sessions"] = list(
        Session.objects.filter(cohort__activity__lab=w.lab).values()
    )
    state["enrolments"] = list(
        Enrolment.objects.filter(cohort__activity__lab=w.lab).values()
    )
    state["attendance"] = list(
        Attendance.objects.filter(session__cohort__activity__lab=w.lab).values()
    )
    state["settings"] = list(LabActivitySettings.objects.filter(lab=w.lab).values())
    return state


def _request(client: Client, method: str, name: str, w: ActivityWorld, **extra):
    page = PAGES[name]
    url = reverse(name, kwargs=page.kwargs(w))
    if method == "get":
        return client.get(url, page.query(w), **extra)
    assert page.post is not None
    if page.query(w):
        url += "?" + urlencode(page.query(w))
    return client.post(url, page.post(w), **extra)


def _leaks(body: str, w: ActivityWorld) -> list[str]:
    return [value for value in w.personal_data if value and value in body]


LAB_A_PAGES = sorted(n for n, p in PAGES.items() if p.lab_a)
STAFF_PAGES = sorted(n for n, p in PAGES.items() if p.staff)
PRIVATE_PAGES = sorted(n for n, p in PAGES.items() if not p.public)
ALL_PAGES = sorted(PAGES)


@pytest.mark.parametrize("name", LAB_A_PAGES)
def test_lab_a_coordinator_reaches_every_lab_a_page(name, aworld):
    """The control for the refusals below: the URLs and forms are right."""
    page = PAGES[name]
    client = client_for(aworld.coordinator)
    if page.get:
        assert _request(client, "get", name, aworld).status_code == 200
    if page.post:
        before = database_state()
        response = _request(client, "post", name, aworld)
        assert response.status_code == 302, _body(response)
        assert database_state() != before


@pytest.mark.parametrize("name", LAB_A_PAGES)
def test_coordinator_of_another_lab_gets_not_found_for_lab_a_records(
    name, aworld, outsider
):
    page = PAGES[name]
    client = client_for(outsider)
    response = _request(client, "get", name, aworld)
    assert response.status_code in (REFUSED if page.get else {405})
    if page.post:
        before = database_state()
        response = _request(client, "post", name, aworld)
        assert response.status_code in REFUSED
        assert database_state() == before


@pytest.mark.parametrize("name", ALL_PAGES)
def test_coordinator_of_another_lab_never_sees_lab_a_personal_data(
    name, aworld, outsider
):
    client = client_for(outsider)
    before = lab_a_state(aworld)
    for method in PAGES[name].methods():
        response = _request(client, method, name, aworld, follow=True)
        assert not _leaks(_body(response), aworld), method
    assert lab_a_state(aworld) == before


@pytest.mark.parametrize("name", ALL_PAGES)
def test_analyst_never_receives_personal_data(name, aworld, analyst):
    page = PAGES[name]
    client = client_for(analyst)
    for method in page.methods():
        response = _request(client, method, name, aworld, follow=True)
        assert not _leaks(_body(response), aworld), method
        if page.staff:
            assert response.status_code in REFUSED, method


@pytest.mark.parametrize("role", [Role.PARTNER_STAFF, Role.MENTOR])
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_partner_staff_and_mentors_never_reach_staff_pages(name, role, aworld):
    client = client_for(member(aworld.lab, role))
    before = database_state()
    for method in PAGES[name].methods():
        response = _request(client, method, name, aworld)
        assert response.status_code in REFUSED or _is_login_redirect(response), method
        assert not _leaks(_body(response), aworld), method
    assert database_state() == before


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(name, aworld):
    client = Client()
    before = database_state()
    for method in PAGES[name].methods():
        assert _is_login_redirect(_request(client, method, name, aworld)), method
    assert database_state() == before


def test_the_feed_shows_sessions_but_no_personal_data_to_anyone(aworld):
    response = Client().get(reverse("activities:feed", args=[aworld.feed_token]))
    assert response.status_code == 200
    assert b"Portuguese A2" in response.content
    assert not _leaks(_body(response), aworld)


def test_a_revoked_or_made_up_feed_token_is_not_found(aworld):
    services.calendar_feed_regenerate(user=aworld.facilitator)
    for token in (aworld.feed_token, "x" * 43, "a" * 500):
        response = Client().get(reverse("activities:feed", args=[token]))
        assert response.status_code == 404
        assert b"Portuguese A2" not in response.content


# ---------------------------------------------------------------------------
# The API


def _marks(w: ActivityWorld) -> dict[str, Any]:
    return {"marks": [{"participant": w.participant.pk, "status": "present"}]}


def _c(w: ActivityWorld) -> dict[str, int]:
    return {"cohort_id": w.cohort.pk}


def _a(w: ActivityWorld) -> dict[str, int]:
    return {"activity_id": w.activity.pk}


def _s(w: ActivityWorld) -> dict[str, int]:
    return {"session_id": w.session.pk}


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/activities"): Operation(
        query=lambda w: {"lab": w.lab.pk}, personal=False, lab_a=False
    ),
    ("POST", "/api/v1/activities"): Operation(
        body=lambda w: {
            "lab": w.lab.pk,
            "title": "Job club",
            "kind": "workshop",
            "pillar": "economic",
        },
        personal=False,
    ),
    ("GET", "/api/v1/activities/{activity_id}"): Operation(path=_a, personal=False),
    ("GET", "/api/v1/activities/{activity_id}/cohorts"): Operation(
        path=_a, personal=False
    ),
    ("POST", "/api/v1/activities/{activity_id}/cohorts"): Operation(
        path=_a, body=lambda w: {"name": "Winter", "capacity": 6}, personal=False
    ),
    ("GET", "/api/v1/cohorts/{cohort_id}"): Operation(path=_c, personal=False),
    ("GET", "/api/v1/cohorts/{cohort_id}/sessions"): Operation(path=_c, personal=False),
    ("POST", "/api/v1/cohorts/{cohort_id}/sessions"): Operation(
        path=_c,
        body=lambda w: {"day": "2026-03-09", "start": "10:00", "end": "12:00"},
        personal=False,
    ),
    ("GET", "/api/v1/cohorts/{cohort_id}/enrolments"): Operation(path=_c),
    ("POST", "/api/v1/cohorts/{cohort_id}/enrolments"): Operation(
        path=_c, body=lambda w: {"participant": w.newcomer.pk}
    ),
    ("POST", "/api/v1/enrolments/{enrolment_id}/withdraw"): Operation(
        path=lambda w: {"enrolment_id": w.enrolment.pk}, body=lambda w: {}
    ),
    ("GET", "/api/v1/sessions/{session_id}/attendance"): Operation(path=_s),
    ("PUT", "/api/v1/sessions/{session_id}/attendance"): Operation(
        path=_s, body=_marks
    ),
}

ALL_OPERATIONS = sorted(OPERATIONS)


def _call(client: Client, key: tuple[str, str], w: ActivityWorld, token: str | None):
    method, template = key
    op = OPERATIONS[key]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = template.format(**op.path(w))
    if method == "GET":
        return client.get(url, op.query(w), headers=headers)
    assert op.body is not None
    return client.generic(
        method,
        url,
        json.dumps(op.body(w)),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_lab_a_coordinator_may_call_every_operation(key, aworld):
    response = _call(Client(), key, aworld, bearer(aworld.coordinator))
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_without_a_token_answers_401(key, aworld):
    before = database_state()
    assert _call(Client(), key, aworld, token=None).status_code == 401
    assert database_state() == before


@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_coordinator_of_another_lab_gets_nothing_of_lab_a(key, aworld, outsider):
    op = OPERATIONS[key]
    token = bearer(outsider)
    before = database_state()
    response = _call(Client(), key, aworld, token)
    assert not _leaks(_body(response), aworld)
    if op.lab_a:
        assert response.status_code in REFUSED
        assert database_state() == before
    else:
        assert b"Portuguese A2" not in response.content


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR], ids=str
)
@pytest.mark.parametrize("key", ALL_OPERATIONS, ids=" ".join)
def test_api_roles_without_personal_access_get_nothing(key, role, aworld):
    op = OPERATIONS[key]
    token = bearer(member(aworld.lab, role))
    before = database_state()
    response = _call(Client(), key, aworld, token)
    assert not _leaks(_body(response), aworld)
    if op.lab_a:
        assert response.status_code in REFUSED
        assert database_state() == before
    else:
        assert response.json() == []


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FACILITATOR])
def test_api_staff_list_of_enrolments_is_logged(role, aworld):
    key = ("GET", "/api/v1/cohorts/{cohort_id}/enrolments")
    user = aworld.coordinator if role == Role.COORDINATOR else aworld.facilitator
    response = _call(Client(), key, aworld, bearer(user))
    assert [e["participant"] for e in response.json()] == [aworld.participant.pk]
    from openmil.core.models import AuditEntry

    entry = AuditEntry.objects.filter(object_type="participant_list").latest("id")
    assert entry.changes == {"participants": [aworld.participant.pk]}
    assert entry.channel == "api"
