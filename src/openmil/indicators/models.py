"""Precomputed indicator figures, so dashboards never compute on a request."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from openmil.core.models import Lab


class IndicatorSnapshot(models.Model):
    """Exact figures of every indicator for one lab and period.

    `cells` maps indicator id -> breakdown ("" for none) -> list of cells
    (group, n, k, value, low, high). Exact figures are stored; disclosure
    control is applied when they are read for somebody who is not staff of
    the lab.
    """

    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="indicator_snapshots"
    )
    period = models.CharField(_("period"), max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(default=0)
    cells = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at"]
        indexes = [
            models.Index(
                fields=["lab", "period", "-computed_at"], name="snapshot_latest"
            )
        ]
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")

    def __str__(self) -> str:
        return f"{self.lab} {self.period} @ {self.computed_at:%Y-%m-%d %H:%M}"


class IndicatorReport(models.Model):
    """A PDF report of a lab's figures for a period, built in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=40)
    language = models.CharField(_("language"), max_length=10)
    requested_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to="reports/", blank=True)
    seconds = models.FloatField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("indicator report")
        verbose_name_plural = _("indicator reports")

    def __str__(self) -> str:
        return f"{self.lab} {self.period} ({self.language})"
