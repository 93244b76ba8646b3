"""Partner pages: directory, referrals, partner portal, opportunities,
lab referral settings and the ecosystem steering view."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.forms import attach_errors, flash_error
from openmil.core.roles import Perm
from openmil.participants.selectors import participant_get, participant_queryset
from openmil.partners import selectors, services
from openmil.partners.forms import (
    DirectoryFilterForm,
    OpportunityForm,
    ReasonForm,
    ReferralFilterForm,
    ReferralForm,
    ReferralSettingsForm,
    SendForm,
    ServiceForm,
)

PAGE_SIZE = 25


@login_required
def partners_home(request: HttpRequest) -> HttpResponse:
    """Partner staff land on their queue; everyone else on the directory."""
    if selectors.is_partner_staff(request.user) and not access.is_staff_user(
        request.user
    ):
        return redirect("partners:portal")
    return redirect("partners:directory")


# ---------------------------------------------------------------------------
# Directory.


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    lab_ids = access.lab_ids_with(request.user, Perm.VIEW_DIRECTORY)
    if not lab_ids:
        raise Http404
    form = DirectoryFilterForm(
        request.GET or None, areas=selectors.area_choices(lab_ids=lab_ids)
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if k != "q"}
        filters["query"] = form.cleaned_data["q"]
    qs = selectors.service_list(user=request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "partners/directory.html"
    if (
        request.headers.get("HX-Request")
        and request.headers.get("HX-Target") == "results"
    ):
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "organisations": selectors.organisation_queryset(user=request.user)
            .select_related("lab")
            .order_by("name"),
            "ecosystem_labs": access.labs_with(request.user, Perm.VIEW_ECOSYSTEM),
            "settings_labs": access.labs_with(request.user, Perm.MANAGE_DIRECTORY),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = selectors.organisation_get(user=request.user, organisation_id=organisation_id)
    return render(
        request,
        "partners/organisation.html",
        {
            "org": org,
            "services": org.services.select_related("need_type").order_by("name"),
            "opportunities": org.opportunities.select_related("isco_group"),
            "can_manage": selectors.can_manage_organisation(request.user, org),
        },
    )


@login_required
def service_create(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = selectors.organisation_get(user=request.user, organisation_id=organisation_id)
    if not selectors.can_manage_organisation(request.user, org):
        raise Http404
    form = ServiceForm(request.POST or None, lab=org.lab)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_create(
                actor=request.user, organisation=org, data=form.service_data()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The service is saved."))
            return redirect("partners:organisation", organisation_id=org.pk)
    return render(request, "partners/service_form.html", {"form": form, "org": org})


@login_required
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    service = selectors.service_get(user=request.user, service_id=service_id)
    org = service.organisation
    if not selectors.can_manage_organisation(request.user, org):
        raise Http404
    form = ServiceForm(request.POST or None, instance=service, lab=org.lab)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                actor=request.user, service=service, data=form.service_data()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The service is saved."))
            return redirect("partners:organisation", organisation_id=org.pk)
    return render(
        request,
        "partners/service_form.html",
        {"form": form, "org": org, "service": service},
    )


# ---------------------------------------------------------------------------
# Referrals, the referring side.


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff_user(request.user):
        raise Http404


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """The user's referrals; `?refer=<reference>` starts a new one."""
    _staff_only(request)
    wanted = request.GET.get("refer", "").replace("\x00", "").strip()[:40]
    if wanted:
        person = (
            participant_queryset(user=request.user)
            .filter(
                reference=wanted,
                lab_id__in=access.lab_ids_with(request.user, Perm.REFER),
            )
            .first()
        )
        if person is not None:
            return redirect("partners:referral_create", participant_id=person.pk)
        messages.error(request, _("No participant you may refer has this reference."))
    form = ReferralFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = dict(form.cleaned_data)
    qs = selectors.referral_list(user=request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.referral_list_audit(user=request.user, referrals=list(page.object_list))
    return render(request, "partners/referral_list.html", {"form": form, "page": page})


@login_required
def referral_create(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = participant_get(user=request.user, participant_id=participant_id)
    if not access.can(request.user, Perm.REFER, participant.lab_id):
        raise Http404
    form = ReferralForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=request.user,
                participant=participant,
                service=data["service"],
                need=data["need"],
                note=data["note"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The referral is saved as a draft."))
            return redirect("partners:referral_detail", referral_id=referral.pk)
    return render(
        request, "partners/referral_form.html", {"form": form, "p": participant}
    )


@login_required
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, referral_id=referral_id)
    if selectors.sees_as_partner(user=request.user, referral=referral):
        return redirect("partners:portal_referral", referral_id=referral.pk)
    can_refer = access.can(request.user, Perm.REFER, referral.lab_id)
    return render(
        request,
        "partners/referral_detail.html",
        {
            "r": referral,
            "events": referral.events.all(),
            "can_refer": can_refer,
            "can_override": access.can(
                request.user, Perm.OVERRIDE_CONSENT, referral.lab_id
            ),
            "send_form": SendForm(),
            "reason_form": ReasonForm(),
            "shared": selectors.shared_participant_rows(referral=referral),
        },
    )


@login_required
@require_POST
def referral_action(
    request: HttpRequest, referral_id: int, action: str
) -> HttpResponse:
    """One transition posted from the referral page or the partner portal."""
    if action not in services.REFERRAL_ACTIONS:
        raise Http404
    referral = selectors.referral_get(
        user=request.user, referral_id=referral_id, audit=False
    )
    as_partner = selectors.sees_as_partner(user=request.user, referral=referral)
    kwargs: dict[str, Any] = {}
    if action == "send":
        form: Any = SendForm(request.POST)
        if form.is_valid():
            kwargs["override_reason"] = form.cleaned_data["override_reason"]
    elif action != "accept":
        form = ReasonForm(request.POST)
        if form.is_valid():
            kwargs["reason"] = form.cleaned_data["reason"]
    else:
        form = None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.REFERRAL_ACTIONS[action](
                actor=request.user, referral=referral, **kwargs
            )
        except ValidationError as error:
            flash_error(request, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The referral is updated."))
    name = "partners:portal_referral" if as_partner else "partners:referral_detail"
    return redirect(name, referral_id=referral.pk)


# ---------------------------------------------------------------------------
# The partner portal.


def _partner_only(request: HttpRequest) -> None:
    if not selectors.is_partner_staff(request.user):
        raise Http404


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    _partner_only(request)
    queue = selectors.partner_queue(user=request.user)
    return render(request, "partners/portal.html", {"queue": queue})


@login_required
def portal_referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    _partner_only(request)
    referral = selectors.referral_get(user=request.user, referral_id=referral_id)
    if referral.organisation_id not in selectors.partner_organisation_ids(request.user):
        raise Http404
    return render(
        request,
        "partners/portal_referral.html",
        {
            "r": referral,
            "shared": selectors.shared_participant_rows(referral=referral),
            "events": referral.events.all(),
            "reason_form": ReasonForm(),
        },
    )


# ---------------------------------------------------------------------------
# Opportunities.


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    orgs = selectors.partner_organisation_ids(request.user)
    if not access.has_any(request.user, Perm.VIEW_DIRECTORY):
        raise Http404
    qs = selectors.opportunity_list(user=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/opportunity_list.html",
        {"page": page, "own_orgs": orgs},
    )


@login_required
def opportunity_create(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = selectors.organisation_get(user=request.user, organisation_id=organisation_id)
    if not selectors.can_manage_organisation(request.user, org):
        raise Http404
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_create(
                actor=request.user, organisation=org, data=form.opportunity_data()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The opportunity is published."))
            return redirect("partners:organisation", organisation_id=org.pk)
    return render(request, "partners/opportunity_form.html", {"form": form, "org": org})


@login_required
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(
        user=request.user, opportunity_id=opportunity_id
    )
    org = opportunity.organisation
    if not selectors.can_manage_organisation(request.user, org):
        raise Http404
    form = OpportunityForm(request.POST or None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                actor=request.user,
                opportunity=opportunity,
                data=form.opportunity_data(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The opportunity is saved."))
            return redirect("partners:organisation", organisation_id=org.pk)
    return render(
        request,
        "partners/opportunity_form.html",
        {"form": form, "org": org, "opportunity": opportunity},
    )


# ---------------------------------------------------------------------------
# Lab settings and steering.


@login_required
def referral_settings(request: HttpRequest, lab_id: int) -> HttpResponse:
    lab = access.lab_get(request.user, lab_id=lab_id, permission=Perm.MANAGE_DIRECTORY)
    if not access.can(request.user, Perm.MANAGE_LAB, lab.pk):
        raise Http404
    current = selectors.referral_settings_for(lab=lab)
    form = ReferralSettingsForm(
        request.POST or None,
        initial={
            "shared_fields": current.shared_fields,
            "completion_days": current.completion_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_settings_update(
                actor=request.user, lab=lab, **form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The referral settings are saved."))
            return redirect("partners:settings", lab_id=lab.pk)
    return render(request, "partners/settings.html", {"form": form, "lab": lab})


@login_required
def steering(request: HttpRequest, lab_id: int) -> HttpResponse:
    summary = selectors.ecosystem_summary(user=request.user, lab_id=lab_id)
    return render(request, "partners/steering.html", {"eco": summary})
