"""Writes of the network app: practices, questions, adoptions, MIPEX scores,
and federation (joining a hub, the outbox, receiving payloads at the hub).

Every write is atomic with its audit entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.codes import country_choices
from openmil.core.models import AuditEntry, Lab
from openmil.core.pillars import Pillar
from openmil.core.roles import Perm
from openmil.indicators.models import IndicatorSnapshot
from openmil.indicators.registry import REGISTRY
from openmil.indicators.selectors import snapshot_figures_published
from openmil.network import federation, search
from openmil.network.models import (
    SDGS,
    Adoption,
    FederatedLab,
    FederatedPractice,
    FederatedSnapshot,
    HubLink,
    MipexScore,
    OutboxItem,
    Practice,
    PracticeAnswer,
    PracticeQuestion,
    PracticeVersion,
    ReceivedPayload,
)

VERSION_FIELDS = (
    "title",
    "summary",
    "problem",
    "what_was_done",
    "resources",
    "results",
)
PRACTICE_FIELDS = ("pillar", "sdgs", "countries", "evidence_indicators")


def _require(user: Any, permission: str, lab_id: int) -> None:
    if not access.can(user, permission, lab_id):
        raise PermissionDenied


def practice_validate(data: dict[str, Any]) -> None:
    """Shared fields: known pillar, SDGs, countries and indicator ids."""
    errors: dict[str, str] = {}
    if data.get("pillar") not in Pillar.values:
        errors["pillar"] = _("Choose a pillar.")
    if not set(data.get("sdgs", [])) <= {n for n, _label in SDGS}:
        errors["sdgs"] = _("Unknown SDG.")
    countries = {code for code, _label in country_choices()}
    if not set(data.get("countries", [])) <= countries:
        errors["countries"] = _("Unknown country code.")
    if not set(data.get("evidence_indicators", [])) <= set(REGISTRY):
        errors["evidence_indicators"] = _("Unknown indicator.")
    if errors:
        raise ValidationError(errors)


def _version_save(
    *, practice: Practice, language: str, data: dict[str, Any]
) -> PracticeVersion:
    if language not in dict(settings.LANGUAGES) and len(language) != 2:
        raise ValidationError({"language": _("Unknown language.")})
    if not (data.get("title") or "").strip() or not (data.get("summary") or "").strip():
        raise ValidationError({"title": _("A title and a summary are needed.")})
    version, _created = PracticeVersion.objects.update_or_create(
        practice=practice,
        language=language,
        defaults={f: (data.get(f) or "").strip() for f in VERSION_FIELDS},
    )
    search.index_version(version)
    return version


@transaction.atomic
def practice_create(
    *, actor: Any, lab: Lab, language: str, data: dict[str, Any]
) -> Practice:
    """A new draft practice of `lab`, in one language."""
    _require(actor, Perm.EXCHANGE_PRACTICE, lab.pk)
    practice_validate(data)
    practice = Practice.objects.create(
        lab=lab,
        created_by=actor,
        **{f: data.get(f) or [] for f in PRACTICE_FIELDS[1:]},
        pillar=data["pillar"],
    )
    _version_save(practice=practice, language=language, data=data)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="practice",
        object_id=practice.pk,
        lab_id=lab.pk,
    )
    return practice


@transaction.atomic
def practice_update(
    *, actor: Any, practice: Practice, language: str, data: dict[str, Any]
) -> Practice:
    """Change the shared fields and write (or add) one language version."""
    _require(actor, Perm.EXCHANGE_PRACTICE, practice.lab_id)
    practice_validate(data)
    for field in PRACTICE_FIELDS:
        setattr(practice, field, data.get(field) or ([] if field != "pillar" else ""))
    practice.save()
    _version_save(practice=practice, language=language, data=data)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="practice",
        object_id=practice.pk,
        lab_id=practice.lab_id,
        detail=language,
    )
    return practice


@transaction.atomic
def practice_publish(*, actor: Any, practice: Practice) -> Practice:
    _require(actor, Perm.EXCHANGE_PRACTICE, practice.lab_id)
    practice.status = Practice.Status.PUBLISHED
    practice.published_at = practice.published_at or timezone.now()
    practice.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="practice",
        object_id=practice.pk,
        lab_id=practice.lab_id,
        detail="published",
    )
    return practice


@transaction.atomic
def question_ask(
    *, actor: Any, practice: Practice, lab: Lab, text: str
) -> PracticeQuestion:
    """A lab asks the practice's lab a question."""
    _require(actor, Perm.EXCHANGE_PRACTICE, lab.pk)
    if practice.status != Practice.Status.PUBLISHED:
        raise ValidationError({"text": _("Only published practices take questions.")})
    if not text.strip():
        raise ValidationError({"text": _("Write a question.")})
    question = PracticeQuestion.objects.create(
        practice=practice, lab=lab, asked_by=actor, text=text.strip()
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="practice_question",
        object_id=question.pk,
        lab_id=lab.pk,
    )
    return question


