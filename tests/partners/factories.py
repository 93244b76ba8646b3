"""Factories of the partners tests."""

import factory

from openmil.core.models import Membership, Organisation
from openmil.core.roles import Role
from openmil.participants.models import Consent
from openmil.partners.models import Opportunity, Referral, Service
from tests.factories import ConsentFactory, OrganisationFactory, member


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "Help with the search for a flat"
    pillar = ""
    need_type = factory.LazyFunction(lambda: _housing())
    languages = ["en", "ar"]
    place = "Lisboa"
    response_days = 5
    search_text = factory.LazyAttribute(lambda s: f"{s.name} {s.description}".lower())


def _housing():
    from tests.factories import need_type

    return need_type("housing")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Opportunity.Kind.VACANCY
    title = factory.Sequence(lambda n: f"Opportunity {n}")
    capacity = 2


def partner_of(organisation: Organisation, **kwargs):
    """A partner staff member of `organisation`."""
    user = member(
        organisation.lab, Role.PARTNER_STAFF, organisation=organisation, **kwargs
    )
    return user


def org_of(user) -> Organisation:
    return Membership.objects.get(user=user, role=Role.PARTNER_STAFF).organisation


def sharing_consent(participant, category: str = Organisation.Kind.HOUSING):
    return ConsentFactory(
        participant=participant,
        purpose=Consent.Purpose.PARTNER_SHARING,
        partner_category=category,
    )


def referral(*, participant, service, actor, status: str = "draft", **kwargs):
    """A referral brought to `status` through the services, as a user would."""
    from openmil.partners import services

    r = services.referral_create(
        actor=actor, participant=participant, service=service, **kwargs
    )
    if status == "draft":
        return r
    if not Consent.objects.filter(
        participant=participant,
        purpose=Consent.Purpose.PARTNER_SHARING,
        partner_category=service.organisation.kind,
        withdrawn_at__isnull=True,
    ).exists():
        sharing_consent(participant, service.organisation.kind)
    if status == "revoked":
        return services.referral_revoke(actor=actor, referral=r, reason="no longer")
    r = services.referral_send(actor=actor, referral=r)
    if status == "sent":
        return r
    partner = _partner(service.organisation)
    if status == "declined":
        return services.referral_decline(actor=partner, referral=r, reason="full")
    r = services.referral_accept(actor=partner, referral=r)
    if status == "accepted":
        return r
    if status == "completed":
        return services.referral_complete(actor=partner, referral=r)
    assert status == "not_completed"
    return services.referral_not_complete(actor=partner, referral=r, reason="absent")


def _partner(organisation: Organisation):
    found = Membership.objects.filter(
        organisation=organisation, role=Role.PARTNER_STAFF
    ).first()
    return found.user if found else partner_of(organisation)


__all__ = ["Referral"]
