"""Writes to campaigns, messages, fact cards and reach figures, each atomic
with its audit entry; `conversion_record` is called by the sign-up and
registration services of other apps."""

from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.campaigns import reach_csv
from openmil.campaigns.models import (
    LANGUAGE_CODES,
    SOURCE_LANGUAGE,
    Campaign,
    Conversion,
    FactCard,
    FactSource,
    Kpi,
    Message,
    MessageTranslation,
    ReachImport,
    ReachRecord,
    TranslationStatus,
)
from openmil.campaigns.utm import clean_tags
from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm

CAMPAIGN_FIELDS = (
    "name",
    "slug",
    "summary",
    "objectives",
    "starts_on",
    "ends_on",
    "languages",
    "landing_url",
    "status",
)
KPI_FIELDS = ("metric", "objective", "target", "period_start", "period_end")
CARD_FIELDS = (
    "campaign",
    "slug",
    "language",
    "translation_of",
    "claim",
    "claimed_by",
    "facts",
    "rating",
)
SOURCE_FIELDS = ("title", "publisher", "url", "published_on")
#: Session key holding the UTM tags of the visit (see middleware.py).
SESSION_KEY = "openmil_utm"
#: Rows written per statement when a reach file is imported.
BATCH = 1000


def _require_manage(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.MANAGE_CAMPAIGNS, lab_id):
        raise PermissionDenied


def _audit(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any,
    lab_id: int,
    changes: dict[str, Any] | None = None,
    detail: str = "",
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        lab_id=lab_id,
        changes=changes,
        detail=detail,
    )


def _clean_languages(languages: list[str]) -> list[str]:
    wanted = set(languages) | {SOURCE_LANGUAGE}
    unknown = wanted - set(LANGUAGE_CODES)
    if unknown:
        raise ValidationError({"languages": _("Unknown language.")})
    return [code for code in LANGUAGE_CODES if code in wanted]


def _check_campaign(campaign: Campaign) -> None:
    if (
        campaign.starts_on
        and campaign.ends_on
        and campaign.ends_on < campaign.starts_on
    ):
        raise ValidationError({"ends_on": _("The campaign ends before it starts.")})
    campaign.full_clean()