@transaction.atomic
def answer_give(*, actor: Any, question: PracticeQuestion, text: str) -> PracticeAnswer:
    """The practice's lab answers."""
    lab_id = question.practice.lab_id
    _require(actor, Perm.EXCHANGE_PRACTICE, lab_id)
    if not text.strip():
        raise ValidationError({"text": _("Write an answer.")})
    answer = PracticeAnswer.objects.create(
        question=question, lab_id=lab_id, answered_by=actor, text=text.strip()
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="practice_answer",
        object_id=answer.pk,
        lab_id=lab_id,
    )
    return answer


@transaction.atomic
def adoption_record(
    *, actor: Any, practice: Practice, lab: Lab, adopted_on: dt.date, note: str = ""
) -> Adoption:
    """Lab `lab` adopted `practice` on `adopted_on`."""
    _require(actor, Perm.EXCHANGE_PRACTICE, lab.pk)
    if practice.status != Practice.Status.PUBLISHED:
        raise ValidationError(
            {"adopted_on": _("Only published practices are adopted.")}
        )
    if practice.lab_id == lab.pk:
        raise ValidationError({"lab": _("A lab does not adopt its own practice.")})
    if adopted_on > timezone.localdate():
        raise ValidationError({"adopted_on": _("The date is in the future.")})
    if Adoption.objects.filter(practice=practice, lab=lab).exists():
        raise ValidationError({"lab": _("This lab's adoption is already recorded.")})
    adoption = Adoption.objects.create(
        practice=practice, lab=lab, adopted_on=adopted_on, note=note, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="adoption",
        object_id=adoption.pk,
        lab_id=lab.pk,
    )
    return adoption


# ---------------------------------------------------------------------------
# MIPEX scores.


def _mipex_clean(row: dict[str, Any], line: int | None = None) -> dict[str, Any]:
    where = _("line %(n)s: ") % {"n": line} if line else ""
    country = str(row.get("country", "")).strip().upper()
    strand = str(row.get("strand", "")).strip()
    if country not in {code for code, _label in country_choices()}:
        raise ValidationError({"country": where + _("Unknown country code.")})
    if strand not in MipexScore.Strand.values:
        raise ValidationError({"strand": where + _("Unknown MIPEX strand.")})
    try:
        year = int(str(row.get("year", "")).strip())
        score = int(str(row.get("score", "")).strip())
    except ValueError as exc:
        raise ValidationError(
            {"score": where + _("The year and the score are whole numbers.")}
        ) from exc
    if not 2004 <= year <= 2100:
        raise ValidationError({"year": where + _("The year is out of range.")})
    if not 0 <= score <= 100:
        raise ValidationError({"score": where + _("A score is between 0 and 100.")})
    return {
        "country": country,
        "strand": strand,
        "year": year,
        "score": score,
        "source": str(row.get("source") or "").strip()[:200],
    }


def _require_network(actor: Any) -> None:
    if not access.has_any(actor, Perm.MANAGE_NETWORK):
        raise PermissionDenied


@transaction.atomic
def mipex_save(*, actor: Any, data: dict[str, Any]) -> MipexScore:
    _require_network(actor)
    clean = _mipex_clean(data)
    score, _created = MipexScore.objects.update_or_create(
        country=clean["country"],
        year=clean["year"],
        strand=clean["strand"],
        defaults={"score": clean["score"], "source": clean["source"]},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="mipex_score",
        object_id=score.pk,
    )
    return score


