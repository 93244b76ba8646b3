"""The audit log: one function writes it, inside the caller's transaction."""

import contextvars
from collections.abc import Iterable
from typing import Any

from django.db import models

from openmil.core.models import AuditEntry

#: Set by middleware to "api" for API requests, "cli" by commands.
audit_channel: contextvars.ContextVar[str] = contextvars.ContextVar(
    "audit_channel", default="web"
)

REDACTED = "•••"


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any = "",
    lab_id: int | None = None,
    participant_id: int | None = None,
    participant: Any = None,
    detail: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. Call it inside the transaction of the change.

    Pass `participant` for a record about a person: the entry then names
    the person and their lab.
    """
    if participant is not None:
        lab_id = lab_id or participant.lab_id
        participant_id = participant_id or participant.pk
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        lab_id=lab_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        participant_id=participant_id,
        channel=audit_channel.get(),
        detail=detail[:200],
        changes=changes or {},
    )


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(
    before: dict[str, Any], after: dict[str, Any], *, redact: Iterable[str] = ()
) -> dict[str, dict[str, Any]]:
    """{field: {"before": x, "after": y}} for the fields that changed.

    Values of redacted (sensitive) fields are not copied into the log; only
    the fact that they changed is.
    """
    hidden = set(redact)
    changes: dict[str, dict[str, Any]] = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            if name in hidden:
                changes[name] = {"before": REDACTED, "after": REDACTED}
            else:
                changes[name] = {"before": old, "after": new}
    return changes
