"""The bell in the header: a link to the list with the unread count."""

from typing import Any

from django import template

from openmil.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "show": bool(user and user.is_authenticated),
        "count": unread_count(user=user) if user else 0,
    }
