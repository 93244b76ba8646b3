"""The daily retention task (django-tasks; database worker)."""

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from openmil.core.audit import audit_channel

#: The hour (server time) at which the daily run starts.
DAILY_HOUR = 2


def next_daily_run(now: dt.datetime | None = None) -> dt.datetime:
    now = timezone.localtime(now or timezone.now())
    run = now.replace(hour=DAILY_HOUR, minute=0, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


def daily_run_queued() -> bool:
    """Whether a run of the daily task already waits in the database queue."""
    if not default_task_backend.supports_defer:
        return False
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another backend
        return False
    return DBTaskResult.objects.filter(
        task_path=retention_daily.module_path, status="READY"
    ).exists()


@task()
def retention_daily(*, reschedule: bool = True) -> dict[str, int]:
    """Apply every lab's retention rules, then queue tomorrow's run.

    Started once by `openmil retention --schedule`; each run queues the
    next (when the task backend can defer). `openmil retention` from cron
    does the same work.
    """
    from openmil.privacy.services import retention_apply_all

    audit_channel.set("task")
    runs = retention_apply_all()
    if reschedule and default_task_backend.supports_defer and not daily_run_queued():
        retention_daily.using(run_after=next_daily_run()).enqueue(reschedule=True)
    return {run.lab.slug: run.anonymised for run in runs}
