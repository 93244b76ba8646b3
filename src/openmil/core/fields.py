"""Model fields whose values are encrypted in the database.

`EncryptedTextField` and `EncryptedCharField` behave like `TextField` and
`CharField` for forms, validation and the ORM's reads and writes: the model
instance holds plain text, the database row holds a token from
`openmil.core.crypto`. Because every token is different, even for equal
texts, the database cannot compare them: these fields cannot be searched,
filtered, ordered or made unique (only `isnull` works). Keep anything you
need to look up in an ordinary field.

Use them for free text about a person (notes, details, descriptions). A
migration that turns an existing field into an encrypted one is an
`AlterField` followed by `RunPython(encrypt_existing(...),
decrypt_existing(...))` so that rows already stored are encrypted too.
"""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from openmil.core import crypto


class EncryptedMixin:
    """Encrypt on the way to the database, decrypt on the way back."""

    encrypted = True

    def get_internal_type(self) -> str:
        # A token is longer than its text: always a text column.
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value)

    def get_db_prep_value(
        self, value: Any, connection: Any, prepared: bool = False
    ) -> Any:
        if not prepared:
            value = self.get_prep_value(value)  # type: ignore[attr-defined]
        if value is None or value == "":
            # "No text" stays visible, so blank values need no key.
            return value
        return crypto.encrypt_text(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(EncryptedMixin, models.TextField):
    description = _("Text (encrypted at rest)")


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField whose max_length bounds the text, stored in a text column."""

    description = _("String (encrypted at rest, up to %(max_length)s)")


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "encrypted", False) and not f.generated
    ]


def raw_values(model: type[models.Model], field: models.Field) -> list[tuple[Any, str]]:
    """(pk, stored text) for the rows with a non-blank value, undecrypted."""
    return list(
        model._base_manager.annotate(
            _stored=Cast(field.attname, output_field=models.TextField())
        )
        .exclude(_stored="")
        .filter(_stored__isnull=False)
        .order_by("pk")
        .values_list("pk", "_stored")
    )


def write_raw(
    model: type[models.Model], field: models.Field, rows: list[tuple[Any, str]]
) -> None:
    """Store these texts exactly as given, bypassing the field's encryption."""
    for pk, stored in rows:
        model._base_manager.filter(pk=pk).update(
            **{field.attname: models.Value(stored, output_field=models.TextField())}
        )


def reencrypt(
    model: type[models.Model], field: models.Field, *, batch: int = 500
) -> tuple[int, int]:
    """Encrypt every stored value of the field with the current key.

    Values stored plain (before the field was encrypted) are encrypted;
    values under an older key are decrypted and encrypted again. Returns
    (values rewritten, values already under the current key).
    """
    current = crypto.current_key_id()
    stale = []
    kept = 0
    for pk, stored in raw_values(model, field):
        if crypto.text_key_id(stored) == current:
            kept += 1
        else:
            # The field encrypts with the current key as the row is saved.
            stale.append(model(pk=pk, **{field.attname: crypto.decrypt_text(stored)}))
    model._base_manager.bulk_update(stale, [field.name], batch_size=batch)
    return len(stale), kept


def encrypt_existing(
    app_label: str, fields: dict[str, list[str]]
) -> Callable[[Any, Any], None]:
    """A RunPython function encrypting stored values of {model: [field, ...]}."""

    def forward(apps: Any, schema_editor: Any) -> None:
        for model_name, names in fields.items():
            model = apps.get_model(app_label, model_name)
            for name in names:
                reencrypt(model, model._meta.get_field(name))

    return forward


def decrypt_existing(
    app_label: str, fields: dict[str, list[str]]
) -> Callable[[Any, Any], None]:
    """The reverse of `encrypt_existing`: store the values plain again."""

    def backward(apps: Any, schema_editor: Any) -> None:
        for model_name, names in fields.items():
            model = apps.get_model(app_label, model_name)
            for name in names:
                field = model._meta.get_field(name)
                rows = [
                    (pk, crypto.decrypt_text(stored))
                    for pk, stored in raw_values(model, field)
                    if crypto.is_encrypted_text(stored)
                ]
                write_raw(model, field, rows)

    return backward