@transaction.atomic
def mipex_import(*, actor: Any, text: str) -> int:
    """CSV with the columns country,year,strand,score[,source]. All or nothing."""
    _require_network(actor)
    reader = csv.DictReader(io.StringIO(text))
    needed = {"country", "year", "strand", "score"}
    if not needed <= set(reader.fieldnames or []):
        raise ValidationError(
            {"file": _("The columns must be: country, year, strand, score, source.")}
        )
    rows = [_mipex_clean(row, line) for line, row in enumerate(reader, start=2)]
    for clean in rows:
        MipexScore.objects.update_or_create(
            country=clean["country"],
            year=clean["year"],
            strand=clean["strand"],
            defaults={"score": clean["score"], "source": clean["source"]},
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="mipex_score",
        detail=f"{len(rows)} rows",
    )
    return len(rows)


# ---------------------------------------------------------------------------
# Federation, hub side.


@transaction.atomic
def federated_lab_register(
    *, slug: str, name: str, country: str, public_key: str
) -> FederatedLab:
    """A lab asks to join: its key waits for the network administrator."""
    try:
        federation.public_key_parse(public_key)
    except ValueError as exc:
        raise ValidationError({"public_key": _("Not an Ed25519 public key.")}) from exc
    if country not in {code for code, _label in country_choices()}:
        raise ValidationError({"country": _("Unknown country code.")})
    if not slug or len(slug) > 50 or not slug.replace("-", "").isalnum():
        raise ValidationError({"slug": _("Not a lab identifier.")})
    existing = FederatedLab.objects.filter(slug=slug).first()
    if existing is not None:
        if existing.public_key != public_key:
            raise ValidationError(
                {"slug": _("This lab identifier is registered with another key.")}
            )
        return existing
    lab = FederatedLab.objects.create(
        slug=slug,
        name=name[:200] or slug,
        country=country,
        public_key=public_key,
        fingerprint=federation.fingerprint(public_key),
    )
    audit_record(
        actor=None,
        action=AuditEntry.Action.CREATE,
        object_type="federated_lab",
        object_id=lab.pk,
        detail=lab.fingerprint,
    )
    return lab


@transaction.atomic
def federated_lab_approve(*, actor: Any, federated_lab: FederatedLab) -> FederatedLab:
    """The trust step: the hub's network administrator approves the key."""
    federated_lab.status = FederatedLab.Status.APPROVED
    federated_lab.approved_at = timezone.now()
    federated_lab.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="federated_lab",
        object_id=federated_lab.pk,
        detail=f"approved {federated_lab.fingerprint}",
    )
    return federated_lab


