"""In-app notifications and each user's e-mail preference.

A notification names a record and what happened to it; it never holds
personal data beyond what its recipient may already see, and never a
sensitive field.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        REFERRAL_NEW = "referral_new", _("New referral")
        REFERRAL_STATUS = "referral_status", _("Referral status changed")
        REFERRAL_OVERDUE = "referral_overdue", _("Overdue referral")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread")
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("One e-mail for each notification")
        DIGEST = "digest", _("One daily digest")
        NONE = "none", _("No e-mail, in the application only")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email = models.CharField(
        _("e-mail"), max_length=10, choices=Email.choices, default=Email.IMMEDIATE
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.email}"
