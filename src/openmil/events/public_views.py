"""Public pages: upcoming events, registration by e-mail with a confirmation
link, cancellation by the registrant, calendar files, volunteer sign-up.

Forms are throttled by IP address (django-ratelimit) and carry a honeypot.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmil.campaigns.services import conversion_record
from openmil.events import selectors, services
from openmil.events.calendar import events_calendar
from openmil.events.models import Registration
from openmil.events.public_forms import KIND_LABELS, RegistrationForm, VolunteerForm
from openmil.public.throttle import throttle

REGISTRATION_RATE = "20/h"
SIGNUP_RATE = "10/h"


def event_list(request: HttpRequest) -> HttpResponse:
    events = list(selectors.public_event_list(lab_slug=request.GET.get("lab", "")))
    return render(
        request,
        "events/public/list.html",
        {"events": events, "kinds": KIND_LABELS},
    )


@throttle(key="ip", rate=REGISTRATION_RATE)
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.public_event_get(event_id=event_id)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam():
            # Look like success to a robot; keep nothing.
            return redirect("site_events:requested", event_id=event.pk)
        if form.is_valid():
            try:
                services.registration_request(
                    event=event,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    language=request.LANGUAGE_CODE,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, errs in error.message_dict.items():
                        form.add_error(name if name in form.fields else None, errs)
                else:
                    form.add_error(None, error.messages)
            else:
                conversion_record(request, "registration")
                return redirect("site_events:requested", event_id=event.pk)
    return render(
        request,
        "events/public/detail.html",
        {
            "event": event,
            "kind": KIND_LABELS.get(event.kind, ""),
            "seats": selectors.event_seats(event=event),
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


def requested(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.public_event_get(event_id=event_id)
    return render(request, "events/public/requested.html", {"event": event})


def _from_token(token: str, purpose: str) -> Registration:
    try:
        return services.registration_from_token(token=token, purpose=purpose)
    except ValidationError:
        raise Http404 from None


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the first e-mail: a button to confirm (a link checker
    fetching the page confirms nothing)."""
    registration = _from_token(token, "confirm")
    error = ""
    if request.method == "POST":
        try:
            registration = services.registration_confirm(registration=registration)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "events/public/confirm.html",
        {
            "registration": registration,
            "event": registration.event,
            "error": error,
            "done": request.method == "POST" and not error,
        },
    )


def cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = _from_token(token, "cancel")
    if request.method == "POST":
        registration = services.registration_cancel(
            actor=None, registration=registration
        )
    return render(
        request,
        "events/public/cancel.html",
        {"registration": registration, "event": registration.event},
    )


def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.public_event_get(event_id=event_id)
    response = HttpResponse(
        events_calendar(name=event.title, events=[event]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def lab_feed(request: HttpRequest, lab_slug: str) -> HttpResponse:
    events = list(selectors.public_feed_events(lab_slug=lab_slug))
    if not events:
        raise Http404
    return HttpResponse(
        events_calendar(name=events[0].lab.name, events=events),
        content_type="text/calendar; charset=utf-8",
    )


@throttle(key="ip", rate=SIGNUP_RATE)
def volunteer_signup(request: HttpRequest) -> HttpResponse:
    form = VolunteerForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam():
            return redirect("site_volunteer:thanks")
        if form.is_valid():
            try:
                services.volunteer_apply(
                    lab=form.cleaned_data["lab"], data=form.service_data()
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return redirect("site_volunteer:thanks")
    return render(
        request,
        "events/public/volunteer.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


def volunteer_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "events/public/volunteer_thanks.html")