def _figures_clean(figures: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(figures, dict):
        raise federation.Rejected(422, "figures must be an object")
    clean: dict[str, dict[str, Any]] = {}
    for indicator_id, cell in list(figures.items())[:500]:
        if not isinstance(cell, dict):
            raise federation.Rejected(422, "a figure must be an object")
        value = cell.get("value")
        if value is not None and not isinstance(value, int | float):
            raise federation.Rejected(422, "a value must be a number")
        clean[str(indicator_id)[:80]] = {
            "n": str(cell.get("n", ""))[:12],
            "value": value,
            "hidden": bool(cell.get("hidden")),
        }
    return clean


def payload_receive(*, envelope: Any) -> ReceivedPayload:
    """Verify and store a signed payload; raise `Rejected` otherwise.

    Unknown or unapproved labs: 403. Bad signature or content hash: 401.
    Timestamp outside the window: 400. Sequence or nonce already seen
    (a replay, or a retry of something already stored): 409, nothing stored.
    """
    if not isinstance(envelope, dict):
        raise federation.Rejected(400, "The body must be an object.")
    payload, signature = envelope.get("payload"), envelope.get("signature")
    if not isinstance(payload, dict) or not isinstance(signature, str):
        raise federation.Rejected(400, "A payload and a signature are needed.")
    lab = FederatedLab.objects.filter(
        slug=str(payload.get("lab", ""))[:50], status=FederatedLab.Status.APPROVED
    ).first()
    if lab is None:
        raise federation.Rejected(403, "This lab is not a member of the network.")
    federation.signature_check(payload, signature, lab.public_key)
    sent_at = federation.timestamp_check(
        payload.get("timestamp", ""),
        window_seconds=settings.OPENMIL_NETWORK_WINDOW_SECONDS,
    )
    sequence, nonce = payload.get("sequence"), str(payload.get("nonce", ""))[:64]
    if not isinstance(sequence, int) or sequence < 1 or not nonce:
        raise federation.Rejected(400, "A sequence number and a nonce are needed.")
    kind, content = payload.get("kind"), payload.get("content")
    if kind not in ("snapshot", "practice") or not isinstance(content, dict):
        raise federation.Rejected(422, "Unknown kind of content.")
    try:
        with transaction.atomic():
            received = ReceivedPayload.objects.create(
                federated_lab=lab,
                sequence=sequence,
                nonce=nonce,
                kind=kind,
                content_hash=payload["content_hash"],
                sent_at=sent_at,
            )
            if kind == "snapshot":
                _snapshot_store(lab, received, content)
            else:
                _practice_store(lab, received, content)
            audit_record(
                actor=None,
                action=AuditEntry.Action.CREATE,
                object_type=f"federated_{kind}",
                object_id=lab.pk,
                detail=f"#{sequence}",
            )
    except IntegrityError as exc:
        raise federation.Rejected(
            409, "This payload was already received.", "duplicate"
        ) from exc
    return received


def _snapshot_store(
    lab: FederatedLab, received: ReceivedPayload, content: dict[str, Any]
) -> None:
    try:
        computed_at = dt.datetime.fromisoformat(str(content.get("computed_at")))
    except ValueError as exc:
        raise federation.Rejected(422, "computed_at is not a date and time") from exc
    FederatedSnapshot.objects.create(
        federated_lab=lab,
        payload=received,
        period=str(content.get("period", ""))[:40],
        computed_at=computed_at,
        figures=_figures_clean(content.get("figures")),
    )


def _practice_store(
    lab: FederatedLab, received: ReceivedPayload, content: dict[str, Any]
) -> None:
    versions = content.get("versions")
    if not isinstance(versions, dict) or content.get("pillar") not in Pillar.values:
        raise federation.Rejected(422, "A practice needs a pillar and versions.")
    clean = {
        str(lang)[:8]: {f: str(v.get(f, ""))[:20000] for f in VERSION_FIELDS}
        for lang, v in versions.items()
        if isinstance(v, dict)
    }
    FederatedPractice.objects.create(
        federated_lab=lab,
        payload=received,
        remote_id=int(content.get("id") or 0),
        pillar=content["pillar"],
        versions=clean,
    )


# ---------------------------------------------------------------------------
# Federation, lab side.

Sender = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]


def _check_hub_url(url: str) -> str:
    parts = urlsplit(url)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValidationError({"url": _("The hub must be reached over HTTPS.")})
    return url.rstrip("/")


def http_post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST JSON; (status, JSON answer). Network failures raise OSError."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked
        _check_hub_url(url),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            answer = json.loads(error.read() or b"{}")
        except ValueError:
            answer = {}
        return error.code, answer


def hub_join(
    *, lab: Lab, url: str, send: Sender = http_post
) -> tuple[HubLink, dict[str, Any]]:
    """Register the lab's public key with the hub and remember the hub."""
    url = _check_hub_url(url)
    key = federation.keys_generate()
    status, answer = send(
        url + "/api/v1/network/join",
        {
            "slug": lab.slug,
            "name": lab.name,
            "country": lab.country,
            "public_key": federation.public_key_text(key),
        },
    )
    if status not in (200, 201):
        raise ValidationError(
            {"url": _("The hub refused: %(reason)s") % {"reason": answer.get("detail")}}
        )
    with transaction.atomic():
        link, _created = HubLink.objects.update_or_create(
            lab=lab, defaults={"url": url}
        )
        audit_record(
            actor=None,
            action=AuditEntry.Action.CREATE,
            object_type="hub_link",
            object_id=link.pk,
            lab_id=lab.pk,
            detail=url[:200],
        )
    return link, answer


def _snapshot_content(snapshot: IndicatorSnapshot) -> dict[str, Any]:
    """The whole-population figures of a snapshot, disclosure-controlled."""
    figures = {}
    for figure in snapshot_figures_published(snapshot=snapshot, exact=False):
        cell = figure.cells[0]
        figures[figure.indicator.id] = {
            "n": str(cell.n),
            "value": cell.value,
            "hidden": cell.hidden,
        }
    return {
        "period": snapshot.period,
        "computed_at": snapshot.computed_at.isoformat(),
        "figures": figures,
    }


