"""Bulk import: upload, check every row, confirm, import all or nothing.

The check and the import each run as one background task. The import
writes every row in ONE transaction: an error on any row, a crash or a
cancellation rolls the whole file back. Its progress is written to a small
file beside the upload, since the job's own row is inside that transaction
(and a second writer would wait for it on SQLite).
"""

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Perm
from openmil.imports.importers import CheckedRow, Importer, importer_for
from openmil.imports.models import ImportJob, ImportRowError
from openmil.imports.readers import FileProblem, detect_encoding, iter_rows

logger = logging.getLogger(__name__)
BATCH = 1000
FORMATS = {"csv": "csv", "txt": "csv", "xlsx": "xlsx"}


def max_bytes() -> int:
    return int(getattr(settings, "OPENMIL_IMPORT_MAX_BYTES", 50 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "OPENMIL_IMPORT_MAX_ROWS", 1_000_000))


def storage_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_file(job: ImportJob) -> Path:
    return storage_dir() / job.stored_path


def _side_file(job: ImportJob, suffix: str) -> Path:
    return storage_dir() / f"{job.uuid}.{suffix}"


def progress_of(job: ImportJob) -> int:
    """Rows processed so far (the import's progress file, else the row)."""
    if job.status == ImportJob.Status.IMPORTING:
        with contextlib.suppress(OSError, ValueError):
            return int(_side_file(job, "progress").read_text() or 0)
    return job.processed


def _require_import(actor: Any, lab_id: int) -> None:
    if not access.can(actor, Perm.IMPORT_DATA, lab_id):
        raise PermissionDenied


def _discard_files(job: ImportJob) -> None:
    for path in (
        stored_file(job),
        _side_file(job, "progress"),
        _side_file(job, "cancel"),
    ):
        with contextlib.suppress(OSError):
            path.unlink()


def _audit(actor: Any, job: ImportJob, action: str, detail: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="import",
        object_id=job.pk,
        lab_id=job.lab_id,
        detail=detail,
        changes={"file": job.file_name, "kind": job.kind},
    )


def import_upload(
    *, actor: Any, lab: Lab, kind: str, upload: UploadedFile
) -> ImportJob:
    """Store the uploaded file and queue its check. Refuses files over the
    size limit and formats other than CSV and XLSX before storing anything."""
    _require_import(actor, lab.pk)
    importer_for(kind).check_permission(actor=actor, lab=lab)
    name = Path(upload.name or "upload").name[:255]
    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if extension not in FORMATS:
        raise ValidationError(
            _("Upload a CSV or XLSX file (%(name)s is neither).") % {"name": name}
        )
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _(
                "The file is %(size)s MB; the largest file accepted is %(limit)s MB. "
                "Split it into smaller files."
            )
            % {"size": round(upload.size / 1e6, 1), "limit": round(limit / 1e6)}
        )
    with transaction.atomic():
        job = ImportJob(
            lab=lab,
            kind=kind,
            created_by=actor,
            file_name=name,
            file_format=FORMATS[extension],
            size=upload.size or 0,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        job.stored_path = f"{job.uuid}.{job.file_format}"
        with stored_file(job).open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        job.save()
        _audit(actor, job, AuditEntry.Action.CREATE, "import uploaded")
        transaction.on_commit(lambda: _enqueue_check(job.pk))
    return job


def _enqueue_check(job_id: int) -> None:
    from openmil.imports.tasks import import_check_task

    import_check_task.enqueue(job_id=job_id)


def _enqueue_run(job_id: int) -> None:
    from openmil.imports.tasks import import_run_task

    import_run_task.enqueue(job_id=job_id)


def _header_problems(header: list[str], importer: Importer) -> list[tuple[str, str]]:
    names = [h.strip().casefold() for h in header]
    known = set(importer.column_names)
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in names:
        if name in seen and name:
            problems.append(
                (name, _("The column %(name)s appears twice.") % {"name": name})
            )
        seen.add(name)
    for name in names:
        if name and name not in known:
            problems.append((name, _("Unknown column %(name)s.") % {"name": name}))
    if "" in names:
        problems.append(("", _("A column has no name.")))
    for column in importer.columns:
        if column.required and column.name not in seen:
            problems.append(
                (
                    column.name,
                    _("The required column %(name)s is missing.")
                    % {"name": column.name},
                )
            )
    return problems


def _rows(job: ImportJob) -> Iterator[list[str]]:
    return iter_rows(stored_file(job), job.file_format, job.encoding)


def _checked_rows(
    job: ImportJob, importer: Importer
) -> Iterator[tuple[int, CheckedRow | None, list[tuple[str, str]]]]:
    """(row number, checked row or None, errors) for every data row.

    Row numbers are those a spreadsheet shows: the header is row 1. The
    first yielded item may be a header problem with row number 1.
    """
    rows = _rows(job)
    header = next(rows, None)
    if header is None:
        yield 1, None, [("", _("The file is empty."))]
        return
    problems = _header_problems(header, importer)
    if problems:
        yield 1, None, problems
        return
    names = [h.strip().casefold() for h in header]
    width = len(names)
    limit = max_rows()
    for index, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if index - 1 > limit:
            yield (
                index,
                None,
                [("", _("The file has more than %(limit)s rows.") % {"limit": limit})],
            )
            return
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            yield index, None, [("", _("This row has more cells than the header."))]
            continue
        values = dict(zip(names, cells + [""] * (width - len(cells)), strict=False))
        checked, errors = importer.check_row(index, values)
        yield index, checked, errors


def _cancelled(job: ImportJob) -> bool:
    return (
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CANCELLED).exists()
        or _side_file(job, "cancel").exists()
    )


