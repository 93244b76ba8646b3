"""Writes of the indicators app: computing snapshots."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from openmil.core.models import Lab
from openmil.indicators.models import IndicatorReport, IndicatorSnapshot
from openmil.indicators.registry import BREAKDOWNS, REGISTRY, Period
from openmil.indicators.selectors import indicator_compute


def snapshot_compute(*, lab: Lab, period: Period) -> IndicatorSnapshot:
    """Compute every indicator, whole and by every breakdown, and store it."""
    started = time.perf_counter()
    cells: dict[str, dict[str, list[dict[str, object]]]] = {}
    for indicator in REGISTRY.values():
        by_breakdown: dict[str, list[dict[str, object]]] = {}
        for breakdown in ["", *BREAKDOWNS]:
            computed = indicator_compute(
                indicator=indicator,
                lab_ids=[lab.pk],
                period=period,
                breakdown=breakdown or None,
            )
            if breakdown:
                computed = computed[1:]  # the whole is stored once, under ""
            by_breakdown[breakdown] = [dataclasses.asdict(c) for c in computed]
        cells[indicator.id] = by_breakdown
    with transaction.atomic():
        return IndicatorSnapshot.objects.create(
            lab=lab,
            period=period.label,
            period_start=period.start,
            period_end=period.end,
            computed_at=timezone.now(),
            seconds=time.perf_counter() - started,
            cells=cells,
        )


def report_request(
    *, user: Any, lab: Lab, period: Period, language: str
) -> IndicatorReport:
    """Queue a PDF report; the task builds it after the commit."""
    from openmil.indicators.tasks import report_build

    report = IndicatorReport.objects.create(
        lab=lab, period=period.label, language=language, requested_by=user
    )
    transaction.on_commit(lambda: report_build.enqueue(report_id=report.pk))
    return report


def report_make(*, report: IndicatorReport) -> IndicatorReport:
    """Build the PDF of a queued report, recording progress as it goes."""
    from openmil.indicators.report import report_pdf
    from openmil.indicators.selectors import snapshot_latest

    started = time.perf_counter()
    _progress(report, IndicatorReport.Status.RUNNING, 10)
    try:
        snapshot = snapshot_latest(lab_id=report.lab_id, period=report.period)
        if snapshot is None:
            snapshot = snapshot_compute(
                lab=report.lab, period=Period.parse(report.period)
            )
        _progress(report, IndicatorReport.Status.RUNNING, 50)
        pdf = report_pdf(snapshot=snapshot, language=report.language)
    except Exception as exc:  # reported to the person, then re-raised for the log
        report.error = type(exc).__name__
        _progress(report, IndicatorReport.Status.FAILED, 100)
        raise
    report.pdf.save(
        f"openmil-{report.lab.slug}-{report.period}-{report.language}.pdf",
        ContentFile(pdf),
        save=False,
    )
    report.seconds = time.perf_counter() - started
    _progress(report, IndicatorReport.Status.DONE, 100)
    return report


def _progress(report: IndicatorReport, status: str, percent: int) -> None:
    report.status = status
    report.progress = percent
    report.save()
