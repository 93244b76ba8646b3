"""Campaign, fact-card and reach endpoints: the same selectors, services and
forms as the pages."""

import datetime as dt
from typing import IO, Any, cast

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from openmil.campaigns import reach_csv, selectors, services
from openmil.campaigns.forms import (
    CampaignForm,
    FactCardForm,
    FactSourceForm,
    KpiForm,
    MessageForm,
    ReachUploadForm,
    TranslationForm,
)
from openmil.campaigns.models import Campaign, FactCard
from openmil.core import access
from openmil.core.api import BoundedPages, Error, form_errors
from openmil.core.roles import Perm
from openmil.participants.api import MAX_ID, NO_NUL

router = Router(tags=["campaigns"])


class KpiOut(Schema):
    id: int
    metric: str
    objective: str
    target: int
    period_start: dt.date
    period_end: dt.date
    actual: int
    percent: int
    met: bool
    note: str = Field(
        ...,
        description="not_deduplicated: summed reach; reported: counted by hand",
    )


class TranslationOut(Schema):
    language: str
    status: str
    text: str


class MessageOut(Schema):
    id: int
    title: str
    translations: list[TranslationOut]


class ShareLinkOut(Schema):
    platform: str
    language: str
    url: str
    share_url: str


class CampaignOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    name: str
    slug: str
    status: str
    summary: str
    objectives: str
    starts_on: dt.date
    ends_on: dt.date
    languages: list[str]
    landing_url: str


class CampaignDetailOut(CampaignOut):
    kpis: list[KpiOut]
    messages: list[MessageOut]
    share_links: list[ShareLinkOut]


class CampaignIn(Schema):
    name: str | None = Field(None, pattern=NO_NUL)
    slug: str | None = Field(None, pattern=NO_NUL)
    status: str | None = Field(None, pattern=NO_NUL)
    summary: str | None = Field(None, pattern=NO_NUL)
    objectives: str | None = Field(None, pattern=NO_NUL)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    languages: list[str] | None = None
    landing_url: str | None = Field(None, pattern=NO_NUL)


class CampaignCreate(CampaignIn):
    lab: int = Field(..., ge=1, le=MAX_ID)


class KpiIn(Schema):
    metric: str = Field(..., pattern=NO_NUL)
    objective: str = Field("", pattern=NO_NUL)
    target: int = Field(..., ge=1, le=10**12)
    period_start: dt.date
    period_end: dt.date


class MessageIn(Schema):
    title: str = Field(..., pattern=NO_NUL)
    text: str = Field(..., pattern=NO_NUL, description="English source, Markdown")


class TranslationIn(Schema):
    text: str = Field("", pattern=NO_NUL)
    status: str = Field(..., pattern=NO_NUL)


class LabFilter(Schema):
    lab: int | None = Field(None, ge=1, le=MAX_ID)


class PlatformReachOut(Schema):
    platform: str
    reach_sum: int
    max_post_reach: int
    impressions: int
    engagements: int
    shares: int
    link_clicks: int
    posts: int


class FunnelRowOut(Schema):
    source: str
    link_clicks: int
    signups: int
    registrations: int


class ReachOut(Schema):
    campaign: int
    impressions: int = Field(..., description="Adds up across posts and platforms")
    engagements: int
    shares: int
    link_clicks: int
    reach_sum: int = Field(
        ..., description="Not de-duplicated across posts and platforms"
    )
    reach_sum_label: str
    reach_lower_bound: int = Field(
        ...,
        description="Largest single-platform reach: a lower bound on unique people",
    )
    reach_lower_bound_platform: str
    by_platform: list[PlatformReachOut]
    funnel: list[FunnelRowOut]
    signups: int
    registrations: int


class ReachImportOut(Schema):
    id: int
    file_name: str
    rows: int
    created: int
    updated: int


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str


