"""Participant accounts and the one-time links they sign in with."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.participants.models import Participant


class ParticipantAccount(models.Model):
    """A participant's own sign-in, linked one-to-one to their record.

    The user behind it holds no membership: it reaches the participant's own
    space and nothing else.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="participant_account",
        verbose_name=_("user account"),
    )
    participant = models.OneToOneField(
        Participant,
        on_delete=models.CASCADE,
        related_name="account",
        verbose_name=_("participant"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    first_sign_in_at = models.DateTimeField(_("first signed in"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant account")
        verbose_name_plural = _("participant accounts")

    def __str__(self) -> str:
        return str(self.user)


class SignInLink(models.Model):
    """A one-time sign-in link; only the SHA-256 digest of its secret is kept."""

    account = models.ForeignKey(
        ParticipantAccount,
        on_delete=models.CASCADE,
        related_name="sign_in_links",
        verbose_name=_("participant account"),
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    #: Secrets a copy of the record shows only as present (openmil.records).
    RECORD_HIDDEN_FIELDS = ("digest",)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account} {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate_raw() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
