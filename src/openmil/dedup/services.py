"""Writes of duplicate detection: batch runs, dismissals, merges and undos.

A merge keeps one record, copies the chosen fields from the other, moves
every related row (needs, consents, follow-ups, and the rows of any app
that points at a participant) to the kept record, and deletes the other.
Everything it changed is stored on the `Merge`, so `merge_undo` restores
both records and moves the rows back.
"""

import datetime as dt
import json
import time
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab, Network
from openmil.core.roles import Perm
from openmil.dedup import linkage
from openmil.dedup.models import DedupRun, DuplicateCandidate, LinkageModel, Merge
from openmil.dedup.selectors import linkage_records, model_params, run_scope
from openmil.participants.models import Participant

#: Train the model only on enough records for the estimates to settle.
MIN_TRAINING_RECORDS = 1000
#: Fields a merge may take from either record.
MERGE_FIELDS = (*Participant.EDITABLE_FIELDS, "household")
OWN_MODELS = (DuplicateCandidate, Merge)


def _require_merge(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.MERGE_PARTICIPANTS, lab_id):
        raise PermissionDenied


# ---------------------------------------------------------------------------
# Batch runs


def dedup_run_request(
    *, actor: Any, lab: Lab | None = None, network: Network | None = None
) -> DedupRun:
    """Queue a search for duplicates in a lab, or in every lab of a network
    where the actor may merge records."""
    if lab is not None:
        _require_merge(actor, lab.pk)
        network_id = lab.network_id
    elif network is not None:
        labs = access.lab_ids_with(actor, Perm.MERGE_PARTICIPANTS)
        if not network.labs.filter(pk__in=labs).exists():
            raise PermissionDenied
        network_id = network.pk
    else:
        raise ValidationError(_("Choose a lab or a network."))
    with transaction.atomic():
        run = DedupRun.objects.create(
            requested_by=actor, lab=lab, network_id=network_id
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="dedup_run",
            object_id=run.pk,
            lab_id=lab.pk if lab else None,
            detail="duplicate search requested",
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from openmil.dedup.tasks import dedup_run_task

    dedup_run_task.enqueue(run_id=run_id)


def dedup_run_execute(*, run_id: int, threshold: float = 0.9) -> DedupRun:
    """Train the model on the records in scope and store the likely pairs.

    The records are read through the requesting user's participant
    queryset, so a run never sees more than its requester may.
    """
    run = DedupRun.objects.select_related("requested_by").get(pk=run_id)
    if run.status != DedupRun.Status.QUEUED:
        return run
    DedupRun.objects.filter(pk=run.pk).update(status=DedupRun.Status.RUNNING)
    started = time.perf_counter()
    try:
        records = list(linkage_records(run_scope(user=run.requested_by, run=run)))
        if len(records) >= MIN_TRAINING_RECORDS:
            params = linkage.train(records)
            LinkageModel.objects.update_or_create(
                network_id=run.network_id,
                defaults={"params": params.to_json(), "record_count": len(records)},
            )
        else:
            params = model_params(network_id=run.network_id)
        pairs = (
            linkage.predict(records, params, threshold=threshold)
            if len(records) > 1
            else []
        )
        with transaction.atomic():
            DuplicateCandidate.objects.bulk_create(
                (
                    DuplicateCandidate(
                        run=run,
                        left_id=min(a, b),
                        right_id=max(a, b),
                        probability=p,
                        match_weight=w,
                    )
                    for a, b, p, w in pairs
                ),
                batch_size=2000,
                ignore_conflicts=True,
            )
            run.status = DedupRun.Status.DONE
            run.record_count, run.pair_count = len(records), len(pairs)
            run.seconds = round(time.perf_counter() - started, 2)
            run.finished_at = timezone.now()
            run.save()
    except Exception as error:  # noqa: BLE001 - a run records its failure
        run.status = DedupRun.Status.FAILED
        run.message = f"{type(error).__name__}: {error}"[:300]
        run.finished_at = timezone.now()
        run.save()
    return run


@transaction.atomic
def candidate_dismiss(*, actor: Any, candidate: DuplicateCandidate) -> None:
    """Mark a pair as two different people."""
    _require_merge(actor, candidate.left.lab_id)
    candidate.status = DuplicateCandidate.Status.DISMISSED
    candidate.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="duplicate_candidate",
        object_id=candidate.pk,
        participant=candidate.left,
        detail=f"not a duplicate of {candidate.right_id}",
    )


# ---------------------------------------------------------------------------
# Merge


