"""The API goes through the same services: seats, vetting, pairs, errors."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.core.services import api_token_create
from tests.events.factories import (
    ApprovedMentorFactory,
    EventFactory,
    PairFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def api(user):
    _token, raw = api_token_create(user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_staff_registrations_fill_the_event_then_the_waitlist(lab_a, coordinator):
    client = api(coordinator)
    event = EventFactory(lab=lab_a, capacity=1)
    url = f"/api/v1/events/{event.pk}/registrations"
    first = post(client, url, {"name": "A", "email": "a@example.net"})
    second = post(client, url, {"name": "B", "email": "b@example.net"})
    assert (first.status_code, first.json()["status"]) == (201, "confirmed")
    assert (second.status_code, second.json()["status"]) == (201, "waitlisted")
    cancelled = post(client, f"/api/v1/registrations/{first.json()['id']}/cancel", {})
    assert cancelled.json()["status"] == "cancelled"
    listed = client.get(url).json()
    assert {r["email"]: r["status"] for r in listed} == {
        "a@example.net": "cancelled",
        "b@example.net": "confirmed",
    }
    detail = client.get(f"/api/v1/events/{event.pk}").json()
    assert (detail["confirmed"], detail["waitlisted"], detail["free"]) == (1, 0, 0)
    assert AuditEntry.objects.filter(object_type="registration_list").exists()


def test_bad_input_is_a_422_with_a_reason(lab_a, coordinator):
    client = api(coordinator)
    event = EventFactory(lab=lab_a)
    bad_email = post(
        client,
        f"/api/v1/events/{event.pk}/registrations",
        {"name": "A", "email": "nope"},
    )
    assert bad_email.status_code == 422
    assert bad_email.json()["detail"][0]["field"] == "email"
    backwards = post(
        client,
        "/api/v1/events",
        {
            "lab": lab_a.pk,
            "title": "Walk",
            "kind": "meeting",
            "day": "2031-05-01",
            "start": "18:00",
            "end": "17:00",
            "capacity": 5,
        },
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["field"] == "end"
    unknown_kind = post(
        client,
        "/api/v1/events",
        {
            "lab": lab_a.pk,
            "title": "Walk",
            "kind": "rave",
            "day": "2031-05-01",
            "start": "18:00",
            "end": "19:00",
            "capacity": 5,
        },
    )
    assert unknown_kind.status_code == 422
    illegal = post(
        client,
        f"/api/v1/volunteers/{VolunteerFactory(lab=lab_a).pk}/transitions",
        {"to_status": "approved"},
    )
    assert illegal.status_code == 422
    assert illegal.json()["detail"][0]["field"] == "to_status"


def test_an_event_created_through_the_api_uses_the_labs_clock(lab_a, coordinator):
    response = post(
        api(coordinator),
        "/api/v1/events",
        {
            "lab": lab_a.pk,
            "title": "Walk",
            "kind": "meeting",
            "day": "2031-07-01",
            "start": "18:00",
            "end": "19:30",
            "capacity": 5,
            "publish": True,
        },
    )
    assert response.status_code == 201
    body = response.json()
    # 18:00 in Lisbon in summer is 17:00 UTC.
    assert dt.datetime.fromisoformat(body["starts_at"]) == dt.datetime(
        2031, 7, 1, 17, 0, tzinfo=dt.UTC
    )
    assert body["status"] == "published"


def test_mentor_candidates_and_pairs_through_the_api(
    lab_a, coordinator, facilitator, participant
):
    mentor = ApprovedMentorFactory(lab=lab_a)
    client = api(facilitator)
    candidates = client.get(f"/api/v1/volunteers/mentor-candidates?lab={lab_a.pk}")
    assert [c["id"] for c in candidates.json()] == [mentor.pk]
    assert "name" not in candidates.json()[0]
    created = post(
        client,
        "/api/v1/mentoring-pairs",
        {"mentor": mentor.pk, "participant": participant.pk},
    )
    assert created.status_code == 201
    pair_id = created.json()["id"]
    logged = post(
        client,
        f"/api/v1/mentoring-pairs/{pair_id}/meetings",
        {"on": timezone.localdate().isoformat(), "duration_minutes": 50},
    )
    assert logged.status_code == 201
    assert logged.json()["meetings"] == 1
    assert logged.json()["quiet"] is False
    # Facilitators run pairs but do not vet volunteers.
    assert client.get("/api/v1/volunteers").json()["items"] == []


def test_the_quiet_filter_lists_pairs_that_stopped_meeting(
    lab_a, coordinator, participant
):
    old = PairFactory(
        participant=participant,
        started_on=timezone.localdate() - dt.timedelta(weeks=8),
    )
    from tests.factories import ParticipantFactory

    PairFactory(participant=ParticipantFactory(lab=lab_a))
    items = api(coordinator).get("/api/v1/mentoring-pairs?quiet=true").json()["items"]
    assert [p["id"] for p in items] == [old.pk]
