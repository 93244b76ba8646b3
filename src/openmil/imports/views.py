"""Import and export pages: thin wrappers over the imports services."""

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.roles import Perm
from openmil.imports import selectors, services
from openmil.imports.forms import ExportForm, UploadForm
from openmil.imports.importers import REGISTRY, importer_for
from openmil.imports.readers import csv_lines, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _labs(request: HttpRequest, permission: str) -> Any:
    labs = access.labs_with(request.user, permission)
    if not labs.exists():
        raise Http404
    return labs


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    labs = _labs(request, Perm.IMPORT_DATA)
    form = UploadForm(request.POST or None, request.FILES or None, labs=labs)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_upload(
                actor=request.user,
                lab=form.cleaned_data["lab"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            return redirect("imports:detail", job_id=job.uuid)
    jobs = selectors.import_jobs(user=request.user)[:20]
    return render(
        request,
        "imports/start.html",
        {"form": form, "jobs": jobs, "kinds": REGISTRY},
    )


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponseBase:
    labs = _labs(request, Perm.IMPORT_DATA)
    importer_class = REGISTRY.get(request.GET.get("kind", "participants"))
    if importer_class is None or fmt not in ("csv", "xlsx"):
        raise Http404
    header = [c.name for c in importer_class.columns]
    rows = importer_class(lab=labs.first(), actor=request.user).template_rows()
    name = f"openmil-{importer_class.kind}-template.{fmt}"
    return _file(fmt, name, header, rows)


def _file(fmt: str, name: str, header: list[str], rows: Any) -> HttpResponseBase:
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        target = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
        write_xlsx(target, header, rows)
        target.seek(0)
        response = FileResponse(target, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    labs = _labs(request, Perm.EXPORT_DATA)
    form = ExportForm(request.GET or None, labs=labs)
    if not form.is_bound or not form.is_valid():
        return render(request, "imports/export.html", {"form": form})
    lab = form.cleaned_data["lab"]
    kind, fmt = form.cleaned_data["kind"], form.cleaned_data["format"]
    importer_class = importer_for(kind)
    importer_class.check_permission(actor=request.user, lab=lab)
    importer = importer_class(lab=lab, actor=request.user)
    qs = importer.export_queryset(user=request.user)
    services.export_audit(
        actor=request.user,
        lab=lab,
        kind=kind,
        ids=list(qs.values_list("pk", flat=True)),
        fmt=fmt,
    )
    header = importer.column_names
    rows = importer.export_rows(qs.iterator(chunk_size=2000))
    stamp = timezone.localdate().isoformat()
    return _file(fmt, f"openmil-{kind}-{lab.slug}-{stamp}.{fmt}", header, rows)


def _detail_context(job: Any, request: HttpRequest) -> dict[str, Any]:
    page = Paginator(selectors.import_errors(job=job), 100).get_page(
        request.GET.get("page")
    )
    processed = services.progress_of(job)
    total = job.row_count or None
    return {
        "job": job,
        "page": page,
        "processed": processed,
        "percent": int(100 * processed / total) if total else None,
    }


@login_required
def import_detail(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    return render(request, "imports/detail.html", _detail_context(job, request))


@login_required
def import_progress(request: HttpRequest, job_id: Any) -> HttpResponse:
    """The status box, polled by htmx while a task runs; a finished job
    reloads the whole page (its errors, its counts)."""
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    response = render(
        request, "imports/detail.html#status", _detail_context(job, request)
    )
    if not job.is_running and request.GET.get("was") in (
        "checking",
        "queued",
        "importing",
    ):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    try:
        services.import_confirm(actor=request.user, job=job)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("imports:detail", job_id=job.uuid)


@login_required
@require_POST
def import_cancel(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    try:
        services.import_cancel(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import is cancelled; nothing was written."))
    return redirect("imports:detail", job_id=job.uuid)
