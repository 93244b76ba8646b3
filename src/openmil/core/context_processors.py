from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openmil.core import access
from openmil.core.nav import nav_menu
from openmil.core.roles import Perm


def openmil(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "staff_languages": settings.STAFF_LANGUAGES}
    return {
        "nav": {
            "personal": access.has_any(user, Perm.VIEW_PERSONAL),
            "audit": access.has_any(user, Perm.VIEW_AUDIT),
            "aggregates": access.has_any(user, Perm.VIEW_AGGREGATES),
            "moderate": access.has_any(user, Perm.MODERATE_PUBLIC),
            "recommendations": access.has_any(user, Perm.MANAGE_RECOMMENDATIONS),
        },
        # Built only when a template shows the menu (the template calls it).
        "nav_menu": partial(nav_menu, user, request.path),
        "memberships": access.memberships_of(user),
        "languages": settings.STAFF_LANGUAGES,
        "staff_languages": settings.STAFF_LANGUAGES,
    }
