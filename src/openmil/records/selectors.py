"""A person's complete record: everything held about them, found generically.

`participant_record()` starts from the participant and walks Django's model
metadata: every installed model with a foreign key or one-to-one path to the
participant (directly, or through a row that is itself part of the record,
such as a need) contributes its rows. Apps added later are included without
editing this module. Two forward links are followed as well: the person's
household, and a user account linked one-to-one to a row of the record (the
participant's own sign-in). Other participants are never entered, so the
members of a household are not copied into each other's records.

Secrets (password hashes, token digests, keys) are shown only as present.
A model may name more such fields in a `RECORD_HIDDEN_FIELDS` tuple.
"""

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from openmil.core.audit import REDACTED
from openmil.core.models import AuditEntry
from openmil.core.templatetags.openmil_audit import (
    audit_channel,
    audit_detail,
    audit_field,
    audit_object_type,
)
from openmil.participants.models import Household, Participant

FORMAT = "openmil-record-1"
#: Field names that hold secrets in any model.
SECRET_FIELDS = frozenset({"password", "digest", "key", "secret", "token"})
#: How many links away from the participant the walk goes.
MAX_DEPTH = 5
#: Forward links whose target rows belong to the record.
FOLLOWED_FORWARD = (Household,)

Rows = dict[type[models.Model], dict[int, models.Model]]

#: Labels Django makes up for fields declared without one, put in the
#: catalogs here so the record reads in the person's language.
MADE_UP_LABELS = (
    gettext_noop("created at"),
    gettext_noop("updated at"),
    gettext_noop("search text"),
    gettext_noop("withdrawn recorded by"),
    gettext_noop("participant"),
    gettext_noop("user"),
)


def _label(field: Any) -> str:
    """The field's label in the active language, made-up ones included."""
    name = field.verbose_name
    return str(name) if isinstance(name, Promise) else _(str(name))


def _is_user_model(model: Any) -> bool:
    return model is get_user_model()


def _hidden(model: type[models.Model]) -> frozenset[str]:
    return SECRET_FIELDS | frozenset(getattr(model, "RECORD_HIDDEN_FIELDS", ()))


def _reverse_relations(model: type[models.Model]) -> list[Any]:
    """Foreign keys and one-to-ones of other models that point at `model`."""
    return [
        rel
        for rel in model._meta.related_objects
        if (rel.one_to_many or rel.one_to_one)
        and rel.related_model is not Participant
        and not rel.field.many_to_many
    ]


def collect_rows(participant: Participant) -> Rows:
    """Every row of every model that belongs to the participant's record."""
    found: Rows = defaultdict(dict)
    found[Participant][participant.pk] = participant
    frontier: Rows = {Participant: {participant.pk: participant}}
    if participant.household_id is not None:
        household = Household.objects.get(pk=participant.household_id)
        found[Household][household.pk] = household
        frontier[Household] = {household.pk: household}
    for _depth in range(MAX_DEPTH):
        following: Rows = defaultdict(dict)
        for model, rows in frontier.items():
            for rel in _reverse_relations(model):
                related = cast(type[models.Model], rel.related_model)
                for row in related._default_manager.filter(
                    **{f"{rel.field.name}__in": list(rows)}
                ).order_by("pk"):
                    if row.pk not in found[related]:
                        found[related][row.pk] = row
                        following[related][row.pk] = row
            if _is_user_model(model):
                continue
            # A user account linked one-to-one to a row of the record is the
            # person's own sign-in.
            for field in model._meta.concrete_fields:
                target = field.related_model
                if field.one_to_one and target and _is_user_model(target):
                    user_model = cast(type[models.Model], target)
                    ids = {getattr(r, field.attname) for r in rows.values()} - {None}
                    for user in user_model._default_manager.filter(pk__in=ids):
                        if user.pk not in found[user_model]:
                            found[user_model][user.pk] = user
                            following[user_model][user.pk] = user
        if not following:
            break
        frontier = following
    return found


