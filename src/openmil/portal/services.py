"""Participant accounts: invitation, one-time sign-in links, own consents."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, UserProfile
from openmil.core.roles import Perm
from openmil.participants import services as participant_services
from openmil.participants.models import Consent, Participant
from openmil.portal.models import ParticipantAccount, SignInLink
from openmil.portal.tasks import send_sign_in_link

#: A sign-in link asked for on the sign-in page works this long.
LINK_MINUTES = int(getattr(settings, "OPENMIL_PORTAL_LINK_MINUTES", 15))
#: The link in an invitation works this long.
INVITE_HOURS = int(getattr(settings, "OPENMIL_PORTAL_INVITE_HOURS", 72))
#: At most this many links are sent to one account per window...
LINKS_PER_ACCOUNT = 3
#: ... and at most this many requests are taken from one address per window.
REQUESTS_PER_ADDRESS = 10
RATE_WINDOW = dt.timedelta(minutes=15)


def _language_for(participant: Participant, fallback: str) -> str:
    codes = {code for code, _name in settings.STAFF_LANGUAGES}
    if participant.mother_tongue in codes:
        return participant.mother_tongue
    return fallback if fallback in codes else settings.LANGUAGE_CODE


@transaction.atomic
def account_invite(
    *, actor: Any, participant: Participant, language: str = ""
) -> ParticipantAccount:
    """Give a participant their own account and e-mail them a sign-in link.

    The account's user has no membership and no usable password: the person
    signs in with the link, and may then choose a password. Its language is
    the person's mother tongue when the interface speaks it.
    """
    if not access.can(actor, Perm.INVITE_PARTICIPANT, participant.lab_id):
        raise PermissionDenied
    if ParticipantAccount.objects.filter(participant=participant).exists():
        raise ValidationError(_("This person already has an account."))
    email = participant.email.strip().lower()
    if not email:
        raise ValidationError(
            _("Record the person's email address first: the invitation is sent there.")
        )
    User = get_user_model()
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise ValidationError(_("Another account already uses this email address."))
    user = User(
        username=email,
        email=email,
        first_name=participant.given_name[:150],
        last_name=participant.family_name[:150],
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    UserProfile.objects.create(user=user, language=_language_for(participant, language))
    account = ParticipantAccount.objects.create(
        user=user, participant=participant, invited_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="participant_account",
        object_id=account.pk,
        participant=participant,
        detail="invited",
    )
    transaction.on_commit(
        lambda: send_sign_in_link.enqueue(
            account_id=account.pk, minutes=INVITE_HOURS * 60, invitation=True
        )
    )
    return account


def _address_allowed(address: str) -> bool:
    """Count a request from this network address; False once over the limit."""
    key = f"openmil:portal:link-requests:{address}"
    cache.add(key, 0, timeout=int(RATE_WINDOW.total_seconds()))
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=int(RATE_WINDOW.total_seconds()))
        count = 1
    return count <= REQUESTS_PER_ADDRESS


def sign_in_link_request(*, email: str, address: str = "") -> None:
    """Send a one-time sign-in link if the address belongs to an account.

    Says nothing either way: the caller shows the same answer whether or not
    the address is known, or the limits were reached.
    """
    if not _address_allowed(address or "unknown"):
        return
    account = (
        ParticipantAccount.objects.filter(
            user__email__iexact=email.strip(), user__is_active=True
        )
        .only("pk")
        .first()
    )
    if account is None:
        return
    transaction.on_commit(
        lambda: send_sign_in_link.enqueue(account_id=account.pk, minutes=LINK_MINUTES)
    )


def sign_in_link_create(
    *, account: ParticipantAccount, minutes: int = LINK_MINUTES
) -> str | None:
    """A new link for the account; returns its secret, or None over the limit.

    Called by the task that e-mails it, so the secret never reaches the
    database or the task queue.
    """
    since = timezone.now() - RATE_WINDOW
    if account.sign_in_links.filter(created_at__gte=since).count() >= (
        LINKS_PER_ACCOUNT
    ):
        return None
    raw = SignInLink.generate_raw()
    now = timezone.now()
    SignInLink.objects.create(
        account=account,
        digest=SignInLink.digest_of(raw),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=minutes),
    )
    return raw


@transaction.atomic
def sign_in_link_use(*, raw: str) -> ParticipantAccount | None:
    """Spend a one-time link: the account it signs in, or None if the link is
    unknown, used or expired. A link works once."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    link = (
        SignInLink.objects.select_for_update()
        .select_related("account__user", "account__participant")
        .filter(digest=SignInLink.digest_of(raw))
        .first()
    )
    if link is None or not link.is_usable or not link.account.user.is_active:
        return None
    spent = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now
    )
    if not spent:
        return None
    account = link.account
    if account.first_sign_in_at is None:
        account.first_sign_in_at = now
        account.save(update_fields=["first_sign_in_at"])
    audit_record(
        actor=account.user,
        action=AuditEntry.Action.LOGIN,
        object_type="participant_account",
        object_id=account.pk,
        participant=account.participant,
        detail="one-time link",
    )
    return account


@transaction.atomic
def own_consent_withdraw(*, account: ParticipantAccount, consent: Consent) -> Consent:
    """The participant withdraws one of their own consents."""
    if consent.participant_id != account.participant_id:
        raise PermissionDenied
    return participant_services.consent_withdraw(actor=account.user, consent=consent)


@transaction.atomic
def own_password_set(*, account: ParticipantAccount, form: Any) -> ParticipantAccount:
    """Save a SetPasswordForm for the participant's own user."""
    form.save()
    audit_record(
        actor=account.user,
        action=AuditEntry.Action.UPDATE,
        object_type="participant_account",
        object_id=account.pk,
        participant=account.participant,
        detail="password set",
    )
    return account
