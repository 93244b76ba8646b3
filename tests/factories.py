"""Factories shared by every test package."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from openmil.core.models import Lab, Membership, Network, Organisation
from openmil.core.roles import Role
from openmil.participants.models import (
    Consent,
    FollowUp,
    LegalStatusCategory,
    Need,
    NeedType,
    Participant,
    normalise_for_search,
)

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")


class LabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lab

    network = factory.SubFactory(NetworkFactory)
    name = factory.Sequence(lambda n: f"Lab {n}")
    slug = factory.Sequence(lambda n: f"lab-{n}")
    country = "PT"
    territory = "Lisboa"
    time_zone = "Europe/Lisbon"
    working_languages = ["pt", "en"]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = Organisation.Kind.HOUSING


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    lab = factory.SubFactory(LabFactory)
    role = Role.FACILITATOR
    organisation = factory.Maybe(
        factory.LazyAttribute(lambda m: m.role == Role.PARTNER_STAFF),
        yes_declaration=factory.SubFactory(
            OrganisationFactory, lab=factory.SelfAttribute("..lab")
        ),
        no_declaration=None,
    )


def member(lab: Lab, role: str = Role.FACILITATOR, **kwargs):
    """A user holding `role` in `lab`."""
    return MembershipFactory(lab=lab, role=role, **kwargs).user


class LegalStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalStatusCategory

    lab = factory.SubFactory(LabFactory)
    name = factory.Sequence(lambda n: f"Status {n}")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    lab = factory.SubFactory(LabFactory)
    reference = factory.Sequence(lambda n: f"REF-{n:05d}")
    profile = Participant.Profile.NEWCOMER
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = "Family"
    birth_date = dt.date(1990, 5, 17)
    sex = Participant.Sex.FEMALE
    country_of_origin = "SY"
    nationality = "SY"
    mother_tongue = "ar"
    name_latin = ""
    health_notes = "Asthma, needs an inhaler"
    case_notes = "Met at the reception centre"
    legal_status_detail = "Asylum claim lodged in March"
    search_text = factory.LazyAttribute(
        lambda p: normalise_for_search(
            f"{p.reference} {p.given_name} {p.family_name} {p.name_latin}"
        )
    )


def need_type(code: str = "housing") -> NeedType:
    return NeedType.objects.get(lab__isnull=True, code=code)


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    participant = factory.SubFactory(ParticipantFactory)
    need_type = factory.LazyFunction(need_type)
    urgent = True
    status = Need.Status.IDENTIFIED


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    participant = factory.SubFactory(ParticipantFactory)
    purpose = Consent.Purpose.CASE_MANAGEMENT
    notice_version = "2026-01"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    participant = factory.SubFactory(ParticipantFactory)
    due_on = factory.LazyFunction(dt.date.today)
    subject = "Call about housing"
