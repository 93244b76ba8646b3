"""Erasure (two-person rule), retention runs, privacy settings, re-application.

Every interface (pages, API, commands, tasks) calls these functions; the
two-person rule lives here, and a database constraint backs it.
"""

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_channel, audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.participants.models import Participant
from openmil.privacy.anonymise import participant_anonymise
from openmil.privacy.models import ErasureRequest, LabPrivacySettings, RetentionRun
from openmil.privacy.retention import RetentionPlan, retention_plan
from openmil.privacy.selectors import privacy_settings_for

REASON_MAX = 1000


def journal_path() -> Path:
    """The erasure journal: kept outside the database, read after a restore."""
    configured = getattr(settings, "OPENMIL_ERASURE_JOURNAL", "") or os.environ.get(
        "OPENMIL_ERASURE_JOURNAL", ""
    )
    return Path(configured) if configured else settings.DATA_DIR / "erasures.jsonl"


def _journal_append(entry: dict[str, Any]) -> None:
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as journal:
        journal.write(json.dumps(entry, sort_keys=True) + "\n")


def journal_read(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or journal_path()
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("participant_id"), int):
            entries.append(entry)
    return entries


def _anonymise_recorded(
    *,
    participant: Participant,
    actor: Any,
    detail: str,
    changes: dict[str, Any],
    reference: str = "",
) -> str:
    """Anonymise, log it without personal data, and journal it on commit."""
    report = participant_anonymise(participant=participant, reference=reference)
    participant.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        object_type="personal_data",
        object_id=participant.pk,
        participant=participant,
        detail=detail,
        changes={
            **changes,
            "reference": participant.reference,
            "rows": report.rows,
            "files": report.files,
            "audit_entries_redacted": report.audit_entries,
        },
    )
    ErasureRequest.objects.filter(
        participant=participant, status=ErasureRequest.Status.PENDING
    ).update(status=ErasureRequest.Status.SUPERSEDED, decided_at=timezone.now())
    entry = {
        "participant_id": participant.pk,
        "lab": participant.lab.slug,
        "reference": participant.reference,
        "anonymised_at": participant.anonymised_at.isoformat()
        if participant.anonymised_at
        else None,
        "why": detail,
    }
    transaction.on_commit(lambda: _journal_append(entry))
    return participant.reference


# ---------------------------------------------------------------------------
# Erasure requests.


@transaction.atomic
def erasure_request_create(
    *, actor: Any, participant: Participant, grounds: str, reason: str
) -> ErasureRequest:
    """The first person: a staff member of the lab asks for the erasure."""
    if not access.can(actor, Perm.EDIT_PERSONAL, participant.lab_id):
        raise PermissionDenied
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.anonymised_at is not None:
        raise ValidationError(_("This person is already anonymised."))
    if ErasureRequest.objects.filter(
        participant=participant, status=ErasureRequest.Status.PENDING
    ).exists():
        raise ValidationError(_("An erasure request for this person is pending."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the data should be erased.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("The reason is too long.")})
    request = ErasureRequest(
        lab_id=participant.lab_id,
        participant=participant,
        grounds=grounds,
        reason=reason,
        requested_by=actor,
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="erasure_request",
        object_id=request.pk,
        participant=participant,
        detail=grounds,
    )
    return request


def _check_approver(actor: Any, request: ErasureRequest) -> None:
    """The second person: a coordinator of the person's lab, not the requester."""
    if not access.can(actor, Perm.APPROVE_ERASURE, request.lab_id):
        raise PermissionDenied(
            _("Only a coordinator of the person's lab may decide an erasure.")
        )
    if actor.pk == request.requested_by_id:
        raise PermissionDenied(
            _("The person who asked for an erasure may not approve it.")
        )


def _pending(request: ErasureRequest) -> ErasureRequest:
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ErasureRequest.Status.PENDING:
        raise ValidationError(
            _("This request is already decided: %(status)s")
            % {"status": request.get_status_display()}
        )
    return request


@transaction.atomic
def erasure_approve(*, actor: Any, request: ErasureRequest) -> ErasureRequest:
    """Approve, and anonymise the person irreversibly in this transaction."""
    _check_approver(actor, request)
    request = _pending(request)
    participant = request.participant
    if participant.anonymised_at is not None:
        raise ValidationError(_("This person is already anonymised."))
    request.status = ErasureRequest.Status.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    _anonymise_recorded(
        participant=participant,
        actor=actor,
        detail="erasure approved",
        changes={
            "erasure_request": request.pk,
            "grounds": request.grounds,
            "requested_by": request.requested_by.get_username(),
            "approved_by": actor.get_username(),
        },
    )
    request.refresh_from_db()
    return request