class ReachImportRefused(Schema):
    # A refused file: a sentence and its rows' errors. A request without a
    # file gets the API's usual validation detail (a list) and no rows.
    detail: str | list[dict[str, Any]]
    errors: list[RowErrorOut] = []


class SourceOut(Schema):
    id: int
    title: str
    publisher: str
    url: str
    published_on: dt.date


class FactCardOut(Schema):
    id: int
    lab: int = Field(..., alias="lab_id")
    campaign: int | None = Field(None, alias="campaign_id")
    slug: str
    language: str
    translation_of: int | None = Field(None, alias="translation_of_id")
    claim: str
    claimed_by: str
    facts: str
    rating: str
    status: str
    published_at: dt.datetime | None
    sources: list[SourceOut]


class FactCardIn(Schema):
    slug: str | None = Field(None, pattern=NO_NUL)
    language: str | None = Field(None, pattern=NO_NUL)
    translation_of: int | None = Field(None, ge=1, le=MAX_ID)
    campaign: int | None = Field(None, ge=1, le=MAX_ID)
    claim: str | None = Field(None, pattern=NO_NUL)
    claimed_by: str | None = Field(None, pattern=NO_NUL)
    facts: str | None = Field(None, pattern=NO_NUL)
    rating: str | None = Field(None, pattern=NO_NUL)


class FactCardCreate(FactCardIn):
    lab: int = Field(..., ge=1, le=MAX_ID)


class SourceIn(Schema):
    title: str = Field(..., pattern=NO_NUL)
    publisher: str = Field("", pattern=NO_NUL)
    url: str = Field(..., pattern=NO_NUL)
    published_on: dt.date


class PublishIn(Schema):
    publish: bool = True


REFUSALS = {400: Error, 403: Error, 404: Error, 422: Error}


def _campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        f: getattr(campaign, f)
        for f in (
            "id",
            "lab_id",
            "name",
            "slug",
            "status",
            "summary",
            "objectives",
            "starts_on",
            "ends_on",
            "languages",
            "landing_url",
        )
    }


def _detail(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    base = request.build_absolute_uri(f"/site/campaigns/{campaign.slug}/")
    return {
        **_campaign_out(campaign),
        "kpis": [
            {
                "id": p.kpi.pk,
                "metric": p.kpi.metric,
                "objective": p.kpi.objective,
                "target": p.kpi.target,
                "period_start": p.kpi.period_start,
                "period_end": p.kpi.period_end,
                "actual": p.actual,
                "percent": p.percent,
                "met": p.met,
                "note": p.note,
            }
            for p in selectors.kpi_progress(campaign=campaign)
        ],
        "messages": [
            {
                "id": row.message.pk,
                "title": row.message.title,
                "translations": [
                    {"language": c.language, "status": c.status, "text": c.text}
                    for c in row.cells
                ],
            }
            for row in selectors.message_grid(campaign=campaign)
        ],
        "share_links": [
            link.__dict__
            for link in selectors.share_links(campaign=campaign, base_url=base)
        ],
    }


def _form_data(data: dict[str, Any], initial: dict[str, Any]) -> dict[str, Any]:
    merged = {**initial, **{k: v for k, v in data.items() if v is not None}}
    return {k: ("" if v is None else v) for k, v in merged.items()}


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], 422: Error},
    summary="Campaigns of the labs I may see",
)
@paginate(BoundedPages, page_size=50)
def list_campaigns(request: HttpRequest, filters: Query[LabFilter]) -> Any:
    return selectors.campaign_list(user=request.user, lab_id=filters.lab)


