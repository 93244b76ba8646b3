"""Everything stored about one person, found by walking the models, and erased.

`person_links()` walks every installed model's `_meta`: a model belongs to a
person when a chain of foreign keys (or one-to-one keys, or a generic
foreign key) leads from it to `participants.Participant`, directly or
through a `Household`. Apps added later are covered without an edit here.

`participant_anonymise()` keeps what the indicators need (choices, codes,
numbers, dates, booleans, keys) and removes what identifies the person
(names, contacts, documents, every free-text column).
"""

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from openmil.core.audit import REDACTED
from openmil.core.models import AuditEntry
from openmil.participants.models import Household, Participant

#: How many foreign keys a chain to a participant may have.
MAX_DEPTH = 4
#: Text shorter than this is not searched for (a two-letter name matches
#: too much unrelated text).
MIN_IDENTIFIER = 3
#: Fields kept on every model: what the indicators and the lab's records
#: need, not who the person is. A model may add its own with a
#: `PRIVACY_KEEP_FIELDS` tuple of field names, and have nullable columns
#: that are not text but still place the person (coordinates) emptied with a
#: `PRIVACY_ERASE_FIELDS` tuple.
KEPT_NAMES = frozenset({"code"})
#: Models never touched by the walk: the audit log has its own redaction.
SKIPPED = frozenset({"core.auditentry", "privacy.auditredactiongrant"})


@dataclass(frozen=True)
class PersonLink:
    """How the rows of one model lead to a participant."""

    model: type[models.Model]
    lookups: tuple[str, ...]
    via_household: bool = False
    generic: tuple[str, str] | None = None

    def q(self, participant: Participant) -> Q:
        if self.generic is not None:
            ct_field, fk_field = self.generic
            content_type = ContentType.objects.get_for_model(Participant)
            return Q(**{ct_field: content_type, fk_field: participant.pk})
        query = Q()
        for lookup in self.lookups:
            query |= Q(**{lookup: participant})
        return query

    def rows(self, participant: Participant) -> models.QuerySet[Any]:
        return self.model._base_manager.filter(self.q(participant)).distinct()


def _relations(model: type[models.Model]) -> Iterator[models.Field[Any, Any]]:
    for field in model._meta.get_fields():
        if (
            getattr(field, "concrete", False)
            and (field.many_to_one or field.one_to_one)
            and field.related_model is not None
        ):
            yield field  # type: ignore[misc]


@cache
def person_links() -> tuple[PersonLink, ...]:
    """Every installed model whose rows belong to a participant, and how."""
    # model -> [(lookup from model to a participant, through a household)]
    known: dict[type[models.Model], list[tuple[str, bool]]] = {
        Participant: [("", False)],
        Household: [("members", True)],
    }
    candidates = [
        m
        for m in apps.get_models()
        if m not in known and m._meta.label_lower not in SKIPPED
    ]
    for _depth in range(MAX_DEPTH):
        grew = False
        for model in candidates:
            paths = known.setdefault(model, [])
            for field in _relations(model):
                for lookup, household in known.get(field.related_model, []):  # type: ignore[arg-type]
                    path = f"{field.name}__{lookup}" if lookup else field.name
                    if path.count("__") >= MAX_DEPTH or (path, household) in paths:
                        continue
                    paths.append((path, household))
                    grew = True
        if not grew:
            break
    links = []
    for model, paths in known.items():
        if model in (Participant, Household) or not paths:
            continue
        direct = tuple(p for p, household in paths if not household)
        if direct:
            links.append(PersonLink(model, direct))
        else:
            links.append(PersonLink(model, tuple(p for p, _h in paths), True))
    for model in apps.get_models():
        for private in model._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                links.append(
                    PersonLink(model, (), generic=(private.ct_field, private.fk_field))
                )
    return tuple(sorted(links, key=lambda link: link.model._meta.label_lower))


# ---------------------------------------------------------------------------
# Which columns identify a person.


def _unique_names(model: type[models.Model]) -> set[str]:
    names = {f.name for f in model._meta.concrete_fields if f.unique}
    for group in model._meta.unique_together:
        names.update(group)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
    return names


