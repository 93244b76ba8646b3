"""Staff pages for events and check-in: thin wrappers over selectors,
services and forms."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openmil.core import access
from openmil.core.forms import attach_errors, flash_error, flash_form_errors
from openmil.core.roles import Perm
from openmil.events import selectors, services
from openmil.events.forms import (
    CancelEventForm,
    CheckInForm,
    EventCreateForm,
    EventForm,
    StaffRegistrationForm,
)
from openmil.events.models import Registration


def _labs(request: HttpRequest) -> list[Any]:
    labs = list(access.labs_with(request.user, Perm.MANAGE_EVENTS))
    if not labs:
        raise Http404
    return labs


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    labs = _labs(request)
    wanted = request.GET.get("lab", "")
    lab_id = next((lab.pk for lab in labs if str(lab.pk) == wanted), None)
    return render(
        request,
        "events/list.html",
        {
            "events": selectors.event_list(user=request.user, lab_id=lab_id),
            "labs": labs,
            "lab_id": lab_id,
        },
    )


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    lab, labs = access.lab_choice(
        request.user,
        Perm.MANAGE_EVENTS,
        request.GET.get("lab") or request.POST.get("lab"),
    )
    form = EventCreateForm(request.POST or None, lab=lab)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=request.user, lab=lab, data=form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The event is created."))
            return redirect("events:detail", event_id=event.pk)
    return render(request, "events/form.html", {"form": form, "lab": lab, "labs": labs})


@login_required
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    registrations = list(selectors.registrations_of(event=event))
    selectors.registration_list_audit(
        user=request.user, event=event, count=len(registrations)
    )
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "seats": selectors.event_seats(event=event),
            "registrations": registrations,
            "register_form": StaffRegistrationForm(),
            "cancel_form": CancelEventForm(),
        },
    )


@login_required
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    form = EventForm(
        request.POST or None, lab=event.lab, initial=EventForm.initial_from(event)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                actor=request.user, event=event, data=form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("events:detail", event_id=event.pk)
    return render(
        request, "events/form.html", {"form": form, "lab": event.lab, "event": event}
    )


@login_required
@require_POST
def event_publish(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    try:
        services.event_publish(actor=request.user, event=event)
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The event is on the public site."))
    return redirect("events:detail", event_id=event.pk)


@login_required
@require_POST
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    form = CancelEventForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("events:detail", event_id=event.pk)
    try:
        services.event_cancel(actor=request.user, event=event)
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(
            request, _("The event is cancelled; registered people are told.")
        )
    return redirect("events:detail", event_id=event.pk)


@login_required
@require_POST
def registration_add(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    form = StaffRegistrationForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("events:detail", event_id=event.pk)
    try:
        registration = services.registration_add(
            actor=request.user,
            event=event,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            language=request.LANGUAGE_CODE,
        )
    except ValidationError as error:
        flash_error(request, error)
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(request, _("Registered with a place."))
        else:
            messages.warning(request, _("The event is full: put on the waitlist."))
    return redirect("events:detail", event_id=event.pk)


@login_required
@require_POST
def registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = selectors.registration_get(
        user=request.user, registration_id=registration_id
    )
    services.registration_cancel(actor=request.user, registration=registration)
    messages.success(request, _("The registration is cancelled."))
    return redirect("events:detail", event_id=registration.event_id)


@login_required
def check_in(request: HttpRequest, event_id: int) -> HttpResponse:
    """The door list on the day: tick a name, or type the person's code."""
    event = selectors.event_get(user=request.user, event_id=event_id)
    form = CheckInForm(request.POST or None)
    if request.method == "POST":
        picked = request.POST.get("registration")
        try:
            if picked:
                registration = selectors.registration_get(
                    user=request.user, registration_id=picked
                )
                if registration.event_id != event.pk:
                    raise Http404
                done = services.registration_check_in(
                    actor=request.user, event=event, registration=registration
                )
            elif form.is_valid():
                done = services.registration_check_in(
                    actor=request.user, event=event, code=form.cleaned_data["code"]
                )
            else:
                raise ValidationError(_("Enter a code or pick a name."))
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("Checked in: %(code)s") % {"code": done.code})
        return redirect("events:check_in", event_id=event.pk)
    confirmed = list(
        selectors.registrations_of(
            event=event, statuses=(Registration.Status.CONFIRMED,)
        )
    )
    selectors.registration_list_audit(
        user=request.user, event=event, count=len(confirmed)
    )
    return render(
        request,
        "events/check_in.html",
        {
            "event": event,
            "form": CheckInForm(),
            "registrations": confirmed,
            "arrived": sum(1 for r in confirmed if r.checked_in_at),
        },
    )
