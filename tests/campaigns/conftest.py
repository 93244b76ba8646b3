import pytest

from tests.campaigns.factories import CampaignFactory


@pytest.fixture
def campaign(lab_a):
    return CampaignFactory(lab=lab_a, slug="bridges", name="No walls but bridges")
