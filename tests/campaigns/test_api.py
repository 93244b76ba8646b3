"""The API answers through the same services: reach figures labelled, import
errors as 422 with rows, bad input as 422 with a reason."""

import io

from django.test import Client

from openmil.campaigns.models import Campaign, ReachRecord
from tests.campaigns.factories import MessageFactory, ReachRecordFactory, csv_bytes
from tests.core.test_access_sweep import bearer


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {bearer(user)}"})


def test_reach_figures_say_what_they_are(campaign, coordinator):
    ReachRecordFactory(campaign=campaign, platform="facebook", reach=500, impressions=9)
    ReachRecordFactory(campaign=campaign, platform="x", reach=700, impressions=1)
    data = api(coordinator).get(f"/api/v1/campaigns/{campaign.pk}/reach").json()
    assert data["impressions"] == 10
    assert data["reach_sum"] == 1200
    assert data["reach_sum_label"] == "not de-duplicated across posts and platforms"
    assert (data["reach_lower_bound"], data["reach_lower_bound_platform"]) == (700, "X")


def test_a_refused_import_answers_422_with_the_rows(campaign, coordinator):
    body = csv_bytes("facebook,a,en,p1,2026-13-01,1,1,1,1,1", "x,a,en,p2,x,1,1,1,1,-2")
    response = api(coordinator).post(
        f"/api/v1/campaigns/{campaign.pk}/reach/imports", {"file": io.BytesIO(body)}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {
        "row": 2,
        "column": "date",
        "reason": "Not a date in the form YYYY-MM-DD.",
    } in (errors)
    assert {
        "row": 3,
        "column": "link_clicks",
        "reason": "A count cannot be negative.",
    } in (errors)
    assert not ReachRecord.objects.exists()


def test_campaign_creation_validates_dates_and_languages(lab_a, coordinator):
    client = api(coordinator)
    response = client.post(
        "/api/v1/campaigns",
        {
            "lab": lab_a.pk,
            "name": "Bridges",
            "slug": "bridges",
            "starts_on": "2026-06-01",
            "ends_on": "2026-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "ends_on"
    response = client.post(
        "/api/v1/campaigns",
        {
            "lab": lab_a.pk,
            "name": "Bridges",
            "slug": "bridges",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-01",
            "languages": ["klingon"],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Campaign.objects.exists()


def test_the_campaign_detail_lists_share_links_and_translation_statuses(
    campaign, coordinator
):
    message = MessageFactory(campaign=campaign)
    data = api(coordinator).get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert len(data["share_links"]) == 40
    link = data["share_links"][0]
    assert "utm_medium=social" in link["url"]
    assert data["messages"][0]["id"] == message.pk
    assert {t["status"] for t in data["messages"][0]["translations"]} == {"missing"}


def test_a_translation_into_a_language_the_campaign_does_not_use_is_422(
    campaign, coordinator
):
    message = MessageFactory(campaign=campaign)
    response = api(coordinator).put(
        f"/api/v1/campaigns/messages/{message.pk}/translations/de",
        {"text": "Text", "status": "draft"},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_publishing_a_card_without_sources_is_422(lab_a, coordinator):
    client = api(coordinator)
    card = client.post(
        "/api/v1/fact-cards",
        {
            "lab": lab_a.pk,
            "slug": "taxes",
            "claim": "They pay no taxes",
            "facts": "They do.",
            "rating": "false",
        },
        content_type="application/json",
    ).json()
    response = client.post(
        f"/api/v1/fact-cards/{card['id']}/publish",
        {"publish": True},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "sources"


def test_a_source_link_must_be_a_web_address(lab_a, coordinator):
    from tests.campaigns.factories import FactCardFactory

    card = FactCardFactory(lab=lab_a)
    response = api(coordinator).post(
        f"/api/v1/fact-cards/{card.pk}/sources",
        {"title": "x", "url": "javascript:alert(1)", "published_on": "2025-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "url"
    assert not card.sources.exists()
