"""System checks for encryption at rest.

`openmil check` (and every command that runs checks) refuses to start with
a missing or malformed key; `openmil migrate` and `openmil check --database
default` also compare the keys with the data: a value or file encrypted
with a key that is not configured is an error that names the key, instead
of garbage or a failure on the first page that reads it.
"""

import functools
import operator
from typing import Any

from django.apps import apps
from django.core.checks import Error, Tags, register
from django.core.files.storage import storages
from django.db import DatabaseError, models
from django.db.models.functions import Cast

from openmil.core import crypto
from openmil.core.fields import encrypted_fields

FILES_SAMPLED = 50


@register(Tags.security)
def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        crypto.keyring()
    except crypto.EncryptionKeyError as error:
        return [
            Error(
                str(error),
                hint="Make a key with `openmil rotate-keys --generate`.",
                id="openmil.E101",
            )
        ]
    return []


def _unknown_key_in_field(model: type[models.Model], field: models.Field) -> str:
    stored = Cast(field.attname, output_field=models.TextField())
    known = functools.reduce(
        operator.or_,
        (
            models.Q(_stored__startswith=f"{crypto.MARKER}:{kid}:")
            for kid in crypto.configured_key_ids()
        ),
    )
    value = (
        model._base_manager.annotate(_stored=stored)
        .filter(_stored__startswith=f"{crypto.MARKER}:")
        .exclude(known)
        .values_list("_stored", flat=True)
        .first()
    )
    return crypto.text_key_id(value) or "" if value else ""


def _unknown_key_in_files() -> tuple[str, str]:
    storage: Any = storages["default"]
    if not getattr(storage, "encrypted", False):
        return "", ""
    known = set(crypto.configured_key_ids())
    for count, name in enumerate(storage.stored_files()):
        if count >= FILES_SAMPLED:
            break
        with open(storage.path(name), "rb") as stored:
            head = stored.read(64)
        kid = crypto.bytes_key_id(head)
        if kid is not None and kid not in known:
            return name, kid
    return "", ""


@register(Tags.database)
def check_keys_open_the_data(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        crypto.keyring()
    except crypto.EncryptionKeyError:
        return []  # Reported by check_encryption_keys.
    errors = []
    for model in apps.get_models():
        for field in encrypted_fields(model):
            try:
                kid = _unknown_key_in_field(model, field)
            except DatabaseError:
                continue  # Not migrated yet: nothing stored to read.
            if kid:
                errors.append(
                    Error(
                        f"{model._meta.label}.{field.name} holds values encrypted "
                        f"with key {kid}, which is not among the configured keys.",
                        hint="Add that key to OPENMIL_ENCRYPTION_KEYS (after the "
                        "current one), or restore the key file of the data folder.",
                        obj=field,
                        id="openmil.E103",
                    )
                )
    name, kid = _unknown_key_in_files()
    if kid:
        errors.append(
            Error(
                f"The stored file {name} is encrypted with key {kid}, which is not "
                "among the configured keys.",
                hint="Add that key to OPENMIL_ENCRYPTION_KEYS (after the current one).",
                id="openmil.E104",
            )
        )
    return errors
