"""Venture and territorial-need pages: thin wrappers over selectors and services."""

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
from openmil.core.forms import attach_errors, flash_form_errors
from openmil.core.roles import Perm
from openmil.participants.selectors import participant_get
from openmil.ventures import selectors, services
from openmil.ventures.forms import (
    JobsForm,
    SupportForm,
    TerritorialNeedForm,
    TransitionForm,
    VentureFilterForm,
    VentureForm,
)
from openmil.ventures.models import Venture


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff_user(request.user):
        raise Http404


@login_required
def venture_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    labs = access.labs_with(request.user, Perm.VIEW_PERSONAL)
    form = VentureFilterForm(request.GET or None, labs=labs)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"],
            "lab_id": data["lab"].pk if data["lab"] else None,
            "stage": data["stage"],
            "sector": data["sector"],
        }
    qs = selectors.venture_list(user=request.user, **filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    selectors.venture_list_audit(user=request.user, ventures=list(page.object_list))
    can_create = access.has_any(request.user, Perm.EDIT_PERSONAL)
    return render(
        request,
        "ventures/list.html",
        {"form": form, "page": page, "can_create": can_create},
    )


@login_required
def venture_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    founder_id = request.GET.get("participant", "")
    if founder_id:
        if not founder_id.isdigit():
            raise Http404
        founder = participant_get(
            user=request.user, participant_id=int(founder_id), audit=False
        )
        if not access.can(request.user, Perm.EDIT_PERSONAL, founder.lab_id):
            raise Http404
        lab, labs = founder.lab, [founder.lab]
        initial["founders_text"] = founder.reference
    else:
        lab, labs = access.lab_choice(
            request.user,
            Perm.EDIT_PERSONAL,
            request.GET.get("lab") or request.POST.get("lab"),
        )
    people = selectors.founders_choice(user=request.user, lab_id=lab.pk)
    data = request.POST if request.method == "POST" else None
    form = VentureForm(data, lab=lab, people=people, initial=initial)
    if data is not None and form.is_valid():
        try:
            venture = services.venture_create(
                actor=request.user,
                lab=lab,
                data=form.service_data(),
                founders=form.founders,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The venture is recorded."))
            return redirect("ventures:detail", venture_id=venture.pk)
    return render(
        request,
        "ventures/form.html",
        {"form": form, "lab": lab, "labs": labs, "creating": True},
    )


@login_required
def venture_detail(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = selectors.venture_get(user=request.user, venture_id=venture_id)
    can_edit = access.can(request.user, Perm.EDIT_PERSONAL, venture.lab_id)
    context = {
        "v": venture,
        "founders": venture.visible_founders,  # type: ignore[attr-defined]
        "timeline": selectors.venture_timeline(venture=venture),
        "supports": venture.supports.select_related("provider"),
        "jobs": selectors.venture_jobs_history(venture=venture),
        "can_edit": can_edit,
        "transition_form": TransitionForm(venture=venture) if can_edit else None,
        "support_form": SupportForm(lab=venture.lab) if can_edit else None,
        "jobs_form": JobsForm() if can_edit else None,
    }
    return render(request, "ventures/detail.html", context)


@login_required
def venture_edit(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = selectors.venture_get_for_edit(
        user=request.user, venture_id=venture_id, audit=request.method == "GET"
    )
    people = selectors.founders_choice(user=request.user, lab_id=venture.lab_id)
    form = VentureForm(
        request.POST or None, instance=venture, lab=venture.lab, people=people
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.venture_update(
                actor=request.user,
                venture=venture,
                data=form.service_data(),
                founders=[
                    *form.founders,
                    *selectors.hidden_founders(user=request.user, venture=venture),
                ],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("ventures:detail", venture_id=venture.pk)
    venture.refresh_from_db()
    return render(
        request,
        "ventures/form.html",
        {"form": form, "v": venture, "lab": venture.lab, "creating": False},
    )


def _post_to_venture(
    request: HttpRequest, venture: Venture, form: Any, write: Any, done: str
) -> HttpResponse:
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            write(form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, done)
    return redirect("ventures:detail", venture_id=venture.pk)


@login_required
@require_POST
def venture_transition(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = selectors.venture_get_for_edit(user=request.user, venture_id=venture_id)
    # Every stage is a valid choice here: the service refuses illegal moves
    # with a message that names them.
    form = TransitionForm(request.POST)
    return _post_to_venture(
        request,
        venture,
        form,
        lambda data: services.venture_transition(
            actor=request.user,
            venture=venture,
            to_stage=data["to_stage"],
            on=data["on"],
            registration_date=data["registration_date"],
            note=data["note"],
        ),
        _("The stage is changed."),
    )


@login_required
@require_POST
def venture_support_add(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = selectors.venture_get_for_edit(user=request.user, venture_id=venture_id)
    form = SupportForm(request.POST, lab=venture.lab)
    return _post_to_venture(
        request,
        venture,
        form,
        lambda data: services.venture_support_add(
            actor=request.user, venture=venture, data=data
        ),
        _("The support is recorded."),
    )


@login_required
@require_POST
def venture_jobs_record(request: HttpRequest, venture_id: int) -> HttpResponse:
    venture = selectors.venture_get_for_edit(user=request.user, venture_id=venture_id)
    form = JobsForm(request.POST)
    return _post_to_venture(
        request,
        venture,
        form,
        lambda data: services.venture_jobs_record(
            actor=request.user, venture=venture, jobs=data["jobs"], on=data["on"]
        ),
        _("The jobs count is recorded."),
    )


@login_required
def territorial_need_list(request: HttpRequest) -> HttpResponse:
    """The territory's needs, with the ventures answering each; add one."""
    lab, labs = access.lab_choice(
        request.user,
        Perm.VIEW_PERSONAL,
        request.GET.get("lab") or request.POST.get("lab"),
    )
    can_edit = access.can(request.user, Perm.EDIT_PERSONAL, lab.pk)
    form = None
    if can_edit:
        form = TerritorialNeedForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.territorial_need_create(
                    actor=request.user, lab=lab, data=form.service_data()
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("The territorial need is recorded."))
                response = redirect("ventures:needs")
                response["Location"] += f"?lab={lab.pk}"
                return response
    elif request.method == "POST":
        raise Http404
    needs = selectors.territorial_need_list(user=request.user, lab_id=lab.pk)
    return render(
        request,
        "ventures/needs.html",
        {"needs": needs, "lab": lab, "labs": labs, "form": form},
    )


@login_required
def territorial_need_edit(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.territorial_need_get(user=request.user, need_id=need_id)
    if not access.can(request.user, Perm.EDIT_PERSONAL, need.lab_id):
        raise Http404
    form = TerritorialNeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.territorial_need_update(
                actor=request.user, need=need, data=form.service_data()
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            response = redirect("ventures:needs")
            response["Location"] += f"?lab={need.lab_id}"
            return response
    need.refresh_from_db()
    return render(request, "ventures/need_form.html", {"form": form, "need": need})
