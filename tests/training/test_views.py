"""Training pages for coordinators, and each facilitator's own page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openmil.training.models import Certification, Training
from tests.conftest import client_for
from tests.training.factories import CertificationFactory, CompetencyFactory

pytestmark = pytest.mark.django_db


def test_a_coordinator_sees_who_holds_what_and_what_expires(
    coordinator, facilitator, lab_a
):
    competency = CompetencyFactory(lab=lab_a, name="Trauma awareness")
    CertificationFactory(
        competency=competency,
        user=facilitator,
        certified_on=dt.date(2025, 1, 1),
        expires_on=timezone.localdate() + dt.timedelta(days=20),
    )
    page = client_for(coordinator).get(reverse("training:lab", args=[lab_a.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Trauma awareness" in text
    assert facilitator.last_name in text
    assert "Expiring in the next 90 days" in text


def test_a_coordinator_records_a_training_and_a_certification(
    coordinator, facilitator, lab_a
):
    competency = CompetencyFactory(lab=lab_a, validity_months=12)
    client = client_for(coordinator)
    client.post(
        reverse("training:training_add", args=[lab_a.pk]),
        {
            "title": "Mediation",
            "provider": "NGO",
            "hours": "8",
            "held_on": "2026-01-10",
            "competencies": [competency.pk],
            "attendees": [facilitator.pk],
        },
    )
    training = Training.objects.get()
    response = client.post(
        reverse("training:certification_add", args=[lab_a.pk]),
        {
            "user": facilitator.pk,
            "competency": competency.pk,
            "certified_on": "2026-01-10",
            "training": training.pk,
        },
    )
    assert response.status_code == 302
    cert = Certification.objects.get()
    assert cert.expires_on == dt.date(2027, 1, 10)


def test_bad_input_is_a_message(coordinator, facilitator, lab_a):
    competency = CompetencyFactory(lab=lab_a)
    response = client_for(coordinator).post(
        reverse("training:certification_add", args=[lab_a.pk]),
        {
            "user": facilitator.pk,
            "competency": competency.pk,
            "certified_on": "2026-01-10",
            "expires_on": "2025-01-10",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "expires after" in response.content.decode()
    assert not Certification.objects.exists()


def test_a_facilitator_sees_their_own_and_not_the_labs(coordinator, facilitator, lab_a):
    competency = CompetencyFactory(lab=lab_a, name="Own competency")
    CertificationFactory(competency=competency, user=facilitator)
    other = CompetencyFactory(lab=lab_a, name="Coordinator only")
    CertificationFactory(competency=other, user=coordinator)
    client = client_for(facilitator)
    mine = client.get(reverse("training:mine")).content.decode()
    assert "Own competency" in mine and "Coordinator only" not in mine
    assert client.get(reverse("training:lab", args=[lab_a.pk])).status_code == 404
    refused = client.post(
        reverse("training:competency_add", args=[lab_a.pk]), {"name": "Sneaky"}
    )
    assert refused.status_code == 404