def _text(value: Any) -> str:
    """A value as a reader sees it, in the active language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def _plain(value: Any) -> Any:
    """A value as JSON holds it."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _person_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _field_entry(row: models.Model, field: Any, hidden: frozenset[str]) -> dict:
    label = _label(field)
    if field.name in hidden:
        has_value = bool(getattr(row, field.attname))
        text = REDACTED if has_value else "—"
        return {"name": field.name, "label": label, "value": text, "text": text}
    if field.is_relation:
        related = getattr(row, field.name)
        if related is None:
            return {"name": field.name, "label": label, "value": None, "text": "—"}
        text = _person_name(related) if _is_user_model(type(related)) else str(related)
        return {"name": field.name, "label": label, "value": text, "text": text}
    value = getattr(row, field.attname)
    if field.choices and value not in (None, ""):
        text = str(getattr(row, f"get_{field.name}_display")())
    else:
        text = _text(value)
    return {"name": field.name, "label": label, "value": _plain(value), "text": text}


def _row_entry(row: models.Model) -> dict[str, Any]:
    model = type(row)
    hidden = _hidden(model)
    fields = [
        _field_entry(row, field, hidden)
        for field in model._meta.concrete_fields
        if not field.primary_key
    ]
    for field in model._meta.many_to_many:
        items = [str(item) for item in getattr(row, field.name).all()]
        fields.append(
            {
                "name": field.name,
                "label": _label(field),
                "value": items,
                "text": _text(items),
            }
        )
    return {"id": row.pk, "text": str(row), "fields": fields}


def _section(model: type[models.Model], rows: dict[int, models.Model]) -> dict:
    meta = model._meta
    return {
        "model": meta.label_lower,
        "title": str(meta.verbose_name_plural).capitalize(),
        "records": [_row_entry(rows[pk]) for pk in sorted(rows)],
    }


def audit_entries_about(participant: Participant) -> list[AuditEntry]:
    """Entries naming the person, and list views that showed them."""
    entries = list(AuditEntry.objects.filter(participant_id=participant.pk))
    lists = AuditEntry.objects.filter(
        lab_id=participant.lab_id,
        object_type="participant_list",
        at__gte=participant.created_at - dt.timedelta(minutes=1),
    ).order_by()
    for entry in lists.iterator(chunk_size=2000):
        if participant.pk in (entry.changes or {}).get("participants", []):
            entries.append(entry)
    entries.sort(key=lambda e: (e.at, e.pk))
    return entries


def _audit_entry(entry: AuditEntry) -> dict[str, Any]:
    changes = entry.changes or {}
    if entry.object_type == "participant_list":
        # The other people in that list are not this person's data.
        changes = {}
    return {
        "at": entry.at.isoformat(),
        "at_text": _text(entry.at),
        "who": entry.actor_name or _("the system"),
        "action": entry.action,
        "action_text": str(entry.get_action_display()),
        "record": f"{audit_object_type(entry.object_type)} {entry.object_id}".strip(),
        "detail": audit_detail(entry),
        "through": str(audit_channel(entry.channel)),
        "changes": [
            {
                "field": name,
                "label": audit_field(name, entry.object_type),
                "before": change.get("before") if isinstance(change, dict) else None,
                "after": change.get("after") if isinstance(change, dict) else None,
            }
            for name, change in changes.items()
        ],
    }


def participant_record(*, participant: Participant) -> dict[str, Any]:
    """Everything held about the person, with labels in the active language.

    The caller checks that the reader may have it; nothing here is scoped
    or audited (see `openmil.records.services.record_export`).
    """
    rows = collect_rows(participant)
    ordered = [Participant] + sorted(
        (m for m in rows if m is not Participant), key=lambda m: m._meta.label_lower
    )
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "language": get_language() or settings.LANGUAGE_CODE,
        "participant": {
            "id": participant.pk,
            "name": participant.full_name,
            "reference": participant.reference,
            "lab": str(participant.lab),
        },
        "sections": [_section(m, rows[m]) for m in ordered if rows[m]],
        "audit": [_audit_entry(e) for e in audit_entries_about(participant)],
    }


def record_files(*, participant: Participant) -> list[dict[str, str]]:
    """The files (documents) stored in any part of the person's record."""
    files = []
    for model, rows in collect_rows(participant).items():
        file_fields = [
            f for f in model._meta.concrete_fields if isinstance(f, models.FileField)
        ]
        for row in rows.values():
            for field in file_fields:
                value = getattr(row, field.attname)
                if value:
                    files.append(
                        {
                            "kind": str(field.verbose_name),
                            "name": str(value.name).rsplit("/", 1)[-1],
                            "record": str(row),
                        }
                    )
    return files
