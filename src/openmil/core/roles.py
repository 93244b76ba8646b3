"""Roles a membership can hold and what each may do.

This is the single table of permissions: views, the API and selectors ask
`role_can(role, permission)` and nothing else.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    FACILITATOR = "facilitator", _("Facilitator")
    PARTNER_STAFF = "partner_staff", _("Partner staff")
    MENTOR = "mentor", _("Mentor")
    ANALYST = "analyst", _("Analyst")
    NETWORK_ADMIN = "network_admin", _("Network administrator")


class Perm:
    """Named permissions; each role holds a fixed set of them."""

    VIEW_PERSONAL = "view_personal"
    EDIT_PERSONAL = "edit_personal"
    VIEW_SENSITIVE_ALL = "view_sensitive_all"
    VIEW_RESTRICTED = "view_restricted"
    VIEW_AUDIT = "view_audit"
    VIEW_AGGREGATES = "view_aggregates"
    MANAGE_LAB = "manage_lab"
    # Training of facilitators: staff data, not participants' records.
    MANAGE_TRAINING = "manage_training"
    VIEW_OWN_TRAINING = "view_own_training"


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset(
        {
            Perm.VIEW_PERSONAL,
            Perm.EDIT_PERSONAL,
            Perm.VIEW_SENSITIVE_ALL,
            Perm.VIEW_RESTRICTED,
            Perm.VIEW_AUDIT,
            Perm.VIEW_AGGREGATES,
            Perm.MANAGE_LAB,
            Perm.MANAGE_TRAINING,
            Perm.VIEW_OWN_TRAINING,
        }
    ),
    # A facilitator sees sensitive fields only of the participants whose
    # caseworker they are (need to know); see participants.selectors.
    Role.FACILITATOR: frozenset(
        {
            Perm.VIEW_PERSONAL,
            Perm.EDIT_PERSONAL,
            Perm.VIEW_AGGREGATES,
            Perm.VIEW_OWN_TRAINING,
        }
    ),
    Role.PARTNER_STAFF: frozenset(),
    Role.MENTOR: frozenset(),
    Role.ANALYST: frozenset({Perm.VIEW_AGGREGATES}),
    Role.NETWORK_ADMIN: frozenset({Perm.VIEW_AGGREGATES, Perm.MANAGE_LAB}),
}


def role_can(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
