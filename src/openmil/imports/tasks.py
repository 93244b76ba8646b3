"""Background tasks of bulk imports (django-tasks)."""

from django_tasks import task

from openmil.imports import services


@task()
def import_check_task(*, job_id: int) -> str:
    """Check every row of an uploaded file; store each error."""
    return services.import_check(job_id=job_id).status


@task()
def import_run_task(*, job_id: int) -> str:
    """Import a confirmed file, all rows or none."""
    return services.import_run(job_id=job_id).status
