"""Dashboards of indicator figures, read from precomputed snapshots."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.roles import Perm
from openmil.indicators.exports import FORMAT_NAMES, FORMATS, indicators_export
from openmil.indicators.forms import DashboardFilter
from openmil.indicators.models import IndicatorReport
from openmil.indicators.selectors import snapshot_figures, snapshot_latest
from openmil.indicators.services import report_request
from openmil.indicators.tasks import snapshot_refresh

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "datapackage": "application/zip",
}


def _filter(request: HttpRequest) -> DashboardFilter:
    data = request.GET.copy()
    data.setdefault("period", str(timezone.localdate().year))
    return DashboardFilter(data)


@login_required
def dashboard(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    form = _filter(request)
    snapshot = figures = None
    if form.is_valid():
        period = form.cleaned_data["period"]
        snapshot = snapshot_latest(lab_id=lab.pk, period=period.label)
        if snapshot is not None:
            figures = snapshot_figures(
                user=request.user,
                snapshot=snapshot,
                breakdown=form.cleaned_data["breakdown"],
            )
    return render(
        request,
        "indicators/dashboard.html",
        {
            "lab": lab,
            "form": form,
            "snapshot": snapshot,
            "figures": figures,
            "exact": access.can(request.user, Perm.VIEW_PERSONAL, lab.pk),
            "formats": FORMAT_NAMES.items(),
        },
    )


@login_required
@require_POST
def refresh(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    form = DashboardFilter(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("period", [])))
        return redirect("indicators:dashboard", lab_id=lab.pk)
    period = form.cleaned_data["period"]
    snapshot_refresh.enqueue(lab_id=lab.pk, period=period.label)
    messages.success(
        request,
        _("The figures are being computed; reload the page in a moment."),
    )
    url = reverse("indicators:dashboard", args=[lab.pk])
    return redirect(f"{url}?{urlencode({'period': period.label})}")


@login_required
def download(request: HttpRequest, lab_id: int, fmt: str) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    form = _filter(request)
    if fmt not in FORMATS or not form.is_valid():
        raise Http404
    period = form.cleaned_data["period"]
    snapshot = snapshot_latest(lab_id=lab.pk, period=period.label)
    if snapshot is None:
        raise Http404
    suffix = {"csv": ".csv", "hxl": ".hxl.csv", "xlsx": ".xlsx"}.get(fmt, ".zip")
    name = f"openmil-{lab.slug}-{period.label}{suffix}"
    with tempfile.TemporaryDirectory(prefix="openmil-export-") as folder:
        path = indicators_export(snapshot=snapshot, fmt=fmt, path=Path(folder) / name)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def report_create(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    form = DashboardFilter(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("period", [])))
        return redirect("indicators:dashboard", lab_id=lab.pk)
    report = report_request(
        user=request.user,
        lab=lab,
        period=form.cleaned_data["period"],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return redirect("indicators:report", lab_id=lab.pk, report_id=report.pk)


@login_required
def report_status(request: HttpRequest, lab_id: int, report_id: int) -> HttpResponse:
    """The report's progress; htmx polls the partial until it is ready."""
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    report = get_object_or_404(IndicatorReport, pk=report_id, lab=lab)
    template = "indicators/report_status.html"
    if request.headers.get("HX-Request"):
        template += "#status"
    return render(request, template, {"lab": lab, "report": report})


@login_required
def report_download(request: HttpRequest, lab_id: int, report_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    report = get_object_or_404(
        IndicatorReport, pk=report_id, lab=lab, status=IndicatorReport.Status.DONE
    )
    with report.pdf.open("rb") as f:
        content = f.read()
    response = HttpResponse(content, content_type="application/pdf")
    name = f"openmil-{lab.slug}-{report.period}-{report.language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
