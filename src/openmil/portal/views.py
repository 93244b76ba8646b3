"""The participant's space, sign-in by one-time link, and the staff invite."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core.middleware import UserLanguageMiddleware
from openmil.participants.selectors import participant_get
from openmil.portal import selectors, services
from openmil.portal.forms import LinkRequestForm
from openmil.portal.sections import WITHDRAW_EFFECTS, sections_for
from openmil.records.services import record_export, record_filename
from openmil.records.views import download

SIGN_IN = "portal:sign_in"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class SignInView(auth_views.LoginView):
    """Password sign-in for participants, beside the one-time link."""

    template_name = "portal/sign_in.html"
    redirect_authenticated_user = True


def link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time link. The answer never says whether the address
    is known."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.sign_in_link_request(
            email=form.cleaned_data["email"],
            address=request.META.get("REMOTE_ADDR", ""),
        )
        return render(request, "portal/link_sent.html")
    return render(request, "portal/link_request.html", {"form": form})


def link_use(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST spends the link. Mail scanners that open
    links therefore do not use them up."""
    if request.method == "POST":
        account = services.sign_in_link_use(raw=token)
        if account is None:
            return render(request, "portal/link_invalid.html", status=400)
        request.session.flush()
        login(request, account.user, backend=MODEL_BACKEND)
        language = selectors.account_language(account=account)
        if language:
            request.session[UserLanguageMiddleware.SESSION_KEY] = language
        return redirect("portal:home")
    if not selectors.sign_in_link_is_usable(raw=token):
        return render(request, "portal/link_invalid.html", status=400)
    return render(request, "portal/link_use.html")


@login_required(login_url=SIGN_IN)
def home(request: HttpRequest) -> HttpResponse:
    account = selectors.account_for(user=request.user)
    participant = selectors.own_participant(user=request.user)
    context = {
        "p": participant,
        "sections": sections_for(participant),
        "has_password": account.user.has_usable_password(),
    }
    return render(request, "portal/home.html", context)


@login_required(login_url=SIGN_IN)
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    """GET asks for confirmation; POST withdraws."""
    account = selectors.account_for(user=request.user)
    consent = selectors.own_consent_get(user=request.user, consent_id=consent_id)
    if request.method == "POST":
        try:
            services.own_consent_withdraw(account=account, consent=consent)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request, _("Your consent is withdrawn. This takes effect now.")
            )
        return redirect("portal:home")
    if not consent.is_active:
        return redirect("portal:home")
    return render(
        request,
        "portal/consent_withdraw.html",
        {"consent": consent, "effect": WITHDRAW_EFFECTS.get(consent.purpose, "")},
    )


@login_required(login_url=SIGN_IN)
def my_data(request: HttpRequest, fmt: str) -> HttpResponse:
    participant = selectors.own_participant(user=request.user, audit=False)
    _data, content = record_export(
        actor=request.user,
        participant=participant,
        fmt=fmt,
        language=get_language() or "",
    )
    return download(
        content, fmt=fmt, filename=record_filename(participant=participant, fmt=fmt)
    )


@login_required(login_url=SIGN_IN)
def password_set(request: HttpRequest) -> HttpResponse:
    account = selectors.account_for(user=request.user)
    form = SetPasswordForm(account.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.own_password_set(account=account, form=form)
        # Keep this session signed in after the password change.
        update_session_auth_hash(request, account.user)
        messages.success(request, _("Your password is saved."))
        return redirect("portal:home")
    return render(request, "portal/password_set.html", {"form": form})


@login_required
@require_POST
def invite(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Staff: give the participant an account (from the participant page)."""
    participant = participant_get(
        user=request.user, participant_id=participant_id, audit=False
    )
    try:
        services.account_invite(
            actor=request.user,
            participant=participant,
            language=get_language() or "",
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s is invited: a sign-in link is on its way to %(email)s.")
            % {"name": participant, "email": participant.email},
        )
    return redirect("participants:detail", participant_id=participant.pk)
