"""Reads of campaigns and fact cards, scoped to the labs the user may see,
and the honest arithmetic of reach figures."""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import translation

from openmil.campaigns import utm
from openmil.campaigns.models import (
    CAMPAIGN_LANGUAGES,
    RATING_VALUES,
    SOURCE_LANGUAGE,
    Campaign,
    Conversion,
    FactCard,
    Kpi,
    Message,
    Platform,
    ReachImport,
    ReachRecord,
    TranslationStatus,
)
from openmil.campaigns.public_labels import rating_label
from openmil.core import access
from openmil.core.roles import Perm

LANGUAGE_NAMES = dict(CAMPAIGN_LANGUAGES)


# ---------------------------------------------------------------------------
# Staff reads, lab scoped.


def campaign_list(*, user: Any, lab_id: int | None = None) -> QuerySet[Campaign]:
    labs = access.lab_ids_with(user, Perm.VIEW_CAMPAIGNS)
    qs = Campaign.objects.filter(lab_id__in=labs).select_related("lab")
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.order_by("-starts_on", "name", "id")


def campaign_get(*, user: Any, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("lab").filter(pk=campaign_id).first()
    if campaign is None or not access.can(user, Perm.VIEW_CAMPAIGNS, campaign.lab_id):
        raise Http404
    return campaign


def message_get(*, user: Any, message_id: int) -> Message:
    message = (
        Message.objects.select_related("campaign__lab").filter(pk=message_id).first()
    )
    if message is None or not access.can(
        user, Perm.VIEW_CAMPAIGNS, message.campaign.lab_id
    ):
        raise Http404
    return message


def kpi_get(*, user: Any, kpi_id: int) -> Kpi:
    kpi = Kpi.objects.select_related("campaign__lab").filter(pk=kpi_id).first()
    if kpi is None or not access.can(user, Perm.VIEW_CAMPAIGNS, kpi.campaign.lab_id):
        raise Http404
    return kpi


def fact_card_list(*, user: Any, lab_id: int | None = None) -> QuerySet[FactCard]:
    labs = access.lab_ids_with(user, Perm.VIEW_CAMPAIGNS)
    qs = FactCard.objects.filter(lab_id__in=labs).select_related("lab", "campaign")
    if lab_id is not None:
        qs = qs.filter(lab_id=lab_id)
    return qs.annotate(source_count=Count("sources")).order_by("-updated_at", "id")


def fact_card_get(*, user: Any, card_id: int) -> FactCard:
    card = FactCard.objects.select_related("lab", "campaign").filter(pk=card_id).first()
    if card is None or not access.can(user, Perm.VIEW_CAMPAIGNS, card.lab_id):
        raise Http404
    return card


@dataclass
class TranslationCell:
    language: str
    name: str
    status: str
    text: str = ""


@dataclass
class MessageRow:
    message: Message
    source: str
    cells: list[TranslationCell]


def message_grid(*, campaign: Campaign) -> list[MessageRow]:
    """Each message with the status of every campaign language (missing when
    no text exists)."""
    rows = []
    messages = campaign.messages.prefetch_related("translations")
    for message in messages:
        by_language = {t.language: t for t in message.translations.all()}
        cells = []
        for code in campaign.languages:
            t = by_language.get(code)
            cells.append(
                TranslationCell(
                    language=code,
                    name=LANGUAGE_NAMES.get(code, code),
                    status=t.status if t else TranslationStatus.MISSING,
                    text=t.text if t else "",
                )
            )
        source = by_language.get(SOURCE_LANGUAGE)
        rows.append(
            MessageRow(
                message=message, source=source.text if source else "", cells=cells
            )
        )
    return rows


def translation_summary(*, campaign: Campaign) -> dict[str, dict[str, int]]:
    """{language: {status: number of messages}} over the campaign languages."""
    summary = {
        code: dict.fromkeys(TranslationStatus.values, 0) for code in campaign.languages
    }
    for row in message_grid(campaign=campaign):
        for cell in row.cells:
            summary[cell.language][cell.status] += 1
    return summary


@dataclass(frozen=True)
class ShareLink:
    platform: str
    platform_name: str
    language: str
    url: str
    share_url: str


def share_links(*, campaign: Campaign, base_url: str) -> list[ShareLink]:
    """A tagged link per platform and campaign language; `base_url` is the
    public campaign page when the campaign names no landing page."""
    target = campaign.landing_url or base_url
    links = []
    for platform in Platform:
        for language in campaign.languages:
            url = utm.tagged_url(
                target,
                platform=platform.value,
                campaign=campaign.slug,
                language=language,
            )
            links.append(
                ShareLink(
                    platform=platform.value,
                    platform_name=platform.label,
                    language=language,
                    url=url,
                    share_url=utm.share_intent(platform.value, url),
                )
            )
    return links


# ---------------------------------------------------------------------------
# Reach: what the numbers are, and what they are not.


@dataclass
class PlatformTotals:
    platform: str
    name: str
    reach_sum: int
    max_post_reach: int
    impressions: int
    engagements: int
    shares: int
    link_clicks: int
    posts: int


@dataclass
class ReachTotals:
    """Campaign totals. `impressions` (and engagements, shares, link clicks)
    are counts of events and add up. `reach_sum` adds the people each post
    reached on each day: the same person reached by two posts, two days or two
    platforms is counted each time, so it is not a count of people. The only
    honest count of unique people is a lower bound: the largest reach a single
    platform reported (`reach_lower_bound`), since at least that many distinct
    people saw the campaign."""

    impressions: int = 0
    engagements: int = 0
    shares: int = 0
    link_clicks: int = 0
    reach_sum: int = 0
    reach_lower_bound: int = 0
    lower_bound_platform: str = ""
    rows: int = 0
    by_platform: list[PlatformTotals] = field(default_factory=list)
    by_language: dict[str, dict[str, int]] = field(default_factory=dict)


def _int(value: Any) -> int:
    return int(value or 0)


def reach_totals(
    *, campaign: Campaign, since: dt.date | None = None, until: dt.date | None = None
) -> ReachTotals:
    qs = ReachRecord.objects.filter(campaign=campaign)
    if since:
        qs = qs.filter(date__gte=since)
    if until:
        qs = qs.filter(date__lte=until)
    sums = {
        "sum_reach": Sum("reach"),
        "sum_impressions": Sum("impressions"),
        "sum_engagements": Sum("engagements"),
        "sum_shares": Sum("shares"),
        "sum_link_clicks": Sum("link_clicks"),
    }
    totals = ReachTotals()
    names = dict(Platform.choices)
    per_platform: Iterable[Any] = (
        qs.values("platform")
        .annotate(**sums, top=Max("reach"), posts=Count("post", distinct=True))
        .order_by("platform")
    )
    for row in per_platform:
        p = PlatformTotals(
            platform=row["platform"],
            name=names.get(row["platform"], row["platform"]),
            reach_sum=_int(row["sum_reach"]),
            max_post_reach=_int(row["top"]),
            impressions=_int(row["sum_impressions"]),
            engagements=_int(row["sum_engagements"]),
            shares=_int(row["sum_shares"]),
            link_clicks=_int(row["sum_link_clicks"]),
            posts=_int(row["posts"]),
        )
        totals.by_platform.append(p)
        totals.impressions += p.impressions
        totals.engagements += p.engagements
        totals.shares += p.shares
        totals.link_clicks += p.link_clicks
        totals.reach_sum += p.reach_sum
        # The largest reach of one post on one platform on one day: at least
        # that many distinct people were reached.
        if p.max_post_reach > totals.reach_lower_bound:
            totals.reach_lower_bound = p.max_post_reach
            totals.lower_bound_platform = p.name
    totals.rows = qs.count()
    per_language: Iterable[Any] = (
        qs.values("language").annotate(**sums).order_by("language")
    )
    for row in per_language:
        totals.by_language[row["language"]] = {
            k: _int(row[f"sum_{k}"]) for k in ("reach", "impressions", "link_clicks")
        }
    return totals


@dataclass
class FunnelStep:
    key: str
    value: int


@dataclass
class FunnelRow:
    source: str
    link_clicks: int
    signups: int
    registrations: int


def conversions_by_tag(*, campaign: Campaign) -> dict[tuple[str, str], int]:
    """{(utm_source, kind): count}."""
    rows = (
        Conversion.objects.filter(campaign=campaign)
        .values("utm_source", "kind")
        .annotate(n=Count("id"))
    )
    return {(r["utm_source"], r["kind"]): r["n"] for r in rows}


def funnel(*, campaign: Campaign) -> dict[str, Any]:
    """Link clicks (platform figures) → sign-ups → registrations (visits to
    the public site tagged with this campaign), overall and per platform."""
    totals = reach_totals(campaign=campaign)
    tagged = conversions_by_tag(campaign=campaign)
    clicks = {p.platform: p.link_clicks for p in totals.by_platform}
    sources = sorted(set(clicks) | {source for source, _kind in tagged})
    rows = [
        FunnelRow(
            source=source,
            link_clicks=clicks.get(source, 0),
            signups=tagged.get((source, Conversion.Kind.SIGNUP), 0),
            registrations=tagged.get((source, Conversion.Kind.REGISTRATION), 0),
        )
        for source in sources
    ]
    signups = sum(r.signups for r in rows)
    registrations = sum(r.registrations for r in rows)
    return {
        "link_clicks": totals.link_clicks,
        "signups": signups,
        "registrations": registrations,
        "signup_rate": _rate(signups, totals.link_clicks),
        "registration_rate": _rate(registrations, totals.link_clicks),
        "rows": rows,
    }


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class KpiProgress:
    kpi: Kpi
    actual: int
    percent: int
    met: bool
    note: str  # "not_deduplicated" for reach, "reported" for attendance


def kpi_progress(*, campaign: Campaign) -> list[KpiProgress]:
    """Each KPI's measured value over its own period, against its target."""
    out = []
    for kpi in campaign.kpis.all():
        note = ""
        if kpi.metric == Kpi.Metric.ATTENDANCE:
            actual = kpi.reported_value or 0
            note = "reported"
        elif kpi.metric in (Kpi.Metric.SIGNUPS, Kpi.Metric.REGISTRATIONS):
            kind = (
                Conversion.Kind.SIGNUP
                if kpi.metric == Kpi.Metric.SIGNUPS
                else Conversion.Kind.REGISTRATION
            )
            actual = Conversion.objects.filter(
                campaign=campaign,
                kind=kind,
                occurred_at__date__gte=kpi.period_start,
                occurred_at__date__lte=kpi.period_end,
            ).count()
        else:
            totals = reach_totals(
                campaign=campaign, since=kpi.period_start, until=kpi.period_end
            )
            if kpi.metric == Kpi.Metric.REACH:
                actual = totals.reach_sum
                note = "not_deduplicated"
            else:
                actual = getattr(totals, kpi.metric)
        percent = round(100 * actual / kpi.target) if kpi.target else 0
        out.append(
            KpiProgress(
                kpi=kpi,
                actual=actual,
                percent=percent,
                met=actual >= kpi.target,
                note=note,
            )
        )
    return out


def reach_imports(*, campaign: Campaign) -> QuerySet[ReachImport]:
    return campaign.reach_imports.select_related("imported_by")[:20]


# ---------------------------------------------------------------------------
# Public reads: published cards and running campaigns only.


def public_campaign_get(*, slug: str) -> Campaign:
    campaign = (
        Campaign.objects.exclude(status=Campaign.Status.DRAFT)
        .select_related("lab")
        .filter(slug=slug)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


def public_messages(*, campaign: Campaign, language: str) -> list[dict[str, Any]]:
    """Published messages in `language`, else in English (marked so the page
    can set lang="en" on them)."""
    out = []
    for message in campaign.messages.prefetch_related("translations"):
        published = {
            t.language: t
            for t in message.translations.all()
            if t.status == TranslationStatus.PUBLISHED
        }
        chosen = published.get(language) or published.get(SOURCE_LANGUAGE)
        if chosen is not None:
            out.append(
                {
                    "title": message.title,
                    "text": chosen.text,
                    "language": chosen.language,
                    "fallback": chosen.language != language,
                }
            )
    return out


def public_fact_cards(
    *, language: str, campaign: Campaign | None = None
) -> list[FactCard]:
    """Published cards in `language`; an English card without a published
    translation into `language` is shown in English (its `fallback` is set)."""
    qs = FactCard.objects.filter(status=FactCard.Status.PUBLISHED).select_related("lab")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    cards = list(qs.filter(language=language))
    translated = {c.translation_of_id for c in cards if c.translation_of_id}
    if language != SOURCE_LANGUAGE:
        for card in qs.filter(language=SOURCE_LANGUAGE).exclude(pk__in=translated):
            card.fallback = True  # type: ignore[attr-defined]
            cards.append(card)
    cards.sort(key=lambda c: c.published_at or c.updated_at, reverse=True)
    return cards


def public_fact_card_get(*, slug: str) -> FactCard:
    card = (
        FactCard.objects.filter(status=FactCard.Status.PUBLISHED, slug=slug)
        .select_related("lab")
        .first()
    )
    if card is None:
        raise Http404
    return card


def public_card_versions(*, card: FactCard) -> list[FactCard]:
    """The other published languages of the same card."""
    root_id = card.translation_of_id or card.pk
    return list(
        FactCard.objects.filter(status=FactCard.Status.PUBLISHED)
        .filter(Q(pk=root_id) | Q(translation_of_id=root_id))
        .order_by("language")
    )


def claim_review(*, card: FactCard, url: str) -> dict[str, Any]:
    """The card as a schema.org ClaimReview (https://schema.org/ClaimReview)."""
    item: dict[str, Any] = {"@type": "Claim"}
    if card.claimed_by:
        item["author"] = {"@type": "Person", "name": card.claimed_by}
    with translation.override(card.language):
        verdict = rating_label(card.rating)
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "inLanguage": card.language,
        "claimReviewed": card.claim,
        "datePublished": (card.published_at or card.updated_at).date().isoformat(),
        "author": {"@type": "Organization", "name": card.lab.name},
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING_VALUES[card.rating],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": verdict,
        },
    }
    # The dated sources the verdict rests on.
    review["citation"] = [
        {
            "@type": "CreativeWork",
            "url": s.url,
            "name": s.title,
            "publisher": s.publisher,
            "datePublished": s.published_on.isoformat(),
        }
        for s in card.sources.all()
    ]
    return review


def json_ld(data: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> block: <, > and & are
    written as \\u escapes (as Django's json_script does), so no text of the
    card can close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
