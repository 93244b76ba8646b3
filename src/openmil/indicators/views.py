"""Dashboards of indicator figures, read from precomputed snapshots."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.roles import Perm
from openmil.indicators import dashboards, services
from openmil.indicators.charts import trend_svg
from openmil.indicators.exports import FORMAT_NAMES, FORMATS, indicators_export
from openmil.indicators.forms import (
    DashboardFilter,
    ReferenceImportForm,
    ReferenceValueForm,
)
from openmil.indicators.models import IndicatorReport
from openmil.indicators.selectors import snapshot_latest
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


#: How long a rendered block of figures is kept. Snapshots never change
#: once stored, and the key names every input, so this only bounds memory.
RENDERED_SECONDS = 6 * 3600


def _rendered_once(key: tuple[Any, ...], render: Callable[[], str]) -> SafeString:
    """HTML rendered from immutable snapshots, cached under a key naming
    everything it depends on (snapshots, exact or protected, breakdown,
    language and time zone), so a page shown again costs no recomputation:
    the figures were published through `indicator_publish` when rendered."""
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    cache_key = f"indicators:html:{digest}"
    html = cache.get(cache_key)
    if html is None:
        html = render()
        cache.set(cache_key, html, RENDERED_SECONDS)
    return SafeString(html)


def _language_and_zone() -> tuple[str, str]:
    return translation.get_language() or "", timezone.get_current_timezone_name()


@login_required
def dashboard(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    form = _filter(request)
    exact = access.can(request.user, Perm.VIEW_PERSONAL, lab.pk)
    snapshot = None
    figures_html = SafeString("")
    funnel: list[dashboards.FunnelStep] = []
    if form.is_valid():
        period = form.cleaned_data["period"]
        selection = form.selection()
        breakdown = form.cleaned_data["breakdown"]
        snapshot = snapshot_latest(lab_id=lab.pk, period=period.label, with_cells=False)
        if snapshot is not None:
            funnel = dashboards.funnel_published(snapshot=snapshot, exact=exact)
            references = list(
                dashboards.references_of(user=request.user, lab_id=lab.pk)
            )
            versions = dashboards.trend_snapshot_versions(lab_id=lab.pk, period=period)
            shown = snapshot

            def render_figures() -> str:
                figures = dashboards.figures_for(
                    snapshot=shown,
                    exact=exact,
                    breakdown=breakdown,
                    selection=selection,
                )
                series = dashboards.trends_for(
                    snapshots=dashboards.trend_snapshots(
                        lab_id=lab.pk,
                        period=period,
                        ids=[pk for pk, _computed_at in versions],
                    ),
                    exact=exact,
                    selection=selection,
                )
                trends = {
                    f.indicator.id: trend_svg(
                        points=[(p.period, p.value) for p in series[f.indicator.id]],
                        share=f.indicator.kind == "proportion",
                        title=str(f.indicator.name),
                    )
                    for f in figures
                    if len(series.get(f.indicator.id, [])) > 1
                }
                gaps = dashboards.gaps_for(
                    lab_id=lab.pk, figures=figures, references=references
                )
                return render_to_string(
                    "indicators/_figures.html",
                    {
                        "figures": figures,
                        "trends": trends,
                        "gaps": gaps,
                        "breakdown": breakdown,
                    },
                )

            figures_html = _rendered_once(
                (
                    "dashboard",
                    (snapshot.pk, snapshot.computed_at),
                    tuple(versions),
                    exact,
                    breakdown,
                    selection,
                    tuple(
                        (r.pk, r.indicator_id, r.area, r.population, r.period)
                        + (r.value, r.ci_low, r.ci_high, r.source, r.url)
                        for r in references
                    ),
                    _language_and_zone(),
                ),
                render_figures,
            )
    return render(
        request,
        "indicators/dashboard.html",
        {
            "lab": lab,
            "form": form,
            "snapshot": snapshot,
            "figures_html": figures_html,
            "funnel": funnel,
            "exact": exact,
            "can_manage_references": access.can(
                request.user, Perm.MANAGE_REFERENCES, lab.pk
            ),
            "formats": FORMAT_NAMES.items(),
        },
    )


@login_required
def network(request: HttpRequest, network_id: int) -> HttpResponse:
    """Every lab of a network the user reads aggregates of, side by side and
    together, always disclosure-controlled."""
    form = _filter(request)
    network_name = table_html = None
    if form.is_valid():
        period = form.cleaned_data["period"]
        labs = dashboards.network_labs(user=request.user, network_id=network_id)
        network_name = labs[0].network.name
        latest = dashboards.network_snapshot_versions(labs=labs, period=period)

        def render_table() -> str:
            view = dashboards.network_figures(
                user=request.user, network_id=network_id, period=period
            )
            return render_to_string("indicators/_network_table.html", {"view": view})

        table_html = _rendered_once(
            (
                "network",
                network_id,
                tuple((lab.pk, lab.name, lab.country) for lab in labs),
                tuple(sorted(latest.items())),
                _language_and_zone(),
            ),
            render_table,
        )
    elif not dashboards.networks_of(user=request.user).filter(pk=network_id):
        raise Http404
    return render(
        request,
        "indicators/network.html",
        {"form": form, "network_name": network_name, "table_html": table_html},
    )


@login_required
def references(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.VIEW_AGGREGATES)
    return render(
        request,
        "indicators/references.html",
        {
            "lab": lab,
            "references": dashboards.references_of(user=request.user, lab_id=lab.pk),
            "can_manage": access.can(request.user, Perm.MANAGE_REFERENCES, lab.pk),
        },
    )


@login_required
def reference_create(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_REFERENCES)
    form = ReferenceValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_create(
                actor=request.user, lab=lab, data=form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The reference value was saved."))
            return redirect("indicators:references", lab_id=lab.pk)
    return render(request, "indicators/reference_form.html", {"lab": lab, "form": form})


@login_required
def reference_import(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_REFERENCES)
    form = ReferenceImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            form.add_error("file", _("The file is larger than 2 MB."))
        else:
            try:
                created = services.reference_import(
                    actor=request.user, lab=lab, content=upload.read()
                )
            except services.ReferenceImportError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("%(n)d reference values were imported.") % {"n": len(created)},
                )
                return redirect("indicators:references", lab_id=lab.pk)
    return render(
        request,
        "indicators/reference_import.html",
        {"lab": lab, "form": form, "errors": errors},
    )


@login_required
@require_POST
def reference_delete(request: HttpRequest, reference_id: int) -> HttpResponse:
    reference = dashboards.reference_get(
        user=request.user,
        reference_id=reference_id,
        permission=Perm.MANAGE_REFERENCES,
    )
    lab_id = reference.lab_id
    services.reference_delete(actor=request.user, reference=reference)
    messages.success(request, _("The reference value was deleted."))
    return redirect("indicators:references", lab_id=lab_id)


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
