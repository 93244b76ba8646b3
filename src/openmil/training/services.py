"""Writes to the training records of a lab's staff; coordinators make them."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.training.models import Certification, Competency, Training
from openmil.training.selectors import lab_staff_users
from openmil.ventures.selectors import add_months

TRAINING_FIELDS = ("title", "provider", "hours", "held_on")
CERTIFICATION_FIELDS = ("user", "competency", "certified_on", "expires_on", "training")


def _require_manage(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.MANAGE_TRAINING, lab_id):
        raise PermissionDenied


def _recorder(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def competency_create(*, actor: Any, lab: Lab, data: dict[str, Any]) -> Competency:
    _require_manage(actor, lab.pk)
    fields = ("name", "description", "validity_months")
    competency = Competency(lab=lab, **{k: v for k, v in data.items() if k in fields})
    if Competency.objects.filter(lab=lab, name__iexact=competency.name).exists():
        raise ValidationError({"name": _("This competency is already defined.")})
    competency.full_clean()
    competency.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="competency",
        object_id=competency.pk,
        lab_id=lab.pk,
        changes=diff({}, snapshot(competency, fields)),
    )
    return competency


def _check_same_lab(lab_id: int, competencies: list[Competency]) -> None:
    if any(c.lab_id != lab_id for c in competencies):
        raise ValidationError(
            {"competencies": _("This competency is defined by another lab.")}
        )


@transaction.atomic
def training_create(
    *,
    actor: Any,
    lab: Lab,
    data: dict[str, Any],
    competencies: list[Competency] | None = None,
    attendees: list[Any] | None = None,
) -> Training:
    """A training held for the lab's staff, with who followed it."""
    _require_manage(actor, lab.pk)
    training = Training(
        lab=lab, **{k: v for k, v in data.items() if k in TRAINING_FIELDS}
    )
    training.full_clean()
    training.save()
    if competencies:
        _check_same_lab(lab.pk, competencies)
        training.competencies.set(competencies)
    changes = diff({}, snapshot(training, TRAINING_FIELDS))
    if competencies:
        changes["competencies"] = {
            "before": [],
            "after": sorted(c.pk for c in competencies),
        }
    for person in attendees or []:
        _check_staff(lab.pk, person)
    training.attendees.set(attendees or [])
    if attendees:
        changes["attendees"] = {
            "before": [],
            "after": sorted(str(p.pk) for p in attendees),
        }
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="training",
        object_id=training.pk,
        lab_id=lab.pk,
        changes=changes,
    )
    return training


def _check_staff(lab_id: int, user: Any) -> None:
    if not lab_staff_users(lab_id=lab_id).filter(pk=user.pk).exists():
        raise ValidationError(
            {"user": _("This person is not a coordinator or facilitator of the lab.")}
        )


@transaction.atomic
def training_attendee_add(*, actor: Any, training: Training, user: Any) -> Training:
    """Record that a staff user of the lab followed the training."""
    _require_manage(actor, training.lab_id)
    _check_staff(training.lab_id, user)
    if training.attendees.filter(pk=user.pk).exists():
        raise ValidationError({"user": _("This person is already recorded.")})
    training.attendees.add(user)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="training",
        object_id=training.pk,
        lab_id=training.lab_id,
        changes={"attendees": {"before": None, "after": str(user.pk)}},
    )
    return training


@transaction.atomic
def certification_record(
    *,
    actor: Any,
    lab: Lab,
    user: Any,
    competency: Competency,
    certified_on: dt.date,
    expires_on: dt.date | None = None,
    training: Training | None = None,
) -> Certification:
    """Record a certification; without an expiry date, the competency's
    validity (if it has one) gives it."""
    _require_manage(actor, lab.pk)
    _check_staff(lab.pk, user)
    if competency.lab_id != lab.pk:
        raise ValidationError(
            {"competency": _("This competency is defined by another lab.")}
        )
    if training is not None and training.lab_id != lab.pk:
        raise ValidationError({"training": _("This training is another lab's.")})
    if certified_on > timezone.localdate():
        raise ValidationError({"certified_on": _("This date is in the future.")})
    if expires_on is None and competency.validity_months:
        expires_on = add_months(certified_on, competency.validity_months)
    certification = Certification(
        lab=lab,
        user=user,
        competency=competency,
        certified_on=certified_on,
        expires_on=expires_on,
        training=training,
        recorded_by=_recorder(actor),
    )
    certification.full_clean()
    certification.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="certification",
        object_id=certification.pk,
        lab_id=lab.pk,
        changes=diff({}, snapshot(certification, CERTIFICATION_FIELDS)),
    )
    return certification
