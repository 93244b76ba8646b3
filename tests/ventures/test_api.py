"""Venture API: the same rules as the pages, with reasons in 4xx answers."""

import pytest
from django.test import Client

from openmil.core.models import AuditEntry
from openmil.core.services import api_token_create
from openmil.ventures.models import Stage, Venture
from tests.factories import ParticipantFactory
from tests.ventures.factories import TerritorialNeedFactory, VentureFactory, incubator

pytestmark = pytest.mark.django_db


def api(user):
    _token, raw = api_token_create(user=user, name="test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_create_then_walk_a_venture_to_registered(facilitator, lab_a, participant):
    client = api(facilitator)
    need = TerritorialNeedFactory(lab=lab_a)
    created = post(
        client,
        "/api/v1/ventures",
        {
            "lab": lab_a.pk,
            "name": "Kabul Kitchen",
            "sector": "I",
            "founders": [participant.pk],
            "territorial_need": need.pk,
            "started_on": "2025-01-02",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["stage"] == "idea" and body["founders"] == [participant.pk]
    assert [step["to_stage"] for step in body["timeline"]] == ["idea"]
    url = f"/api/v1/ventures/{body['id']}/transitions"
    for stage in ("business_plan", "financing"):
        assert post(client, url, {"to_stage": stage}).status_code == 201
    refused = post(client, url, {"to_stage": "registered"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "registration_date"
    done = post(
        client, url, {"to_stage": "registered", "registration_date": "2025-03-01"}
    )
    assert done.status_code == 201
    venture = client.get(f"/api/v1/ventures/{body['id']}").json()
    assert venture["stage"] == "registered"
    assert venture["registration_date"] == "2025-03-01"
    assert venture["timeline"][-1]["recorded_by"] == facilitator.get_username()


def test_an_illegal_transition_answers_422_with_the_reason(
    facilitator, lab_a, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    response = post(
        api(facilitator),
        f"/api/v1/ventures/{venture.pk}/transitions",
        {"to_stage": "growing"},
    )
    assert response.status_code == 422
    assert "cannot move to" in response.json()["detail"][0]["message"]
    unknown = post(
        api(facilitator),
        f"/api/v1/ventures/{venture.pk}/transitions",
        {"to_stage": "flying"},
    )
    assert unknown.status_code == 422
    venture.refresh_from_db()
    assert venture.stage == Stage.IDEA


def test_founders_the_user_cannot_see_are_refused(
    facilitator, lab_a, lab_b, participant
):
    stranger = ParticipantFactory(lab=lab_b)
    response = post(
        api(facilitator),
        "/api/v1/ventures",
        {"lab": lab_a.pk, "name": "X", "sector": "C", "founders": [stranger.pk]},
    )
    assert response.status_code == 422
    assert not Venture.objects.exists()


def test_reading_a_venture_logs_a_view_of_its_founders(facilitator, lab_a, participant):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    api(facilitator).get(f"/api/v1/ventures/{venture.pk}")
    entry = AuditEntry.objects.get(object_type="venture", action="view")
    assert (entry.participant_id, entry.channel) == (participant.pk, "api")


def test_supports_and_jobs_through_the_api(facilitator, lab_a, participant):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    client = api(facilitator)
    org = incubator(lab_a)
    no_amount = post(
        client,
        f"/api/v1/ventures/{venture.pk}/supports",
        {"kind": "microcredit", "provider": org.pk, "on": "2025-02-01"},
    )
    assert no_amount.status_code == 422
    ok = post(
        client,
        f"/api/v1/ventures/{venture.pk}/supports",
        {"kind": "microcredit", "provider": org.pk, "on": "2025-02-01", "amount": 3000},
    )
    assert ok.status_code == 201
    assert (
        post(client, f"/api/v1/ventures/{venture.pk}/jobs", {"jobs": -2}).status_code
        == 422
    )
    assert (
        post(client, f"/api/v1/ventures/{venture.pk}/jobs", {"jobs": 2}).status_code
        == 201
    )
    detail = client.get(f"/api/v1/ventures/{venture.pk}").json()
    assert detail["jobs_created"] == 2
    assert [j["jobs"] for j in detail["jobs_history"]] == [2]
    assert detail["supports"][0]["amount"] in ("3000.00", 3000, "3000")


def test_list_filters_by_stage(facilitator, lab_a, participant):
    VentureFactory(lab=lab_a, founders=[participant], name="Idea one")
    other = VentureFactory(lab=lab_a, founders=[participant], name="Closed one")
    Venture.objects.filter(pk=other.pk).update(stage=Stage.CLOSED)
    items = (
        api(facilitator).get("/api/v1/ventures", {"stage": "closed"}).json()["items"]
    )
    assert [i["name"] for i in items] == ["Closed one"]


def test_territorial_needs_through_the_api(facilitator, lab_a):
    client = api(facilitator)
    refused = post(
        client,
        "/api/v1/territorial-needs",
        {"lab": lab_a.pk, "kind": "shortage_occupation", "title": "Welders"},
    )
    assert refused.status_code == 422
    created = post(
        client,
        "/api/v1/territorial-needs",
        {"lab": lab_a.pk, "kind": "vacant_premises", "title": "Shop to let"},
    )
    assert created.status_code == 201
    need_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/territorial-needs/{need_id}",
        {"status": "addressed"},
        content_type="application/json",
    )
    assert changed.json()["status"] == "addressed"


def test_every_api_schema_has_its_own_name():
    """The OpenAPI document keys schemas by class name: a second class of the
    same name would silently replace the first in the published schema."""
    from ninja import Schema

    import openmil.config.api  # noqa: F401 - loads every router

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(Schema) if c.__module__.startswith("openmil.")]
    names = [c.__name__ for c in ours]
    assert len(names) == len(set(names)), sorted(
        n for n in set(names) if names.count(n) > 1
    )
