"""Per-user language, the second-factor requirement and the audit channel."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from openmil.core.audit import audit_channel
from openmil.core.models import UserProfile
from openmil.core.services import second_factor_required

Handler = Callable[[HttpRequest], HttpResponse]


def _is_public(request: HttpRequest) -> bool:
    return request.path.startswith(tuple(settings.OPENMIL_PUBLIC_PATHS))


class UserLanguageMiddleware:
    """Activate the language saved in the signed-in user's profile.

    Staff pages are offered in settings.STAFF_LANGUAGES only: a browser asking
    for another language gets the default there; the public site
    (settings.OPENMIL_PUBLIC_PATHS) speaks every language of LANGUAGES.

    The profile is read once per session and the choice kept in the session;
    the language switch updates both.
    """

    SESSION_KEY = "openmil_language"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            language = session.get(self.SESSION_KEY)
            if language is None:
                language = (
                    UserProfile.objects.filter(user_id=user.pk)
                    .values_list("language", flat=True)
                    .first()
                ) or ""
                session[self.SESSION_KEY] = language
            # On the public site a language picked there (the cookie) wins.
            if language and not (
                _is_public(request)
                and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            ):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        if not _is_public(request):
            staff = {code for code, _name in settings.STAFF_LANGUAGES}
            if translation.get_language() not in staff:
                translation.activate(settings.LANGUAGE_CODE)
                request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        token = audit_channel.set("api" if request.path.startswith("/api/") else "web")
        try:
            return self.get_response(request)
        finally:
            audit_channel.reset(token)


class SessionRenewalMiddleware:
    """Keep an active session alive; an idle one expires after its age.

    Saving the session on every request would cost a database write per
    page; renewing it once a minute keeps the idle timeout within a minute.
    """

    KEY = "_renewed"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if (
                now - int(session.get(self.KEY, 0))
                >= settings.OPENMIL_SESSION_RENEW_SECONDS
            ):
                session[self.KEY] = now
        return response


class SecondFactorMiddleware:
    """Send users whose role requires TOTP to verify (or enrol) first."""

    EXEMPT = (
        "core:login",
        "core:logout",
        "core:otp_verify",
        "core:otp_setup",
        "core:set_language",
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.OPENMIL_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(("/api/", settings.STATIC_URL))
            and not user.is_verified()
            and second_factor_required(user)
        ):
            exempt = {reverse(name) for name in self.EXEMPT}
            if request.path not in exempt:
                return redirect(f"{reverse('core:otp_verify')}?next={request.path}")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header: no camera, microphone, location…

    The other security headers come from Django's SecurityMiddleware
    (HSTS, nosniff, referrer, opener policy), XFrameOptionsMiddleware and
    django-csp's CSPMiddleware.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "OPENMIL_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
