"""Writes to participant data. Each runs atomically with its audit entries."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.participants.models import (
    Consent,
    FollowUp,
    Household,
    LegalStatusCategory,
    Need,
    NeedType,
    Participant,
    ProtectedCase,
)
from openmil.participants.selectors import consent_is_active, pathway_blockers

PARTICIPANT_FIELDS = Participant.EDITABLE_FIELDS
NEED_FIELDS = ("need_type", "urgent", "status", "owner", "due_date", "notes")
#: Need notes may hold health or legal detail: the log says only that they changed.
NEED_SENSITIVE = ("notes",)


def _require_edit(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.EDIT_PERSONAL, lab_id):
        raise PermissionDenied


def _is_the_person(actor: Any, participant: Participant) -> bool:
    """True when `actor` is the participant's own account (openmil.portal)."""
    account = getattr(actor, "participant_account", None)
    return account is not None and account.participant_id == participant.pk


def _household_for(lab: Lab, reference: str) -> Household | None:
    reference = reference.strip()
    if not reference:
        return None
    household, _created = Household.objects.get_or_create(lab=lab, reference=reference)
    return household


def _participant_snapshot(p: Participant) -> dict[str, Any]:
    data = snapshot(p, PARTICIPANT_FIELDS)
    data["household"] = p.household.reference if p.household else ""
    data["past_occupations"] = (
        sorted(p.past_occupations.values_list("pk", flat=True)) if p.pk else []
    )
    return data


@transaction.atomic
def participant_register(
    *,
    actor: Any,
    lab: Lab,
    data: dict[str, Any],
    household_reference: str = "",
    past_occupations: list[Any] | None = None,
    needs: list[dict[str, Any]] | None = None,
) -> Participant:
    """Register a participant at intake, with the basic needs triaged."""
    _require_edit(actor, lab.pk)
    participant = Participant(
        lab=lab, **{k: v for k, v in data.items() if k in PARTICIPANT_FIELDS}
    )
    participant.household = _household_for(lab, household_reference)
    participant.refresh_search_text()
    participant.full_clean()
    participant.save()
    if past_occupations:
        participant.past_occupations.set(past_occupations)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="participant",
        object_id=participant.pk,
        participant=participant,
        changes=diff(
            {},
            _participant_snapshot(participant),
            redact=Participant.LOG_REDACTED_FIELDS,
        ),
    )
    for need_data in needs or []:
        need_add(actor=actor, participant=participant, data=need_data)
    return participant


@transaction.atomic
def participant_update(
    *,
    actor: Any,
    participant: Participant,
    data: dict[str, Any],
    household_reference: str | None = None,
    past_occupations: list[Any] | None = None,
) -> Participant:
    """Change a participant's record; the audit entry keeps before and after."""
    _require_edit(actor, participant.lab_id)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    before = _participant_snapshot(participant)
    for name, value in data.items():
        if name in PARTICIPANT_FIELDS:
            setattr(participant, name, value)
    if household_reference is not None:
        participant.household = _household_for(participant.lab, household_reference)
    participant.refresh_search_text()
    participant.full_clean()
    participant.save()
    if past_occupations is not None:
        participant.past_occupations.set(past_occupations)
    changes = diff(
        before,
        _participant_snapshot(participant),
        redact=Participant.LOG_REDACTED_FIELDS,
    )
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="participant",
            object_id=participant.pk,
            participant=participant,
            changes=changes,
        )
    return participant


def _check_need_type(participant: Participant, need_type: NeedType) -> None:
    if need_type.lab_id not in (None, participant.lab_id):
        raise ValidationError({"need_type": _("This need is defined by another lab.")})


@transaction.atomic
def need_add(*, actor: Any, participant: Participant, data: dict[str, Any]) -> Need:
    _require_edit(actor, participant.lab_id)
    need = Need(
        participant=participant, **{k: v for k, v in data.items() if k in NEED_FIELDS}
    )
    _check_need_type(participant, need.need_type)
    if participant.needs.filter(need_type=need.need_type).exists():
        raise ValidationError({"need_type": _("This need is already recorded.")})
    if need.status in (Need.Status.MET, Need.Status.NOT_MET):
        need.resolved_at = timezone.now()
    need.full_clean()
    need.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="need",
        object_id=need.pk,
        participant=participant,
        changes=diff({}, snapshot(need, NEED_FIELDS), redact=NEED_SENSITIVE),
    )
    return need


@transaction.atomic
def need_update(*, actor: Any, need: Need, data: dict[str, Any]) -> Need:
    participant = need.participant
    _require_edit(actor, participant.lab_id)
    need = Need.objects.select_for_update().get(pk=need.pk)
    before = snapshot(need, NEED_FIELDS)
    for name, value in data.items():
        if name in NEED_FIELDS and name != "need_type":
            setattr(need, name, value)
    if need.is_open:
        need.resolved_at = None
    elif before["status"] != need.status or need.resolved_at is None:
        need.resolved_at = timezone.now()
    need.full_clean()
    need.save()
    changes = diff(before, snapshot(need, NEED_FIELDS), redact=NEED_SENSITIVE)
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="need",
            object_id=need.pk,
            participant=participant,
            changes=changes,
        )
    return need


