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
    #: Exact counts of the steps from intake to employment (see services).
    funnel = models.JSONField(default=list, blank=True)

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


class ReferenceValue(models.Model):
    """A published national or regional figure a lab compares its cohort to,
    e.g. Eurostat's employment rate of non-EU citizens in the lab's region.

    `value`, `ci_low` and `ci_high` are in the unit the indicator is shown
    in: percent (0-100) for a share, the indicator's unit (days...) for a
    median. Not data about a person: no disclosure control applies.
    """

    lab = models.ForeignKey(
        Lab,
        on_delete=models.CASCADE,
        related_name="reference_values",
        verbose_name=_("lab"),
    )
    indicator_id = models.CharField(_("indicator"), max_length=80)
    area = models.CharField(_("area or region"), max_length=200)
    population = models.CharField(_("population"), max_length=200)
    period = models.CharField(_("period"), max_length=40)
    value = models.FloatField(_("value"))
    ci_low = models.FloatField(_("interval, low"), null=True, blank=True)
    ci_high = models.FloatField(_("interval, high"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200)
    url = models.URLField(_("address"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator_id", "area", "period"]
        verbose_name = _("reference value")
        verbose_name_plural = _("reference values")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(ci_low__isnull=True, ci_high__isnull=True)
                    | models.Q(
                        ci_low__isnull=False,
                        ci_high__isnull=False,
                        ci_low__lte=models.F("value"),
                        ci_high__gte=models.F("value"),
                    )
                ),
                name="reference_value_interval_around_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} · {self.area} · {self.period}"
