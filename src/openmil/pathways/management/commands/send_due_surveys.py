"""`openmil send_due_surveys`: queue today's sending of follow-up surveys."""

from typing import Any

from django.core.management.base import BaseCommand

from openmil.pathways.tasks import send_due_surveys


class Command(BaseCommand):
    help = "Queue the daily task that e-mails the follow-up surveys now due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run in this process, not the worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            sent = send_due_surveys.call()
            self.stdout.write(f"{sent} survey(s) sent")
        else:
            result = send_due_surveys.enqueue()
            self.stdout.write(f"queued {result.id}")