@transaction.atomic
def campaign_create(*, actor: Any, lab: Lab, data: dict[str, Any]) -> Campaign:
    """A new campaign, in draft, speaking at least English."""
    _require_manage(actor, lab.pk)
    values = {k: v for k, v in data.items() if k in CAMPAIGN_FIELDS and v is not None}
    values["languages"] = _clean_languages(values.get("languages") or [])
    campaign = Campaign(
        lab=lab,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    _check_campaign(campaign)
    campaign.save()
    _audit(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="campaign",
        object_id=campaign.pk,
        lab_id=lab.pk,
        changes=snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


@transaction.atomic
def campaign_update(
    *, actor: Any, campaign: Campaign, data: dict[str, Any]
) -> Campaign:
    _require_manage(actor, campaign.lab_id)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    for field in CAMPAIGN_FIELDS:
        if field in data and data[field] is not None:
            setattr(campaign, field, data[field])
    campaign.languages = _clean_languages(campaign.languages)
    _check_campaign(campaign)
    campaign.save()
    changes = diff(before, snapshot(campaign, CAMPAIGN_FIELDS))
    if changes:
        _audit(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="campaign",
            object_id=campaign.pk,
            lab_id=campaign.lab_id,
            changes=changes,
        )
    return campaign


@transaction.atomic
def kpi_add(*, actor: Any, campaign: Campaign, data: dict[str, Any]) -> Kpi:
    """An ex-ante target: the period lies within the campaign's dates."""
    _require_manage(actor, campaign.lab_id)
    kpi = Kpi(campaign=campaign, **{k: data[k] for k in KPI_FIELDS if k in data})
    if data.get("reported_value") is not None:
        kpi.reported_value = data["reported_value"]
    if kpi.period_start and kpi.period_end:
        if kpi.period_end < kpi.period_start:
            raise ValidationError(
                {"period_end": _("The period ends before it starts.")}
            )
        if kpi.period_start < campaign.starts_on or kpi.period_end > campaign.ends_on:
            raise ValidationError(
                {"period_start": _("The period lies within the campaign's dates.")}
            )
    kpi.full_clean()
    kpi.save()
    _audit(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="campaign_kpi",
        object_id=kpi.pk,
        lab_id=campaign.lab_id,
        changes=snapshot(kpi, (*KPI_FIELDS, "reported_value")),
    )
    return kpi


@transaction.atomic
def kpi_report(*, actor: Any, kpi: Kpi, value: int) -> Kpi:
    """Record the value of an indicator counted outside the platform (event
    attendance taken at the door)."""
    _require_manage(actor, kpi.campaign.lab_id)
    if value < 0:
        raise ValidationError({"reported_value": _("A count cannot be negative.")})
    before = kpi.reported_value
    kpi.reported_value = value
    kpi.save(update_fields=["reported_value"])
    _audit(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="campaign_kpi",
        object_id=kpi.pk,
        lab_id=kpi.campaign.lab_id,
        changes={"reported_value": {"before": before, "after": value}},
    )
    return kpi


@transaction.atomic
def message_create(*, actor: Any, campaign: Campaign, title: str, text: str) -> Message:
    """A message with its English source text, as a draft."""
    _require_manage(actor, campaign.lab_id)
    if not title.strip():
        raise ValidationError({"title": _("This field is required.")})
    if not text.strip():
        raise ValidationError({"text": _("The English source text is required.")})
    message = Message(campaign=campaign, title=title.strip())
    message.full_clean()
    message.save()
    source = MessageTranslation(
        message=message, language=SOURCE_LANGUAGE, text=text, status="draft"
    )
    source.full_clean()
    source.save()
    _audit(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="campaign_message",
        object_id=message.pk,
        lab_id=campaign.lab_id,
        changes={"title": message.title},
    )
    return message


@transaction.atomic
def message_translation_set(
    *, actor: Any, message: Message, language: str, text: str, status: str
) -> MessageTranslation | None:
    """Set a language's text and status; `missing` removes the translation.

    A translation is published only with a text, and only once the English
    source is published; changing the English text sends published and
    reviewed translations back to draft, since they no longer match it.
    """
    campaign = message.campaign
    _require_manage(actor, campaign.lab_id)
    if language not in campaign.languages:
        raise ValidationError(
            {"language": _("The campaign does not use this language.")}
        )
    if status not in TranslationStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    existing = MessageTranslation.objects.filter(
        message=message, language=language
    ).first()
    before = snapshot(existing, ("text", "status")) if existing else {}
    if status == TranslationStatus.MISSING:
        if language == SOURCE_LANGUAGE:
            raise ValidationError(
                {"status": _("The English source cannot be missing.")}
            )
        if existing:
            existing.delete()
        translation = None
        after: dict[str, Any] = {"status": status}
    else:
        if not text.strip():
            raise ValidationError({"text": _("A translation needs a text.")})
        if status == TranslationStatus.PUBLISHED and language != SOURCE_LANGUAGE:
            source_published = MessageTranslation.objects.filter(
                message=message,
                language=SOURCE_LANGUAGE,
                status=TranslationStatus.PUBLISHED,
            ).exists()
            if not source_published:
                raise ValidationError(
                    {"status": _("Publish the English source first.")}
                )
        translation = existing or MessageTranslation(message=message, language=language)
        source_changed = (
            language == SOURCE_LANGUAGE
            and existing is not None
            and existing.text != text
        )
        translation.text = text
        translation.status = status
        translation.updated_at = timezone.now()
        translation.full_clean()
        translation.save()
        if source_changed:
            message.translations.exclude(language=SOURCE_LANGUAGE).filter(
                status__in=[TranslationStatus.REVIEWED, TranslationStatus.PUBLISHED]
            ).update(status=TranslationStatus.DRAFT)
        after = snapshot(translation, ("text", "status"))
    _audit(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="campaign_message",
        object_id=message.pk,
        lab_id=campaign.lab_id,
        changes=diff(before, after),
        detail=language,
    )
    return translation


def _check_card(card: FactCard) -> None:
    if card.campaign is not None and card.campaign.lab_id != card.lab_id:
        raise ValidationError({"campaign": _("This campaign is another lab's.")})
    original = card.translation_of
    if original is not None:
        if original.lab_id != card.lab_id or original.pk == card.pk:
            raise ValidationError({"translation_of": _("Not a card of this lab.")})
        if original.language == card.language:
            raise ValidationError(
                {
                    "language": _(
                        "A translation is in another language than its original."
                    )
                }
            )
    card.full_clean()


@transaction.atomic
def fact_card_create(*, actor: Any, lab: Lab, data: dict[str, Any]) -> FactCard:
    """A draft card; it is published once it has at least one source."""
    _require_manage(actor, lab.pk)
    card = FactCard(lab=lab, **{k: v for k, v in data.items() if k in CARD_FIELDS})
    _check_card(card)
    card.save()
    _audit(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="fact_card",
        object_id=card.pk,
        lab_id=lab.pk,
        changes=snapshot(card, CARD_FIELDS),
    )
    return card


@transaction.atomic
def fact_card_update(*, actor: Any, card: FactCard, data: dict[str, Any]) -> FactCard:
    _require_manage(actor, card.lab_id)
    card = FactCard.objects.select_for_update().get(pk=card.pk)
    before = snapshot(card, CARD_FIELDS)
    for field in CARD_FIELDS:
        if field in data:
            setattr(card, field, data[field])
    card.updated_at = timezone.now()
    _check_card(card)
    card.save()
    changes = diff(before, snapshot(card, CARD_FIELDS))
    if changes:
        _audit(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="fact_card",
            object_id=card.pk,
            lab_id=card.lab_id,
            changes=changes,
        )
    return card


@transaction.atomic
def fact_source_add(*, actor: Any, card: FactCard, data: dict[str, Any]) -> FactSource:
    _require_manage(actor, card.lab_id)
    source = FactSource(card=card, **{k: data[k] for k in SOURCE_FIELDS if k in data})
    if source.published_on and source.published_on > timezone.localdate():
        raise ValidationError({"published_on": _("This date is in the future.")})
    source.full_clean()
    source.save()
    _audit(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="fact_source",
        object_id=source.pk,
        lab_id=card.lab_id,
        changes=snapshot(source, SOURCE_FIELDS),
    )
    return source


@transaction.atomic
def fact_card_publish(*, actor: Any, card: FactCard, publish: bool) -> FactCard:
    """Publish a card on the public site, or take it back to draft."""
    _require_manage(actor, card.lab_id)
    card = FactCard.objects.select_for_update().get(pk=card.pk)
    if publish and not card.sources.exists():
        raise ValidationError(
            {"sources": _("A card is published with at least one dated source.")}
        )
    before = card.status
    if publish:
        card.status = FactCard.Status.PUBLISHED
        card.published_at = card.published_at or timezone.now()
    else:
        card.status = FactCard.Status.DRAFT
    card.save(update_fields=["status", "published_at"])
    _audit(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="fact_card",
        object_id=card.pk,
        lab_id=card.lab_id,
        changes={"status": {"before": before, "after": card.status}},
    )
    return card


def _write_batch(
    campaign: Campaign,
    rows: dict[tuple[str, str, Any], reach_csv.ReachRow],
    job: ReachImport,
) -> tuple[int, int]:
    existing = set(
        ReachRecord.objects.filter(
            campaign=campaign,
            post__in={key[1] for key in rows},
            date__in={key[2] for key in rows},
        ).values_list("platform", "post", "date")
    )
    records = [
        ReachRecord(campaign=campaign, source=job, **row.__dict__)
        for row in rows.values()
    ]
    ReachRecord.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["campaign", "platform", "post", "date"],
        update_fields=[
            "account",
            "language",
            "reach",
            "impressions",
            "engagements",
            "shares",
            "link_clicks",
            "source",
        ],
    )
    updated = len(existing & set(rows))
    return len(rows) - updated, updated


def reach_import(
    *, actor: Any, campaign: Campaign, stream: IO[bytes], file_name: str
) -> ReachImport:
    """Import a platform export: every row is checked first (a first pass
    over the stream), then all rows are written in one transaction, or none.

    A row for a post and day already imported replaces the earlier figures.
    Raises reach_csv.ReachFileError with the row errors.
    """
    _require_manage(actor, campaign.lab_id)
    errors, _count = reach_csv.check_file(stream)
    if errors:
        raise reach_csv.ReachFileError(errors)
    with transaction.atomic():
        job = ReachImport.objects.create(
            campaign=campaign,
            file_name=file_name[:200],
            rows=0,
            created=0,
            updated=0,
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        created = updated = rows = 0
        batch: dict[tuple[str, str, Any], reach_csv.ReachRow] = {}
        second_errors: list[reach_csv.RowError] = []
        for row in reach_csv.read_rows(stream, errors=second_errors):
            rows += 1
            batch[(row.platform, row.post, row.date)] = row
            if len(batch) >= BATCH:
                c, u = _write_batch(campaign, batch, job)
                created, updated, batch = created + c, updated + u, {}
        if second_errors:
            # The stream changed between the passes: nothing is kept.
            raise reach_csv.ReachFileError(second_errors)
        if batch:
            c, u = _write_batch(campaign, batch, job)
            created, updated = created + c, updated + u
        job.rows, job.created, job.updated = rows, created, updated
        job.save(update_fields=["rows", "created", "updated"])
        _audit(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="reach_import",
            object_id=job.pk,
            lab_id=campaign.lab_id,
            detail=f"{rows} rows: {created} new, {updated} updated",
        )
    return job


def utm_capture(request: HttpRequest) -> None:
    """Keep the UTM tags of a public-site visit in its session (the last
    tagged visit wins); called by CampaignAttributionMiddleware."""
    tags = clean_tags(request.GET.dict())
    if tags.get("utm_campaign") and hasattr(request, "session"):
        request.session[SESSION_KEY] = {"tags": tags, "recorded": []}


def conversion_record(request: HttpRequest, kind: str) -> Conversion | None:
    """Count a sign-up (`"signup"`) or an event registration
    (`"registration"`) for the campaign whose tagged link brought this
    visitor, if one did; at most once per kind and visit.

    Call it from the service that completes the sign-up or registration,
    inside its transaction. Nothing about the person is stored.
    """
    if kind not in Conversion.Kind.values:
        raise ValueError(kind)
    session = getattr(request, "session", None)
    if session is None:
        return None
    visit = session.get(SESSION_KEY)
    if not isinstance(visit, dict) or not isinstance(visit.get("tags"), dict):
        return None
    if kind in visit.get("recorded", []):
        return None
    tags = clean_tags(visit["tags"])
    if not tags.get("utm_campaign"):
        return None
    campaign = Campaign.objects.filter(slug=tags["utm_campaign"]).first()
    conversion = Conversion.objects.create(
        campaign=campaign,
        kind=kind,
        utm_source=tags.get("utm_source", ""),
        utm_medium=tags.get("utm_medium", ""),
        utm_campaign=tags["utm_campaign"],
        utm_content=tags.get("utm_content", ""),
    )
    session[SESSION_KEY] = {**visit, "recorded": [*visit.get("recorded", []), kind]}
    return conversion
