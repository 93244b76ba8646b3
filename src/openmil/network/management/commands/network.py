"""`openmil network keys|join|push|approve|labs`: federation from the shell.

On a lab installation: `keys` makes (once) and shows the lab's Ed25519 key
pair, `join URL` registers the public key with a hub, `push` queues what the
hub has not got and sends it. On the hub: `labs` lists the labs that asked
to join with their key fingerprints, `approve SLUG --fingerprint F` trusts one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmil.core.audit import audit_channel
from openmil.core.models import Lab
from openmil.network import federation, services
from openmil.network.models import FederatedLab, HubLink, OutboxItem


class Command(BaseCommand):
    help = "Join a network hub and push disclosure-controlled figures to it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        keys = sub.add_parser("keys", help="make (once) and show the lab's keys")
        keys.add_argument("--rotate", action="store_true", help="make a new pair")
        join = sub.add_parser("join", help="register the lab's key with a hub")
        join.add_argument("url")
        join.add_argument("--lab", help="lab slug (default: the only lab)")
        push = sub.add_parser("push", help="send snapshots and practices to the hub")
        push.add_argument("--lab", help="lab slug (default: every joined lab)")
        sub.add_parser("labs", help="(hub) the federated labs and their keys")
        approve = sub.add_parser("approve", help="(hub) trust a lab's key")
        approve.add_argument("slug")
        approve.add_argument(
            "--fingerprint",
            required=True,
            help="the fingerprint the lab gave you by another channel",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        audit_channel.set("cli")
        getattr(self, "_" + options["action"])(options)

    def _lab(self, slug: str | None) -> Lab:
        if slug:
            lab = Lab.objects.filter(slug=slug).first()
            if lab is None:
                raise CommandError(f"No lab {slug!r}.")
            return lab
        labs = list(Lab.objects.all()[:2])
        if len(labs) != 1:
            raise CommandError("Name the lab with --lab SLUG.")
        return labs[0]

    def _keys(self, options: dict[str, Any]) -> None:
        key = federation.keys_generate(force=options["rotate"])
        public = federation.public_key_text(key)
        self.stdout.write(f"private key: {federation.key_path()} (mode 0600)")
        self.stdout.write(f"public key: {public}")
        self.stdout.write(f"fingerprint: {federation.fingerprint(public)}")

    def _join(self, options: dict[str, Any]) -> None:
        lab = self._lab(options.get("lab"))
        try:
            link, answer = services.hub_join(lab=lab, url=options["url"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        except OSError as error:
            raise CommandError(f"The hub cannot be reached: {error}") from error
        self.stdout.write(f"joined {link.url} as {lab.slug}: {answer.get('status')}")
        self.stdout.write(
            f"fingerprint: {answer.get('fingerprint')} - give it to the hub's "
            "network administrator by another channel; pushes are refused "
            "until they approve it."
        )

    def _push(self, options: dict[str, Any]) -> None:
        links = HubLink.objects.select_related("lab")
        if options.get("lab"):
            links = links.filter(lab__slug=options["lab"])
        if not links.exists():
            raise CommandError("Join a hub first: openmil network join URL")
        from openmil.network.tasks import outbox_schedule

        for link in links:
            queued = services.outbox_fill(link=link)
            result = services.outbox_deliver(link=link)
            pending = link.outbox.filter(status=OutboxItem.Status.PENDING).count()
            self.stdout.write(
                f"{link.lab.slug}: queued {queued}, sent {result.sent}, "
                f"waiting {pending}, refused {result.refused}"
            )
            if pending:
                outbox_schedule(link=link)

    def _labs(self, options: dict[str, Any]) -> None:
        for lab in FederatedLab.objects.all():
            self.stdout.write(
                f"{lab.slug}\t{lab.status}\t{lab.country}\t{lab.fingerprint}"
            )

    def _approve(self, options: dict[str, Any]) -> None:
        lab = FederatedLab.objects.filter(slug=options["slug"]).first()
        if lab is None:
            raise CommandError("No lab asked to join with that identifier.")
        if lab.fingerprint != options["fingerprint"].strip().lower():
            raise CommandError("The fingerprint differs: do not approve this key.")
        services.federated_lab_approve(actor=None, federated_lab=lab)
        self.stdout.write(f"approved {lab.slug}")
