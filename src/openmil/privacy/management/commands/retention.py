from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmil.core.audit import audit_channel
from openmil.core.models import Lab
from openmil.privacy.models import LabPrivacySettings
from openmil.privacy.services import retention_apply
from openmil.privacy.tasks import daily_run_queued, retention_daily


class Command(BaseCommand):
    help = (
        "Apply the labs' retention rules (those switched on), or with "
        "--dry-run say exactly what they would do. `--schedule` queues the "
        "daily background task."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--lab", help="short name (slug) of one lab")
        parser.add_argument(
            "--schedule", action="store_true", help="queue the daily task"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        audit_channel.set("cli")
        if options["schedule"]:
            if daily_run_queued():
                self.stdout.write("The daily retention task is already queued.")
            else:
                retention_daily.enqueue(reschedule=True)
                self.stdout.write("The daily retention task is queued.")
            return
        if options["lab"]:
            labs = list(Lab.objects.filter(slug=options["lab"]))
            if not labs:
                raise CommandError(f"No lab with the short name {options['lab']!r}.")
        elif options["dry_run"]:
            labs = list(Lab.objects.order_by("slug"))
        else:
            labs = [
                s.lab
                for s in LabPrivacySettings.objects.filter(
                    retention_enabled=True
                ).select_related("lab")
            ]
        for lab in labs:
            try:
                run, plan = retention_apply(lab=lab, dry_run=options["dry_run"])
            except ValidationError as error:
                raise CommandError(f"{lab.slug}: {' '.join(error.messages)}") from None
            verb = "would anonymise" if run.dry_run else "anonymised"
            self.stdout.write(
                f"{lab.slug}: {plan.considered} considered, "
                f"{plan.kept_for_follow_up} kept (follow-up consent), "
                f"{len(plan.due) if run.dry_run else run.anonymised} {verb}"
            )
            if run.dry_run:
                for due in plan.due:
                    self.stdout.write(
                        f"  {due.reference}  {due.rule} since {due.since}, "
                        f"due {due.due_on}"
                    )
            else:
                for reference in run.references:
                    self.stdout.write(f"  {reference}")
