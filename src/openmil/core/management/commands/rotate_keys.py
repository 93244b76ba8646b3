from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from openmil.core import crypto
from openmil.core.audit import audit_channel, audit_record
from openmil.core.fields import encrypted_fields, reencrypt
from openmil.core.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field of every model and every stored file "
        "with the current (first) key of OPENMIL_ENCRYPTION_KEYS. Idempotent; "
        "afterwards the older keys can be removed. `--generate` prints a new key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--generate",
            action="store_true",
            help="print a new random key and change nothing",
        )

    def handle(self, *args: Any, generate: bool, **options: Any) -> None:
        if generate:
            self.stdout.write(crypto.generate_key())
            return
        audit_channel.set("cli")
        try:
            current = crypto.current_key_id()
        except crypto.EncryptionKeyError as error:
            raise CommandError(str(error)) from None
        source = getattr(settings, "OPENMIL_ENCRYPTION_KEYS_SOURCE", "")
        self.stdout.write(f"Current key: {current} (keys from {source})")
        rewritten = kept = 0
        try:
            for model in apps.get_models():
                for field in encrypted_fields(model):
                    with transaction.atomic():
                        changed, same = reencrypt(model, field)
                    rewritten += changed
                    kept += same
                    self.stdout.write(
                        f"  {model._meta.label}.{field.name}: "
                        f"{changed} re-encrypted, {same} already current"
                    )
            files_changed, files_kept = self._files()
        except crypto.EncryptionKeyError as error:
            raise CommandError(str(error)) from None
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            object_type="encryption_keys",
            detail=f"rotated to key {current}",
            changes={
                "values": {"rewritten": rewritten, "current": kept},
                "files": {"rewritten": files_changed, "current": files_kept},
            },
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Values: {rewritten} re-encrypted, {kept} already current. "
                f"Files: {files_changed} re-encrypted, {files_kept} already current."
            )
        )

    def _files(self) -> tuple[int, int]:
        changed = kept = 0
        for storage in encrypted_storages():
            for name in storage.stored_files():
                if storage.reencrypt(name):
                    changed += 1
                else:
                    kept += 1
        self.stdout.write(f"  files: {changed} re-encrypted, {kept} already current")
        return changed, kept


def encrypted_storages() -> list[Any]:
    """The default storage and those of file fields, once per folder."""
    found: list[Any] = [storages["default"]]
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                found.append(field.storage)
    unique: dict[str, Any] = {}
    for storage in found:
        if getattr(storage, "encrypted", False):
            unique.setdefault(str(storage.location), storage)
    return list(unique.values())
