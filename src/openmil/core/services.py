"""Writes for users, second factors and API tokens."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmil.core.access import memberships_of
from openmil.core.audit import audit_record
from openmil.core.models import ApiToken, AuditEntry, UserProfile


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
