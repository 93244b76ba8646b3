"""Reads for core pages."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from openmil.core import access
from openmil.core.models import AuditEntry
from openmil.core.roles import Perm
from openmil.participants.selectors import protected_hidden_from


def language_codes() -> list[tuple[str, str]]:
    return list(settings.STAFF_LANGUAGES)


def audit_entries(
    *,
    user: Any,
    lab_id: int | None = None,
    participant_id: int | None = None,
    actor: str = "",
) -> QuerySet[AuditEntry]:
    """The audit log of the labs where the user may read it."""
    lab_ids = access.lab_ids_with(user, Perm.VIEW_AUDIT)
    if not lab_ids:
        raise Http404
    if lab_id is not None:
        if lab_id not in lab_ids:
            raise Http404
        lab_ids = {lab_id}
    # Entries about a protected case are for the staff named on it only.
    qs = AuditEntry.objects.filter(lab_id__in=lab_ids).exclude(
        participant_id__in=protected_hidden_from(user=user)
    )
    if participant_id is not None:
        qs = qs.filter(participant_id=participant_id)
    if "\x00" in actor:
        # No name holds it, and PostgreSQL refuses to compare it.
        return qs.none()
    if actor:
        qs = qs.filter(actor_name__iexact=actor)
    return qs.order_by("-at", "-id")
