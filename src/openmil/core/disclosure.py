"""Small-cell suppression for counts published about people.

Counts under the threshold show as "<threshold"; others are rounded to the
base. Issue-level indicators build on this single function.
"""

from django.conf import settings


def safe_count(n: int, *, threshold: int | None = None, base: int | None = None) -> str:
    threshold = threshold or getattr(settings, "OPENMIL_SUPPRESS_BELOW", 10)
    base = base or getattr(settings, "OPENMIL_ROUND_TO", 5)
    if n == 0:
        return "0"
    if n < threshold:
        return f"<{threshold}"
    return str(int(base * round(n / base)))
