from typing import Any

from django import template

from openmil.core.access import memberships_of
from openmil.core.roles import Perm, role_can

register = template.Library()


@register.inclusion_tag("placements/_nav.html", takes_context=True)
def matching_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"labs": []}
    # The memberships come with their labs: no query of its own.
    labs = {
        m.lab.pk: m.lab
        for m in memberships_of(user)
        if role_can(m.role, Perm.RUN_MATCHING)
    }
    return {"labs": sorted(labs.values(), key=lambda lab: lab.name)}
