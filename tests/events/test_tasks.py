"""Reminders go out the day before, once, to confirmed people only."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from openmil.events import tasks
from openmil.events.models import Event, Registration
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

#: 10:00 in Lisbon (summer time), three days before the event.
NOW = dt.datetime(2031, 6, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    current = {"now": NOW}

    def now():
        return current["now"]

    monkeypatch.setattr(tasks.timezone, "now", now)
    return current


def test_reminders_go_out_the_day_before_and_only_once(lab_a, clock):
    starts = dt.datetime(2031, 6, 13, 17, 30, tzinfo=dt.UTC)
    event = EventFactory(
        lab=lab_a, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    seated = RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    RegistrationFactory(event=event, status=Registration.Status.PENDING)

    assert tasks.send_event_reminders.call() == 0
    clock["now"] = NOW + dt.timedelta(days=1)  # two days before
    assert tasks.send_event_reminders.call() == 0
    clock["now"] = NOW + dt.timedelta(days=2)  # the day before
    assert tasks.send_event_reminders.call() == 1
    assert [m.to for m in mail.outbox] == [[seated.email]]
    assert "tomorrow" in mail.outbox[0].body
    assert seated.code in mail.outbox[0].body
    assert "/site/events/cancel/" in mail.outbox[0].body
    clock["now"] = NOW + dt.timedelta(days=2, hours=6)
    assert tasks.send_event_reminders.call() == 0
    assert len(mail.outbox) == 1


def test_the_day_before_is_counted_in_the_labs_time_zone(lab_a, clock):
    lab_a.time_zone = "Pacific/Auckland"
    lab_a.save()
    # 10:00 on 12 June in Auckland is 22:00 UTC on 11 June.
    starts = dt.datetime(2031, 6, 11, 22, 0, tzinfo=dt.UTC)
    event = EventFactory(
        lab=lab_a, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    RegistrationFactory(event=event)
    # 09:00 UTC on 10 June is 21:00 on 10 June in Auckland: two days before.
    assert tasks.send_event_reminders.call() == 0
    # 09:00 UTC on 11 June, the same day in UTC, is 21:00 on 11 June in
    # Auckland: the day before.
    clock["now"] = NOW + dt.timedelta(days=1)
    assert tasks.send_event_reminders.call() == 1


def test_cancelled_events_send_no_reminder(lab_a, clock):
    starts = NOW + dt.timedelta(days=1)
    event = EventFactory(
        lab=lab_a,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        status=Event.Status.CANCELLED,
    )
    RegistrationFactory(event=event)
    assert tasks.send_event_reminders.call() == 0


def test_the_daily_command_queues_the_reminders(lab_a, clock):
    starts = NOW + dt.timedelta(days=1)
    RegistrationFactory(
        event=EventFactory(
            lab=lab_a, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
        )
    )
    call_command("events_daily")
    assert len(mail.outbox) == 1
