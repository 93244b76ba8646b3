"""Background work of matching rounds (django-tasks)."""

from django_tasks import task

from openmil.placements import services


@task()
def round_run_task(*, round_id: int) -> str:
    """Score, solve and store the proposals of a round."""
    return services.round_execute(round_id=round_id).status