@router.post("/campaigns", response={201: CampaignDetailOut, **REFUSALS})
def create_campaign(request: HttpRequest, payload: CampaignCreate) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.MANAGE_CAMPAIGNS
    )
    data = payload.dict(exclude={"lab"})
    data.setdefault("status", None)
    form = CampaignForm(
        _form_data(data, {"status": Campaign.Status.DRAFT, "languages": ["en"]})
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    campaign = services.campaign_create(
        actor=request.user, lab=lab, data=form.service_data()
    )
    return 201, _detail(request, campaign)


@router.get(
    "/campaigns/{campaign_id}",
    response={200: CampaignDetailOut, **REFUSALS},
    summary="A campaign with its KPIs against targets, messages and share links",
)
def get_campaign(request: HttpRequest, campaign_id: int) -> Any:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    return _detail(request, campaign)


@router.patch("/campaigns/{campaign_id}", response={200: CampaignDetailOut, **REFUSALS})
def update_campaign(request: HttpRequest, campaign_id: int, payload: CampaignIn) -> Any:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    if not access.can(request.user, Perm.MANAGE_CAMPAIGNS, campaign.lab_id):
        return 403, {"detail": "Your role does not allow this."}
    current = {f: getattr(campaign, f) for f in services.CAMPAIGN_FIELDS}
    form = CampaignForm(
        _form_data(payload.dict(), current),
        instance=Campaign.objects.get(pk=campaign.pk),
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    campaign = services.campaign_update(
        actor=request.user, campaign=campaign, data=form.service_data()
    )
    return _detail(request, campaign)


@router.post(
    "/campaigns/{campaign_id}/kpis", response={201: CampaignDetailOut, **REFUSALS}
)
def add_kpi(request: HttpRequest, campaign_id: int, payload: KpiIn) -> Any:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    form = KpiForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    services.kpi_add(actor=request.user, campaign=campaign, data=form.cleaned_data)
    return 201, _detail(request, campaign)


@router.post(
    "/campaigns/{campaign_id}/messages", response={201: CampaignDetailOut, **REFUSALS}
)
def add_message(request: HttpRequest, campaign_id: int, payload: MessageIn) -> Any:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    form = MessageForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    services.message_create(actor=request.user, campaign=campaign, **form.cleaned_data)
    return 201, _detail(request, campaign)


@router.put(
    "/campaigns/messages/{message_id}/translations/{language}",
    response={200: TranslationOut, **REFUSALS},
    summary="Set a language's text and status (missing removes it)",
)
def set_translation(
    request: HttpRequest, message_id: int, language: str, payload: TranslationIn
) -> Any:
    message = selectors.message_get(user=request.user, message_id=message_id)
    form = TranslationForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    translation = services.message_translation_set(
        actor=request.user, message=message, language=language[:8], **form.cleaned_data
    )
    if translation is None:
        return {"language": language[:8], "status": "missing", "text": ""}
    return translation


@router.get(
    "/campaigns/{campaign_id}/reach",
    response={200: ReachOut, **REFUSALS},
    summary="Reach figures, labelled for what they are, and the UTM funnel",
)
def get_reach(request: HttpRequest, campaign_id: int) -> Any:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    totals = selectors.reach_totals(campaign=campaign)
    funnel = selectors.funnel(campaign=campaign)
    return {
        "campaign": campaign.pk,
        "impressions": totals.impressions,
        "engagements": totals.engagements,
        "shares": totals.shares,
        "link_clicks": totals.link_clicks,
        "reach_sum": totals.reach_sum,
        "reach_sum_label": "not de-duplicated across posts and platforms",
        "reach_lower_bound": totals.reach_lower_bound,
        "reach_lower_bound_platform": totals.lower_bound_platform,
        "by_platform": [p.__dict__ for p in totals.by_platform],
        "funnel": [r.__dict__ for r in funnel["rows"]],
        "signups": funnel["signups"],
        "registrations": funnel["registrations"],
    }


@router.post(
    "/campaigns/{campaign_id}/reach/imports",
    response={
        201: ReachImportOut,
        422: ReachImportRefused,
        400: Error,
        403: Error,
        404: Error,
    },
    summary="Import a platform's CSV export: every row checked, all or nothing",
)
def import_reach(
    request: HttpRequest, campaign_id: int, file: File[UploadedFile]
) -> Any:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    form = ReachUploadForm(files=MultiValueDict({"file": [file]}))
    if not form.is_valid():
        return 400, {"detail": form_errors(form)}
    try:
        job = services.reach_import(
            actor=request.user,
            campaign=campaign,
            stream=cast(IO[bytes], file.file),
            file_name=file.name or "",
        )
    except reach_csv.ReachFileError as error:
        return 422, {
            "detail": "The file is refused; nothing was imported.",
            "errors": [e.as_dict() for e in error.errors],
        }
    return 201, job


def _card_out(card: FactCard) -> dict[str, Any]:
    return {
        **{
            f: getattr(card, f)
            for f in (
                "id",
                "lab_id",
                "campaign_id",
                "slug",
                "language",
                "translation_of_id",
                "claim",
                "claimed_by",
                "facts",
                "rating",
                "status",
                "published_at",
            )
        },
        "sources": list(card.sources.all()),
    }


@router.get(
    "/fact-cards",
    response={200: list[FactCardOut], 422: Error},
    summary="Fact cards of my labs",
)
@paginate(BoundedPages, page_size=50)
def list_fact_cards(request: HttpRequest, filters: Query[LabFilter]) -> Any:
    return selectors.fact_card_list(
        user=request.user, lab_id=filters.lab
    ).prefetch_related("sources")


@router.get("/fact-cards/{card_id}", response={200: FactCardOut, **REFUSALS})
def get_fact_card(request: HttpRequest, card_id: int) -> Any:
    return _card_out(selectors.fact_card_get(user=request.user, card_id=card_id))


@router.post("/fact-cards", response={201: FactCardOut, **REFUSALS})
def create_fact_card(request: HttpRequest, payload: FactCardCreate) -> Any:
    lab = access.lab_get(
        request.user, lab_id=payload.lab, permission=Perm.MANAGE_CAMPAIGNS
    )
    form = FactCardForm(
        _form_data(payload.dict(exclude={"lab"}), {"language": "en"}), lab=lab
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    card = services.fact_card_create(
        actor=request.user, lab=lab, data=form.service_data()
    )
    return 201, _card_out(card)


@router.patch("/fact-cards/{card_id}", response={200: FactCardOut, **REFUSALS})
def update_fact_card(request: HttpRequest, card_id: int, payload: FactCardIn) -> Any:
    card = selectors.fact_card_get(user=request.user, card_id=card_id)
    if not access.can(request.user, Perm.MANAGE_CAMPAIGNS, card.lab_id):
        return 403, {"detail": "Your role does not allow this."}
    current = {
        "slug": card.slug,
        "language": card.language,
        "translation_of": card.translation_of_id,
        "campaign": card.campaign_id,
        "claim": card.claim,
        "claimed_by": card.claimed_by,
        "facts": card.facts,
        "rating": card.rating,
    }
    form = FactCardForm(
        _form_data(payload.dict(), current),
        instance=FactCard.objects.get(pk=card.pk),
        lab=card.lab,
    )
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    card = services.fact_card_update(
        actor=request.user, card=card, data=form.service_data()
    )
    return _card_out(card)


@router.post("/fact-cards/{card_id}/sources", response={201: FactCardOut, **REFUSALS})
def add_source(request: HttpRequest, card_id: int, payload: SourceIn) -> Any:
    card = selectors.fact_card_get(user=request.user, card_id=card_id)
    form = FactSourceForm(payload.dict())
    if not form.is_valid():
        return 422, {"detail": form_errors(form)}
    services.fact_source_add(actor=request.user, card=card, data=form.cleaned_data)
    return 201, _card_out(card)


@router.post("/fact-cards/{card_id}/publish", response={200: FactCardOut, **REFUSALS})
def publish_fact_card(request: HttpRequest, card_id: int, payload: PublishIn) -> Any:
    card = selectors.fact_card_get(user=request.user, card_id=card_id)
    card = services.fact_card_publish(
        actor=request.user, card=card, publish=payload.publish
    )
    return _card_out(card)
