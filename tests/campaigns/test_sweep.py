"""Every campaign page and API operation, requested by every role that must
not get through (see tests/ventures/sweep.py); the public pages answer
anonymous visitors and show nothing unpublished."""

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openmil.campaigns.models import (
    Campaign,
    Conversion,
    FactCard,
    FactSource,
    Kpi,
    Message,
    MessageTranslation,
    ReachImport,
    ReachRecord,
)
from openmil.core.roles import Role
from tests.campaigns.factories import (
    CampaignFactory,
    FactCardFactory,
    FactSourceFactory,
    KpiFactory,
    MessageFactory,
    TranslationFactory,
    csv_bytes,
)
from tests.conftest import client_for
from tests.core import test_access_sweep as core
from tests.core.test_access_sweep import (  # noqa: F401 - the fixture
    Operation,
    Page,
    World,
    world,
)
from tests.factories import member
from tests.ventures import sweep

NAMESPACES = ("campaigns:", "facts_public:", "campaigns_public:")
API_PATHS = ("/api/v1/campaigns", "/api/v1/fact-cards")
ROW = "facebook,lab.a,en,p1,2026-03-01,10,20,3,1,2"


@dataclass
class CampaignWorld(World):
    campaign: Campaign | None = None
    kpi: Kpi | None = None
    message: Message | None = None
    card: FactCard | None = None
    published: FactCard | None = None


@pytest.fixture
def cworld(world: World) -> CampaignWorld:  # noqa: F811
    campaign = CampaignFactory(
        lab=world.lab,
        name="Lab A private campaign",
        slug="lab-a-campaign",
        status=Campaign.Status.DRAFT,
    )
    message = MessageFactory(campaign=campaign, title="Lab A unpublished message")
    TranslationFactory(message=message, language="en", status="draft")
    card = FactCardFactory(
        lab=world.lab,
        slug="lab-a-draft",
        claim="Lab A draft claim",
        status=FactCard.Status.DRAFT,
        published_at=None,
    )
    FactSourceFactory(card=card)
    published = FactCardFactory(lab=world.lab, slug="lab-a-public")
    FactSourceFactory(card=published)
    return CampaignWorld(
        **world.__dict__,
        campaign=campaign,
        kpi=KpiFactory(campaign=campaign, metric=Kpi.Metric.ATTENDANCE, target=40),
        message=message,
        card=card,
        published=published,
    )


def secrets(w: CampaignWorld) -> list[str]:
    return [
        *w.personal_data,
        w.campaign.name,
        w.message.title,
        w.card.claim,
    ]


state = sweep.make_database_state(
    (
        Campaign,
        Kpi,
        Message,
        MessageTranslation,
        FactCard,
        FactSource,
        ReachImport,
        ReachRecord,
        Conversion,
    )
)


def _campaign(w: CampaignWorld) -> dict[str, int]:
    return {"campaign_id": w.campaign.pk}


def _card(w: CampaignWorld) -> dict[str, int]:
    return {"card_id": w.card.pk}


def _lab(w: CampaignWorld) -> dict[str, int]:
    return {"lab": w.lab.pk}


def _new_campaign(w: CampaignWorld) -> dict[str, Any]:
    return {
        "name": "Second campaign",
        "slug": "second",
        "status": "draft",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "languages": ["fr"],
    }


def _new_card(w: CampaignWorld) -> dict[str, Any]:
    return {
        "slug": "new-card",
        "language": "en",
        "claim": "Newcomers do not pay taxes.",
        "facts": "They do.",
        "rating": "false",
    }


def _upload(w: CampaignWorld) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("fb.csv", csv_bytes(ROW), "text/csv")}


