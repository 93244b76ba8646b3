"""Erasure requests, retention rules and runs, and audit-redaction grants."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.core.fields import EncryptedTextField
from openmil.core.models import Lab
from openmil.participants.models import Participant


class ErasureRequest(models.Model):
    """A request to anonymise a person, decided by a second person.

    The two-person rule is enforced by `services.erasure_approve` and, as a
    last line, by a database constraint: the decider is never the requester.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved: the person is anonymised")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Closed: the person was anonymised otherwise")

    class Grounds(models.TextChoices):
        PERSON_ASKED = "person_asked", _("The person asked to be erased")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed for its purpose")
        OBJECTION = "objection", _("The person objects to the processing")
        UNLAWFUL = "unlawful", _("Processed without a lawful basis")
        LEGAL_OBLIGATION = "legal_obligation", _("A legal obligation")

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="+", verbose_name=_("lab")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="erasure_requests",
        verbose_name=_("participant"),
    )
    grounds = models.CharField(_("grounds"), max_length=20, choices=Grounds.choices)
    reason = EncryptedTextField(
        _("reason"),
        max_length=1000,
        help_text=_("Erased with the person's data when the request is approved."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(status="pending"),
                name="erasure_one_pending_per_participant",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="erasure_decided_by_another_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_grounds_display()} · {self.get_status_display()}"


class AuditRedactionGrant(models.Model):
    """Lets the audit-log trigger accept one redaction of an anonymised person.

    A grant lives only inside the erasure transaction: inserted before the
    UPDATE of the person's audit entries, deleted after it. The trigger
    (migration 0002) accepts an UPDATE of `changes` and `detail` only, only
    for entries of a participant who is anonymised and holds a grant.
    """

    participant_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audit redaction grant")
        verbose_name_plural = _("audit redaction grants")

    def __str__(self) -> str:
        return str(self.participant_id)


class LabPrivacySettings(models.Model):
    """A lab's retention rules and its threshold for unusual record access."""

    lab = models.OneToOneField(
        Lab,
        on_delete=models.CASCADE,
        related_name="privacy_settings",
        verbose_name=_("lab"),
    )
    retention_enabled = models.BooleanField(
        _("apply the retention rules every day"), default=False
    )
    months_after_exit = models.PositiveSmallIntegerField(
        _("anonymise this many months after the pathway ends"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    months_after_last_activity = models.PositiveSmallIntegerField(
        _("anonymise this many months after the last activity, without an exit"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    daily_view_threshold = models.PositiveIntegerField(
        _("records opened in a day that always count as unusual"),
        default=60,
        validators=[MinValueValidator(1)],
    )
    median_factor = models.PositiveSmallIntegerField(
        _("unusual when a day exceeds the person's median day this many times"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return str(self.lab)


class RetentionRun(models.Model):
    """What one application of a lab's retention rules did."""

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="+", verbose_name=_("lab")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    channel = models.CharField(_("through"), max_length=10, default="task")
    considered = models.PositiveIntegerField(_("people considered"), default=0)
    kept_for_follow_up = models.PositiveIntegerField(
        _("kept: follow-up consent"), default=0
    )
    anonymised = models.PositiveIntegerField(_("people anonymised"), default=0)
    #: References of the people anonymised, as they read after anonymisation.
    references = models.JSONField(_("references"), default=list, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lab} {self.started_at:%Y-%m-%d %H:%M}"
