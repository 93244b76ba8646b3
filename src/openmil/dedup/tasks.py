"""Background tasks of duplicate detection (django-tasks)."""

from django_tasks import task

from openmil.dedup import services


@task()
def dedup_run_task(*, run_id: int) -> str:
    """Search a lab or a network for duplicates with the linkage model."""
    return services.dedup_run_execute(run_id=run_id).status
