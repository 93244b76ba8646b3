"""The protection page and the banner on a protected record."""

import pytest
from django.urls import reverse

from openmil.core.roles import Role
from openmil.participants.models import ProtectedCase
from tests.conftest import client_for
from tests.factories import member
from tests.protect.factories import protect

pytestmark = pytest.mark.django_db


def protection_url(p):
    return reverse("participants:protection", kwargs={"participant_id": p.pk})


def detail_url(p):
    return reverse("participants:detail", kwargs={"participant_id": p.pk})


def test_a_coordinator_protects_a_case_from_its_page(
    coordinator, facilitator, participant
):
    client = client_for(coordinator)
    page = client.get(detail_url(participant)).content.decode()
    assert protection_url(participant) in page
    form = client.get(protection_url(participant))
    assert form.status_code == 200
    # The coordinator and the caseworker are proposed.
    assert set(form.context["form"].initial["staff"]) == {coordinator, facilitator}
    response = client.post(
        protection_url(participant),
        {"staff": [coordinator.pk], "reason": "Threats from a relative"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(participant)
    case = ProtectedCase.objects.get(participant=participant)
    assert list(case.staff.all()) == [coordinator]
    page = client.get(detail_url(participant)).content.decode()
    assert 'class="protected-banner"' in page
    assert "Only the staff named on this case can see this record" in page
    assert "Threats from a relative" in page
    # The caseworker, not named, no longer finds the record.
    assert client_for(facilitator).get(detail_url(participant)).status_code == 404


def test_the_form_explains_a_refusal_next_to_the_field(
    coordinator, facilitator, participant
):
    response = client_for(coordinator).post(
        protection_url(participant), {"staff": [facilitator.pk]}
    )
    assert response.status_code == 200
    assert "Name at least one coordinator" in response.content.decode()
    assert not ProtectedCase.objects.exists()


def test_a_coordinator_who_names_only_others_is_sent_to_the_list(
    coordinator, participant, lab_a
):
    colleague = member(lab_a, Role.COORDINATOR)
    response = client_for(coordinator).post(
        protection_url(participant), {"staff": [colleague.pk]}
    )
    assert response["Location"] == reverse("participants:list")


def test_lifting_the_protection_from_the_page(coordinator, facilitator, participant):
    protect(participant, coordinator)
    response = client_for(coordinator).post(
        protection_url(participant), {"action": "lift"}
    )
    assert response.status_code == 302
    assert not ProtectedCase.objects.exists()
    assert client_for(facilitator).get(detail_url(participant)).status_code == 200


def test_named_facilitators_see_the_banner_but_not_the_management_link(
    coordinator, facilitator, participant
):
    protect(participant, coordinator, facilitator)
    client = client_for(facilitator)
    page = client.get(detail_url(participant)).content.decode()
    assert 'class="protected-banner"' in page
    assert protection_url(participant) not in page
    assert client.get(protection_url(participant)).status_code == 404
    assert (
        client.post(protection_url(participant), {"action": "lift"}).status_code == 404
    )
    assert ProtectedCase.objects.exists()


def test_an_unnamed_coordinator_cannot_reach_the_protection_page(
    coordinator, participant, lab_a
):
    protect(participant, coordinator)
    other = client_for(member(lab_a, Role.COORDINATOR))
    assert other.get(protection_url(participant)).status_code == 404
    assert (
        other.post(protection_url(participant), {"action": "lift"}).status_code == 404
    )
    assert ProtectedCase.objects.exists()


def test_an_unprotected_record_has_no_banner(coordinator, participant):
    page = client_for(coordinator).get(detail_url(participant)).content.decode()
    assert "protected-banner" not in page
