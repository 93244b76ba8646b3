"""Honest totals, the funnel, KPI progress, share links and ClaimReview."""

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from openmil.campaigns import selectors, services, utm
from openmil.campaigns.models import Conversion, Kpi
from openmil.campaigns.services import SESSION_KEY
from tests.campaigns.factories import (
    FactCardFactory,
    FactSourceFactory,
    KpiFactory,
    ReachRecordFactory,
)


def _reach(campaign, platform, post, reach, impressions, clicks=0, day=1):
    ReachRecordFactory(
        campaign=campaign,
        platform=platform,
        post=post,
        reach=reach,
        impressions=impressions,
        link_clicks=clicks,
        date=dt.date(2026, 3, day),
    )


def test_impressions_add_up_and_summed_reach_is_not_taken_for_people(campaign):
    _reach(campaign, "facebook", "a", 1000, 2500, clicks=40)
    _reach(campaign, "facebook", "b", 700, 900, clicks=10)
    _reach(campaign, "instagram", "c", 1200, 1300, clicks=5)
    totals = selectors.reach_totals(campaign=campaign)
    assert totals.impressions == 4700
    assert totals.link_clicks == 55
    # The sum counts a person once per post that reached them.
    assert totals.reach_sum == 2900
    # At least as many people as the largest single-platform figure.
    assert totals.reach_lower_bound == 1200
    assert totals.lower_bound_platform == "Instagram"
    assert totals.reach_lower_bound <= totals.reach_sum
    by = {p.platform: p for p in totals.by_platform}
    assert by["facebook"].reach_sum == 1700
    assert by["facebook"].max_post_reach == 1000
    assert by["facebook"].posts == 2


def test_totals_of_an_empty_campaign_are_zero(campaign):
    totals = selectors.reach_totals(campaign=campaign)
    assert (totals.impressions, totals.reach_sum, totals.reach_lower_bound) == (0, 0, 0)


def test_tagged_links_carry_platform_medium_campaign_and_language():
    url = utm.tagged_url(
        "https://example.org/site/campaigns/bridges/?ref=1&utm_source=old",
        platform="facebook",
        campaign="bridges",
        language="fa",
    )
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.netloc == "example.org"
    assert query == {
        "ref": ["1"],
        "utm_source": ["facebook"],
        "utm_medium": ["social"],
        "utm_campaign": ["bridges"],
        "utm_content": ["fa"],
    }


def test_share_links_cover_every_platform_and_campaign_language(campaign):
    links = selectors.share_links(campaign=campaign, base_url="https://x.org/c/")
    assert len(links) == 10 * len(campaign.languages)
    fb_ar = next(x for x in links if x.platform == "facebook" and x.language == "ar")
    assert "utm_content=ar" in fb_ar.url
    assert fb_ar.share_url.startswith("https://www.facebook.com/sharer/sharer.php?u=")
    # The tagged link is URL-encoded inside the share address.
    assert "utm_campaign%3Dbridges" in fb_ar.share_url


def test_share_links_use_the_campaign_landing_page_when_set(campaign):
    campaign.landing_url = "https://lab.example.org/join"
    links = selectors.share_links(campaign=campaign, base_url="https://x.org/c/")
    assert all(x.url.startswith("https://lab.example.org/join?") for x in links)


def test_clean_tags_drop_malformed_values():
    tags = utm.clean_tags(
        {
            "utm_source": "Facebook",
            "utm_campaign": "<script>",
            "utm_content": "x" * 101,
            "utm_medium": "social",
        }
    )
    assert tags == {"utm_source": "facebook", "utm_medium": "social"}


def _request_with_session(**params):
    request = RequestFactory().get("/site/facts/", params)
    request.session = SessionStore()
    return request


