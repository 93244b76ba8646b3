"""The activities API: enrol and withdraw answer with the status, bulk
attendance for a session, and bad input answered with a reason."""

import pytest
from django.test import Client

from openmil.activities.models import Attendance, Enrolment
from openmil.core.models import AuditEntry
from openmil.core.services import api_token_create
from tests.activities.factories import (
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    at,
)
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(coordinator):
    _token, raw = api_token_create(user=coordinator, name="test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    def call(method: str, path: str, body=None):
        if method == "GET":
            return client.get(path)
        import json

        return client.generic(
            method, path, json.dumps(body or {}), content_type="application/json"
        )

    return call


@pytest.fixture
def cohort(lab_a):
    return CohortFactory(activity=ActivityFactory(lab=lab_a), capacity=1)


def test_enrol_answers_enrolled_then_waitlisted(api, cohort, lab_a):
    first, second = (ParticipantFactory(lab=lab_a) for _ in range(2))
    url = f"/api/v1/cohorts/{cohort.pk}/enrolments"
    response = api("POST", url, {"participant": first.pk})
    assert (response.status_code, response.json()["status"]) == (201, "enrolled")
    response = api("POST", url, {"participant": second.pk})
    assert (response.status_code, response.json()["status"]) == (201, "waitlisted")
    waiting = response.json()["id"]

    enrolment = Enrolment.objects.get(participant=first)
    response = api("POST", f"/api/v1/enrolments/{enrolment.pk}/withdraw")
    assert response.json()["status"] == "withdrawn"
    assert Enrolment.objects.get(pk=waiting).status == "enrolled"

    listed = api("GET", url).json()
    assert [(e["participant"], e["status"]) for e in listed] == [
        (second.pk, "enrolled")
    ]


def test_enrolling_twice_answers_422_with_the_reason(api, cohort, lab_a):
    person = ParticipantFactory(lab=lab_a)
    url = f"/api/v1/cohorts/{cohort.pk}/enrolments"
    api("POST", url, {"participant": person.pk})
    response = api("POST", url, {"participant": person.pk})
    assert response.status_code == 422
    assert "already enrolled" in response.json()["detail"][0]["message"]


def test_enrolling_a_person_of_another_lab_is_not_found(api, cohort, lab_b):
    stranger = ParticipantFactory(lab=lab_b)
    response = api(
        "POST",
        f"/api/v1/cohorts/{cohort.pk}/enrolments",
        {"participant": stranger.pk},
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_bulk_attendance_records_every_mark_and_answers_the_column(api, cohort, lab_a):
    cohort.capacity = 5
    cohort.save()
    people = [ParticipantFactory(lab=lab_a) for _ in range(3)]
    for p in people:
        EnrolmentFactory(cohort=cohort, participant=p)
    session = SessionFactory(cohort=cohort, starts_at=at(-1))
    marks = [
        {"participant": people[0].pk, "status": "present"},
        {"participant": people[1].pk, "status": "excused"},
    ]
    response = api("PUT", f"/api/v1/sessions/{session.pk}/attendance", {"marks": marks})
    assert response.status_code == 200
    answer = {m["participant"]: m["status"] for m in response.json()}
    assert answer == {
        people[0].pk: "present",
        people[1].pk: "excused",
        people[2].pk: "",
    }
    assert Attendance.objects.count() == 2
    assert AuditEntry.objects.filter(object_type="attendance").count() == 2


def test_bulk_attendance_with_a_bad_value_changes_nothing(api, cohort, lab_a):
    person = ParticipantFactory(lab=lab_a)
    EnrolmentFactory(cohort=cohort, participant=person)
    session = SessionFactory(cohort=cohort, starts_at=at(-1))
    response = api(
        "PUT",
        f"/api/v1/sessions/{session.pk}/attendance",
        {"marks": [{"participant": person.pk, "status": "late"}]},
    )
    assert response.status_code == 422
    assert "Unknown attendance" in response.json()["detail"][0]["message"]
    assert not Attendance.objects.exists()


def test_cohort_answer_carries_the_mix(api, cohort, lab_a):
    cohort.capacity = 4
    cohort.save()
    for profile in ("newcomer", "newcomer", "newcomer", "national"):
        EnrolmentFactory(
            cohort=cohort, participant=ParticipantFactory(lab=lab_a, profile=profile)
        )
    data = api("GET", f"/api/v1/cohorts/{cohort.pk}").json()
    assert (data["enrolled"], data["newcomer_share"], data["effective_target"]) == (
        4,
        75,
        50,
    )
    assert data["mix_off_target"] is True


def test_session_create_with_end_before_start_answers_422(api, cohort):
    response = api(
        "POST",
        f"/api/v1/cohorts/{cohort.pk}/sessions",
        {"day": "2026-05-04", "start": "12:00", "end": "11:00"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "end"


def test_activity_with_an_unknown_pillar_answers_422(api, lab_a):
    response = api(
        "POST",
        "/api/v1/activities",
        {"lab": lab_a.pk, "title": "X", "kind": "course", "pillar": "cooking"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "pillar"


def test_activities_filter_by_pillar(api, lab_a):
    ActivityFactory(lab=lab_a, pillar="civic", title="Civics")
    ActivityFactory(lab=lab_a, pillar="language", title="Portuguese")
    titles = [a["title"] for a in api("GET", "/api/v1/activities?pillar=civic").json()]
    assert titles == ["Civics"]
    assert api("GET", "/api/v1/activities?pillar=cooking").status_code == 422


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_session_dates_out_of_range_answer_422(api, cohort, day):
    response = api(
        "POST",
        f"/api/v1/cohorts/{cohort.pk}/sessions",
        {"day": day, "start": "23:00", "end": "23:30"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "day"
