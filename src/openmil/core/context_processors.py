from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openmil.core import access
from openmil.core.roles import Perm


def openmil(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "staff_languages": settings.STAFF_LANGUAGES}
    managed = access.lab_ids_with(user, Perm.MANAGE_LAB)
    return {
        "nav": {
            "personal": access.has_any(user, Perm.VIEW_PERSONAL),
            "audit": access.has_any(user, Perm.VIEW_AUDIT),
            "aggregates": access.has_any(user, Perm.VIEW_AGGREGATES),
            "moderate": access.has_any(user, Perm.MODERATE_PUBLIC),
            "recommendations": access.has_any(user, Perm.MANAGE_RECOMMENDATIONS),
            "manage": sorted(
                {m.lab for m in access.memberships_of(user) if m.lab_id in managed},
                key=lambda lab: lab.name,
            ),
        },
        "memberships": access.memberships_of(user),
        "languages": settings.STAFF_LANGUAGES,
        "staff_languages": settings.STAFF_LANGUAGES,
    }
