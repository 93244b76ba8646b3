from django.db.models import Q, QuerySet

from openmil.classifications.models import Occupation


def occupation_search(*, query: str, limit: int = 15) -> QuerySet[Occupation]:
    """ESCO occupations whose label or ISCO-08 code matches the query."""
    query = query.strip()
    # No label holds NUL, and PostgreSQL refuses to compare it.
    if len(query) < 2 or "\x00" in query:
        return Occupation.objects.none()
    return Occupation.objects.filter(
        Q(label__icontains=query) | Q(isco_group__code__startswith=query)
    ).select_related("isco_group")[:limit]
