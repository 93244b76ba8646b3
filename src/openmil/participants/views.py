"""Participant pages: thin wrappers over selectors, services and forms."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.classifications.selectors import occupation_search
from openmil.core import access
from openmil.core.forms import attach_errors, flash_form_errors
from openmil.core.roles import Perm
from openmil.participants import selectors, services
from openmil.participants.forms import (
    ConsentForm,
    FollowUpForm,
    NeedForm,
    ParticipantFilterForm,
    ParticipantForm,
    ProtectionForm,
    TriageForm,
)


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff_user(request.user):
        raise Http404


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def participant_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    labs = access.labs_with(request.user, Perm.VIEW_PERSONAL)
    form = ParticipantFilterForm(request.GET or None, labs=labs)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"],
            "lab_id": data["lab"].pk if data["lab"] else None,
            "profile": data["profile"],
            "caseworker_id": request.user.pk if data["mine"] else None,
        }
    qs = selectors.participant_list(user=request.user, **filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    selectors.participant_list_audit(
        user=request.user, participants=list(page.object_list)
    )
    template = "participants/list.html"
    if (
        request.headers.get("HX-Request")
        and request.headers.get("HX-Target") == "results"
    ):
        template += "#results"
    return render(request, template, {"form": form, "page": page})


@login_required
def participant_create(request: HttpRequest) -> HttpResponse:
    """Intake: the person's record and the triage of basic needs, at once."""
    lab, labs = access.lab_choice(
        request.user,
        Perm.EDIT_PERSONAL,
        request.GET.get("lab") or request.POST.get("lab"),
    )
    data = request.POST if request.method == "POST" else None
    form = ParticipantForm(
        data,
        lab=lab,
        show_sensitive=True,
        initial={"caseworker": request.user.pk} if data is None else None,
    )
    triage = [
        TriageForm(data, prefix=f"need-{nt.code}", need_type=nt)
        for nt in selectors.need_types_for_lab(lab_id=lab.pk)
    ]
    if data is not None and form.is_valid() and all(t.is_valid() for t in triage):
        needs = [n for n in (t.need_data() for t in triage) if n]
        try:
            participant = services.participant_register(
                actor=request.user,
                lab=lab,
                data=form.service_data(),
                household_reference=form.cleaned_data["household_reference"],
                past_occupations=list(form.cleaned_data["past_occupations"]),
                needs=needs,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is registered.") % {"name": participant}
            )
            return redirect("participants:detail", participant_id=participant.pk)
    return render(
        request,
        "participants/form.html",
        {"form": form, "triage": triage, "lab": lab, "labs": labs, "creating": True},
    )