def is_free_text(model: type[models.Model], field: models.Field[Any, Any]) -> bool:
    """A text column that is neither a choice nor a code: it is erased."""
    if not isinstance(field, models.CharField | models.TextField):
        return False
    kept = KEPT_NAMES | set(getattr(model, "PRIVACY_KEEP_FIELDS", ()))
    return not (
        field.primary_key
        or field.choices
        or isinstance(field, models.SlugField)
        or field.name in kept
        or field.name.endswith("_code")
    )


@dataclass(frozen=True)
class Columns:
    text: tuple[str, ...]
    unique_text: tuple[str, ...]
    json: tuple[str, ...]
    files: tuple[str, ...]
    #: Other columns set to null (`PRIVACY_ERASE_FIELDS`).
    erased: tuple[str, ...] = ()


@cache
def columns_of(model: type[models.Model]) -> Columns:
    unique = _unique_names(model)
    text: list[str] = []
    unique_text: list[str] = []
    json_fields: list[str] = []
    files: list[str] = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.FileField):
            files.append(field.name)
        elif isinstance(field, models.JSONField):
            json_fields.append(field.name)
        elif is_free_text(model, field):
            (unique_text if field.name in unique else text).append(field.name)
    erased = tuple(getattr(model, "PRIVACY_ERASE_FIELDS", ()))
    return Columns(
        tuple(text), tuple(unique_text), tuple(json_fields), tuple(files), erased
    )


def random_token(prefix: str, max_length: int) -> str:
    return f"{prefix}{secrets.token_hex(8).upper()}"[:max_length]


# ---------------------------------------------------------------------------
# The identifiers of a person, for JSON values and the audit log.


def identifiers_of(participant: Participant) -> list[str]:
    """The person's names and contacts, longest first."""
    values = {
        participant.given_name,
        participant.family_name,
        participant.name_latin,
        participant.full_name,
        participant.phone,
        participant.email,
        participant.address,
        participant.reference,
    }
    # Each part of a name too: notes often use the given name alone.
    for value in (
        participant.given_name,
        participant.family_name,
        participant.name_latin,
    ):
        values.update((value or "").split())
    found = [v.strip() for v in values if v and len(v.strip()) >= MIN_IDENTIFIER]
    return sorted(set(found), key=len, reverse=True)


def _mentions(text: str, identifiers: Iterable[str]) -> bool:
    folded = text.casefold()
    return any(i.casefold() in folded for i in identifiers)


def redact_json(value: Any, identifiers: list[str], *, everything: bool) -> Any:
    """A copy of a JSON value with identifying strings replaced by •••.

    `everything`: replace every string value (keys stay, so the log still
    says which fields changed); otherwise only strings naming the person.
    """
    if isinstance(value, dict):
        return {
            k: redact_json(v, identifiers, everything=everything)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v, identifiers, everything=everything) for v in value]
    if isinstance(value, str) and (everything or _mentions(value, identifiers)):
        return REDACTED
    return value


# ---------------------------------------------------------------------------
# Erasing.


@dataclass
class ErasureReport:
    participant_id: int
    reference: str
    rows: dict[str, int]
    files: int
    audit_entries: int


def _scrub_rows(
    model: type[models.Model],
    qs: models.QuerySet[Any],
    identifiers: list[str],
    files_to_delete: list[tuple[Any, str]],
) -> int:
    cols = columns_of(model)
    if not (cols.text or cols.unique_text or cols.json or cols.files or cols.erased):
        return 0
    pks = list(qs.values_list("pk", flat=True))
    if not pks:
        return 0
    rows = model._base_manager.filter(pk__in=pks)
    if cols.text or cols.erased:
        rows.update(
            **{
                name: None if model._meta.get_field(name).null else ""
                for name in cols.text
            },
            **dict.fromkeys(cols.erased),
        )
    if cols.unique_text or cols.json or cols.files:
        for obj in rows.only("pk", *cols.unique_text, *cols.json, *cols.files):
            changed: list[str] = []
            for name in cols.unique_text:
                length = getattr(model._meta.get_field(name), "max_length", None)
                if getattr(obj, name):
                    setattr(obj, name, random_token("anon-", length or 40))
                    changed.append(name)
            for name in cols.json:
                old = getattr(obj, name)
                new = redact_json(old, identifiers, everything=False)
                if new != old:
                    setattr(obj, name, new)
                    changed.append(name)
            for name in cols.files:
                stored = getattr(obj, name)
                if stored:
                    files_to_delete.append((stored.storage, stored.name))
                    setattr(obj, name, "")
                    changed.append(name)
            if changed:
                model._base_manager.filter(pk=obj.pk).update(
                    **{name: getattr(obj, name) for name in changed}
                )
    return len(pks)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _new_reference(participant: Participant, wanted: str = "") -> str:
    taken = Participant.objects.filter(lab_id=participant.lab_id)
    if wanted and not taken.filter(reference=wanted).exists():
        return wanted
    while True:
        reference = random_token("ANON-", 40)
        if not taken.filter(reference=reference).exists():
            return reference


