"""Privacy pages: thin wrappers over the privacy selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.roles import Perm
from openmil.participants import selectors as participant_selectors
from openmil.privacy import selectors, services
from openmil.privacy.forms import DecisionForm, ErasureRequestForm, PrivacySettingsForm


def _errors(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error) or _("Your role does not allow this."))


@login_required
def dashboard(request: HttpRequest, lab_id: int) -> HttpResponse:
    figures = selectors.privacy_dashboard(user=request.user, lab_id=lab_id)
    return render(
        request,
        "privacy/dashboard.html",
        {
            "d": figures,
            "lab": figures.lab,
            "can_decide": access.can(request.user, Perm.APPROVE_ERASURE, lab_id),
            "can_retain": access.can(request.user, Perm.MANAGE_RETENTION, lab_id),
            "can_view_people": access.can(request.user, Perm.VIEW_PERSONAL, lab_id),
            "decision_form": DecisionForm(),
        },
    )


@login_required
def retention(request: HttpRequest, lab_id: int) -> HttpResponse:
    """The lab's retention rules, a dry run, and a run now."""
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_RETENTION)
    action = request.POST.get("action") if request.method == "POST" else None
    form = PrivacySettingsForm(
        request.POST if action == "settings" else None,
        instance=selectors.privacy_settings_for(lab=lab),
    )
    plan = None
    if action == "settings" and form.is_valid():
        try:
            services.privacy_settings_update(
                actor=request.user, lab=lab, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The retention rules are saved."))
            return redirect("privacy:retention", lab_id=lab.pk)
    elif action in ("dry_run", "apply"):
        try:
            run, plan = services.retention_apply(
                lab=lab, actor=request.user, dry_run=action == "dry_run"
            )
        except ValidationError as error:
            _errors(request, error)
            return redirect("privacy:retention", lab_id=lab.pk)
        if not run.dry_run:
            messages.success(
                request,
                _("%(n)s people were anonymised.") % {"n": run.anonymised},
            )
            return redirect("privacy:retention", lab_id=lab.pk)
    return render(
        request,
        "privacy/retention.html",
        {
            "lab": lab,
            "form": form,
            "plan": plan,
            "runs": selectors.retention_runs(lab_id=lab.pk),
        },
    )


@login_required
def erasure_request(request: HttpRequest, participant_id: int) -> HttpResponse:
    """The first person of the rule asks for the erasure."""
    participant = participant_selectors.participant_get_for_edit(
        user=request.user,
        participant_id=participant_id,
        audit=request.method == "GET",
    )
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request_create(
                actor=request.user, participant=participant, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _(
                    "The erasure is requested. A coordinator of the lab other "
                    "than you must approve it."
                ),
            )
            return redirect("participants:detail", participant_id=participant.pk)
    return render(
        request, "privacy/erasure_form.html", {"form": form, "p": participant}
    )


def _decide(request: HttpRequest, request_id: int, *, approve: bool) -> HttpResponse:
    erasure = selectors.erasure_request_get(user=request.user, request_id=request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long."))
        return redirect("privacy:dashboard", lab_id=erasure.lab_id)
    try:
        if approve:
            services.erasure_approve(actor=request.user, request=erasure)
            messages.success(request, _("Approved: the person is anonymised."))
        else:
            services.erasure_reject(
                actor=request.user, request=erasure, note=form.cleaned_data["note"]
            )
            messages.success(request, _("The erasure request is rejected."))
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    return redirect("privacy:dashboard", lab_id=erasure.lab_id)


@login_required
@require_POST
def erasure_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, approve=True)


@login_required
@require_POST
def erasure_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, approve=False)