@transaction.atomic
def consent_give(
    *,
    actor: Any,
    participant: Participant,
    purpose: str,
    notice_version: str,
    partner_category: str = "",
    given_at: dt.datetime | None = None,
) -> Consent:
    """Record a consent. A consent already active for the purpose is kept."""
    _require_edit(actor, participant.lab_id)
    if purpose != Consent.Purpose.PARTNER_SHARING:
        partner_category = ""
    elif not partner_category:
        raise ValidationError(
            {"partner_category": _("Choose the category of partner.")}
        )
    existing = Consent.objects.filter(
        participant=participant,
        purpose=purpose,
        partner_category=partner_category,
        withdrawn_at__isnull=True,
    ).first()
    if existing:
        raise ValidationError(_("This consent is already given."))
    consent = Consent(
        participant=participant,
        purpose=purpose,
        partner_category=partner_category,
        notice_version=notice_version,
        given_at=given_at or timezone.now(),
        recorded_by=actor,
    )
    if consent.given_at > timezone.now():
        raise ValidationError({"given_at": _("This date is in the future.")})
    consent.full_clean()
    consent.save()
    if purpose == Consent.Purpose.CASE_MANAGEMENT and participant.processing_restricted:
        Participant.objects.filter(pk=participant.pk).update(
            processing_restricted=False
        )
        participant.processing_restricted = False
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="consent",
        object_id=consent.pk,
        participant=participant,
        detail=f"{purpose} {partner_category}".strip(),
        changes={"notice_version": {"before": None, "after": notice_version}},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent) -> Consent:
    """Withdraw a consent; what it allowed stops at once.

    Staff who may edit the record withdraw it on the person's word; the
    person withdraws it themselves from their own space (openmil.portal).
    Follow-up contact: open follow-ups are cancelled. Case management: the
    record is restricted to coordinators.
    """
    participant = consent.participant
    if not _is_the_person(actor, participant):
        _require_edit(actor, participant.lab_id)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent is already withdrawn."))
    now = timezone.now()
    consent.withdrawn_at = now
    consent.withdrawn_recorded_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_recorded_by"])
    if consent.purpose == Consent.Purpose.FOLLOW_UP:
        FollowUp.objects.filter(
            participant=participant, done_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now)
    if consent.purpose == Consent.Purpose.CASE_MANAGEMENT:
        Participant.objects.filter(pk=participant.pk).update(processing_restricted=True)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="consent",
        object_id=consent.pk,
        participant=participant,
        detail=f"withdrawn {consent.purpose} {consent.partner_category}".strip(),
        changes={"withdrawn_at": {"before": None, "after": now.isoformat()}},
    )
    return consent


@transaction.atomic
def follow_up_schedule(
    *,
    actor: Any,
    participant: Participant,
    due_on: dt.date,
    subject: str,
    assigned_to: Any = None,
) -> FollowUp:
    """Plan a contact; refused without an active follow-up consent."""
    _require_edit(actor, participant.lab_id)
    if not consent_is_active(
        participant=participant, purpose=Consent.Purpose.FOLLOW_UP
    ):
        raise ValidationError(
            _("The participant has not consented to follow-up contact.")
        )
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("This date is in the past.")})
    follow_up = FollowUp(
        participant=participant,
        due_on=due_on,
        subject=subject,
        assigned_to=assigned_to or actor,
    )
    follow_up.full_clean()
    follow_up.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="follow_up",
        object_id=follow_up.pk,
        participant=participant,
        changes={"due_on": {"before": None, "after": due_on.isoformat()}},
    )
    return follow_up


