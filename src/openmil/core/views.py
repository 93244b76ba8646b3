"""Sign-in, second factor, home, language, API tokens and the audit log."""

import base64
import io
from typing import Any
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmil.core import access, selectors, services
from openmil.core.disclosure import safe_count
from openmil.core.forms import (
    ApiTokenForm,
    LabSettingsForm,
    LegalStatusForm,
    MemberForm,
    NeedTypeForm,
    TokenForm,
)
from openmil.core.middleware import UserLanguageMiddleware
from openmil.core.models import ApiToken
from openmil.core.roles import Perm
from openmil.participants.models import Need, NeedType, Participant
from openmil.participants.selectors import (
    home_summary,
    lab_overview,
    need_types_for_lab,
    participant_list_audit,
)
from openmil.participants.services import legal_status_create, need_type_create


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    device = services.totp_device_for(request.user)
    if device is None:
        return redirect(f"/account/2fa/setup/?next={quote(_safe_next(request))}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            otp_login(request, device)
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("otp_token", _("This code is not valid. Try the newest one."))
    return render(
        request, "core/otp_verify.html", {"form": form, "next": _safe_next(request)}
    )


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    device_id = request.session.get("otp_setup_device")
    device = TOTPDevice.objects.filter(
        pk=device_id, user=request.user, confirmed=False
    ).first()
    if device is None:
        device = services.totp_device_start(user=request.user)
        request.session["otp_setup_device"] = device.pk
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(
            user=request.user, device=device, token=form.cleaned_data["otp_token"]
        ):
            request.session.pop("otp_setup_device", None)
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("otp_token", _("This code is not valid. Try the newest one."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    context = {
        "form": form,
        "qr_svg": "data:image/svg+xml;base64,"
        + base64.b64encode(buffer.getvalue()).decode(),
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": _safe_next(request),
    }
    return render(request, "core/otp_setup.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if hasattr(user, "participant_account"):
        # A participant's own account (openmil.portal) has its own space.
        return redirect("portal:home")
    if access.has_any(user, Perm.VIEW_PERSONAL):
        summary = home_summary(user=user)
        participant_list_audit(user=user, participants=summary.people_shown)
        return render(request, "core/home.html", {"summary": summary})
    if access.has_any(user, Perm.VIEW_AGGREGATES):
        return redirect("core:overview")
    return render(request, "core/home_other.html")


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Disclosure-safe counts per lab, for coordinators, analysts and the network."""
    labs = list(access.labs_with(request.user, Perm.VIEW_AGGREGATES))
    if not labs:
        raise Http404
    need_types = list(NeedType.objects.filter(lab__isnull=True))
    rows = []
    for lab in labs:
        stats = lab_overview(user=request.user, lab_id=lab.pk)
        rows.append(
            {
                "lab": lab,
                "participants": safe_count(stats["participants"]),
                "profiles": [
                    (label, safe_count(stats["by_profile"].get(value, 0)))
                    for value, label in Participant.Profile.choices
                ],
                "pathways": safe_count(stats["pathways_started"]),
                "needs": [
                    (
                        nt,
                        [
                            safe_count(stats["needs"].get((nt.code, status), 0))
                            for status in Need.Status.values
                        ],
                    )
                    for nt in need_types
                ],
            }
        )
    return render(
        request,
        "core/overview.html",
        {"rows": rows, "statuses": Need.Status.choices},
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(selectors.language_codes()):
        services.user_language_set(user=request.user, language=language)
        request.session[UserLanguageMiddleware.SESSION_KEY] = language
    return django_set_language(request)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=_user(request))
    return render(
        request, "core/api_tokens.html", {"form": form, "tokens": tokens, "raw": raw}
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=_user(request)).first()
    if token is None:
        raise Http404
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("The token is revoked."))
    return redirect("core:api_tokens")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = selectors.audit_entries(
        user=request.user,
        lab_id=_int(request.GET.get("lab")),
        participant_id=_int(request.GET.get("participant")),
        actor=request.GET.get("actor", "")[:150],
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "labs": access.labs_with(request.user, Perm.VIEW_AUDIT)},
    )


def _user(request: HttpRequest) -> Any:
    """The signed-in user (the views that call this require one)."""
    return request.user


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def lab_settings(request: HttpRequest, lab_id: int) -> HttpResponse:
    """A coordinator's set-up of the lab: rules, languages, needs, statuses."""
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_LAB)
    action = request.POST.get("action") if request.method == "POST" else None
    form = LabSettingsForm(request.POST if action == "lab" else None, instance=lab)
    need_form = NeedTypeForm(request.POST if action == "need" else None)
    status_form = LegalStatusForm(request.POST if action == "status" else None)
    bound = {"lab": form, "need": need_form, "status": status_form}.get(action or "")
    if bound is not None and bound.is_valid():
        try:
            if action == "lab":
                services.lab_update(actor=request.user, lab=lab, data=form.cleaned_data)
            elif action == "need":
                need_type_create(
                    actor=request.user, lab=lab, label=need_form.cleaned_data["label"]
                )
            else:
                legal_status_create(
                    actor=request.user, lab=lab, name=status_form.cleaned_data["name"]
                )
        except ValidationError as error:
            bound.add_error(None, error.messages)
        else:
            messages.success(request, _("The lab settings are saved."))
            return redirect("core:lab_settings", lab_id=lab.pk)
    lab.refresh_from_db()
    context = {
        "lab": lab,
        "form": form,
        "need_form": need_form,
        "status_form": status_form,
        "need_types": need_types_for_lab(lab_id=lab.pk),
        "legal_statuses": lab.legal_statuses.all(),
    }
    return render(request, "core/lab_settings.html", context)


@login_required
def lab_team(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_LAB)
    if request.method == "POST" and request.POST.get("action") == "unlock":
        try:
            services.account_unlock(
                actor=request.user, lab=lab, username=request.POST.get("username", "")
            )
            messages.success(request, _("The account can sign in again."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("core:lab_team", lab_id=lab.pk)
    form = MemberForm(request.POST or None, lab=lab)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(actor=request.user, lab=lab, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The person is added to the team."))
            return redirect("core:lab_team", lab_id=lab.pk)
    members = lab.memberships.select_related("user", "organisation").order_by(
        "role", "user__last_name", "user__username"
    )
    return render(
        request, "core/lab_team.html", {"lab": lab, "form": form, "members": members}
    )
