"""`openmil events_daily`: queue tomorrow's event reminders (run once a day)."""

from typing import Any

from django.core.management.base import BaseCommand

from openmil.events.tasks import send_event_reminders


class Command(BaseCommand):
    help = "Queue the reminders of events that take place tomorrow."

    def handle(self, *args: Any, **options: Any) -> None:
        send_event_reminders.enqueue()
        self.stdout.write("Queued: event reminders.")
