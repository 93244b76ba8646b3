"""The partners link in the header, by role."""

from typing import Any

from django import template

from openmil.core import access
from openmil.core.roles import Perm
from openmil.partners.selectors import is_partner_staff

register = template.Library()


@register.inclusion_tag("partners/_nav.html", takes_context=True)
def partners_nav(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {
        "directory": access.has_any(user, Perm.VIEW_DIRECTORY),
        "portal": is_partner_staff(user),
        "referrals": access.has_any(user, Perm.REFER),
    }
