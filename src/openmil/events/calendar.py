"""iCalendar (RFC 5545) for events: one event, or a lab's public feed."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from openmil.events.models import Event

PRODUCT_ID = "-//OpenMIL//Events//EN"


def event_component(event: Event, *, stamp: dt.datetime) -> VEvent:
    scheme = "https" if settings.HTTPS else "http"
    component = VEvent()
    component.add("uid", f"event-{event.pk}@{settings.OPENMIL_SITE_DOMAIN}")
    component.add("dtstamp", stamp)
    component.add("dtstart", event.starts_at.astimezone(dt.UTC))
    component.add("dtend", event.ends_at.astimezone(dt.UTC))
    component.add("summary", event.title)
    if event.description:
        component.add("description", event.description)
    if event.place:
        component.add("location", event.place)
    component.add(
        "url",
        f"{scheme}://{settings.OPENMIL_SITE_DOMAIN}"
        + reverse("site_events:detail", kwargs={"event_id": event.pk}),
    )
    component.add(
        "status",
        "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED",
    )
    return component


def events_calendar(*, name: str, events: Iterable[Event]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", str(name))
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for event in events:
        calendar.add_component(event_component(event, stamp=stamp))
    return calendar.to_ical()
