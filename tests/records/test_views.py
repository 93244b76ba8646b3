"""The right-of-access download on the participant page."""

import json

import pytest
from django.urls import reverse

from openmil.core.models import AuditEntry
from tests.conftest import client_for
from tests.factories import NeedFactory, need_type


def url(p, **query):
    base = reverse("records:participant_record", kwargs={"participant_id": p.pk})
    return base + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )


def test_coordinator_downloads_the_pdf_and_it_is_logged(participant, coordinator):
    response = client_for(coordinator).get(url(participant))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="record_export")
    assert (entry.actor, entry.participant_id) == (coordinator, participant.pk)


def test_coordinator_downloads_json(participant, coordinator):
    NeedFactory(participant=participant, need_type=need_type("income"))
    response = client_for(coordinator).get(url(participant, format="json", lang="fr"))
    data = json.loads(response.content)
    assert data["participant"]["id"] == participant.pk
    assert data["language"] == "fr"
    assert any(s["model"] == "participants.need" for s in data["sections"])


@pytest.mark.parametrize("who", ["facilitator", "analyst", "outsider", "mentor"])
def test_others_get_not_found(who, participant, request):
    user = request.getfixturevalue(who)
    response = client_for(user).get(url(participant))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="record_export").exists()


def test_participant_page_offers_the_download_to_coordinators(participant, coordinator):
    page = client_for(coordinator).get(
        reverse("participants:detail", kwargs={"participant_id": participant.pk})
    )
    assert url(participant).encode() in page.content


def test_participant_page_hides_it_from_facilitators(participant, facilitator):
    page = client_for(facilitator).get(
        reverse("participants:detail", kwargs={"participant_id": participant.pk})
    )
    assert page.status_code == 200
    assert url(participant).encode() not in page.content
