"""Writes to ventures and territorial needs, each atomic with its audit entries."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab, Organisation
from openmil.core.roles import Perm
from openmil.participants.models import Participant
from openmil.ventures.models import (
    JobsRecord,
    Stage,
    StageChange,
    Support,
    TerritorialNeed,
    Venture,
    transition_allowed,
)

VENTURE_FIELDS = (
    "name",
    "sector",
    "description",
    "started_on",
    "revenue_band",
    "territorial_need",
)
NEED_FIELDS = ("kind", "title", "description", "place", "occupation", "status")


def _require_edit(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.EDIT_PERSONAL, lab_id):
        raise PermissionDenied


def _audit(
    *,
    actor: Any,
    action: str,
    venture: Venture,
    founders: Iterable[Participant],
    object_type: str = "venture",
    object_id: Any = None,
    changes: dict[str, Any] | None = None,
    detail: str = "",
) -> None:
    """One entry per founder: each person's log shows what touched their record."""
    for person in founders:
        audit_record(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id or venture.pk,
            participant=person,
            changes=changes,
            detail=detail,
        )


def _check_founders(lab: Lab, founders: list[Participant]) -> None:
    if not founders:
        raise ValidationError({"founders": _("A venture has at least one founder.")})
    if any(p.lab_id != lab.pk for p in founders):
        raise ValidationError({"founders": _("Every founder belongs to this lab.")})


def _check_need(lab_id: int, need: TerritorialNeed | None) -> None:
    if need is not None and need.lab_id != lab_id:
        raise ValidationError(
            {"territorial_need": _("This territorial need is another lab's.")}
        )


def _venture_snapshot(venture: Venture) -> dict[str, Any]:
    data = snapshot(venture, (*VENTURE_FIELDS, "stage", "registration_date"))
    data["founders"] = sorted(venture.founders.values_list("pk", flat=True))
    return data


@transaction.atomic
def venture_create(
    *,
    actor: Any,
    lab: Lab,
    data: dict[str, Any],
    founders: list[Participant],
) -> Venture:
    """A new venture at the idea stage, with the first step of its timeline."""
    _require_edit(actor, lab.pk)
    _check_founders(lab, founders)
    venture = Venture(
        lab=lab,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{k: v for k, v in data.items() if k in VENTURE_FIELDS and v is not None},
    )
    _check_need(lab.pk, venture.territorial_need)
    if venture.started_on > timezone.localdate():
        raise ValidationError({"started_on": _("This date is in the future.")})
    venture.full_clean()
    venture.save()
    venture.founders.set(founders)
    StageChange.objects.create(
        venture=venture,
        from_stage="",
        to_stage=Stage.IDEA,
        on=venture.started_on,
        recorded_by=venture.created_by,
    )
    _audit(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        venture=venture,
        founders=founders,
        changes=diff({}, _venture_snapshot(venture)),
    )
    return venture


@transaction.atomic
def venture_update(
    *,
    actor: Any,
    venture: Venture,
    data: dict[str, Any],
    founders: list[Participant] | None = None,
) -> Venture:
    """Change a venture's details (not its stage: see `venture_transition`)."""
    _require_edit(actor, venture.lab_id)
    venture = (
        Venture.objects.select_for_update().select_related("lab").get(pk=venture.pk)
    )
    before = _venture_snapshot(venture)
    old_founders = list(venture.founders.all())
    for name, value in data.items():
        if name in VENTURE_FIELDS:
            setattr(venture, name, value)
    _check_need(venture.lab_id, venture.territorial_need)
    first_change = venture.stage_changes.order_by("on", "id").first()
    if first_change is not None and venture.started_on > first_change.on:
        raise ValidationError(
            {"started_on": _("The venture started before its first stage change.")}
        )
    venture.full_clean()
    venture.save()
    if founders is not None:
        _check_founders(venture.lab, founders)
        venture.founders.set(founders)
    changes = diff(before, _venture_snapshot(venture))
    if changes:
        everyone = {p.pk: p for p in [*old_founders, *(founders or [])]}
        _audit(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            venture=venture,
            founders=everyone.values(),
            changes=changes,
        )
    return venture


