"""Bulk imports: an uploaded file, its checked rows' errors, and its progress."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openmil.core.models import Lab


class ImportJob(models.Model):
    """One uploaded file on its way from upload to import (or cancellation).

    upload → checking → checked (errors listed, or ready) → queued →
    importing → done | failed; cancelled from any state before done.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        CHECKED = "checked", _("Checked")
        QUEUED = "queued", _("Waiting to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed: nothing was written")
        CANCELLED = "cancelled", _("Cancelled: nothing was written")

    #: States in which a background task still has work to do.
    RUNNING = (Status.CHECKING, Status.QUEUED, Status.IMPORTING)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lab = models.ForeignKey(
        Lab, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("lab")
    )
    kind = models.CharField(_("kind of rows"), max_length=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(max_length=4)
    stored_path = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    #: The uploader's language: the file's errors are written in it.
    language = models.CharField(max_length=10, blank=True)
    notice = models.CharField(_("notice"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    rows_with_errors = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_ready(self) -> bool:
        return (
            self.status == self.Status.CHECKED
            and self.error_count == 0
            and self.row_count > 0
        )

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def can_cancel(self) -> bool:
        return self.status in (*self.RUNNING, self.Status.CHECKED)


class ImportRowError(models.Model):
    """One problem found in one cell (or row) of an uploaded file."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    message = models.CharField(_("problem"), max_length=300)

    class Meta:
        verbose_name = _("import error")
        verbose_name_plural = _("import errors")
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="import_error_job_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.message}"
