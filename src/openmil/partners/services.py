"""Writes to the partner directory, referrals and opportunities.

Each runs atomically with its audit entry; notifications are written in the
same transaction and their e-mails queued for after the commit.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab, Organisation
from openmil.core.roles import Perm
from openmil.notifications.models import Notification
from openmil.notifications.services import notify
from openmil.participants.models import Consent, Need, Participant
from openmil.participants.selectors import consent_is_active, participant_queryset
from openmil.partners.models import (
    Opportunity,
    Referral,
    ReferralEvent,
    ReferralSettings,
    Service,
)
from openmil.partners.selectors import (
    can_manage_organisation,
    partner_organisation_ids,
    partner_staff_of,
    referral_settings_for,
)


class IllegalTransition(ValidationError):
    """The referral's state does not allow this step (the API answers 409)."""


class ConsentMissing(ValidationError):
    """No active consent to share with this category of partner (API 422)."""


# ---------------------------------------------------------------------------
# Directory.


def _require_manage(actor: Any, organisation: Organisation) -> None:
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied


@transaction.atomic
def service_create(
    *, actor: Any, organisation: Organisation, data: dict[str, Any]
) -> Service:
    _require_manage(actor, organisation)
    service = Service(
        organisation=organisation,
        **{k: v for k, v in data.items() if k in Service.EDITABLE_FIELDS},
    )
    service.refresh_search_text()
    service.full_clean()
    service.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="service",
        object_id=service.pk,
        lab_id=organisation.lab_id,
        changes=diff({}, snapshot(service, Service.EDITABLE_FIELDS)),
    )
    return service


@transaction.atomic
def service_update(*, actor: Any, service: Service, data: dict[str, Any]) -> Service:
    _require_manage(actor, service.organisation)
    service = Service.objects.select_for_update().get(pk=service.pk)
    before = snapshot(service, Service.EDITABLE_FIELDS)
    for name, value in data.items():
        if name in Service.EDITABLE_FIELDS:
            setattr(service, name, value)
    service.refresh_search_text()
    service.full_clean()
    service.save()
    changes = diff(before, snapshot(service, Service.EDITABLE_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="service",
            object_id=service.pk,
            lab_id=service.organisation.lab_id,
            changes=changes,
        )
    return service


@transaction.atomic
def referral_settings_update(
    *, actor: Any, lab: Lab, shared_fields: list[str], completion_days: int
) -> ReferralSettings:
    if not access.can(actor, Perm.MANAGE_LAB, lab.pk) or not access.can(
        actor, Perm.MANAGE_DIRECTORY, lab.pk
    ):
        raise PermissionDenied
    current = referral_settings_for(lab=lab)
    before = snapshot(current, ("shared_fields", "completion_days"))
    current.shared_fields = list(shared_fields)
    current.completion_days = completion_days
    current.full_clean()
    current.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="referral_settings",
        object_id=current.pk,
        lab_id=lab.pk,
        changes=diff(before, snapshot(current, ("shared_fields", "completion_days"))),
    )
    return current


# ---------------------------------------------------------------------------
# Referrals.


def _referral_url(referral: Referral, *, partner: bool) -> str:
    name = "partners:portal_referral" if partner else "partners:referral_detail"
    return reverse(name, kwargs={"referral_id": referral.pk})


def _require_refer(actor: Any, participant: Participant) -> None:
    if not access.can(actor, Perm.REFER, participant.lab_id):
        raise PermissionDenied
    if not participant_queryset(user=actor).filter(pk=participant.pk).exists():
        raise PermissionDenied


@transaction.atomic
def referral_create(
    *,
    actor: Any,
    participant: Participant,
    service: Service,
    need: Need | None = None,
    note: str = "",
) -> Referral:
    """A draft referral of a participant (or one of their needs) to a service."""
    _require_refer(actor, participant)
    errors: dict[str, str] = {}
    if service.organisation.lab_id != participant.lab_id:
        errors["service"] = _("This service belongs to another lab.")
    elif not service.active:
        errors["service"] = _("This service is no longer offered.")
    if need is not None and need.participant_id != participant.pk:
        errors["need"] = _("This need is not the participant's.")
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        lab_id=participant.lab_id,
        participant=participant,
        need=need,
        service=service,
        organisation=service.organisation,
        note=note,
        created_by=actor,
    )
    referral.full_clean()
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        to_status=Referral.Status.DRAFT,
        actor=actor,
        actor_name=actor.get_username(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="referral",
        object_id=referral.pk,
        participant=participant,
        changes={
            "service": {"before": None, "after": str(service.pk)},
            "status": {"before": None, "after": referral.status},
        },
    )
    return referral


