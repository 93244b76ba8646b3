"""Import endpoints: the same services and selectors as the pages."""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from openmil.core import access
from openmil.core.api import Error
from openmil.core.roles import Perm
from openmil.imports import selectors, services
from openmil.imports.models import ImportJob

router = Router(tags=["imports"])


class ImportOut(Schema):
    id: uuid.UUID
    lab: int
    kind: str
    file_name: str
    status: str
    encoding: str
    notice: str
    row_count: int
    error_count: int
    rows_with_errors: int
    processed: int
    created_count: int
    updated_count: int
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


def _out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.uuid,
        "lab": job.lab_id,
        "kind": job.kind,
        "file_name": job.file_name,
        "status": job.status,
        "encoding": job.encoding,
        "notice": job.notice,
        "row_count": job.row_count,
        "error_count": job.error_count,
        "rows_with_errors": job.rows_with_errors,
        "processed": services.progress_of(job),
        "created_count": job.created_count,
        "updated_count": job.updated_count,
        "message": job.message,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post(
    "/imports",
    response={201: ImportOut, 400: Error, 403: Error, 404: Error, 422: Error},
    summary="Upload a CSV or XLSX file; its rows are checked in the background",
)
def upload(
    request: HttpRequest,
    lab: Form[int],
    file: File[UploadedFile],
    kind: Form[str] = "participants",
) -> Any:
    lab_obj = access.lab_get(request.user, lab_id=lab, permission=Perm.IMPORT_DATA)
    job = services.import_upload(
        actor=request.user, lab=lab_obj, kind=kind, upload=file
    )
    return 201, _out(job)


@router.get(
    "/imports/{job_id}", response={200: ImportOut, 400: Error, 404: Error, 422: Error}
)
def status(request: HttpRequest, job_id: uuid.UUID) -> Any:
    return _out(selectors.import_job_get(user=request.user, job_id=job_id))


@router.get(
    "/imports/{job_id}/errors",
    response={200: list[ImportErrorOut], 400: Error, 404: Error, 422: Error},
)
@paginate(PageNumberPagination, page_size=500)
def errors(request: HttpRequest, job_id: uuid.UUID) -> Any:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    return selectors.import_errors(job=job)


@router.post(
    "/imports/{job_id}/confirm",
    response={200: ImportOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def confirm(request: HttpRequest, job_id: uuid.UUID) -> Any:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    job = services.import_confirm(actor=request.user, job=job)
    job.refresh_from_db()
    return _out(job)


@router.post(
    "/imports/{job_id}/cancel",
    response={200: ImportOut, 400: Error, 403: Error, 404: Error, 422: Error},
)
def cancel(request: HttpRequest, job_id: uuid.UUID) -> Any:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    job = services.import_cancel(actor=request.user, job=job)
    return _out(job)
