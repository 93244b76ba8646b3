from typing import Any

from django import template

from openmil.core import access
from openmil.core.roles import Perm

register = template.Library()


@register.inclusion_tag("records/download_link.html", takes_context=True)
def record_download_link(context: dict[str, Any], participant: Any) -> dict[str, Any]:
    """The right-of-access download on the participant page, for coordinators."""
    user = context["request"].user
    return {
        "p": participant,
        "allowed": access.can(user, Perm.EXPORT_RECORD, participant.lab_id),
    }