def _redact_audit(participant: Participant, identifiers: list[str]) -> int:
    """Redact the person's audit entries through the sanctioned trigger path."""
    from openmil.privacy.models import AuditRedactionGrant

    grant = AuditRedactionGrant.objects.create(participant_id=participant.pk)
    changed = []
    for entry in AuditEntry.objects.filter(participant_id=participant.pk).only(
        "pk", "changes", "detail", "participant_id"
    ):
        changes = redact_json(entry.changes, identifiers, everything=True)
        detail = REDACTED if _mentions(entry.detail, identifiers) else entry.detail
        if changes != entry.changes or detail != entry.detail:
            entry.changes, entry.detail = changes, detail
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["changes", "detail"], batch_size=200)
    grant.delete()
    return len(changed)


def participant_anonymise(
    *, participant: Participant, reference: str = ""
) -> ErasureReport:
    """Remove everything that identifies the person, irreversibly.

    Call inside the caller's transaction (the service that decided it, with
    its audit entry). Files are deleted from storage once it commits.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("participant_anonymise must run inside a transaction")
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    identifiers = identifiers_of(participant)
    files: list[tuple[Any, str]] = []
    counts: dict[str, int] = {}

    # Rows of every model that belongs to the person.
    for link in person_links():
        n = _scrub_rows(link.model, link.rows(participant), identifiers, files)
        if n:
            counts[link.model._meta.label_lower] = n

    # The person's own record: free text and contacts gone, facts kept.
    cols = columns_of(Participant)
    for name in cols.text:
        field = Participant._meta.get_field(name)
        setattr(participant, name, None if field.null else "")
    for name in cols.json:
        setattr(
            participant,
            name,
            redact_json(getattr(participant, name), identifiers, everything=False),
        )
    for name in cols.files:
        stored = getattr(participant, name)
        if stored:
            files.append((stored.storage, stored.name))
            setattr(participant, name, "")
    participant.reference = _new_reference(participant, reference)
    if participant.birth_date is not None:
        participant.birth_date = _quarter_start(participant.birth_date)
        if participant.birth_date_precision == Participant.DatePrecision.DAY:
            participant.birth_date_precision = Participant.DatePrecision.MONTH
    participant.anonymised_at = timezone.now()
    participant.refresh_search_text()
    participant.save()
    counts["participants.participant"] = 1

    # A household left with no identifiable member loses its reference too.
    if participant.household_id is not None:
        others = Household.objects.filter(pk=participant.household_id).filter(
            members__anonymised_at__isnull=True
        )
        if not others.exists():
            Household.objects.filter(pk=participant.household_id).update(
                reference=random_token("ANON-", 40)
            )

    audited = _redact_audit(participant, identifiers)

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return ErasureReport(
        participant_id=participant.pk,
        reference=participant.reference,
        rows=counts,
        files=len(files),
        audit_entries=audited,
    )


def sweep_for(needles: Iterable[str]) -> list[tuple[str, str, int]]:
    """Every (model, column, row) of the database holding one of `needles`.

    Text and JSON columns of every installed model are read; JSON is read
    both as stored and with non-ASCII escaped, as SQLite stores it.
    """
    wanted = [n for n in needles if n]
    hits: list[tuple[str, str, int]] = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not isinstance(
                field, models.CharField | models.TextField | models.JSONField
            ):
                continue
            for pk, value in model._base_manager.values_list("pk", field.attname):
                if value in (None, ""):
                    continue
                text = value if isinstance(value, str) else _json_text(value)
                if any(n in text for n in wanted):
                    hits.append((model._meta.label_lower, field.name, pk))
    return hits


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) + json.dumps(value)
