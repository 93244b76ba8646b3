"""Producing a copy of a person's complete record (right of access)."""

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import translation

from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry
from openmil.participants.models import Participant
from openmil.records.pdf import record_pdf
from openmil.records.selectors import participant_record

FORMATS = ("json", "pdf")


def record_language(*, participant: Participant) -> str:
    """The person's language: their own account's, else their mother tongue
    when the interface speaks it, else the site default."""
    codes = {code for code, _name in settings.STAFF_LANGUAGES}
    account = getattr(participant, "account", None)
    if account is not None:
        profile = getattr(account.user, "profile", None)
        if profile is not None and profile.language in codes:
            return profile.language
    if participant.mother_tongue in codes:
        return participant.mother_tongue
    return settings.LANGUAGE_CODE


def record_export(
    *, actor: Any, participant: Participant, fmt: str, language: str = ""
) -> tuple[dict[str, Any], bytes]:
    """The complete record as data and as a file (JSON or PDF), logged.

    The caller has checked that `actor` may have this person's record: a
    coordinator of the person's lab, or the person themselves.
    """
    if fmt not in FORMATS:
        raise ValueError(fmt)
    language = language or record_language(participant=participant)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.RECORD_EXPORT,
            object_type="participant",
            object_id=participant.pk,
            participant=participant,
            detail=fmt,
        )
    # Read after the entry is written, so the copy shows its own export; the
    # PDF is rendered outside the transaction, which would hold a write lock.
    with translation.override(language):
        data = participant_record(participant=participant)
        if fmt == "json":
            content = json.dumps(
                data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
            ).encode()
        else:
            content = record_pdf(data)
    return data, content


def record_filename(*, participant: Participant, fmt: str) -> str:
    reference = "".join(c for c in participant.reference if c.isalnum() or c in "-_")
    return f"record-{reference or participant.pk}.{fmt}"
