from typing import Any

from django import template
from django.utils import timezone

from openmil.activities.selectors import sessions_for_facilitator

register = template.Library()


@register.inclusion_tag("activities/_home_sessions.html", takes_context=True)
def my_sessions_card(context: dict[str, Any], days: int = 7) -> dict[str, Any]:
    """The sessions the signed-in user facilitates in the coming days."""
    user = context["request"].user
    sessions = list(
        sessions_for_facilitator(user=user, since=timezone.now(), days=days)[:10]
    )
    return {"sessions": sessions, "request": context["request"]}
