"""Background work of the indicators app."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from openmil.core.models import Lab
from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute, snapshots_compute


@task()
def snapshot_refresh(*, lab_id: int, period: str) -> int | None:
    """Recompute one lab's snapshot for a period; returns the snapshot id."""
    lab = Lab.objects.filter(pk=lab_id).first()
    if lab is None:
        return None
    return snapshot_compute(lab=lab, period=Period.parse(period)).pk


@task()
def snapshots_refresh_all() -> int:
    """The nightly refresh: this year and last year for every lab."""
    year = timezone.localdate().year
    count = 0
    for period in (str(year), str(year - 1)):
        count += snapshots_refresh_period(period=period)
    return count


def snapshots_refresh_period(*, period: str) -> int:
    """Recompute every lab's snapshot for one period, all labs at once;
    returns the number of snapshots stored."""
    labs = Lab.objects.order_by("pk")
    return len(snapshots_compute(labs=labs, period=Period.parse(period)))


@task()
def snapshots_refresh_labs(*, period: str) -> int:
    """Recompute every lab's snapshot for one period (see
    `snapshots_refresh_period`)."""
    return snapshots_refresh_period(period=period)


@task()
def report_build(*, report_id: int) -> int | None:
    """Build a queued PDF report."""
    from openmil.indicators.models import IndicatorReport
    from openmil.indicators.services import report_make

    report = IndicatorReport.objects.filter(pk=report_id).first()
    if report is None:
        return None
    return report_make(report=report).pk