def _transition(
    *,
    actor: Any,
    referral: Referral,
    action: str,
    reason: str = "",
    reason_required: bool = False,
    detail: str = "",
) -> Referral:
    """Move a locked referral by `action`; write history and audit entries."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("service", "organisation", "participant")
        .get(pk=referral.pk)
    )
    sources, target = Referral.TRANSITIONS[action]
    if referral.status not in sources:
        raise IllegalTransition(
            _("A referral that is %(status)s cannot be %(action)s.")
            % {
                "status": referral.get_status_display().lower(),
                "action": ACTION_PAST[action](),
            },
            code="illegal_transition",
        )
    reason = reason.strip()
    if reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    now = timezone.now()
    before = referral.status
    referral.status = target
    referral.reason = reason or referral.reason
    referral.due_at = None
    if target == Referral.Status.SENT:
        referral.sent_at = now
        referral.due_at = now + dt.timedelta(days=referral.service.response_days)
    elif target == Referral.Status.ACCEPTED:
        referral.accepted_at = now
        days = referral_settings_for(lab=referral.participant.lab).completion_days
        referral.due_at = now + dt.timedelta(days=days)
    elif target == Referral.Status.DECLINED:
        referral.declined_at = now
    if target not in Referral.OPEN_STATUSES:
        referral.closed_at = now
    referral.overdue_notified_at = None
    referral.full_clean()
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        from_status=before,
        to_status=target,
        actor=actor,
        actor_name=actor.get_username(),
        at=now,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="referral",
        object_id=referral.pk,
        participant=referral.participant,
        detail=detail or action,
        # The reason may be personal: the history row keeps it, the log
        # says only that one was given.
        changes={
            "status": {"before": before, "after": target},
            **({"reason": {"before": "", "after": "•••"}} if reason else {}),
        },
    )
    return referral


ACTION_PAST = {
    "send": lambda: _("sent"),
    "accept": lambda: _("accepted"),
    "decline": lambda: _("declined"),
    "complete": lambda: _("completed"),
    "not_complete": lambda: _("closed as not completed"),
    "revoke": lambda: _("revoked"),
}


def _require_handle(actor: Any, referral: Referral) -> None:
    """Only staff of the organisation addressed answer a referral."""
    if referral.organisation_id not in partner_organisation_ids(actor) or not (
        access.can(actor, Perm.HANDLE_REFERRALS, referral.lab_id)
    ):
        raise PermissionDenied
    if referral.sent_at is None:
        raise PermissionDenied


def _notify_sender(referral: Referral) -> None:
    number, org = referral.pk, referral.organisation.name
    status = referral.status
    notify(
        users=[referral.created_by, referral.participant.caseworker],
        kind=Notification.Kind.REFERRAL_STATUS,
        title=lambda: (
            _("Referral %(number)s to %(organisation)s: %(status)s")
            % {
                "number": number,
                "organisation": org,
                "status": str(Referral.Status(status).label).lower(),
            }
        ),
        url=_referral_url(referral, partner=False),
    )


def _notify_partner(referral: Referral, *, new: bool) -> None:
    number, service = referral.pk, referral.service.name
    status = referral.status
    if new:

        def title() -> str:
            return _("New referral %(number)s for %(service)s") % {
                "number": number,
                "service": service,
            }

    else:

        def title() -> str:
            return _("Referral %(number)s for %(service)s: %(status)s") % {
                "number": number,
                "service": service,
                "status": str(Referral.Status(status).label).lower(),
            }

    notify(
        users=partner_staff_of(referral.organisation_id),
        kind=(
            Notification.Kind.REFERRAL_NEW if new else Notification.Kind.REFERRAL_STATUS
        ),
        title=title,
        url=_referral_url(referral, partner=True),
    )


@transaction.atomic
def referral_send(
    *, actor: Any, referral: Referral, override_reason: str = ""
) -> Referral:
    """Send a draft to the partner, if the participant consents to sharing
    with this category of partner; a coordinator may override with a reason."""
    _require_refer(actor, referral.participant)
    if referral.status != Referral.Status.DRAFT:
        return _transition(actor=actor, referral=referral, action="send")
    category = referral.organisation.kind
    consented = consent_is_active(
        participant=referral.participant,
        purpose=Consent.Purpose.PARTNER_SHARING,
        partner_category=category,
    )
    override_reason = override_reason.strip()
    if not consented:
        if not override_reason:
            raise ConsentMissing(
                _(
                    "The participant has not given consent to “%(purpose)s” "
                    "for the partner category “%(category)s”."
                )
                % {
                    "purpose": Consent.Purpose.PARTNER_SHARING.label,
                    "category": Organisation.Kind(category).label,
                },
                code="consent_missing",
            )
        if not access.can(actor, Perm.OVERRIDE_CONSENT, referral.lab_id):
            raise PermissionDenied
        Referral.objects.filter(pk=referral.pk).update(
            consent_override_reason=override_reason, consent_override_by=actor
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="referral",
            object_id=referral.pk,
            participant=referral.participant,
            detail="consent override",
            changes={"consent_override_reason": {"before": "", "after": "•••"}},
        )
    referral = _transition(
        actor=actor,
        referral=referral,
        action="send",
        reason=override_reason,
        detail="send (consent override)" if not consented else "send",
    )
    _notify_partner(referral, new=True)
    return referral


@transaction.atomic
def referral_accept(*, actor: Any, referral: Referral) -> Referral:
    _require_handle(actor, referral)
    referral = _transition(actor=actor, referral=referral, action="accept")
    _notify_sender(referral)
    return referral


@transaction.atomic
def referral_decline(*, actor: Any, referral: Referral, reason: str) -> Referral:
    _require_handle(actor, referral)
    referral = _transition(
        actor=actor,
        referral=referral,
        action="decline",
        reason=reason,
        reason_required=True,
    )
    _notify_sender(referral)
    return referral


@transaction.atomic
def referral_complete(*, actor: Any, referral: Referral, reason: str = "") -> Referral:
    _require_handle(actor, referral)
    referral = _transition(
        actor=actor, referral=referral, action="complete", reason=reason
    )
    _notify_sender(referral)
    return referral


@transaction.atomic
def referral_not_complete(*, actor: Any, referral: Referral, reason: str) -> Referral:
    _require_handle(actor, referral)
    referral = _transition(
        actor=actor,
        referral=referral,
        action="not_complete",
        reason=reason,
        reason_required=True,
    )
    _notify_sender(referral)
    return referral


@transaction.atomic
def referral_revoke(*, actor: Any, referral: Referral, reason: str = "") -> Referral:
    _require_refer(actor, referral.participant)
    was_seen = referral.sent_at is not None
    referral = _transition(
        actor=actor, referral=referral, action="revoke", reason=reason
    )
    if was_seen:
        _notify_partner(referral, new=False)
    return referral


#: The transition services by action name, for views and the API.
REFERRAL_ACTIONS: dict[str, Callable[..., Referral]] = {
    "send": referral_send,
    "accept": referral_accept,
    "decline": referral_decline,
    "complete": referral_complete,
    "not_complete": referral_not_complete,
    "revoke": referral_revoke,
}


@transaction.atomic
def referrals_flag_overdue(*, now: dt.datetime | None = None) -> int:
    """Notify both sides of every referral newly overdue; returns how many.

    A referral is flagged once per deadline: a new deadline (sent, then
    accepted) flags it again.
    """
    now = now or timezone.now()
    late = (
        Referral.objects.select_for_update(of=("self",))
        .filter(status__in=("sent", "accepted"), due_at__lt=now)
        .filter(overdue_notified_at__isnull=True)
        .select_related("organisation", "service", "participant", "created_by")
    )
    flagged = 0
    for referral in late:
        number, org = referral.pk, referral.organisation.name

        def title(number: int = number, org: str = org) -> str:
            return _("Referral %(number)s to %(organisation)s is overdue") % {
                "number": number,
                "organisation": org,
            }

        notify(
            users=[referral.created_by, referral.participant.caseworker],
            kind=Notification.Kind.REFERRAL_OVERDUE,
            title=title,
            url=_referral_url(referral, partner=False),
        )
        notify(
            users=partner_staff_of(referral.organisation_id),
            kind=Notification.Kind.REFERRAL_OVERDUE,
            title=title,
            url=_referral_url(referral, partner=True),
        )
        Referral.objects.filter(pk=referral.pk).update(overdue_notified_at=now)
        flagged += 1
    return flagged


# ---------------------------------------------------------------------------
# Opportunities.


@transaction.atomic
def opportunity_create(
    *, actor: Any, organisation: Organisation, data: dict[str, Any]
) -> Opportunity:
    _require_manage(actor, organisation)
    opportunity = Opportunity(
        organisation=organisation,
        created_by=actor,
        **{k: v for k, v in data.items() if k in Opportunity.EDITABLE_FIELDS},
    )
    opportunity.full_clean()
    opportunity.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="opportunity",
        object_id=opportunity.pk,
        lab_id=organisation.lab_id,
        changes=diff({}, snapshot(opportunity, Opportunity.EDITABLE_FIELDS)),
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *, actor: Any, opportunity: Opportunity, data: dict[str, Any]
) -> Opportunity:
    _require_manage(actor, opportunity.organisation)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    before = snapshot(opportunity, Opportunity.EDITABLE_FIELDS)
    for name, value in data.items():
        if name in Opportunity.EDITABLE_FIELDS:
            setattr(opportunity, name, value)
    opportunity.full_clean()
    opportunity.save()
    changes = diff(before, snapshot(opportunity, Opportunity.EDITABLE_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="opportunity",
            object_id=opportunity.pk,
            lab_id=opportunity.organisation.lab_id,
            changes=changes,
        )
    return opportunity
