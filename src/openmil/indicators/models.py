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
