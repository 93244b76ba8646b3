"""E-mails to people registered for events: links, seats, reminders."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from openmil.events.models import Event, Registration

KINDS = (
    "confirm_request",
    "confirmed",
    "waitlisted",
    "promoted",
    "event_cancelled",
    "reminder",
)


def _absolute(path: str) -> str:
    scheme = "https" if settings.HTTPS else "http"
    return f"{scheme}://{settings.OPENMIL_SITE_DOMAIN}{path}"


def _send(registration: Registration, kind: str) -> None:
    from openmil.events.services import registration_token

    event = registration.event
    context = {
        "kind": kind,
        "registration": registration,
        "event": event,
        "starts": timezone.localtime(
            event.starts_at, zoneinfo.ZoneInfo(event.lab.time_zone)
        ),
        "event_url": _absolute(
            reverse("site_events:detail", kwargs={"event_id": event.pk})
        ),
        "confirm_url": _absolute(
            reverse(
                "site_events:confirm",
                kwargs={
                    "token": registration_token(
                        registration=registration, purpose="confirm"
                    )
                },
            )
        ),
        "cancel_url": _absolute(
            reverse(
                "site_events:cancel",
                kwargs={
                    "token": registration_token(
                        registration=registration, purpose="cancel"
                    )
                },
            )
        ),
        "ics_url": _absolute(reverse("site_events:ics", kwargs={"event_id": event.pk})),
    }
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        subject = render_to_string("events/public/email_subject.txt", context)
        body = render_to_string("events/public/email_body.txt", context)
    send_mail(
        " ".join(subject.split())[:150],
        body,
        settings.DEFAULT_FROM_EMAIL,
        [registration.email],
    )


@task()
def send_registration_email(*, registration_id: int, kind: str) -> bool:
    """One e-mail about a registration: the confirmation link, a seat, a
    waitlist place, a promotion, or the event's cancellation."""
    if kind not in KINDS:
        return False
    registration = (
        Registration.objects.select_related("event__lab")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return False
    _send(registration, kind)
    return True


@task()
def send_event_reminders() -> int:
    """Remind every confirmed person of an event that takes place tomorrow
    (in the lab's time zone). Each person is reminded once."""
    now = timezone.now()
    sent = 0
    candidates = Event.objects.filter(
        status=Event.Status.PUBLISHED,
        starts_at__gt=now,
        starts_at__lt=now + dt.timedelta(days=3),
    ).select_related("lab")
    for event in candidates:
        zone = zoneinfo.ZoneInfo(event.lab.time_zone)
        tomorrow = timezone.localtime(now, zone).date() + dt.timedelta(days=1)
        if timezone.localtime(event.starts_at, zone).date() != tomorrow:
            continue
        for registration in Registration.objects.filter(
            event=event, status=Registration.Status.CONFIRMED, reminded_at__isnull=True
        ).select_related("event__lab"):
            _send(registration, "reminder")
            Registration.objects.filter(pk=registration.pk).update(
                reminded_at=timezone.now()
            )
            sent += 1
    return sent
