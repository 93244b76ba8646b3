from typing import Any

from django import template

from openmil.core.models import Lab
from openmil.placements.selectors import lab_ids_matching

register = template.Library()


@register.inclusion_tag("placements/_nav.html", takes_context=True)
def matching_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"labs": []}
    ids = lab_ids_matching(user)
    return {"labs": list(Lab.objects.filter(pk__in=ids).order_by("name"))}
