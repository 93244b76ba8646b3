"""iCalendar (RFC 5545) feeds of sessions, built with the icalendar library."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from openmil.activities.models import Session

PRODUCT_ID = "-//OpenMIL//Activities//EN"


def session_event(session: Session, *, stamp: dt.datetime) -> Event:
    """One session as an event. Names no participant: a feed may sit in a
    shared calendar app."""
    cohort = session.cohort
    activity = cohort.activity
    event = Event()
    event.add("uid", f"session-{session.pk}@{settings.OPENMIL_SITE_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(dt.UTC))
    event.add("dtend", session.ends_at.astimezone(dt.UTC))
    event.add("summary", f"{activity.title} · {cohort.name}")
    if session.place:
        event.add("location", session.place)
    event.add("categories", [activity.get_pillar_display()])
    return event


def feed_calendar(*, name: str, sessions: Iterable[Session]) -> bytes:
    """A calendar of the sessions, with times in UTC (every client converts)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", str(name))
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for session in sessions:
        calendar.add_component(session_event(session, stamp=stamp))
    return calendar.to_ical()
