from typing import Any

from django import template

from openmil.core import access
from openmil.core.roles import Perm

register = template.Library()


@register.inclusion_tag("campaigns/_nav.html", takes_context=True)
def campaigns_nav(context: dict[str, Any]) -> dict[str, Any]:
    return {"campaigns": access.has_any(context["request"].user, Perm.VIEW_CAMPAIGNS)}
