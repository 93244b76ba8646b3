from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from openmil.core import access
from openmil.core.roles import Perm

register = template.Library()


@register.simple_tag(takes_context=True)
def privacy_nav(context: dict[str, Any]) -> SafeString:
    """Links to the privacy dashboard of each lab the user oversees."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return format_html("")
    labs = access.labs_with(user, Perm.VIEW_PRIVACY)
    return format_html_join(
        "",
        '<a href="{}">{}</a>',
        (
            (
                reverse("privacy:dashboard", args=[lab.pk]),
                _("Privacy: %(lab)s") % {"lab": lab.name},
            )
            for lab in labs
        ),
    )
