"""Staff and public pages: user content is sanitised everywhere, the JSON-LD
is valid and inert, reach figures are labelled for what they are."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openmil.campaigns.models import (
    Campaign,
    Conversion,
    FactCard,
    MessageTranslation,
    ReachRecord,
)
from tests.campaigns.factories import (
    CampaignFactory,
    FactCardFactory,
    FactSourceFactory,
    KpiFactory,
    MessageFactory,
    ReachRecordFactory,
    TranslationFactory,
    csv_bytes,
)
from tests.conftest import client_for

XSS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "</script><script>alert(2)</script>",
    '<a href="#" onclick="alert(3)">a</a>',
    "<iframe src=//evil></iframe>",
]


class _Elements(HTMLParser):
    """Every element the browser would build, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(body: str) -> None:
    """No script but the JSON-LD data block and static files, no event
    handler, no frame, no javascript: link."""
    parser = _Elements()
    parser.feed(body)
    for tag, attrs in parser.found:
        if tag == "script":
            assert attrs.get("src") or attrs.get("type") == "application/ld+json"
        assert tag not in ("iframe", "object", "embed"), tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith("javascript:"), (tag, attrs)


@pytest.mark.parametrize("payload", XSS)
def test_fact_card_fields_are_inert_on_public_and_staff_pages(
    payload, lab_a, coordinator
):
    card = FactCardFactory(
        lab=lab_a, slug="xss", claim=payload, facts=payload, claimed_by=payload
    )
    FactSourceFactory(card=card, title=payload, publisher=payload)
    for client, url in [
        (Client(), "/site/facts/xss/"),
        (Client(), "/site/facts/"),
        (client_for(coordinator), f"/campaigns/facts/{card.pk}/"),
        (client_for(coordinator), f"/campaigns/?lab={lab_a.pk}"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


@pytest.mark.parametrize("payload", XSS)
def test_campaign_and_message_texts_are_inert(payload, lab_a, coordinator):
    campaign = CampaignFactory(
        lab=lab_a, slug="c", name=payload, summary=payload, objectives=payload
    )
    KpiFactory(campaign=campaign, objective=payload)
    message = MessageFactory(campaign=campaign, title=payload)
    TranslationFactory(message=message, language="en", text=payload)
    TranslationFactory(message=message, language="fa", text=payload)
    pages = [
        (Client(), "/site/campaigns/c/?utm_campaign=c"),
        (client_for(coordinator), f"/campaigns/{campaign.pk}/"),
        (client_for(coordinator), f"/campaigns/messages/{message.pk}/fa/"),
        (client_for(coordinator), f"/campaigns/{campaign.pk}/reach/"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode())


def test_markdown_in_facts_is_rendered(lab_a):
    FactCardFactory(lab=lab_a, slug="md", facts="Studies find **no effect**.")
    body = Client().get("/site/facts/md/").content.decode()
    assert "<strong>no effect</strong>" in body


def test_the_public_card_carries_a_parsable_claim_review(lab_a):
    card = FactCardFactory(lab=lab_a, slug="jobs", claim="They </script> take jobs")
    FactSourceFactory(card=card)
    body = Client().get("/site/facts/jobs/").content.decode()
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', body, flags=re.S
    )
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == "They </script> take jobs"
    assert data["url"] == "http://testserver/site/facts/jobs/"
    for key in ("author", "reviewRating", "itemReviewed", "datePublished"):
        assert key in data
    assert data["reviewRating"]["alternateName"] == "Misleading"


def test_draft_cards_and_draft_campaigns_are_not_public(lab_a):
    FactCardFactory(lab=lab_a, slug="draft", status=FactCard.Status.DRAFT)
    CampaignFactory(lab=lab_a, slug="hidden", status=Campaign.Status.DRAFT)
    assert Client().get("/site/facts/draft/").status_code == 404
    assert Client().get("/site/campaigns/hidden/").status_code == 404
    assert "draft" not in Client().get("/site/facts/").content.decode()


def test_a_public_page_in_persian_shows_an_english_fallback_marked_as_such(lab_a):
    FactCardFactory(lab=lab_a, slug="jobs")
    client = Client(headers={"accept-language": "fa"})
    body = client.get("/site/facts/").content.decode()
    assert 'lang="en" dir="ltr"' in body


def test_the_reach_page_labels_summed_reach_and_gives_the_lower_bound(
    campaign, coordinator
):
    ReachRecordFactory(campaign=campaign, platform="facebook", reach=900, impressions=1)
    ReachRecordFactory(campaign=campaign, platform="facebook", reach=800, impressions=1)
    ReachRecordFactory(campaign=campaign, platform="x", reach=1000, impressions=1)
    body = client_for(coordinator).get(f"/campaigns/{campaign.pk}/reach/").content
    text = body.decode()
    assert "not de-duplicated across posts and platforms" in text
    assert "<dd>2700 " in text
    assert "<dd>1000 " in text and "a lower bound on unique people" in text
    assert '<svg class="chart"' in text


def test_uploading_a_bad_file_lists_the_row_errors_and_keeps_nothing(
    campaign, coordinator
):
    data = csv_bytes("facebook,acc,en,p1,2026-03-01,-4,1,1,1,1")
    response = client_for(coordinator).post(
        f"/campaigns/{campaign.pk}/reach/",
        {"file": SimpleUploadedFile("fb.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "The file is refused; nothing was imported." in text
    assert "<td>2</td><td>reach</td><td>A count cannot be negative.</td>" in text
    assert not ReachRecord.objects.exists()


def test_uploading_a_good_file_imports_it(campaign, coordinator):
    data = csv_bytes("facebook,acc,en,p1,2026-03-01,4,5,1,1,1")
    response = client_for(coordinator).post(
        f"/campaigns/{campaign.pk}/reach/",
        {"file": SimpleUploadedFile("fb.csv", data, content_type="text/csv")},
        follow=True,
    )
    assert "1 rows imported: 1 new, 0 updated." in response.content.decode()
    assert ReachRecord.objects.get().reach == 4


def test_the_message_grid_shows_each_language_status(campaign, coordinator):
    message = MessageFactory(campaign=campaign, title="Jobs")
    TranslationFactory(message=message, language="en", status="published")
    TranslationFactory(message=message, language="fr", status="reviewed")
    body = client_for(coordinator).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "status-published" in body
    assert "status-reviewed" in body
    assert body.count("status-missing") == 2  # ar, fa


def test_creating_a_campaign_and_a_message_from_the_pages(lab_a, coordinator):
    client = client_for(coordinator)
    response = client.post(
        f"/campaigns/new/?lab={lab_a.pk}",
        {
            "name": "Bridges",
            "slug": "bridges-2027",
            "status": "draft",
            "starts_on": "2027-01-01",
            "ends_on": "2027-06-30",
            "languages": ["fr", "uk"],
        },
    )
    campaign = Campaign.objects.get(slug="bridges-2027")
    assert response.status_code == 302
    assert campaign.languages == ["en", "fr", "uk"]
    client.post(
        f"/campaigns/{campaign.pk}/messages/",
        {"title": "Entrepreneurs", "text": "One in five founders is a newcomer."},
    )
    translation = MessageTranslation.objects.get(message__campaign=campaign)
    assert (translation.language, translation.status) == ("en", "draft")


def test_editing_the_english_source_sends_translations_back_to_draft(
    campaign, coordinator
):
    message = MessageFactory(campaign=campaign)
    TranslationFactory(message=message, language="en", text="Old")
    TranslationFactory(message=message, language="fr", text="Vieux")
    client_for(coordinator).post(
        f"/campaigns/messages/{message.pk}/en/", {"text": "New", "status": "published"}
    )
    assert message.translations.get(language="fr").status == "draft"


def test_a_translation_cannot_be_published_before_its_source(campaign, coordinator):
    message = MessageFactory(campaign=campaign)
    TranslationFactory(message=message, language="en", status="draft")
    response = client_for(coordinator).post(
        f"/campaigns/messages/{message.pk}/fr/",
        {"text": "Texte", "status": "published"},
    )
    assert response.status_code == 200
    assert "Publish the English source first." in response.content.decode()
    assert not message.translations.filter(language="fr").exists()


def test_a_card_without_a_source_is_not_published(lab_a, coordinator):
    card = FactCardFactory(lab=lab_a, status=FactCard.Status.DRAFT)
    client_for(coordinator).post(
        f"/campaigns/facts/{card.pk}/publish/", {"publish": "1"}
    )
    card.refresh_from_db()
    assert card.status == FactCard.Status.DRAFT


def test_a_tagged_visit_to_the_public_site_is_kept_for_a_later_sign_up(campaign):
    from openmil.campaigns.services import SESSION_KEY

    client = Client()
    client.get(
        "/site/facts/?utm_source=x&utm_medium=social&utm_campaign=bridges"
        "&utm_content=uk"
    )
    tags = client.session[SESSION_KEY]["tags"]
    assert tags == {
        "utm_source": "x",
        "utm_medium": "social",
        "utm_campaign": "bridges",
        "utm_content": "uk",
    }
    assert not Conversion.objects.exists()


def test_staff_pages_are_not_tagged(campaign, coordinator):
    from openmil.campaigns.services import SESSION_KEY

    client = client_for(coordinator)
    client.get("/campaigns/?utm_campaign=bridges")
    assert SESSION_KEY not in client.session


def test_the_charts_are_mirrored_right_to_left(campaign, coordinator):
    ReachRecordFactory(campaign=campaign, impressions=500)
    ReachRecordFactory(campaign=campaign, platform="x", impressions=250)
    client = client_for(coordinator)
    ltr = client.get(f"/campaigns/{campaign.pk}/reach/").content.decode()
    client.post("/i18n/setlang/", {"language": "ar"})
    rtl = client.get(
        f"/campaigns/{campaign.pk}/reach/", headers={"accept-language": "ar"}
    ).content.decode()
    assert 'text-anchor="start"' in ltr
    assert 'text-anchor="end"' in rtl
