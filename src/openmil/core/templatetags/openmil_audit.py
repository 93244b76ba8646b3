"""Show audit-log entries in the reader's language.

Entries store codes ("participant", "web", "given_name") and a few fixed
English details; these filters turn them into translated labels. Anything
unknown (for example a token's name) is shown as stored.
"""

import re

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from openmil.core.models import AuditEntry, Lab, Organisation
from openmil.core.roles import Role
from openmil.participants.models import (
    Consent,
    FollowUp,
    Need,
    Participant,
    ProtectedCase,
)

register = template.Library()

OBJECT_TYPES = {
    "participant": gettext_lazy("participant"),
    "participant_list": gettext_lazy("participant list"),
    "need": gettext_lazy("need"),
    "consent": gettext_lazy("consent"),
    "follow_up": gettext_lazy("follow-up"),
    "user": gettext_lazy("user account"),
    "api_token": gettext_lazy("API token"),
    "demo_data": gettext_lazy("demo data"),
    "lab": gettext_lazy("lab"),
    "membership": gettext_lazy("membership"),
    "need_type": gettext_lazy("need type"),
    "legal_status": gettext_lazy("legal-status category"),
    "participant_account": gettext_lazy("participant account"),
    "protected_case": gettext_lazy("protected case"),
    "encryption_keys": gettext_lazy("encryption keys"),
}

#: Fixed details written by the participant space (openmil.portal).
PORTAL_DETAILS = {
    ("participant", "own space"): gettext_lazy("in their own space"),
    ("participant_account", "invited"): gettext_lazy("invited to their own space"),
    ("participant_account", "one-time link"): gettext_lazy(
        "signed in with a one-time link"
    ),
    ("participant_account", "password set"): gettext_lazy("password chosen"),
}

CHANNELS = {
    "web": gettext_lazy("web"),
    "api": gettext_lazy("API"),
    "cli": gettext_lazy("command line"),
}

MODELS = {
    "participant": Participant,
    "need": Need,
    "consent": Consent,
    "follow_up": FollowUp,
    "lab": Lab,
    "protected_case": ProtectedCase,
}

PROTECTION_DETAILS = {
    "marked protected": gettext_lazy("marked protected"),
    "named staff changed": gettext_lazy("named staff changed"),
    "protection lifted": gettext_lazy("protection lifted"),
}


@register.filter
def audit_object_type(value: str) -> str:
    return str(OBJECT_TYPES.get(value, value))


@register.filter
def audit_channel(value: str) -> str:
    return str(CHANNELS.get(value, value))


@register.filter
def audit_field(name: str, object_type: str) -> str:
    """The label of a changed field, e.g. "given_name" -> "given name"."""
    if object_type == "participant_list" and name == "participants":
        return _("participants")
    model = MODELS.get(object_type)
    if model is not None:
        try:
            return str(getattr(model._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            pass
    return name


def _consent_label(codes: list[str]) -> str:
    purpose = dict(Consent.Purpose.choices).get(codes[0], codes[0])
    if len(codes) > 1:
        kind = dict(Organisation.Kind.choices).get(codes[1], codes[1])
        return _("%(purpose)s: %(category)s") % {"purpose": purpose, "category": kind}
    return str(purpose)


@register.filter
def audit_detail(entry: AuditEntry) -> str:
    detail = entry.detail
    kind = entry.object_type
    if kind == "consent" and (codes := detail.split()):
        if codes[0] == "withdrawn" and len(codes) > 1:
            return _("withdrawn: %(consent)s") % {"consent": _consent_label(codes[1:])}
        return _consent_label(codes)
    if kind == "user" and detail == "second factor enrolled":
        return _("second factor enrolled")
    if kind == "user" and (
        m := re.fullmatch(r"sign-in unlocked \((\d+) failed attempts cleared\)", detail)
    ):
        n = int(m[1])
        return ngettext(
            "sign-in unlocked (%(n)s failed attempt cleared)",
            "sign-in unlocked (%(n)s failed attempts cleared)",
            n,
        ) % {"n": n}
    if (kind, detail) in PORTAL_DETAILS:
        return str(PORTAL_DETAILS[(kind, detail)])
    if kind == "participant" and detail == "edit form":
        return _("edit form opened")
    if kind == "membership" and (parts := detail.rsplit(" ", 1)) and len(parts) == 2:
        role = dict(Role.choices).get(parts[1])
        if role is not None:
            return f"{parts[0]} · {role}"
    if kind == "protected_case" and detail in PROTECTION_DETAILS:
        return str(PROTECTION_DETAILS[detail])
    if kind == "api_token" and detail == "revoked":
        return _("revoked")
    if kind == "participant_list" and (m := re.fullmatch(r"(\d+) in a list", detail)):
        n = int(m[1])
        return ngettext(
            "%(n)s participant in a list", "%(n)s participants in a list", n
        ) % {"n": n}
    if kind == "demo_data" and (
        m := re.fullmatch(r"(\d+) demo participants generated", detail)
    ):
        n = int(m[1])
        return ngettext(
            "%(n)s demo participant generated", "%(n)s demo participants generated", n
        ) % {"n": n}
    return detail
