"""Public pages (no account): published fact cards and running campaigns."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from openmil.campaigns import selectors


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def fact_list(request: HttpRequest) -> HttpResponse:
    cards = selectors.public_fact_cards(language=_language())
    return render(request, "campaigns/public/fact_list.html", {"cards": cards})


def fact_detail(request: HttpRequest, slug: str) -> HttpResponse:
    card = selectors.public_fact_card_get(slug=slug)
    url = request.build_absolute_uri(
        reverse("facts_public:detail", kwargs={"slug": card.slug})
    )
    return render(
        request,
        "campaigns/public/fact_detail.html",
        {
            "card": card,
            "sources": card.sources.all(),
            "versions": selectors.public_card_versions(card=card),
            "json_ld": selectors.json_ld(selectors.claim_review(card=card, url=url)),
        },
    )


def campaign_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = selectors.public_campaign_get(slug=slug)
    language = _language()
    return render(
        request,
        "campaigns/public/campaign.html",
        {
            "campaign": campaign,
            "messages_shown": selectors.public_messages(
                campaign=campaign, language=language
            ),
            "cards": selectors.public_fact_cards(language=language, campaign=campaign),
        },
    )
