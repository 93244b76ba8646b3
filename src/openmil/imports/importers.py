"""The registry of kinds of rows a file may hold, and the participant adapter.

An importer says which columns a file has, checks one row (returning what
to write, or the errors of each cell), writes a batch of checked rows, and
lists records for export. Adding a kind of row is a new `Importer`
subclass and one `register(...)` call (partner organisations and services:
`partner_importers.py`).
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.models import AuditEntry, Lab
from openmil.imports.readers import neutralise, restore
from openmil.participants.forms import ParticipantForm, lab_staff
from openmil.participants.models import (
    Household,
    LegalStatusCategory,
    Participant,
)
from openmil.participants.selectors import participant_queryset

CellErrors = list[tuple[str, str]]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE_WORDS = {"1", "yes", "true", "y", "x", "oui", "sim", "si", "sí", "ja"}
FALSE_WORDS = {"", "0", "no", "false", "n", "non", "não", "nao", "nein"}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    help: str = ""


@dataclass
class CheckedRow:
    """A valid row: the values to write, and the record it updates if any."""

    number: int
    values: dict[str, Any]
    existing_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Importer:
    """One kind of row. Subclasses fill the class attributes and methods."""

    kind: ClassVar[str]
    label: ClassVar[Any]
    columns: ClassVar[tuple[Column, ...]]

    def __init__(self, *, lab: Lab, actor: Any) -> None:
        self.lab = lab
        self.actor = actor

    @classmethod
    def check_permission(cls, *, actor: Any, lab: Lab) -> None:
        """Raise PermissionDenied if the actor may not import these rows
        beyond `Perm.IMPORT_DATA` (checked for every kind)."""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def check_row(
        self, number: int, values: dict[str, str]
    ) -> tuple[CheckedRow | None, CellErrors]:
        raise NotImplementedError

    def write(self, rows: list[CheckedRow]) -> tuple[int, int]:
        """Write a batch; return (created, updated). Runs inside the import's
        transaction."""
        raise NotImplementedError

    def export_queryset(self, *, user: Any) -> QuerySet[Any]:
        raise NotImplementedError

    def export_rows(self, objects: Iterable[Any]) -> Iterator[list[Any]]:
        raise NotImplementedError

    def template_rows(self) -> list[list[str]]:
        return []


REGISTRY: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    REGISTRY[importer.kind] = importer
    return importer


def importer_for(kind: str) -> type[Importer]:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise ValidationError(
            _("Unknown kind of rows: %(kind)s") % {"kind": kind}
        ) from None


def _model_field(name: str) -> Any:
    return Participant._meta.get_field(name)


def _flat(choices: Any) -> Iterator[tuple[Any, Any]]:
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield key, label


def _messages(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# ---------------------------------------------------------------------------
# Participants

#: Columns of a participant file, in the order of the template and exports.
#: Sensitive notes (legal-status detail, health, case notes) are never
#: imported or exported in bulk: they stay on the record's page.
PARTICIPANT_COLUMNS = (
    Column("reference", required=True),
    Column("profile", required=True, help="newcomer | national"),
    Column("given_name", required=True),
    Column("family_name"),
    Column("name_latin"),
    Column("birth_date", help="YYYY-MM-DD"),
    Column("birth_date_precision", help="day | month | year"),
    Column("sex", help="female | male | other | not_stated"),
    Column("country_of_origin", help="ISO 3166 code, e.g. SY"),
    Column("nationality", help="ISO 3166 code"),
    Column("stateless", help="yes | no"),
    Column("mother_tongue", help="ISO 639 code, e.g. ar"),
    Column("other_languages", help="ISO 639 codes separated by spaces"),
    Column("arrival_date", help="YYYY-MM-DD"),
    Column("household_reference"),
    Column("household_role", help="head | partner | child | relative | other"),
    Column("phone"),
    Column("email"),
    Column("address"),
    Column("legal_status", help="name of one of the lab's categories"),
    Column("education_level", help="ISCED 0-8"),
    Column("caseworker", help="user name of a coordinator or facilitator"),
    Column("intake_date", help="YYYY-MM-DD"),
)
DATE_COLUMNS = {"birth_date", "arrival_date", "intake_date"}
#: Columns written to the record as they are (after the form field's check).
DIRECT = [
    c.name
    for c in PARTICIPANT_COLUMNS
    if c.name not in {"household_reference", "legal_status", "caseworker", "stateless"}
]
WRITTEN = [*DIRECT, "stateless", "legal_status", "caseworker"]
DATE_MESSAGE = gettext_lazy("Enter a date as YYYY-MM-DD, for example 1990-04-25.")


@register
class ParticipantImporter(Importer):
    """Participants of one lab. The checks are those of the intake form
    (`ParticipantForm`'s fields with the model's validators and cross-field
    rules), so a row that imports is a record the form would accept."""

    kind = "participants"
    label = gettext_lazy("Participants")
    columns = PARTICIPANT_COLUMNS

    def __init__(self, *, lab: Lab, actor: Any) -> None:
        super().__init__(lab=lab, actor=actor)
        self.fields = ParticipantForm.base_fields
        # The valid values of each choice field, once: a ChoiceField scans
        # its (translated) choices on every call.
        self.valid: dict[str, set[str]] = {}
        for name, form_field in self.fields.items():
            if isinstance(form_field, forms.ChoiceField) and not isinstance(
                form_field, forms.ModelChoiceField
            ):
                self.valid[name] = {
                    str(key) for key, _label in _flat(form_field.choices)
                }
        self.statuses = {
            s.name.casefold(): s
            for s in LegalStatusCategory.objects.filter(lab=lab).order_by("id")
        }
        self.staff = {u.get_username().casefold(): u for u in lab_staff(lab)}
        visible = participant_queryset(user=actor).filter(lab=lab)
        self.known = {
            ref.casefold(): pk for ref, pk in visible.values_list("reference", "pk")
        }
        self.hidden = {
            ref.casefold()
            for ref in Participant.objects.filter(lab=lab)
            .exclude(pk__in=visible.values("pk"))
            .values_list("reference", flat=True)
        }
        self.seen: dict[str, int] = {}
        self.households: dict[str, Household] = {}

    # -- checking ---------------------------------------------------------

    def _clean_cell(self, name: str, raw: str) -> Any:
        value = restore(raw.strip())
        if name in DATE_COLUMNS:
            if not value:
                return None
            if not ISO_DATE.match(value):
                raise ValidationError(DATE_MESSAGE)
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(DATE_MESSAGE) from None
            _model_field(name).run_validators(parsed)
            return parsed
        if name == "stateless":
            word = value.casefold()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValidationError(_("Write yes or no."))
        if name == "legal_status":
            if not value:
                return None
            status = self.statuses.get(value.casefold())
            if status is None:
                raise ValidationError(
                    _("%(value)s is not a legal-status category of this lab.")
                    % {"value": neutralise(value)}
                )
            return status
        if name == "caseworker":
            if not value:
                return None
            user = self.staff.get(value.casefold())
            if user is None:
                raise ValidationError(
                    _("%(value)s is not a coordinator or facilitator of this lab.")
                    % {"value": neutralise(value)}
                )
            return user
        if name == "other_languages":
            codes: Any = [c for c in re.split(r"[\s,;]+", value) if c]
            value = codes
        if not value and name in ("sex", "birth_date_precision"):
            return _model_field(name).get_default()
        if name in ("profile", "sex", "birth_date_precision", "household_role"):
            value = value.casefold()
        if name in ("country_of_origin", "nationality"):
            value = value.upper()
        if name == "mother_tongue":
            value = value.casefold()
        form_field = self.fields[name]
        if name in self.valid and value:
            values = value if isinstance(value, list) else [value]
            for item in values:
                if item not in self.valid[name]:
                    raise ValidationError(
                        form_field.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": neutralise(item)},
                    )
            if isinstance(form_field, forms.TypedChoiceField):
                return form_field.coerce(value)  # type: ignore[attr-defined]
            return value
        cleaned = form_field.clean(value)
        if name in DIRECT and cleaned not in (None, ""):
            _model_field(name).run_validators(cleaned)
        return cleaned

    def check_row(
        self, number: int, values: dict[str, str]
    ) -> tuple[CheckedRow | None, CellErrors]:
        errors: CellErrors = []
        cleaned: dict[str, Any] = {}
        for name, raw in values.items():
            try:
                cleaned[name] = self._clean_cell(name, raw)
            except ValidationError as error:
                errors.extend((name, m) for m in _messages(error))
        reference = cleaned.get("reference") or ""
        key = reference.casefold()
        existing_id = None
        if reference:
            first = self.seen.get(key)
            if first is not None:
                errors.append(
                    (
                        "reference",
                        _("The reference %(reference)s is also in row %(row)s.")
                        % {"reference": neutralise(reference), "row": first},
                    )
                )
            else:
                self.seen[key] = number
            existing_id = self.known.get(key)
            if existing_id is None and key in self.hidden:
                errors.append(
                    (
                        "reference",
                        _("The reference %(reference)s is already used in this lab.")
                        % {"reference": neutralise(reference)},
                    )
                )
        errors.extend(self._cross_checks(cleaned))
        if errors:
            return None, errors
        return CheckedRow(number, cleaned, existing_id), []

    def _cross_checks(self, cleaned: dict[str, Any]) -> CellErrors:
        """The rules of ParticipantForm.clean() and Participant.clean()."""
        errors: CellErrors = []
        if cleaned.get("nationality") and cleaned.get("stateless"):
            errors.append(("stateless", _("A stateless person has no nationality.")))
        probe = Participant(
            lab=self.lab,
            birth_date=cleaned.get("birth_date"),
            arrival_date=cleaned.get("arrival_date"),
        )
        try:
            probe.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.extend((name, m) for m in messages)
        return errors

    # -- writing ----------------------------------------------------------

    def _households(self, rows: list[CheckedRow]) -> None:
        """Create the batch's new households in one query."""
        if not self.households:
            self.households = {
                h.reference: h for h in Household.objects.filter(lab=self.lab)
            }
        wanted = {(r.values.get("household_reference") or "").strip() for r in rows} - {
            ""
        }
        new = [
            Household(lab=self.lab, reference=ref)
            for ref in sorted(wanted - set(self.households))
        ]
        for household in Household.objects.bulk_create(new):
            self.households[household.reference] = household

    def _apply(self, person: Participant, values: dict[str, Any]) -> None:
        for name in WRITTEN:
            if name not in values:
                continue
            value = values[name]
            model_field = _model_field(name)
            if value is None and not model_field.null:
                value = model_field.get_default() if model_field.has_default() else ""
            if name == "other_languages":
                value = list(value or [])
            setattr(person, name, value)
        if "household_reference" in values:
            reference = (values["household_reference"] or "").strip()
            person.household = self.households.get(reference)
        person.refresh_search_text()

    def _snapshot(self, person: Participant) -> dict[str, Any]:
        data = snapshot(person, Participant.EDITABLE_FIELDS)
        data["household"] = person.household.reference if person.household else ""
        for name in Participant.SENSITIVE_FIELDS:
            data.pop(name, None)
        return data

    def write(self, rows: list[CheckedRow]) -> tuple[int, int]:
        self._households(rows)
        new = [r for r in rows if r.existing_id is None]
        old = [r for r in rows if r.existing_id is not None]
        people = []
        for row in new:
            person = Participant(lab=self.lab)
            self._apply(person, row.values)
            people.append(person)
        Participant.objects.bulk_create(people, batch_size=500)
        if people:
            # One entry per batch names every record it created (as list
            # pages do for the people they show); updates get one each.
            audit_record(
                actor=self.actor,
                action=AuditEntry.Action.CREATE,
                object_type="participant",
                lab_id=self.lab.pk,
                detail=f"import: {len(people)} created",
                changes={"participants": [p.pk for p in people]},
            )
        existing = Participant.objects.select_related("household").in_bulk(
            [r.existing_id for r in old]
        )
        changed = []
        for row in old:
            person = existing[row.existing_id]
            before = self._snapshot(person)
            self._apply(person, row.values)
            changes = diff(before, self._snapshot(person))
            if changes:
                changed.append(person)
                audit_record(
                    actor=self.actor,
                    action=AuditEntry.Action.UPDATE,
                    object_type="participant",
                    object_id=person.pk,
                    participant=person,
                    detail="import",
                    changes=changes,
                )
        if changed:
            Participant.objects.bulk_update(
                changed, [*WRITTEN, "household", "search_text", "updated_at"]
            )
        return len(people), len(changed)

    # -- exporting --------------------------------------------------------

    def export_queryset(self, *, user: Any) -> QuerySet[Participant]:
        return (
            participant_queryset(user=user)
            .filter(lab=self.lab)
            .select_related("household", "legal_status", "caseworker")
            .order_by("reference", "id")
        )

    def export_rows(self, objects: Iterable[Participant]) -> Iterator[list[Any]]:
        for p in objects:
            yield [
                p.reference,
                p.profile,
                p.given_name,
                p.family_name,
                p.name_latin,
                p.birth_date,
                p.birth_date_precision,
                p.sex,
                p.country_of_origin,
                p.nationality,
                "yes" if p.stateless else "no",
                p.mother_tongue,
                " ".join(p.other_languages or []),
                p.arrival_date,
                p.household.reference if p.household else "",
                p.household_role,
                p.phone,
                p.email,
                p.address,
                p.legal_status.name if p.legal_status else "",
                "" if p.education_level is None else p.education_level,
                p.caseworker.get_username() if p.caseworker else "",
                p.intake_date,
            ]

    def template_rows(self) -> list[list[str]]:
        return [
            [
                "LIS-0001",
                "newcomer",
                "رنا",
                "حداد",
                "Rana Haddad",
                "1991-03-14",
                "day",
                "female",
                "SY",
                "SY",
                "no",
                "ar",
                "en fr",
                "2024-09-02",
                "HH-17",
                "head",
                "+351 912 345 678",
                "",
                "",
                "",
                "6",
                "",
                dt.date.today().isoformat(),  # noqa: DTZ011 - an example value
            ]
        ]