def _relations() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every row that points at a participant."""
    found = []
    for relation in Participant._meta.related_objects:
        if relation.many_to_many or relation.related_model in OWN_MODELS:
            continue
        model = relation.related_model
        if not isinstance(model, type) or not issubclass(model, models.Model):
            continue
        found.append((model, relation.field.name))
    return found


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _snapshot(person: Participant) -> dict[str, Any]:
    data = snapshot(person, Participant.EDITABLE_FIELDS)
    data["household"] = person.household.reference if person.household else ""
    return data


def participant_merge(
    *,
    actor: Any,
    kept: Participant,
    removed: Participant,
    take_from_removed: list[str],
) -> Merge:
    """Merge `removed` into `kept`, taking the named fields from `removed`."""
    if kept.pk == removed.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    if kept.lab_id != removed.lab_id:
        raise ValidationError(_("Records of different labs cannot be merged."))
    _require_merge(actor, kept.lab_id)
    unknown = set(take_from_removed) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        kept = Participant.objects.select_for_update().get(pk=kept.pk)
        removed = Participant.objects.select_for_update().get(pk=removed.pk)
        before = _snapshot(kept)
        kept_before = serializers.serialize("python", [kept])[0]["fields"]
        moved: dict[str, list[int]] = {}
        stayed: list[models.Model] = []
        for model, field in _relations():
            for row in model._default_manager.filter(**{field: removed}):
                try:
                    with transaction.atomic():
                        model._default_manager.filter(pk=row.pk).update(**{field: kept})
                    moved.setdefault(f"{_label(model)}.{field}", []).append(row.pk)
                except IntegrityError:
                    stayed.append(row)
        added: list[Any] = list(
            removed.past_occupations.exclude(
                pk__in=kept.past_occupations.values("pk")
            ).values_list("pk", flat=True)
        )
        removed_record = serializers.serialize("python", [removed, *stayed])
        removed_before = _snapshot(removed)
        removed_id, removed_ref = removed.pk, removed.reference
        for name in take_from_removed:
            setattr(kept, name, getattr(removed, name))
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            object_type="participant",
            object_id=removed_id,
            participant=removed,
            detail=f"merged into {kept.pk}",
            changes=diff(removed_before, {}, redact=Participant.SENSITIVE_FIELDS),
        )
        try:
            removed.delete()
        except models.ProtectedError as error:
            raise ValidationError(
                _("A record of another kind still needs the removed record.")
            ) from error
        kept.refresh_search_text()
        kept.full_clean()
        kept.save()
        if added:
            kept.past_occupations.add(*added)
        merge = Merge.objects.create(
            lab_id=kept.lab_id,
            kept=kept,
            removed_id=removed_id,
            removed_reference=removed_ref,
            kept_before=_jsonable(
                {
                    "fields": kept_before,
                    "changed": list(take_from_removed),
                    "occupations_added": added,
                }
            ),
            removed_record=_jsonable(removed_record),
            moved=moved,
            merged_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="participant",
            object_id=kept.pk,
            participant=kept,
            detail=f"merged with {removed_ref} (merge {merge.pk})",
            changes=diff(before, _snapshot(kept), redact=Participant.SENSITIVE_FIELDS),
        )
    return merge


class _ExactEncoder(DjangoJSONEncoder):
    """Keeps microseconds (DjangoJSONEncoder rounds times to milliseconds),
    so an undone merge restores timestamps exactly."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.date | dt.time):
            return o.isoformat()
        return super().default(o)


def _jsonable(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=_ExactEncoder))


def merge_undo(*, actor: Any, merge: Merge) -> Participant:
    """Restore both records as they were and move the rows back."""
    _require_merge(actor, merge.lab_id)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge is already undone."))
    with transaction.atomic():
        merge = Merge.objects.select_for_update().get(pk=merge.pk)
        kept = Participant.objects.select_for_update().get(pk=merge.kept_id)
        if Participant.objects.filter(pk=merge.removed_id).exists():
            raise ValidationError(_("The removed record exists again."))
        before = _snapshot(kept)
        previous = next(
            serializers.deserialize(
                "python",
                [
                    {
                        "model": "participants.participant",
                        "pk": kept.pk,
                        "fields": merge.kept_before["fields"],
                    }
                ],
            )
        ).object
        for name in merge.kept_before.get("changed", []):
            setattr(kept, name, getattr(previous, name))
        kept.refresh_search_text()
        kept.save()
        added = merge.kept_before.get("occupations_added") or []
        if added:
            kept.past_occupations.remove(*added)
        restored = list(serializers.deserialize("python", merge.removed_record))
        for item in restored:
            item.save()
        for key, ids in merge.moved.items():
            label, field = key.rsplit(".", 1)
            model = apps.get_model(label)
            model._default_manager.filter(pk__in=ids).update(
                **{f"{field}_id": merge.removed_id}
            )
        removed = Participant.objects.get(pk=merge.removed_id)
        merge.undone_at = timezone.now()
        merge.undone_by = actor
        merge.save(update_fields=["undone_at", "undone_by"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="participant",
            object_id=kept.pk,
            participant=kept,
            detail=f"merge {merge.pk} undone",
            changes=diff(before, _snapshot(kept), redact=Participant.SENSITIVE_FIELDS),
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="participant",
            object_id=removed.pk,
            participant=removed,
            detail=f"restored by undoing merge {merge.pk}",
        )
    return removed
