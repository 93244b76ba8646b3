"""Writes of the indicators app: computing snapshots, reports, reference
values."""

from __future__ import annotations

import csv
import dataclasses
import io
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, Lab
from openmil.core.parallel import run_on_snapshot
from openmil.core.roles import Perm
from openmil.indicators.dashboards import FUNNEL_COST, funnel_compute_by_lab
from openmil.indicators.forms import ReferenceValueForm
from openmil.indicators.models import IndicatorReport, IndicatorSnapshot, ReferenceValue
from openmil.indicators.registry import BREAKDOWNS, REGISTRY, Indicator, Period
from openmil.indicators.selectors import indicator_compute_sets

_FUNNEL = ""  # the funnel's key among the indicators' ids


def snapshots_compute(
    *, labs: Iterable[Lab], period: Period
) -> list[IndicatorSnapshot]:
    """Compute every indicator, whole and by every breakdown, and the funnel
    for several labs at once, and store one snapshot per lab.

    Each indicator is one grouped query for all the labs and breakdowns
    together (two for medians), the funnel one more: the cost grows with
    the number of people, not with labs times breakdowns. On PostgreSQL the
    queries are spread over `OPENMIL_ANALYTIC_CONNECTIONS` connections that
    read one snapshot of the database (`core.parallel`).
    """
    labs = list(labs)
    lab_ids = [lab.pk for lab in labs]
    started = time.perf_counter()

    def indicator_cells(indicator: Indicator) -> Callable[[], Any]:
        return lambda: indicator_compute_sets(
            indicator=indicator,
            lab_ids=lab_ids,
            period=period,
            breakdowns=BREAKDOWNS,
            by_lab=True,
        )

    work: dict[str, tuple[float, Callable[[], Any]]] = {
        indicator.id: (indicator.cost, indicator_cells(indicator))
        for indicator in REGISTRY.values()
    }
    work[_FUNNEL] = (
        FUNNEL_COST,
        lambda: funnel_compute_by_lab(lab_ids=lab_ids, period=period),
    )
    # The longest first, so that no connection is left alone with one at
    # the end.
    order = sorted(work, key=lambda name: -work[name][0])
    results = dict(
        zip(order, run_on_snapshot([work[n][1] for n in order]), strict=True)
    )
    funnels = results.pop(_FUNNEL)
    cells: dict[int, dict[str, dict[str, list[dict[str, object]]]]] = {
        lab_id: {} for lab_id in lab_ids
    }
    for indicator_id in REGISTRY:
        for lab_id, by_breakdown in results[indicator_id].items():
            cells[lab_id][indicator_id] = {
                breakdown: [dataclasses.asdict(c) for c in figures]
                for breakdown, figures in by_breakdown.items()
            }
    computed_at = timezone.now()
    seconds = time.perf_counter() - started
    with transaction.atomic():
        return IndicatorSnapshot.objects.bulk_create(
            IndicatorSnapshot(
                lab=lab,
                period=period.label,
                period_start=period.start,
                period_end=period.end,
                computed_at=computed_at,
                seconds=seconds,
                cells=cells[lab.pk],
                funnel=funnels[lab.pk],
            )
            for lab in labs
        )


def snapshot_compute(*, lab: Lab, period: Period) -> IndicatorSnapshot:
    """Compute and store one lab's snapshot (see `snapshots_compute`)."""
    return snapshots_compute(labs=[lab], period=period)[0]


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


# ---------------------------------------------------------------------------
# Reference values: national or regional figures a cohort is compared to.

REFERENCE_FIELDS = (
    "indicator_id",
    "area",
    "population",
    "period",
    "value",
    "ci_low",
    "ci_high",
    "source",
    "url",
)
#: CSV header names (the first is the indicator id) in the import file.
REFERENCE_COLUMNS = ("indicator",) + REFERENCE_FIELDS[1:]
REFERENCE_IMPORT_MAX_ROWS = 5000


def _require_manage(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.MANAGE_REFERENCES, lab_id):
        raise PermissionDenied


