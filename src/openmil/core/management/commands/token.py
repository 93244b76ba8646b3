from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmil.core.audit import audit_channel
from openmil.core.services import api_token_create


class Command(BaseCommand):
    help = "Manage personal API tokens: `openmil token create --user NAME`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="command line")
        create.add_argument(
            "--days", type=int, default=90, help="validity in days; 0 for no expiry"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        audit_channel.set("cli")
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {options['user']!r}.") from None
        _token, raw = api_token_create(
            user=user, name=options["name"], days=options["days"] or None
        )
        self.stdout.write(raw)
