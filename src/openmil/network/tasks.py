"""Background delivery of the outbox to the hub, with exponential backoff."""

from __future__ import annotations

from django.db.models import Min
from django_tasks import default_task_backend, task

from openmil.core.audit import audit_channel
from openmil.network.models import HubLink, OutboxItem


def outbox_schedule(*, link: HubLink) -> None:
    """Queue a delivery for when the earliest waiting payload is due.

    Without a backend that defers (tests, the immediate backend) nothing is
    queued: `openmil network push` run again, or from cron, delivers.
    """
    due = link.outbox.filter(status=OutboxItem.Status.PENDING).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    if due is None or not default_task_backend.supports_defer:
        return
    outbox_deliver_task.using(run_after=due).enqueue(link_id=link.pk)


@task()
def outbox_deliver_task(*, link_id: int) -> dict[str, int]:
    """Send what is due; queue the next attempt if something still waits."""
    from openmil.network.services import outbox_deliver

    audit_channel.set("task")
    link = HubLink.objects.select_related("lab").filter(pk=link_id).first()
    if link is None:
        return {}
    result = outbox_deliver(link=link)
    outbox_schedule(link=link)
    return {"sent": result.sent, "waiting": result.waiting, "refused": result.refused}
