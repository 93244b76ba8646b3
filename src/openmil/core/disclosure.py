"""Small-cell suppression for counts published about people.

Counts under the threshold show as "<threshold"; others are rounded to the
base. Issue-level indicators build on this single function.
"""

from django.conf import settings


def safe_count(n: int, *, threshold: int | None = None, base: int | None = None) -> str:
    """A count that is safe to show: "0", "<10", or rounded to the base."""
    limit = threshold if threshold is not None else settings.OPENMIL_SUPPRESS_BELOW
    step = base if base is not None else settings.OPENMIL_ROUND_TO
    if n == 0:
        return "0"
    if n < limit:
        return f"<{limit}"
    return str(int(step * round(n / step)))