@transaction.atomic
def erasure_reject(
    *, actor: Any, request: ErasureRequest, note: str = ""
) -> ErasureRequest:
    """Reject: a coordinator of the lab (any, the requester included)."""
    if not access.can(actor, Perm.APPROVE_ERASURE, request.lab_id):
        raise PermissionDenied(
            _("Only a coordinator of the person's lab may decide an erasure.")
        )
    request = _pending(request)
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise ValidationError({"note": _("The note is too long.")})
    request.status = ErasureRequest.Status.REJECTED
    request.decided_by = actor if actor.pk != request.requested_by_id else None
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="erasure_request",
        object_id=request.pk,
        participant=request.participant,
        detail="rejected",
    )
    return request


# ---------------------------------------------------------------------------
# Privacy settings and retention.

SETTINGS_FIELDS = (
    "retention_enabled",
    "months_after_exit",
    "months_after_last_activity",
    "daily_view_threshold",
    "median_factor",
)


@transaction.atomic
def privacy_settings_update(
    *, actor: Any, lab: Lab, data: dict[str, Any]
) -> LabPrivacySettings:
    if not access.can(actor, Perm.MANAGE_RETENTION, lab.pk):
        raise PermissionDenied
    current = privacy_settings_for(lab=lab)
    rules = LabPrivacySettings.objects.select_for_update().filter(lab=lab).first()
    if rules is None:
        rules = current
    before = snapshot(rules, SETTINGS_FIELDS) if rules.pk else {}
    for name in SETTINGS_FIELDS:
        if name in data:
            setattr(rules, name, data[name])
    rules.full_clean()
    rules.save()
    changes = diff(before, snapshot(rules, SETTINGS_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="privacy_settings",
            object_id=rules.pk,
            lab_id=lab.pk,
            changes=changes,
        )
    return rules


def retention_apply(
    *,
    lab: Lab,
    actor: Any = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> tuple[RetentionRun, RetentionPlan]:
    """Apply the lab's retention rules, or (dry run) say what they would do.

    With an actor, the actor must manage retention in the lab; without one,
    it is the daily task. A real run needs the rules switched on. Each
    person is anonymised in a transaction of their own; the run is stored
    with its counts and the references the people now have.
    """
    if actor is not None and not access.can(actor, Perm.MANAGE_RETENTION, lab.pk):
        raise PermissionDenied
    rules = privacy_settings_for(lab=lab)
    if not dry_run and not rules.retention_enabled:
        raise ValidationError(_("The retention rules of this lab are switched off."))
    plan = retention_plan(lab=lab, today=today)
    run = RetentionRun.objects.create(
        lab=lab,
        dry_run=dry_run,
        triggered_by=actor,
        channel=audit_channel.get(),
        considered=plan.considered,
        kept_for_follow_up=plan.kept_for_follow_up,
    )
    references: list[str] = []
    if not dry_run:
        for due in plan.due:
            with transaction.atomic():
                participant = Participant.objects.select_for_update().get(
                    pk=due.participant_id
                )
                if participant.anonymised_at is not None:
                    continue
                references.append(
                    _anonymise_recorded(
                        participant=participant,
                        actor=actor,
                        detail="retention rule",
                        changes={
                            "retention_run": run.pk,
                            "rule": due.rule,
                            "since": due.since.isoformat(),
                        },
                    )
                )
    run.anonymised = len(references)
    run.references = references
    run.finished_at = timezone.now()
    run.save(update_fields=["anonymised", "references", "finished_at"])
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE if not dry_run else AuditEntry.Action.VIEW,
            object_type="retention_run",
            object_id=run.pk,
            lab_id=lab.pk,
            detail=f"{'dry run: ' if dry_run else ''}{len(plan.due)} due, "
            f"{run.anonymised} anonymised",
        )
    return run, plan


def retention_apply_all(*, today: dt.date | None = None) -> list[RetentionRun]:
    """The daily task: every lab whose rules are switched on."""
    runs = []
    for rules in LabPrivacySettings.objects.filter(
        retention_enabled=True
    ).select_related("lab"):
        run, _plan = retention_apply(lab=rules.lab, today=today)
        runs.append(run)
    return runs


# ---------------------------------------------------------------------------
# After a restore.


def erasures_reapply(*, journal: Path | None = None) -> list[str]:
    """Anonymise again everyone whose erasure is recorded but undone.

    A restored backup can predate an erasure. The journal (a file kept
    outside the database) and the approved requests still in the database
    say who was erased; each such person found with data is anonymised
    again, under the reference the journal gave them. Returns their
    references.
    """
    wanted: dict[int, str] = {}
    for entry in journal_read(journal):
        wanted[entry["participant_id"]] = str(entry.get("reference") or "")
    approved = ErasureRequest.objects.filter(
        status=ErasureRequest.Status.APPROVED
    ).values_list("participant_id", flat=True)
    for pid in approved:
        wanted.setdefault(pid, "")
    done = []
    for pid, reference in sorted(wanted.items()):
        with transaction.atomic():
            participant = (
                Participant.objects.select_for_update()
                .filter(pk=pid, anonymised_at__isnull=True)
                .first()
            )
            if participant is None:
                continue
            done.append(
                _anonymise_recorded(
                    participant=participant,
                    actor=None,
                    detail="erasure re-applied",
                    changes={"reapplied": True},
                    reference=reference,
                )
            )
    return done
