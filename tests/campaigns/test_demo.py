"""The demo lab's campaign: figures consistent with what the pages say."""

import datetime as dt

from openmil.campaigns import selectors
from openmil.campaigns.demo import populate_lab_campaigns
from openmil.campaigns.models import Campaign, FactCard
from tests.conftest import client_for


def test_the_demo_campaign_has_kpis_cards_and_reach(lab_a, coordinator):
    rows = populate_lab_campaigns(lab=lab_a, seed=1, today=dt.date(2026, 5, 1))
    campaign = Campaign.objects.get(lab=lab_a)
    assert rows == 120
    totals = selectors.reach_totals(campaign=campaign)
    assert totals.reach_lower_bound <= totals.reach_sum
    assert len(selectors.kpi_progress(campaign=campaign)) == 5
    assert FactCard.objects.filter(lab=lab_a, status="published").count() == 3
    client = client_for(coordinator)
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200
    assert client.get(f"/campaigns/{campaign.pk}/reach/").status_code == 200
    assert client.get("/site/facts/").content.decode().count('<li class="card"') == 3
