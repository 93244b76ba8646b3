"""Throttling of public forms, one mechanism for every app's public pages.

A POST over its rate (per IP address, counted in the cache by
django-ratelimit) gets the 429 page in the reader's language.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

View = Callable[..., HttpResponse]


def throttled(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The page of a refused request: too many in a short time (429)."""
    return render(request, "public/throttled.html", status=429)


def throttle(*, key: str, rate: str) -> Callable[[View], View]:
    """Refuse POSTs over `rate` (django-ratelimit) with the 429 page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if is_ratelimited(
                request,
                group=f"public.{view.__name__}",
                key=key,
                rate=rate,
                method="POST",
                increment=True,
            ):
                return throttled(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
