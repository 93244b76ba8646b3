"""Lab A with two partner organisations, each with a service and staff."""

import pytest

from openmil.core.models import Organisation
from tests.factories import OrganisationFactory
from tests.partners.factories import ServiceFactory, partner_of, sharing_consent


@pytest.fixture
def housing_org(lab_a):
    return OrganisationFactory(
        lab=lab_a, name="Casa Aberta", kind=Organisation.Kind.HOUSING
    )


@pytest.fixture
def legal_org(lab_a):
    return OrganisationFactory(
        lab=lab_a, name="Direitos Já", kind=Organisation.Kind.LEGAL
    )


@pytest.fixture
def service(housing_org):
    return ServiceFactory(organisation=housing_org, name="Transitional housing")


@pytest.fixture
def legal_service(legal_org):
    from tests.factories import need_type

    return ServiceFactory(
        organisation=legal_org,
        name="Residence advice",
        need_type=need_type("documents"),
    )


@pytest.fixture
def partner(housing_org):
    return partner_of(housing_org, user__email="partner@example.org")


@pytest.fixture
def legal_partner(legal_org):
    return partner_of(legal_org)


@pytest.fixture
def consenting(participant):
    sharing_consent(participant)
    return participant