def _reference_form(
    data: dict[str, Any], instance: ReferenceValue | None = None
) -> ReferenceValueForm:
    form = ReferenceValueForm(
        data={k: ("" if v is None else v) for k, v in data.items()},
        instance=instance,
    )
    if not form.is_valid():
        raise ValidationError(
            {
                field: [str(m) for m in messages]
                for field, messages in form.errors.items()
            }
        )
    return form


def reference_create(*, actor: Any, lab: Lab, data: dict[str, Any]) -> ReferenceValue:
    """Record one reference value for a lab (fields as in REFERENCE_FIELDS)."""
    _require_manage(actor, lab.pk)
    form = _reference_form(data)
    with transaction.atomic():
        reference = form.save(commit=False)
        reference.lab = lab
        reference.created_by = actor if actor.is_authenticated else None
        reference.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="reference_value",
            object_id=reference.pk,
            lab_id=lab.pk,
            changes={f: getattr(reference, f) for f in REFERENCE_FIELDS},
        )
    return reference


def reference_update(
    *, actor: Any, reference: ReferenceValue, data: dict[str, Any]
) -> ReferenceValue:
    """Change some fields of a reference value (missing ones are kept)."""
    _require_manage(actor, reference.lab_id)
    before = {f: getattr(reference, f) for f in REFERENCE_FIELDS}
    form = _reference_form({**before, **data}, instance=reference)
    with transaction.atomic():
        reference = form.save()
        changes = {
            f: [before[f], getattr(reference, f)]
            for f in REFERENCE_FIELDS
            if before[f] != getattr(reference, f)
        }
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="reference_value",
            object_id=reference.pk,
            lab_id=reference.lab_id,
            changes=changes,
        )
    return reference


def reference_delete(*, actor: Any, reference: ReferenceValue) -> None:
    _require_manage(actor, reference.lab_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            object_type="reference_value",
            object_id=reference.pk,
            lab_id=reference.lab_id,
            detail=str(reference)[:200],
        )
        reference.delete()


class ReferenceImportError(Exception):
    """Rows that failed: (line number, field, message); nothing was saved."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def reference_import(*, actor: Any, lab: Lab, content: bytes) -> list[ReferenceValue]:
    """Import reference values from CSV (UTF-8, comma or semicolon), all or
    nothing: every row is validated first, and one bad row saves none."""
    _require_manage(actor, lab.pk)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReferenceImportError(
            [(0, "file", str(_("The file is not UTF-8 text.")))]
        ) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REFERENCE_COLUMNS[:5] + ("source",) if c not in header]
    if missing:
        raise ReferenceImportError(
            [
                (
                    1,
                    "header",
                    str(_("Missing columns: %(columns)s"))
                    % {"columns": ", ".join(missing)},
                )
            ]
        )
    reader.fieldnames = header
    errors: list[tuple[int, str, str]] = []
    forms: list[ReferenceValueForm] = []
    for row in reader:
        line = reader.line_num
        if len(forms) + len(errors) >= REFERENCE_IMPORT_MAX_ROWS:
            errors.append(
                (
                    line,
                    "file",
                    str(_("At most %(n)d rows per file."))
                    % {"n": REFERENCE_IMPORT_MAX_ROWS},
                )
            )
            break
        data = {
            field: (row.get(column) or "").strip()
            for field, column in zip(REFERENCE_FIELDS, REFERENCE_COLUMNS, strict=True)
        }
        form = ReferenceValueForm(data=data)
        if form.is_valid():
            forms.append(form)
        else:
            errors += [
                (line, "indicator" if f == "indicator_id" else f, str(m))
                for f, messages in form.errors.items()
                for m in messages
            ]
    if not forms and not errors:
        errors.append((1, "file", str(_("The file has no rows."))))
    if errors:
        raise ReferenceImportError(errors)
    with transaction.atomic():
        created = []
        for form in forms:
            reference = form.save(commit=False)
            reference.lab = lab
            reference.created_by = actor if actor.is_authenticated else None
            reference.save()
            created.append(reference)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="reference_value",
            lab_id=lab.pk,
            detail=f"CSV import: {len(created)} reference values",
        )
    return created