def import_check(*, job_id: int) -> ImportJob:
    """Read every row, store every error (row, column, reason)."""
    job = ImportJob.objects.select_related("lab", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.CHECKING:
        return job
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _check(job)


def _check(job: ImportJob) -> ImportJob:
    importer = importer_for(job.kind)(lab=job.lab, actor=job.created_by)
    if job.file_format == "csv":
        encoding = detect_encoding(stored_file(job))
        job.encoding, job.notice = encoding.name, encoding.notice
    pending: list[ImportRowError] = []
    rows = errors = bad_rows = 0
    try:
        for number, _checked, problems in _checked_rows(job, importer):
            if number > 1:
                rows += 1
            if problems:
                bad_rows += 1
                errors += len(problems)
                pending.extend(
                    ImportRowError(
                        job=job, row=number, column=col[:100], message=msg[:300]
                    )
                    for col, msg in problems
                )
            if len(pending) >= BATCH:
                ImportRowError.objects.bulk_create(pending)
                pending = []
            if rows % BATCH == 0:
                if _cancelled(job):
                    return job
                ImportJob.objects.filter(pk=job.pk).update(processed=rows)
    except FileProblem as problem:
        pending.append(ImportRowError(job=job, row=0, column="", message=str(problem)))
        errors += 1
    ImportRowError.objects.bulk_create(pending)
    if _cancelled(job):
        return job
    job.row_count, job.error_count, job.rows_with_errors = rows, errors, bad_rows
    job.processed = rows
    job.status = ImportJob.Status.CHECKED
    if rows == 0 and errors == 0:
        ImportRowError.objects.create(
            job=job, row=0, column="", message=_("The file has no rows to import.")
        )
        job.error_count = 1
    job.save()
    return job


def import_confirm(*, actor: Any, job: ImportJob) -> ImportJob:
    """Queue the import of a checked file without errors."""
    _require_import(actor, job.lab_id)
    importer_for(job.kind).check_permission(actor=actor, lab=job.lab)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not job.is_ready:
            raise ValidationError(
                _("Only a checked file without errors can be imported.")
            )
        job.status = ImportJob.Status.QUEUED
        job.processed = 0
        job.save(update_fields=["status", "processed"])
        _audit(actor, job, AuditEntry.Action.UPDATE, "import confirmed")
        transaction.on_commit(lambda: _enqueue_run(job.pk))
    return job


class _Cancelled(Exception):
    pass


class _RowFailed(Exception):
    def __init__(self, number: int, problems: list[tuple[str, str]]) -> None:
        super().__init__(number)
        self.number, self.problems = number, problems


def import_run(*, job_id: int) -> ImportJob:
    """Write every row of a confirmed file, in one transaction."""
    job = ImportJob.objects.select_related("lab", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _run(job)


def _run(job: ImportJob) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING)
    job.status = ImportJob.Status.IMPORTING
    progress = _side_file(job, "progress")
    created = updated = 0
    try:
        if job.created_by is None or not access.can(
            job.created_by, Perm.IMPORT_DATA, job.lab_id
        ):
            raise PermissionDenied
        importer_for(job.kind).check_permission(actor=job.created_by, lab=job.lab)
        with transaction.atomic():
            importer = importer_for(job.kind)(lab=job.lab, actor=job.created_by)
            batch: list[CheckedRow] = []
            done = 0
            for number, checked, problems in _checked_rows(job, importer):
                if checked is None:
                    raise _RowFailed(number, problems)
                batch.append(checked)
                done += 1
                if len(batch) >= BATCH:
                    c, u = importer.write(batch)
                    created, updated, batch = created + c, updated + u, []
                    progress.write_text(str(done))
                    if _side_file(job, "cancel").exists():
                        raise _Cancelled
            c, u = importer.write(batch)
            created, updated = created + c, updated + u
            if _side_file(job, "cancel").exists():
                raise _Cancelled
            job.status = ImportJob.Status.DONE
            job.processed = done
            job.created_count, job.updated_count = created, updated
            job.finished_at = timezone.now()
            job.save()
            _audit(
                job.created_by,
                job,
                AuditEntry.Action.CREATE,
                f"import done: {created} created, {updated} updated",
            )
    except _Cancelled:
        _finish(job, ImportJob.Status.CANCELLED, "")
    except _RowFailed as failure:
        detail = "; ".join(f"{c}: {m}" for c, m in failure.problems)
        _finish(
            job,
            ImportJob.Status.FAILED,
            _("Row %(row)s: %(detail)s") % {"row": failure.number, "detail": detail},
        )
    except FileProblem as problem:
        _finish(job, ImportJob.Status.FAILED, str(problem))
    except (PermissionDenied, ValidationError, Exception) as error:  # noqa: BLE001
        logger.exception("import %s failed", job.pk)
        _finish(
            job,
            ImportJob.Status.FAILED,
            _("The import stopped (%(reason)s); nothing was written.")
            % {"reason": type(error).__name__},
        )
    _discard_files(job)
    return job


def _finish(job: ImportJob, status: str, message: str) -> None:
    job.status = status
    job.message = message[:500]
    job.created_count = job.updated_count = 0
    job.finished_at = timezone.now()
    job.save()


def import_cancel(*, actor: Any, job: ImportJob) -> ImportJob:
    """Stop a file at any step before it is imported; nothing is written.

    A running import sees the request at its next batch and rolls back.
    """
    _require_import(actor, job.lab_id)
    job.refresh_from_db()
    if not job.can_cancel:
        raise ValidationError(_("This import can no longer be cancelled."))
    if job.status == ImportJob.Status.IMPORTING:
        _side_file(job, "cancel").touch()
        return job
    with transaction.atomic():
        job.status = ImportJob.Status.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        _audit(actor, job, AuditEntry.Action.UPDATE, "import cancelled")
    _discard_files(job)
    return job


def export_audit(*, actor: Any, lab: Lab, kind: str, ids: list[int], fmt: str) -> None:
    """Log an export: who took which records out of the lab, in what format."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEntry.Action.EXPORT,
            object_type=kind,
            lab_id=lab.pk,
            detail=f"{len(ids)} exported as {fmt}",
            changes={kind: ids},
        )
