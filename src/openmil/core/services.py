"""Writes for users, second factors and API tokens."""

import datetime as dt
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmil.core import access
from openmil.core.access import memberships_of
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import (
    ApiToken,
    AuditEntry,
    Lab,
    Membership,
    Organisation,
    UserProfile,
)
from openmil.core.roles import Perm, Role
from openmil.core.tasks import send_invitation


def second_factor_required(user: Any) -> bool:
    roles = {m.role for m in memberships_of(user)}
    return bool(roles & set(settings.OPENMIL_2FA_ROLES)) or user.is_superuser


def totp_device_for(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_device_start(*, user: Any) -> TOTPDevice:
    """An unconfirmed device to enrol; replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="OpenMIL", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: Any, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user,
        action=AuditEntry.Action.UPDATE,
        object_type="user",
        object_id=user.pk,
        detail="second factor enrolled",
    )
    return True


def user_language_set(*, user: Any, language: str) -> None:
    UserProfile.objects.update_or_create(user=user, defaults={"language": language})


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, days: int | None = 90
) -> tuple[ApiToken, str]:
    """Create a token; returns it with the raw secret, shown only once."""
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.digest_of(raw),
        hint=raw[: len(ApiToken.PREFIX) + 4],
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit_record(
        actor=user,
        action=AuditEntry.Action.CREATE,
        object_type="api_token",
        object_id=token.pk,
        detail=name,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            object_type="api_token",
            object_id=token.pk,
            detail="revoked",
        )
    return token


def api_token_authenticate(raw: str) -> Any | None:
    """The active user behind a raw token, or None."""
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw))
        .first()
    )
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


LAB_FIELDS = (
    "territory",
    "working_languages",
    "time_zone",
    "pathway_gate",
    "reference_prefix",
)


@transaction.atomic
def lab_update(*, actor: Any, lab: Lab, data: dict[str, Any]) -> Lab:
    """Change a lab's settings; coordinators and network admins only."""
    if not access.can(actor, Perm.MANAGE_LAB, lab.pk):
        raise PermissionDenied
    lab = Lab.objects.select_for_update().get(pk=lab.pk)
    before = snapshot(lab, LAB_FIELDS)
    for name in LAB_FIELDS:
        if name in data:
            setattr(lab, name, data[name])
    lab.full_clean()
    lab.save()
    changes = diff(before, snapshot(lab, LAB_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="lab",
            object_id=lab.pk,
            lab_id=lab.pk,
            changes=changes,
        )
    return lab


@transaction.atomic
def membership_add(
    *,
    actor: Any,
    lab: Lab,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    organisation: Organisation | None = None,
) -> Membership:
    """Add a person to the lab's team, creating their account if needed.

    A new account has no usable password: the person sets one through the
    link that `membership_invite_send` e-mails after commit.
    """
    if not access.can(actor, Perm.MANAGE_LAB, lab.pk):
        raise PermissionDenied
    if role == Role.NETWORK_ADMIN and not access.can(actor, Perm.MANAGE_LAB, lab.pk):
        raise PermissionDenied
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(
            username=username, email=email, first_name=first_name, last_name=last_name
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
    if hasattr(user, "participant_account"):
        # A participant's own account (openmil.portal) never becomes staff.
        raise ValidationError(_("This account belongs to a participant."))
    membership = Membership(user=user, lab=lab, role=role, organisation=organisation)
    if Membership.objects.filter(user=user, lab=lab, role=role).exists():
        raise ValidationError(_("This person already has this role in the lab."))
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="membership",
        object_id=membership.pk,
        lab_id=lab.pk,
        detail=f"{username} {role}",
    )
    if created and user.email:
        language = translation.get_language() or ""
        transaction.on_commit(
            lambda: send_invitation.enqueue(user_id=user.pk, language=language)
        )
    return membership


@transaction.atomic
def account_unlock(*, actor: Any, lab: Lab, username: str) -> int:
    """Clear failed sign-in attempts of a member of the lab; returns how many."""
    if not access.can(actor, Perm.MANAGE_LAB, lab.pk):
        raise PermissionDenied
    if not Membership.objects.filter(lab=lab, user__username=username).exists():
        raise ValidationError(_("This person is not in the lab's team."))
    cleared = int(axes_reset(username=username) or 0)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="user",
        object_id=username,
        lab_id=lab.pk,
        detail=f"sign-in unlocked ({cleared} failed attempts cleared)",
    )
    return cleared
