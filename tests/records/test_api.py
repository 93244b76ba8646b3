"""GET /api/v1/participants/{id}/record: coordinators of the person's lab."""

from django.test import Client

from openmil.core.models import AuditEntry
from openmil.core.services import api_token_create
from tests.factories import NeedFactory, need_type


def get(user, participant_id):
    _token, raw = api_token_create(user=user, name="t")
    return Client().get(
        f"/api/v1/participants/{participant_id}/record",
        headers={"Authorization": f"Bearer {raw}"},
    )


def test_coordinator_gets_the_complete_record(participant, coordinator):
    NeedFactory(participant=participant, need_type=need_type("documents"))
    response = get(coordinator, participant.pk)
    assert response.status_code == 200
    data = response.json()
    assert data["participant"]["name"] == participant.full_name
    assert any(s["model"] == "participants.need" for s in data["sections"])
    entry = AuditEntry.objects.get(action="record_export")
    assert entry.channel == "api" and entry.participant_id == participant.pk


def test_facilitator_is_refused_with_a_reason(participant, facilitator):
    response = get(facilitator, participant.pk)
    assert response.status_code == 403
    assert response.json()["detail"]


def test_other_lab_and_unknown_ids_are_not_found(participant, outsider, coordinator):
    assert get(outsider, participant.pk).status_code == 404
    assert get(coordinator, 999_999).status_code == 404
    assert not AuditEntry.objects.filter(action="record_export").exists()
