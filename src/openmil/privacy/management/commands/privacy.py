from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openmil.core.audit import audit_channel
from openmil.privacy.services import erasures_reapply, journal_path


class Command(BaseCommand):
    help = (
        "Data protection. `openmil privacy reapply-erasures` anonymises again "
        "everyone whose erasure is recorded (in the erasure journal or the "
        "database): run it after restoring a backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reapply = sub.add_parser(
            "reapply-erasures", help="re-anonymise people erased since the backup"
        )
        reapply.add_argument("--journal", type=Path, help=f"default: {journal_path()}")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        audit_channel.set("cli")
        done = erasures_reapply(journal=options.get("journal"))
        self.stdout.write(f"{len(done)} erasures re-applied.")
        for reference in done:
            self.stdout.write(f"  {reference}")