def _practice_content(practice: Practice) -> dict[str, Any]:
    return {
        "id": practice.pk,
        "pillar": practice.pillar,
        "sdgs": practice.sdgs,
        "countries": practice.countries,
        "evidence_indicators": practice.evidence_indicators,
        "versions": {
            v.language: {f: getattr(v, f) for f in VERSION_FIELDS}
            for v in practice.versions.all()
        },
    }


def _enqueue(link: HubLink, key: str, kind: str, content: dict[str, Any]) -> bool:
    if OutboxItem.objects.filter(link=link, key=key).exists():
        return False
    locked = HubLink.objects.select_for_update().get(pk=link.pk)
    OutboxItem.objects.create(
        link=locked,
        key=key,
        sequence=locked.next_sequence,
        kind=kind,
        content=content,
        next_attempt_at=timezone.now(),
    )
    locked.next_sequence += 1
    locked.save(update_fields=["next_sequence"])
    return True


@transaction.atomic
def outbox_fill(*, link: HubLink) -> int:
    """Queue what the hub has not got: the latest snapshot of each period and
    every published practice as it stands. Returns how many were queued."""
    queued = 0
    periods = (
        IndicatorSnapshot.objects.filter(lab=link.lab)
        .values_list("period", flat=True)
        .distinct()
    )
    for period in sorted(set(periods)):
        snapshot = (
            IndicatorSnapshot.objects.filter(lab=link.lab, period=period)
            .order_by("-computed_at", "-pk")
            .first()
        )
        if snapshot is not None:
            queued += _enqueue(
                link, f"snapshot:{snapshot.pk}", "snapshot", _snapshot_content(snapshot)
            )
    practices = Practice.objects.filter(
        lab=link.lab, status=Practice.Status.PUBLISHED
    ).prefetch_related("versions")
    for practice in practices:
        content = _practice_content(practice)
        key = f"practice:{practice.pk}:{federation.content_hash(content)}"
        queued += _enqueue(link, key, "practice", content)
    if queued:
        audit_record(
            actor=None,
            action=AuditEntry.Action.CREATE,
            object_type="outbox_item",
            object_id=link.pk,
            lab_id=link.lab_id,
            detail=f"{queued} payloads",
        )
    return queued


def backoff_seconds(attempts: int) -> float:
    """Exponential: base, 2 x base, 4 x base ... capped."""
    base = settings.OPENMIL_NETWORK_RETRY_BASE_SECONDS
    return float(min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


@dataclass
class Delivery:
    sent: int = 0
    waiting: int = 0
    refused: int = 0


def outbox_deliver(
    *, link: HubLink, send: Sender = http_post, now: dt.datetime | None = None
) -> Delivery:
    """Send every due payload, oldest first; a failure waits its backoff.

    A 409 answer means the hub already holds that sequence (an earlier
    attempt reached it but its answer was lost): the item counts as
    delivered, and the hub did not store it twice.
    """
    now = now or timezone.now()
    key = federation.keys_load()
    result = Delivery()
    due = OutboxItem.objects.filter(
        link=link, status=OutboxItem.Status.PENDING, next_attempt_at__lte=now
    ).order_by("sequence")
    for item in due:
        payload = federation.payload_make(
            lab=link.lab.slug,
            sequence=item.sequence,
            kind=item.kind,
            content=item.content,
        )
        item.attempts += 1
        try:
            status, answer = send(
                link.url + "/api/v1/network/push", federation.sign(payload, key)
            )
        except OSError as error:
            status, answer = 0, {"detail": type(error).__name__}
        if status in (200, 201) or (
            status == 409 and answer.get("code") == "duplicate"
        ):
            item.status = OutboxItem.Status.SENT
            item.sent_at = timezone.now()
            item.last_error = ""
            result.sent += 1
        elif status in (0, 403, 429) or status >= 500:
            item.next_attempt_at = now + dt.timedelta(
                seconds=backoff_seconds(item.attempts)
            )
            item.last_error = f"{status}: {answer.get('detail', '')}"[:300]
            result.waiting += 1
        else:
            item.status = OutboxItem.Status.FAILED
            item.last_error = f"{status}: {answer.get('detail', '')}"[:300]
            result.refused += 1
        item.save()
    return result
