"""Importers of the partner directory: organisations and their services.

Keys, so that a re-import updates instead of duplicating:

- an organisation is known by its **name** in the lab (ignoring case), the
  key the database already keeps unique (`organisation_unique_name`);
- a service is known by its **organisation's name and its own name**
  (ignoring case). The `organisation` column of a services file is the
  organisation's name, which must already be in the lab's directory.

A name is therefore not changed by an import: a row with a new name makes
a new record. Rename on the record's page, then re-import.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openmil.core import access
from openmil.core.audit import audit_record, diff, snapshot
from openmil.core.codes import language_choices
from openmil.core.models import AuditEntry, Lab, Organisation
from openmil.core.pillars import Pillar
from openmil.core.roles import Perm
from openmil.imports.importers import (
    FALSE_WORDS,
    TRUE_WORDS,
    CellErrors,
    CheckedRow,
    Column,
    Importer,
    register,
)
from openmil.imports.readers import neutralise, restore
from openmil.participants.models import NeedType
from openmil.partners.models import Eligibility, Service
from openmil.partners.selectors import organisation_queryset, service_queryset

ORGANISATION_FIELDS = ("name", "kind", "email", "phone", "website")

ORGANISATION_COLUMNS = (
    Column("name", required=True, help="the key: unique in the lab"),
    Column("kind", required=True, help=" | ".join(Organisation.Kind.values)),
    Column("email"),
    Column("phone"),
    Column("website", help="https://…"),
)

SERVICE_COLUMNS = (
    Column("organisation", required=True, help="name of an organisation of the lab"),
    Column("name", required=True),
    Column("pillar", help=" | ".join(Pillar.values)),
    Column("basic_need", help="code of a basic need, e.g. housing"),
    Column("description"),
    Column("eligible_profile", help=" | ".join(Eligibility.values)),
    Column("eligibility"),
    Column("languages", help="ISO 639 codes separated by spaces"),
    Column("capacity", help="a whole number, or empty when open-ended"),
    Column("response_days", help="days to answer a referral, 1 or more"),
    Column("place"),
    Column("contact"),
    Column("active", help="yes | no"),
)
#: Service model fields named differently in the file.
SERVICE_FIELD_COLUMN = {"need_type": "basic_need"}


def _require_directory(actor: Any, lab: Lab) -> None:
    """Importing the directory is also managing it."""
    if not access.can(actor, Perm.MANAGE_DIRECTORY, lab.pk):
        raise PermissionDenied


def _field_errors(error: ValidationError, rename: dict[str, str]) -> CellErrors:
    if not hasattr(error, "error_dict"):
        return [("", str(m)) for m in error.messages]
    return [
        (rename.get(name, name), str(m))
        for name, messages in error.message_dict.items()
        for m in messages
    ]


def _text(values: dict[str, str], name: str) -> str:
    return restore((values.get(name) or "").strip())


def _audit_created(actor: Any, lab: Lab, object_type: str, ids: list[int]) -> None:
    if ids:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type=object_type,
            lab_id=lab.pk,
            detail=f"import: {len(ids)} created",
            changes={f"{object_type}s": ids},
        )


@register
class OrganisationImporter(Importer):
    """Partner organisations of one lab, keyed by name."""

    kind = "organisations"
    label = gettext_lazy("Partner organisations")
    columns = ORGANISATION_COLUMNS

    def __init__(self, *, lab: Lab, actor: Any) -> None:
        super().__init__(lab=lab, actor=actor)
        self.known = {
            name.casefold(): pk
            for name, pk in Organisation.objects.filter(lab=lab).values_list(
                "name", "pk"
            )
        }
        self.seen: dict[str, int] = {}

    @classmethod
    def check_permission(cls, *, actor: Any, lab: Lab) -> None:
        _require_directory(actor, lab)

    def check_row(
        self, number: int, values: dict[str, str]
    ) -> tuple[CheckedRow | None, CellErrors]:
        errors: CellErrors = []
        cleaned = {name: _text(values, name) for name in values}
        if "kind" in cleaned:
            cleaned["kind"] = cleaned["kind"].casefold()
        probe = Organisation(lab=self.lab, **cleaned)
        try:
            probe.clean_fields(exclude=["lab"])
        except ValidationError as error:
            errors.extend(_field_errors(error, {}))
        name = cleaned.get("name", "")
        key = name.casefold()
        if name:
            first = self.seen.get(key)
            if first is not None:
                errors.append(
                    (
                        "name",
                        _("The name %(name)s is also in row %(row)s.")
                        % {"name": neutralise(name), "row": first},
                    )
                )
            else:
                self.seen[key] = number
        if errors:
            return None, errors
        return CheckedRow(number, cleaned, self.known.get(key)), []

    def write(self, rows: list[CheckedRow]) -> tuple[int, int]:
        new = [
            Organisation(lab=self.lab, **r.values)
            for r in rows
            if r.existing_id is None
        ]
        Organisation.objects.bulk_create(new, batch_size=500)
        _audit_created(self.actor, self.lab, "organisation", [o.pk for o in new])
        existing = Organisation.objects.in_bulk(
            [r.existing_id for r in rows if r.existing_id is not None]
        )
        changed = []
        for row in rows:
            if row.existing_id is None:
                continue
            organisation = existing[row.existing_id]
            before = snapshot(organisation, ORGANISATION_FIELDS)
            for name, value in row.values.items():
                # The name is the key: its case may differ from the file's.
                if name != "name":
                    setattr(organisation, name, value)
            changes = diff(before, snapshot(organisation, ORGANISATION_FIELDS))
            if changes:
                changed.append(organisation)
                audit_record(
                    actor=self.actor,
                    action=AuditEntry.Action.UPDATE,
                    object_type="organisation",
                    object_id=organisation.pk,
                    lab_id=self.lab.pk,
                    detail="import",
                    changes=changes,
                )
        if changed:
            Organisation.objects.bulk_update(changed, ORGANISATION_FIELDS[1:])
        for organisation in new:
            self.known[organisation.name.casefold()] = organisation.pk
        return len(new), len(changed)

    def export_queryset(self, *, user: Any) -> QuerySet[Organisation]:
        return (
            organisation_queryset(user=user).filter(lab=self.lab).order_by("name", "id")
        )

    def export_rows(self, objects: Iterable[Organisation]) -> Iterator[list[Any]]:
        for o in objects:
            yield [o.name, o.kind, o.email, o.phone, o.website]

    def template_rows(self) -> list[list[str]]:
        return [
            [
                "Casa Comum",
                "housing",
                "contact@casacomum.example",
                "+351 213 000 000",
                "https://casacomum.example",
            ]
        ]


@register
class ServiceImporter(Importer):
    """Services of the lab's partner organisations, keyed by organisation
    name and service name."""

    kind = "services"
    label = gettext_lazy("Partner services")
    columns = SERVICE_COLUMNS

    def __init__(self, *, lab: Lab, actor: Any) -> None:
        super().__init__(lab=lab, actor=actor)
        self.organisations = {
            o.name.casefold(): o for o in Organisation.objects.filter(lab=lab)
        }
        self.needs = {
            n.code.casefold(): n for n in NeedType.objects.filter(lab__isnull=True)
        }
        # A lab's own need may share no code with a built-in one.
        self.needs.update(
            {n.code.casefold(): n for n in NeedType.objects.filter(lab=lab)}
        )
        self.languages = {code for code, _label in language_choices()}
        self.known: dict[tuple[int, str], list[int]] = {}
        for pk, org_id, name in Service.objects.filter(
            organisation__lab=lab
        ).values_list("pk", "organisation_id", "name"):
            self.known.setdefault((org_id, name.casefold()), []).append(pk)
        self.seen: dict[tuple[int, str], int] = {}

    @classmethod
    def check_permission(cls, *, actor: Any, lab: Lab) -> None:
        _require_directory(actor, lab)

    # -- checking ---------------------------------------------------------

    def _clean(self, values: dict[str, str]) -> tuple[dict[str, Any], CellErrors]:
        errors: CellErrors = []
        out: dict[str, Any] = {}
        for name in values:
            value = _text(values, name)
            if name == "organisation":
                organisation = self.organisations.get(value.casefold())
                if value and organisation is None:
                    errors.append(
                        (
                            name,
                            _("%(value)s is not an organisation of this lab.")
                            % {"value": neutralise(value)},
                        )
                    )
                out[name] = organisation
            elif name == "pillar":
                value = value.casefold()
                if value and value not in Pillar.values:
                    errors.append(
                        (
                            name,
                            _("%(value)s is not a pillar; write one of %(choices)s.")
                            % {
                                "value": neutralise(value),
                                "choices": ", ".join(Pillar.values),
                            },
                        )
                    )
                out[name] = value
            elif name == "basic_need":
                need = self.needs.get(value.casefold())
                if value and need is None:
                    errors.append(
                        (
                            name,
                            _("%(value)s is not a basic need of this lab.")
                            % {"value": neutralise(value)},
                        )
                    )
                out["need_type"] = need
            elif name == "languages":
                codes = [c.casefold() for c in re.split(r"[\s,;]+", value) if c]
                unknown = [c for c in codes if c not in self.languages]
                if unknown:
                    errors.append(
                        (
                            name,
                            _("Unknown language code: %(codes)s")
                            % {"codes": ", ".join(neutralise(c) for c in unknown)},
                        )
                    )
                out[name] = codes
            elif name in ("capacity", "response_days"):
                if not value:
                    if name == "capacity":
                        out[name] = None
                    continue
                if name == "capacity" and not value.isdigit():
                    errors.append(
                        (name, _("Enter a whole number, or leave the cell empty."))
                    )
                    continue
                if name == "response_days" and not (value.isdigit() and int(value)):
                    errors.append((name, _("Enter a whole number of 1 or more.")))
                    continue
                out[name] = int(value)
            elif name == "active":
                word = value.casefold()
                if word in TRUE_WORDS or not word:
                    out[name] = True
                elif word in FALSE_WORDS:
                    out[name] = False
                else:
                    errors.append((name, _("Write yes or no.")))
            elif name == "eligible_profile":
                out[name] = value.casefold() or Eligibility.BOTH
            else:
                out[name] = value
        return out, errors

    def check_row(
        self, number: int, values: dict[str, str]
    ) -> tuple[CheckedRow | None, CellErrors]:
        cleaned, errors = self._clean(values)
        organisation = cleaned.pop("organisation", None)
        fields = {k: v for k, v in cleaned.items() if k in Service.EDITABLE_FIELDS}
        probe = Service(organisation=organisation, **fields)
        bad = {column for column, _m in errors}
        exclude = ["organisation", "search_text"] + [
            {"basic_need": "need_type"}.get(c, c) for c in bad
        ]
        try:
            probe.clean_fields(exclude=exclude)
        except ValidationError as error:
            errors.extend(_field_errors(error, SERVICE_FIELD_COLUMN))
        has_area = "pillar" in values or "basic_need" in values
        if organisation is not None and has_area and not bad & {"pillar", "basic_need"}:
            try:
                probe.clean()
            except ValidationError as error:
                errors.extend(
                    ("pillar" if c == "" else c, m)
                    for c, m in _field_errors(error, SERVICE_FIELD_COLUMN)
                )
        existing_id = None
        name = cleaned.get("name", "")
        if organisation is not None and name:
            key = (organisation.pk, name.casefold())
            first = self.seen.get(key)
            if first is not None:
                errors.append(
                    (
                        "name",
                        _("This service of this organisation is also in row %(row)s.")
                        % {"row": first},
                    )
                )
            else:
                self.seen[key] = number
            matches = self.known.get(key, [])
            if len(matches) > 1:
                errors.append(
                    (
                        "name",
                        _(
                            "The organisation has %(count)s services of this name; "
                            "rename them so that the import knows which to update."
                        )
                        % {"count": len(matches)},
                    )
                )
            elif matches:
                existing_id = matches[0]
        if existing_id is None and organisation is not None and not has_area:
            errors.append(
                ("pillar", _("Choose either a pillar or a basic need for the service."))
            )
        if errors:
            return None, errors
        return CheckedRow(
            number, fields, existing_id, {"organisation": organisation}
        ), []

    # -- writing ----------------------------------------------------------

    def write(self, rows: list[CheckedRow]) -> tuple[int, int]:
        new = []
        for row in rows:
            if row.existing_id is None:
                service = Service(organisation=row.extra["organisation"], **row.values)
                service.refresh_search_text()
                new.append(service)
        Service.objects.bulk_create(new, batch_size=500)
        _audit_created(self.actor, self.lab, "service", [s.pk for s in new])
        existing = Service.objects.in_bulk(
            [r.existing_id for r in rows if r.existing_id is not None]
        )
        changed = []
        for row in rows:
            if row.existing_id is None:
                continue
            service = existing[row.existing_id]
            before = snapshot(service, Service.EDITABLE_FIELDS)
            for name, value in row.values.items():
                if name != "name":
                    setattr(service, name, value)
            if "pillar" in row.values and "need_type" not in row.values:
                service.need_type = None
            if "need_type" in row.values and "pillar" not in row.values:
                service.pillar = ""
            if bool(service.pillar) == bool(service.need_type_id):
                raise ValidationError(
                    _("Choose either a pillar or a basic need for the service.")
                )
            service.refresh_search_text()
            changes = diff(before, snapshot(service, Service.EDITABLE_FIELDS))
            if changes:
                changed.append(service)
                audit_record(
                    actor=self.actor,
                    action=AuditEntry.Action.UPDATE,
                    object_type="service",
                    object_id=service.pk,
                    lab_id=self.lab.pk,
                    detail="import",
                    changes=changes,
                )
        if changed:
            Service.objects.bulk_update(
                changed, [*Service.EDITABLE_FIELDS[1:], "search_text"]
            )
        for service in new:
            key = (service.organisation_id, service.name.casefold())
            self.known[key] = [service.pk]
        return len(new), len(changed)

    # -- exporting --------------------------------------------------------

    def export_queryset(self, *, user: Any) -> QuerySet[Service]:
        return (
            service_queryset(user=user)
            .filter(organisation__lab=self.lab)
            .order_by("organisation__name", "name", "id")
        )

    def export_rows(self, objects: Iterable[Service]) -> Iterator[list[Any]]:
        for s in objects:
            yield [
                s.organisation.name,
                s.name,
                s.pillar,
                s.need_type.code if s.need_type else "",
                s.description,
                s.eligible_profile,
                s.eligibility,
                " ".join(s.languages or []),
                "" if s.capacity is None else s.capacity,
                s.response_days,
                s.place,
                s.contact,
                "yes" if s.active else "no",
            ]

    def template_rows(self) -> list[list[str]]:
        return [
            [
                "Casa Comum",
                "Room search support",
                "",
                "housing",
                "Help with the search for a room or a flat",
                "both",
                "Adults living in the municipality",
                "pt en ar",
                "12",
                "5",
                "Lisboa",
                "+351 213 000 000",
                "yes",
            ],
            [
                "Casa Comum",
                "Portuguese for work",
                "language",
                "",
                "",
                "newcomer",
                "",
                "pt",
                "",
                "7",
                "Lisboa",
                "",
                "yes",
            ],
        ]