@login_required
def participant_detail(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = selectors.participant_get(
        user=request.user, participant_id=participant_id
    )
    can_edit = access.can(request.user, Perm.EDIT_PERSONAL, participant.lab_id)
    needs = list(participant.needs.select_related("need_type", "owner"))
    context = {
        "p": participant,
        "show_sensitive": selectors.can_see_sensitive(
            user=request.user, participant=participant
        ),
        "can_edit": can_edit,
        "can_audit": access.can(request.user, Perm.VIEW_AUDIT, participant.lab_id),
        "needs": needs,
        "consents": participant.consents.select_related("recorded_by"),
        "follow_ups": participant.follow_ups.select_related("assigned_to"),
        "household": selectors.household_members(
            user=request.user, participant=participant
        ),
        "protection": selectors.protected_case_for(participant=participant),
        "can_protect": access.can(
            request.user, Perm.MANAGE_PROTECTION, participant.lab_id
        ),
        "occupations": participant.past_occupations.select_related("isco_group"),
        "blockers": selectors.pathway_blockers(participant=participant, needs=needs),
        "need_form": NeedForm(lab=participant.lab) if can_edit else None,
        "consent_form": ConsentForm() if can_edit else None,
        "follow_up_form": FollowUpForm() if can_edit else None,
    }
    return render(request, "participants/detail.html", context)


@login_required
def participant_edit(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = selectors.participant_get_for_edit(
        user=request.user,
        participant_id=participant_id,
        audit=request.method == "GET",
    )
    show_sensitive = selectors.can_see_sensitive(
        user=request.user, participant=participant
    )
    form = ParticipantForm(
        request.POST or None,
        instance=participant,
        lab=participant.lab,
        show_sensitive=show_sensitive,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                actor=request.user,
                participant=participant,
                data=form.service_data(),
                household_reference=form.cleaned_data["household_reference"],
                past_occupations=list(form.cleaned_data["past_occupations"]),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("participants:detail", participant_id=participant.pk)
    # Discard unsaved edits held on the instance by a failed form.
    participant.refresh_from_db()
    return render(
        request,
        "participants/form.html",
        {"form": form, "p": participant, "lab": participant.lab, "creating": False},
    )


def _submit(
    request: HttpRequest,
    form: Any,
    write: Callable[[dict[str, Any]], object],
    done: str,
) -> None:
    """Validate a small form posted from the participant page and write it.

    Errors and the outcome become messages shown on the page it returns to.
    """
    if not form.is_valid():
        flash_form_errors(request, form)
        return
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, done)


def _back(participant_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("participants:detail", participant_id=participant_id)
    response["Location"] += anchor
    return response


@login_required
@require_POST
def need_add(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    form = NeedForm(request.POST, lab=participant.lab)
    _submit(
        request,
        form,
        lambda data: services.need_add(
            actor=request.user, participant=participant, data=data
        ),
        _("The need is recorded."),
    )
    return _back(participant.pk, "#needs")


@login_required
def need_edit(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, need_id=need_id)
    participant = need.participant
    if not access.can(request.user, Perm.EDIT_PERSONAL, participant.lab_id):
        raise Http404
    form = NeedForm(
        request.POST or None, instance=need, lab=participant.lab, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(actor=request.user, need=need, data=form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The need is updated."))
            return _back(participant.pk, "#needs")
    need.refresh_from_db()
    return render(request, "participants/need_form.html", {"form": form, "need": need})


@login_required
@require_POST
def consent_give(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    form = ConsentForm(request.POST)
    _submit(
        request,
        form,
        lambda data: services.consent_give(
            actor=request.user, participant=participant, **data
        ),
        _("The consent is recorded."),
    )
    return _back(participant.pk, "#consents")


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = selectors.consent_get(user=request.user, consent_id=consent_id)
    try:
        services.consent_withdraw(actor=request.user, consent=consent)
        messages.success(request, _("The consent is withdrawn. This takes effect now."))
    except ValidationError as error:
        _error_messages(request, error)
    except PermissionDenied:
        raise Http404 from None
    # Withdrawing case-management consent can hide the record from this user.
    if (
        not selectors.participant_queryset(user=request.user)
        .filter(pk=consent.participant_id)
        .exists()
    ):
        return redirect("participants:list")
    return _back(consent.participant_id, "#consents")


@login_required
@require_POST
def follow_up_add(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    form = FollowUpForm(request.POST)
    _submit(
        request,
        form,
        lambda data: services.follow_up_schedule(
            actor=request.user, participant=participant, **data
        ),
        _("The follow-up is planned."),
    )
    return _back(participant.pk, "#follow-ups")


@login_required
@require_POST
def follow_up_done(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = selectors.follow_up_get(user=request.user, follow_up_id=follow_up_id)
    try:
        services.follow_up_complete(actor=request.user, follow_up=follow_up)
        messages.success(request, _("The follow-up is done."))
    except ValidationError as error:
        _error_messages(request, error)
    except PermissionDenied:
        raise Http404 from None
    if request.POST.get("back") == "home":
        return redirect("core:home")
    return _back(follow_up.participant_id, "#follow-ups")


@login_required
@require_POST
def pathway_start(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = selectors.participant_get_for_edit(
        user=request.user, participant_id=participant_id
    )
    try:
        with transaction.atomic():
            services.pathway_start(actor=request.user, participant=participant)
        messages.success(request, _("The integration pathway has started."))
    except ValidationError as error:
        _error_messages(request, error)
    return _back(participant.pk)


@login_required
def protection(request: HttpRequest, participant_id: int) -> HttpResponse:
    """A coordinator marks the case protected, names its staff, or lifts it."""
    participant = selectors.participant_get(
        user=request.user,
        participant_id=participant_id,
        audit=request.method == "GET",
    )
    if not access.can(request.user, Perm.MANAGE_PROTECTION, participant.lab_id):
        raise Http404
    case = selectors.protected_case_for(participant=participant)
    if request.method == "POST" and request.POST.get("action") == "lift":
        try:
            services.protected_case_lift(actor=request.user, participant=participant)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("The case is no longer protected."))
        return _back(participant.pk)
    initial = (
        {"staff": list(case.staff.all()), "reason": case.reason}
        if case
        else {"staff": [u for u in (request.user, participant.caseworker) if u]}
    )
    form = ProtectionForm(
        request.POST if request.method == "POST" else None,
        lab=participant.lab,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.protected_case_set(
                actor=request.user,
                participant=participant,
                staff=list(form.cleaned_data["staff"]),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("The case is protected: only the named staff see it.")
            )
            # The actor may no longer be named: their next page is the list.
            if (
                selectors.participant_queryset(user=request.user)
                .filter(pk=participant.pk)
                .exists()
            ):
                return _back(participant.pk)
            return redirect("participants:list")
    return render(
        request,
        "participants/protection.html",
        {"p": participant, "form": form, "case": case},
    )


@login_required
def occupation_lookup(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    # The picker's search box sends its own name (no script builds the query).
    query = request.GET.get("q") or request.GET.get("occupation_q", "")
    results = occupation_search(query=query[:100])
    return render(
        request,
        "participants/occupation_results.html",
        {"results": results, "query": query},
    )