PAGES: dict[str, Page] = {
    "campaigns:list": Page(staff=True),
    "campaigns:create": Page(staff=True, query=_lab, post=_new_campaign, lab_a=True),
    "campaigns:detail": Page(staff=True, kwargs=_campaign, lab_a=True),
    "campaigns:edit": Page(
        staff=True,
        kwargs=_campaign,
        post=lambda w: {**_new_campaign(w), "slug": w.campaign.slug},
        lab_a=True,
    ),
    "campaigns:kpi_add": Page(
        staff=True,
        kwargs=_campaign,
        get=False,
        post=lambda w: {
            "metric": "reach",
            "target": "100000",
            "period_start": "2026-02-01",
            "period_end": "2026-03-31",
        },
        lab_a=True,
    ),
    "campaigns:kpi_report": Page(
        staff=True,
        kwargs=lambda w: {"kpi_id": w.kpi.pk},
        get=False,
        post=lambda w: {"reported_value": "37"},
        lab_a=True,
    ),
    "campaigns:message_add": Page(
        staff=True,
        kwargs=_campaign,
        get=False,
        post=lambda w: {"title": "Taxes", "text": "Newcomers pay taxes."},
        lab_a=True,
    ),
    "campaigns:translation": Page(
        staff=True,
        kwargs=lambda w: {"message_id": w.message.pk, "language": "fr"},
        post=lambda w: {"text": "Les nouveaux arrivants", "status": "draft"},
        lab_a=True,
    ),
    "campaigns:reach": Page(staff=True, kwargs=_campaign, post=_upload, lab_a=True),
    "campaigns:fact_card_create": Page(
        staff=True, query=_lab, post=_new_card, lab_a=True
    ),
    "campaigns:fact_card": Page(
        staff=True,
        kwargs=_card,
        post=lambda w: {**_new_card(w), "slug": w.card.slug},
        lab_a=True,
    ),
    "campaigns:fact_source_add": Page(
        staff=True,
        kwargs=_card,
        get=False,
        post=lambda w: {
            "title": "Eurostat",
            "url": "https://ec.europa.eu/eurostat",
            "published_on": "2025-01-10",
        },
        lab_a=True,
    ),
    "campaigns:fact_card_publish": Page(
        staff=True, kwargs=_card, get=False, post=lambda w: {"publish": "1"}, lab_a=True
    ),
}

PUBLIC_PAGES: dict[str, Page] = {
    "facts_public:list": Page(public=True),
    "facts_public:detail": Page(
        public=True, kwargs=lambda w: {"slug": w.published.slug}
    ),
    "campaigns_public:campaign": Page(
        public=True, kwargs=lambda w: {"slug": w.campaign.slug}
    ),
}

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/campaigns"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/campaigns"): Operation(
        body=lambda w: {**_new_campaign(w), "lab": w.lab.pk}
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}"): Operation(path=_campaign),
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): Operation(
        path=_campaign, body=lambda w: {"name": "Renamed"}
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/kpis"): Operation(
        path=_campaign,
        body=lambda w: {
            "metric": "signups",
            "target": 50,
            "period_start": "2026-01-01",
            "period_end": "2026-02-01",
        },
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/messages"): Operation(
        path=_campaign, body=lambda w: {"title": "Taxes", "text": "They pay."}
    ),
    ("PUT", "/api/v1/campaigns/messages/{message_id}/translations/{language}"): (
        Operation(
            path=lambda w: {"message_id": w.message.pk, "language": "ar"},
            body=lambda w: {"text": "نص", "status": "draft"},
        )
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/reach"): Operation(path=_campaign),
    ("GET", "/api/v1/fact-cards"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/fact-cards"): Operation(
        body=lambda w: {**_new_card(w), "lab": w.lab.pk}
    ),
    ("GET", "/api/v1/fact-cards/{card_id}"): Operation(path=_card),
    ("PATCH", "/api/v1/fact-cards/{card_id}"): Operation(
        path=_card, body=lambda w: {"rating": "false"}
    ),
    ("POST", "/api/v1/fact-cards/{card_id}/sources"): Operation(
        path=_card,
        body=lambda w: {
            "title": "Eurostat",
            "url": "https://ec.europa.eu/eurostat",
            "published_on": "2025-01-10",
        },
    ),
    ("POST", "/api/v1/fact-cards/{card_id}/publish"): Operation(
        path=_card, body=lambda w: {"publish": True}
    ),
}
#: The upload takes a multipart body; it is swept by the tests below.
UPLOAD = ("POST", "/api/v1/campaigns/{campaign_id}/reach/imports")


