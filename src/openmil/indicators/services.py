"""Writes of the indicators app: computing snapshots."""

from __future__ import annotations

import dataclasses
import time

from django.db import transaction
from django.utils import timezone

from openmil.core.models import Lab
from openmil.indicators.models import IndicatorSnapshot
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