@transaction.atomic
def venture_transition(
    *,
    actor: Any,
    venture: Venture,
    to_stage: str,
    on: dt.date | None = None,
    registration_date: dt.date | None = None,
    note: str = "",
) -> StageChange:
    """Move a venture to another stage if the table of transitions allows it.

    Entering "registered" needs the registration date. The change is dated
    (`on`, today by default, never in the future nor before the previous
    change) and records who made it.
    """
    _require_edit(actor, venture.lab_id)
    venture = Venture.objects.select_for_update().get(pk=venture.pk)
    today = timezone.localdate()
    on = on or today
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("This is not a stage.")})
    if not transition_allowed(venture.stage, to_stage):
        raise ValidationError(
            {
                "to_stage": _(
                    "A venture at the stage “%(current)s” cannot move to “%(target)s”."
                )
                % {
                    "current": Stage(venture.stage).label,
                    "target": Stage(to_stage).label,
                }
            }
        )
    if on > today:
        raise ValidationError({"on": _("This date is in the future.")})
    last = venture.stage_changes.order_by("-on", "-id").first()
    if last is not None and on < last.on:
        raise ValidationError(
            {
                "on": _("The previous stage change is dated %(date)s.")
                % {"date": last.on.isoformat()}
            }
        )
    before = snapshot(venture, ("stage", "registration_date"))
    if to_stage == Stage.REGISTERED:
        if registration_date is None:
            raise ValidationError(
                {
                    "registration_date": _(
                        "Give the registration date to move to “Registered”."
                    )
                }
            )
        if registration_date > today:
            raise ValidationError(
                {"registration_date": _("This date is in the future.")}
            )
        if registration_date < venture.started_on:
            raise ValidationError(
                {
                    "registration_date": _(
                        "The registration date is before the venture started."
                    )
                }
            )
        venture.registration_date = registration_date
    change = StageChange.objects.create(
        venture=venture,
        from_stage=venture.stage,
        to_stage=to_stage,
        on=on,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )
    venture.stage = to_stage
    venture.save(update_fields=["stage", "registration_date"])
    _audit(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        venture=venture,
        founders=venture.founders.all(),
        changes=diff(before, snapshot(venture, ("stage", "registration_date"))),
        detail=f"stage change on {on.isoformat()}",
    )
    return change


def _check_provider(lab_id: int, provider: Organisation | None) -> None:
    if provider is not None and provider.lab_id != lab_id:
        raise ValidationError({"provider": _("This organisation is another lab's.")})


@transaction.atomic
def venture_support_add(
    *, actor: Any, venture: Venture, data: dict[str, Any]
) -> Support:
    """Record support received: kind, provider organisation, date, amount."""
    _require_edit(actor, venture.lab_id)
    fields = ("kind", "provider", "on", "amount", "currency", "note")
    support = Support(
        venture=venture,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{k: v for k, v in data.items() if k in fields and v is not None},
    )
    _check_provider(venture.lab_id, support.provider if support.provider_id else None)
    if support.on and support.on > timezone.localdate():
        raise ValidationError({"on": _("This date is in the future.")})
    support.currency = (support.currency or "EUR").upper()
    support.full_clean()
    support.save()
    _audit(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        venture=venture,
        founders=venture.founders.all(),
        object_type="venture_support",
        object_id=support.pk,
        changes=diff({}, snapshot(support, fields)),
    )
    return support


@transaction.atomic
def venture_jobs_record(
    *, actor: Any, venture: Venture, jobs: int, on: dt.date | None = None
) -> JobsRecord:
    """Record how many jobs for others the venture gives; history is kept.

    The venture's current count is the record with the latest date.
    """
    _require_edit(actor, venture.lab_id)
    venture = Venture.objects.select_for_update().get(pk=venture.pk)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("This date is in the future.")})
    if on < venture.started_on:
        raise ValidationError({"on": _("This date is before the venture started.")})
    if jobs < 0:
        raise ValidationError({"jobs": _("A number of jobs is not negative.")})
    record = JobsRecord.objects.create(
        venture=venture,
        on=on,
        jobs=jobs,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    latest = venture.jobs_records.order_by("-on", "-id").first()
    before = venture.jobs_created
    venture.jobs_created = latest.jobs if latest else 0
    venture.save(update_fields=["jobs_created"])
    _audit(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        venture=venture,
        founders=venture.founders.all(),
        object_type="venture_jobs",
        object_id=record.pk,
        changes={
            "jobs_created": {"before": before, "after": venture.jobs_created},
            "record": {"before": None, "after": f"{jobs} on {on.isoformat()}"},
        },
    )
    return record


@transaction.atomic
def territorial_need_create(
    *, actor: Any, lab: Lab, data: dict[str, Any]
) -> TerritorialNeed:
    _require_edit(actor, lab.pk)
    need = TerritorialNeed(
        lab=lab, **{k: v for k, v in data.items() if k in NEED_FIELDS}
    )
    need.full_clean()
    need.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="territorial_need",
        object_id=need.pk,
        lab_id=lab.pk,
        changes=diff({}, snapshot(need, NEED_FIELDS)),
    )
    return need


@transaction.atomic
def territorial_need_update(
    *, actor: Any, need: TerritorialNeed, data: dict[str, Any]
) -> TerritorialNeed:
    _require_edit(actor, need.lab_id)
    need = TerritorialNeed.objects.select_for_update().get(pk=need.pk)
    before = snapshot(need, NEED_FIELDS)
    for name, value in data.items():
        if name in NEED_FIELDS:
            setattr(need, name, value)
    need.full_clean()
    need.save()
    changes = diff(before, snapshot(need, NEED_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="territorial_need",
            object_id=need.pk,
            lab_id=need.lab_id,
            changes=changes,
        )
    return need
