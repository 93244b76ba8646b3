"""Factories and helpers of the privacy tests."""

import datetime as dt

import factory

from openmil.core.roles import Role
from openmil.participants.models import Household
from openmil.privacy.models import ErasureRequest, LabPrivacySettings
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)

__all__ = ["ErasureRequestFactory", "identifiable_person", "member", "Role"]


class ErasureRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErasureRequest

    participant = factory.SubFactory(ParticipantFactory)
    lab = factory.SelfAttribute("participant.lab")
    grounds = ErasureRequest.Grounds.PERSON_ASKED
    reason = "Asked at the desk"


class PrivacySettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabPrivacySettings

    retention_enabled = True


#: Identifiers of the person the erasure tests erase: unique strings no other
#: row holds, in Latin and Arabic script.
NAMES = {
    "given_name": "Zuleikha",
    "family_name": "Haddadine",
    "name_latin": "Zulaykha Al-Haddadin زليخة",
    "phone": "+351 912 000 731",
    "email": "zuleikha.haddadine@example.net",
    "address": "Rua das Amoreiras 17, Lisboa",
}


def identifiable_person(lab, caseworker, **extra):
    """A person with data in every related table, names in notes included."""
    household = Household.objects.create(lab=lab, reference="HH-Haddadine")
    person = ParticipantFactory(
        lab=lab,
        caseworker=caseworker,
        reference="LABA-7731",
        household=household,
        household_role="head",
        health_notes="Zuleikha needs insulin twice daily",
        case_notes="Haddadine family met at the reception centre",
        legal_status_detail="Asylum claim of Zuleikha lodged in March",
        birth_date=dt.date(1990, 5, 17),
        **NAMES,
        **extra,
    )
    NeedFactory(
        participant=person,
        need_type=need_type("housing"),
        notes="Call Zuleikha on +351 912 000 731",
        status="in_progress",
    )
    ConsentFactory(participant=person, purpose="statistics", recorded_by=caseworker)
    ConsentFactory(participant=person, purpose="follow_up", recorded_by=caseworker)
    FollowUpFactory(participant=person, subject="Visit Haddadine at home")
    return person


def secrets_of(person_values: dict[str, str]) -> list[str]:
    """The strings that must not survive an erasure anywhere."""
    values = [person_values[k] for k in NAMES]
    values += ["Zuleikha", "Haddadine", "زليخة", "insulin", "reception centre"]
    return values


def make_coordinator(lab):
    return member(lab, Role.COORDINATOR)
