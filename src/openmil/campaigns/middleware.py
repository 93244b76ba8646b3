"""Keep the UTM tags of visits to the public site (see services.utm_capture)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openmil.campaigns import services

#: Public pages a tagged share link can land on.
PUBLIC_PREFIX = "/site/"


class CampaignAttributionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "GET"
            and request.path.startswith(PUBLIC_PREFIX)
            and "utm_campaign" in request.GET
        ):
            services.utm_capture(request)
        return self.get_response(request)