def test_a_tagged_visit_that_signs_up_is_counted_once_per_kind(campaign):
    request = _request_with_session(
        utm_source="instagram",
        utm_medium="social",
        utm_campaign="bridges",
        utm_content="fa",
    )
    services.utm_capture(request)
    first = services.conversion_record(request, "signup")
    assert first is not None
    assert (first.campaign, first.utm_source, first.utm_content) == (
        campaign,
        "instagram",
        "fa",
    )
    assert services.conversion_record(request, "signup") is None
    assert services.conversion_record(request, "registration") is not None
    assert Conversion.objects.count() == 2


def test_a_visit_without_tags_records_nothing(campaign):
    request = _request_with_session()
    services.utm_capture(request)
    assert services.conversion_record(request, "signup") is None
    assert SESSION_KEY not in request.session


def test_the_funnel_runs_from_clicks_to_sign_ups_and_registrations(campaign):
    _reach(campaign, "facebook", "a", 1000, 2000, clicks=200)
    _reach(campaign, "instagram", "b", 500, 600, clicks=50)
    for kind, source, n in [
        ("signup", "facebook", 10),
        ("registration", "facebook", 4),
        ("signup", "instagram", 1),
    ]:
        for _i in range(n):
            Conversion.objects.create(
                campaign=campaign, kind=kind, utm_source=source, utm_campaign="bridges"
            )
    funnel = selectors.funnel(campaign=campaign)
    assert (funnel["link_clicks"], funnel["signups"], funnel["registrations"]) == (
        250,
        11,
        4,
    )
    assert funnel["signup_rate"] == 4.4
    rows = {r.source: r for r in funnel["rows"]}
    assert (rows["facebook"].link_clicks, rows["facebook"].signups) == (200, 10)


def test_kpis_are_measured_over_their_own_period(campaign):
    _reach(campaign, "facebook", "a", 1000, 2000, day=1)
    _reach(campaign, "facebook", "b", 3000, 4000, day=20)
    KpiFactory(
        campaign=campaign,
        metric=Kpi.Metric.IMPRESSIONS,
        target=2000,
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 10),
    )
    KpiFactory(campaign=campaign, metric=Kpi.Metric.REACH, target=8000)
    KpiFactory(
        campaign=campaign, metric=Kpi.Metric.ATTENDANCE, target=50, reported_value=60
    )
    progress = {p.kpi.metric: p for p in selectors.kpi_progress(campaign=campaign)}
    assert (progress["impressions"].actual, progress["impressions"].met) == (2000, True)
    assert progress["reach"].actual == 4000
    assert progress["reach"].percent == 50
    assert progress["reach"].note == "not_deduplicated"
    assert progress["attendance"].met and progress["attendance"].note == "reported"


def test_claim_review_holds_the_required_properties(lab_a):
    card = FactCardFactory(lab=lab_a)
    FactSourceFactory(card=card)
    data = selectors.claim_review(card=card, url="https://x.org/site/facts/myth/")
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == "Migrants take our jobs."
    assert data["url"] == "https://x.org/site/facts/myth/"
    assert data["author"] == {"@type": "Organization", "name": lab_a.name}
    rating = data["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == "Misleading"
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert data["itemReviewed"]["@type"] == "Claim"
    assert data["citation"][0]["datePublished"] == "2025-11-03"
    dt.date.fromisoformat(data["datePublished"])


def test_json_ld_cannot_close_its_script_element():
    text = selectors.json_ld({"claimReviewed": "</script><script>alert(1)</script>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["claimReviewed"] == "</script><script>alert(1)</script>&"


def test_public_cards_fall_back_to_english_when_not_translated(lab_a):
    english = FactCardFactory(lab=lab_a, slug="jobs")
    other = FactCardFactory(lab=lab_a, slug="crime", claim="Crime rises.")
    FactCardFactory(
        lab=lab_a, slug="jobs-fa", language="fa", translation_of=english, claim="ادعا"
    )
    FactCardFactory(lab=lab_a, slug="draft", status="draft")
    cards = selectors.public_fact_cards(language="fa")
    slugs = {c.slug: getattr(c, "fallback", False) for c in cards}
    assert slugs == {"jobs-fa": False, "crime": True}
    assert other.slug in slugs
