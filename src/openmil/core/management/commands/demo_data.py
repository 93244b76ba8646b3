from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openmil.core.audit import audit_channel
from openmil.demo.generator import DEMO_PASSWORD, generate, logins_table


class Command(BaseCommand):
    help = (
        "Generate the demo network: N labs with M participants each, reproducibly "
        "from a seed. Does nothing if the demo network already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--labs", type=int, default=3)
        parser.add_argument(
            "--participants", type=int, default=150, help="participants per lab"
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(
        self, *args: Any, labs: int, participants: int, seed: int, **options: Any
    ) -> None:
        if labs < 1 or participants < 0:
            self.stderr.write(
                "--labs must be at least 1 and --participants at least 0."
            )
            raise SystemExit(2)
        audit_channel.set("cli")
        result = generate(
            labs=labs,
            participants=participants,
            seed=seed,
            progress=lambda msg: self.stdout.write(msg),
        )
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {result.participants} participants in {labs} labs."
                )
            )
        else:
            self.stdout.write(
                f"The demo network exists already ({result.participants} "
                "participants); nothing changed."
            )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for line in logins_table(result.logins):
            self.stdout.write(line)
