"""Training of facilitators: trainings followed, competencies, certifications.

Staff data, not participant data: the people here are the lab's users.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.core.models import Lab


class Competency(models.Model):
    """A competency the lab expects of its staff (the lab defines the list)."""

    lab = models.ForeignKey(
        Lab,
        on_delete=models.CASCADE,
        related_name="competencies",
        verbose_name=_("lab"),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(240)],
        help_text=_("Empty: a certification does not expire."),
    )

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "name"], name="competency_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Training(models.Model):
    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("lab")
    )
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(10_000)],
    )
    held_on = models.DateField(_("date"))
    competencies = models.ManyToManyField(
        Competency,
        blank=True,
        related_name="trainings",
        verbose_name=_("competencies built"),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="trainings_followed",
        verbose_name=_("followed by"),
    )

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-held_on", "title"]

    def __str__(self) -> str:
        return self.title


class Certification(models.Model):
    """A staff user's certification in one competency, with its expiry."""

    lab = models.ForeignKey(
        Lab,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("lab"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("holder"),
    )
    competency = models.ForeignKey(
        Competency,
        on_delete=models.RESTRICT,
        related_name="certifications",
        verbose_name=_("competency"),
    )
    certified_on = models.DateField(_("certified on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    training = models.ForeignKey(
        Training,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certifications",
        verbose_name=_("through the training"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["user_id", "competency__name", "-certified_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("certified_on")),
                name="certification_expires_after_certified",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.competency}"

    def clean(self) -> None:
        if (
            self.expires_on
            and self.certified_on
            and self.expires_on <= self.certified_on
        ):
            raise ValidationError(
                {"expires_on": _("A certification expires after it is given.")}
            )

    def is_valid_on(self, day: dt.date) -> bool:
        return self.certified_on <= day and (
            self.expires_on is None or self.expires_on > day
        )