def test_the_sweep_knows_every_campaign_page():
    assert sweep.url_names_in(NAMESPACES) == set(PAGES) | set(PUBLIC_PAGES)


def test_the_sweep_knows_every_campaign_operation():
    assert sweep.api_operations_under(API_PATHS) == set(OPERATIONS) | {UPLOAD}
    assert sweep.api_routes_under(API_PATHS) == {
        path for _m, path in [*OPERATIONS, UPLOAD]
    }


globals().update(sweep.page_tests(PAGES, state, secrets, "cworld"))
globals().update(sweep.api_tests(OPERATIONS, state, secrets, "cworld"))

MANAGE_POSTS = sorted(n for n, p in PAGES.items() if p.post and p.lab_a)


@pytest.mark.parametrize("name", MANAGE_POSTS)
def test_a_facilitator_sees_campaigns_but_may_not_change_them(name, cworld, db):
    client = client_for(cworld.facilitator)
    before = state()
    response = sweep.request_page(PAGES, client, "post", name, cworld)
    if name in ("campaigns:create", "campaigns:fact_card_create"):
        # No lab in which the facilitator may manage campaigns.
        assert response.status_code == 404
    else:
        assert response.status_code == 403
    assert state() == before
    if PAGES[name].get:
        response = sweep.request_page(PAGES, client, "get", name, cworld)
        # Reading pages open, editing forms refused.
        expected = {
            "campaigns:reach": 200,
            "campaigns:fact_card": 200,
            "campaigns:edit": 403,
            "campaigns:translation": 403,
        }.get(name, 404)
        assert response.status_code == expected


def _upload_call(w: CampaignWorld, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().post(
        f"/api/v1/campaigns/{w.campaign.pk}/reach/imports",
        {"file": io.BytesIO(csv_bytes(ROW))},
        headers=headers,
    )


def test_api_upload_by_the_lab_coordinator_imports(cworld):
    response = _upload_call(cworld, core.bearer(cworld.coordinator))
    assert response.status_code == 201, response.content
    assert response.json()["rows"] == 1


def test_api_upload_without_a_token_answers_401(cworld):
    assert _upload_call(cworld, None).status_code == 401
    assert not ReachRecord.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR, Role.FACILITATOR], ids=str
)
def test_api_upload_by_other_roles_is_refused(cworld, role):
    response = _upload_call(cworld, core.bearer(member(cworld.lab, role)))
    assert response.status_code in core.REFUSED
    assert not ReachRecord.objects.exists()


def test_api_upload_by_another_lab_is_not_found(cworld, outsider):
    response = _upload_call(cworld, core.bearer(outsider))
    assert response.status_code == 404
    assert not ReachRecord.objects.exists()


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_public_pages_answer_anonymous_visitors_without_private_data(name, cworld):
    page = PUBLIC_PAGES[name]
    if name == "campaigns_public:campaign":
        cworld.campaign.status = Campaign.Status.RUNNING
        cworld.campaign.save()
    response = Client().get(page.url(name, cworld))
    assert response.status_code == 200
    body = response.content.decode()
    assert not sweep.leaks(body, [*cworld.personal_data, cworld.card.claim])
    assert not sweep.leaks(body, [cworld.message.title])


def test_unpublished_things_are_not_found_in_public(cworld):
    assert Client().get(f"/site/facts/{cworld.card.slug}/").status_code == 404
    assert Client().get(f"/site/campaigns/{cworld.campaign.slug}/").status_code == 404


def test_dates_in_the_sweep_forms_lie_within_the_campaign(cworld):
    assert cworld.campaign.starts_on <= dt.date(2026, 2, 1)
