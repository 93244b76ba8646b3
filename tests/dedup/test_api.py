"""Duplicate endpoints."""

import datetime as dt
import json

from django.test import Client

from openmil.dedup.models import Merge
from openmil.participants.models import Participant
from tests.core.test_access_sweep import bearer
from tests.factories import ParticipantFactory


def _client(user):
    return Client(headers={"Authorization": f"Bearer {bearer(user)}"})


def test_candidates_for_a_participant(coordinator, lab_a):
    me = ParticipantFactory(
        lab=lab_a,
        given_name="Omar",
        family_name="Khoury",
        birth_date=dt.date(1980, 2, 3),
    )
    twin = ParticipantFactory(
        lab=lab_a,
        given_name="Umar",
        family_name="Khouri",
        birth_date=dt.date(1980, 3, 2),
    )
    answer = _client(coordinator).get(f"/api/v1/duplicates/participants/{me.pk}").json()
    assert [a["participant"] for a in answer] == [twin.pk]


def test_merge_and_undo_through_the_api(coordinator, lab_a):
    a = ParticipantFactory(lab=lab_a, phone="1")
    b = ParticipantFactory(lab=lab_a, phone="2")
    client = _client(coordinator)
    response = client.post(
        "/api/v1/duplicates/merge",
        json.dumps({"kept": a.pk, "removed": b.pk, "take_from_removed": ["phone"]}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Participant.objects.get(pk=a.pk).phone == "2"
    merge_id = response.json()["id"]
    response = client.post(f"/api/v1/duplicates/merges/{merge_id}/undo")
    assert response.status_code == 200 and response.json()["undone_at"]
    assert Participant.objects.filter(pk=b.pk).exists()
    again = client.post(f"/api/v1/duplicates/merges/{merge_id}/undo")
    assert again.status_code == 422
    assert Merge.objects.count() == 1


def test_merge_with_bad_input_answers_4xx_with_a_reason(coordinator, lab_a, lab_b):
    a = ParticipantFactory(lab=lab_a)
    client = _client(coordinator)
    for body, status in [
        ({"kept": a.pk, "removed": a.pk}, 422),
        ({"kept": a.pk, "removed": a.pk, "take_from_removed": ["nope"]}, 422),
        ({"kept": a.pk, "removed": ParticipantFactory(lab=lab_b).pk}, 404),
        ({"kept": "x"}, 422),
    ]:
        response = client.post(
            "/api/v1/duplicates/merge",
            json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == status, body
        assert response.json()["detail"]


def test_a_run_needs_a_lab_or_a_network(coordinator):
    response = _client(coordinator).post(
        "/api/v1/duplicates/runs", "{}", content_type="application/json"
    )
    assert response.status_code == 422
