import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from openmil.core.audit import audit_channel
from openmil.demo.generator import DEMO_PASSWORD, generate, logins_table


class Command(BaseCommand):
    help = "Set up an SQLite demo in the data folder, print the logins and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--data-dir", help="data folder (default: ./var)")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="prepare the data and exit (for scripts and tests)",
        )

    def handle(self, *args: Any, port: int, no_serve: bool, **options: Any) -> None:
        started = time.monotonic()
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        audit_channel.set("cli")
        result = generate(progress=lambda msg: self.stdout.write(f"  {msg}"))
        self.stdout.write(
            ("Demo data loaded" if result.created else "Demo data already present")
            + f": {result.participants} participants "
            f"({time.monotonic() - started:.1f} s)."
        )
        self.stdout.write(f"\nLogins (password for all: {DEMO_PASSWORD}):")
        for line in logins_table(result.logins):
            self.stdout.write(line)
        if not settings.OPENMIL_REQUIRE_2FA:
            self.stdout.write(
                self.style.WARNING(
                    "\nThe second factor (TOTP) is switched off for this demo. "
                    "In production coordinators and network admins must use one."
                )
            )
        if no_serve:
            return
        self.stdout.write(f"\nOpen http://127.0.0.1:{port}/ (Ctrl+C to stop)\n")
        call_command(
            "runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True
        )
