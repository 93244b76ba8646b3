"""Reads of imports: only jobs of labs where the user may import."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from openmil.core import access
from openmil.core.roles import Perm
from openmil.imports.models import ImportJob, ImportRowError


def import_jobs(*, user: Any) -> QuerySet[ImportJob]:
    labs = access.lab_ids_with(user, Perm.IMPORT_DATA)
    return ImportJob.objects.filter(lab_id__in=labs).select_related("lab", "created_by")


def import_job_get(*, user: Any, job_id: Any) -> ImportJob:
    """A job of a lab where the user may import, or Http404."""
    try:
        return import_jobs(user=user).get(uuid=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError, Exception) as error:
        if isinstance(error, Http404):
            raise
        raise Http404 from None


def import_errors(*, job: ImportJob) -> QuerySet[ImportRowError]:
    return job.errors.order_by("row", "id")