@transaction.atomic
def follow_up_complete(*, actor: Any, follow_up: FollowUp) -> FollowUp:
    participant = follow_up.participant
    _require_edit(actor, participant.lab_id)
    if follow_up.done_at or follow_up.cancelled_at:
        raise ValidationError(_("This follow-up is already closed."))
    follow_up.done_at = timezone.now()
    follow_up.save(update_fields=["done_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="follow_up",
        object_id=follow_up.pk,
        participant=participant,
        changes={"done_at": {"before": None, "after": follow_up.done_at.isoformat()}},
    )
    return follow_up


@transaction.atomic
def pathway_start(
    *, actor: Any, participant: Participant, on: dt.date | None = None
) -> Participant:
    """Start the integration pathway once the lab's basic-needs rule allows."""
    _require_edit(actor, participant.lab_id)
    if participant.pathway_started_on:
        raise ValidationError(_("The pathway has already started."))
    blockers = pathway_blockers(participant=participant)
    if blockers:
        names = ", ".join(str(n.need_type) for n in blockers)
        raise ValidationError(
            _("These urgent needs must be addressed first: %(needs)s")
            % {"needs": names}
        )
    participant.pathway_started_on = on or timezone.localdate()
    participant.save(update_fields=["pathway_started_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="participant",
        object_id=participant.pk,
        participant=participant,
        changes={
            "pathway_started_on": {
                "before": None,
                "after": participant.pathway_started_on.isoformat(),
            }
        },
    )
    return participant


@transaction.atomic
def need_type_create(*, actor: Any, lab: Lab, label: str) -> NeedType:
    """Add a lab-defined basic need (the four built-in ones always exist)."""
    if not access.can(actor, Perm.MANAGE_LAB, lab.pk):
        raise PermissionDenied
    label = label.strip()
    code = slugify(label)[:40] or "need"
    builtin = NeedType.objects.filter(lab__isnull=True)
    if NeedType.objects.filter(lab=lab, code=code).exists() or any(
        code == nt.code or label.casefold() == nt.display_label.casefold()
        for nt in builtin
    ):
        raise ValidationError({"label": _("This need exists already.")})
    position = 10 + NeedType.objects.filter(lab=lab).count()
    need_type = NeedType(lab=lab, code=code, label=label, position=position)
    need_type.full_clean()
    need_type.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="need_type",
        object_id=need_type.pk,
        lab_id=lab.pk,
        detail=label,
    )
    return need_type


@transaction.atomic
def legal_status_create(*, actor: Any, lab: Lab, name: str) -> LegalStatusCategory:
    if not access.can(actor, Perm.MANAGE_LAB, lab.pk):
        raise PermissionDenied
    name = name.strip()
    if LegalStatusCategory.objects.filter(lab=lab, name__iexact=name).exists():
        raise ValidationError({"name": _("This category exists already.")})
    position = LegalStatusCategory.objects.filter(lab=lab).count()
    category = LegalStatusCategory(lab=lab, name=name, position=position)
    category.full_clean()
    category.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="legal_status",
        object_id=category.pk,
        lab_id=lab.pk,
        detail=name,
    )
    return category


def _staff_names(users: Any) -> list[str]:
    return sorted(u.get_username() for u in users)


def _check_protection_staff(participant: Participant, staff: list[Any]) -> None:
    if not staff:
        raise ValidationError({"staff": _("Name at least one person.")})
    outside = [
        u for u in staff if not access.can(u, Perm.VIEW_PERSONAL, participant.lab_id)
    ]
    if outside:
        raise ValidationError(
            {
                "staff": _("%(names)s cannot handle records in this lab.")
                % {"names": ", ".join(_staff_names(outside))}
            }
        )
    if not any(
        access.can(u, Perm.MANAGE_PROTECTION, participant.lab_id) for u in staff
    ):
        raise ValidationError(
            {
                "staff": _(
                    "Name at least one coordinator, so that someone can still "
                    "manage the case."
                )
            }
        )


@transaction.atomic
def protected_case_set(
    *, actor: Any, participant: Participant, staff: list[Any], reason: str = ""
) -> ProtectedCase:
    """Mark a participant as a protected case, or change who is named on it.

    From then on only the named staff see the person anywhere; the change
    and the named list are written to the audit log.
    """
    if not access.can(actor, Perm.MANAGE_PROTECTION, participant.lab_id):
        raise PermissionDenied
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    staff = list({u.pk: u for u in staff}.values())
    _check_protection_staff(participant, staff)
    case = ProtectedCase.objects.filter(participant=participant).first()
    if case is None:
        case = ProtectedCase(participant=participant, marked_by=actor)
        before: list[str] = []
        before_reason = ""
        detail = "marked protected"
        action = AuditEntry.Action.CREATE
    else:
        before = _staff_names(case.staff.all())
        before_reason = case.reason
        detail = "named staff changed"
        action = AuditEntry.Action.UPDATE
    case.reason = reason
    case.full_clean(exclude=["participant"])
    case.save()
    case.staff.set(staff)
    changes = diff(
        {"staff": before, "reason": before_reason},
        {"staff": _staff_names(staff), "reason": reason},
        redact=("reason",),
    )
    audit_record(
        actor=actor,
        action=action,
        object_type="protected_case",
        object_id=case.pk,
        participant=participant,
        detail=detail,
        changes=changes,
    )
    return case


@transaction.atomic
def protected_case_lift(*, actor: Any, participant: Participant) -> None:
    """End the protection: the record is visible to the lab's staff again."""
    if not access.can(actor, Perm.MANAGE_PROTECTION, participant.lab_id):
        raise PermissionDenied
    case = (
        ProtectedCase.objects.select_for_update()
        .filter(participant=participant)
        .first()
    )
    if case is None:
        raise ValidationError(_("This case is not protected."))
    before = _staff_names(case.staff.all())
    case_id = case.pk
    case.delete()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        object_type="protected_case",
        object_id=case_id,
        participant=participant,
        detail="protection lifted",
        changes={"staff": {"before": before, "after": []}},
    )
