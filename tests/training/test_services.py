"""Training services: coordinators record trainings and certifications."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openmil.core.models import AuditEntry
from openmil.training import services
from tests.factories import member
from tests.training.factories import CompetencyFactory, TrainingFactory

pytestmark = pytest.mark.django_db


def test_a_certification_expires_after_the_competencys_validity(
    coordinator, facilitator, lab_a
):
    competency = CompetencyFactory(lab=lab_a, validity_months=24)
    cert = services.certification_record(
        actor=coordinator,
        lab=lab_a,
        user=facilitator,
        competency=competency,
        certified_on=dt.date(2025, 3, 31),
    )
    assert cert.expires_on == dt.date(2027, 3, 31)
    assert AuditEntry.objects.filter(object_type="certification").count() == 1


def test_a_given_expiry_date_wins_and_must_follow_certification(
    coordinator, facilitator, lab_a
):
    competency = CompetencyFactory(lab=lab_a, validity_months=24)
    cert = services.certification_record(
        actor=coordinator,
        lab=lab_a,
        user=facilitator,
        competency=competency,
        certified_on=dt.date(2025, 3, 1),
        expires_on=dt.date(2025, 9, 1),
    )
    assert cert.expires_on == dt.date(2025, 9, 1)
    with pytest.raises(ValidationError):
        services.certification_record(
            actor=coordinator,
            lab=lab_a,
            user=facilitator,
            competency=competency,
            certified_on=dt.date(2025, 3, 1),
            expires_on=dt.date(2025, 2, 1),
        )


def test_only_the_labs_staff_can_hold_certifications(coordinator, lab_a, lab_b):
    competency = CompetencyFactory(lab=lab_a)
    for user in (member(lab_a, "mentor"), member(lab_b, "facilitator")):
        with pytest.raises(ValidationError) as error:
            services.certification_record(
                actor=coordinator,
                lab=lab_a,
                user=user,
                competency=competency,
                certified_on=dt.date(2025, 3, 1),
            )
        assert "user" in error.value.message_dict


def test_another_labs_competency_is_refused(coordinator, facilitator, lab_a, lab_b):
    with pytest.raises(ValidationError):
        services.certification_record(
            actor=coordinator,
            lab=lab_a,
            user=facilitator,
            competency=CompetencyFactory(lab=lab_b),
            certified_on=dt.date(2025, 3, 1),
        )


def test_facilitators_do_not_manage_training(facilitator, lab_a):
    with pytest.raises(PermissionDenied):
        services.competency_create(actor=facilitator, lab=lab_a, data={"name": "X"})
    with pytest.raises(PermissionDenied):
        services.training_create(
            actor=facilitator,
            lab=lab_a,
            data={
                "title": "X",
                "provider": "Y",
                "hours": Decimal(3),
                "held_on": dt.date(2025, 1, 1),
            },
        )


def test_a_training_records_who_followed_it(coordinator, facilitator, lab_a):
    competency = CompetencyFactory(lab=lab_a)
    training = services.training_create(
        actor=coordinator,
        lab=lab_a,
        data={
            "title": "Intercultural mediation",
            "provider": "University of Lisbon",
            "hours": Decimal("16"),
            "held_on": dt.date(2025, 1, 1),
        },
        competencies=[competency],
        attendees=[facilitator],
    )
    assert list(training.attendees.all()) == [facilitator]
    services.training_attendee_add(
        actor=coordinator, training=training, user=coordinator
    )
    assert training.attendees.count() == 2
    with pytest.raises(ValidationError):
        services.training_attendee_add(
            actor=coordinator, training=training, user=facilitator
        )


def test_a_competency_name_is_unique_in_a_lab(coordinator, lab_a):
    services.competency_create(actor=coordinator, lab=lab_a, data={"name": "First aid"})
    with pytest.raises(ValidationError):
        services.competency_create(
            actor=coordinator, lab=lab_a, data={"name": "first aid"}
        )


def test_an_attendee_of_another_lab_is_refused(coordinator, lab_a, lab_b):
    training = TrainingFactory(lab=lab_a)
    with pytest.raises(ValidationError):
        services.training_attendee_add(
            actor=coordinator, training=training, user=member(lab_b, "coordinator")
        )
