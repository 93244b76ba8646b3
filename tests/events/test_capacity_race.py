"""Registrations confirmed at the same moment never overfill an event
(PostgreSQL).

Threads confirm different people's registrations for one event at once. The
service locks the event row (`select_for_update`) before counting, so the
second confirmation waits for the first to commit and then counts it. The
clock the service reads between counting and writing is slowed down to hold
the window wide open; the control test shows that without the lock this very
set-up does overfill the event.
"""

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from openmil.events import services
from openmil.events.models import Event, Registration
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "needs PostgreSQL (set DATABASE_URL): SQLite serialises writes, so "
            "there is no concurrent registration to race"
        ),
    ),
]

THREADS = 8
CAPACITY = 3


@pytest.fixture(autouse=True)
def _flushable(committed_db):
    """Committed rows, emptied by a flush (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    """The e-mails queued on commit are not what is raced here."""
    monkeypatch.setattr(services, "_notify", lambda registration, kind: None)


def confirm_at_once(pending) -> list[BaseException]:
    barrier = threading.Barrier(len(pending))
    errors: list[BaseException] = []

    def run(registration) -> None:
        try:
            barrier.wait(timeout=10)
            services.registration_confirm(registration=registration)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(r,)) for r in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.fixture
def slow_clock(monkeypatch):
    """The service reads the clock after counting and before writing."""
    real_now = timezone.now

    def slow_now():
        time.sleep(0.15)
        return real_now()

    monkeypatch.setattr(services.timezone, "now", slow_now)


@pytest.fixture
def crowd(lab_a):
    event = EventFactory(lab=lab_a, capacity=CAPACITY)
    pending = [
        RegistrationFactory(
            event=event, status=Registration.Status.PENDING, confirmed_at=None
        )
        for _ in range(THREADS)
    ]
    return event, pending


def statuses(event) -> list[str]:
    return list(
        Registration.objects.filter(event=event)
        .order_by("confirmed_at", "id")
        .values_list("status", flat=True)
    )


def test_simultaneous_confirmations_never_overfill_the_event(crowd, slow_clock):
    event, pending = crowd
    errors = confirm_at_once(pending)
    assert errors == []
    result = statuses(event)
    assert result.count(Registration.Status.CONFIRMED) == CAPACITY
    assert result.count(Registration.Status.WAITLISTED) == THREADS - CAPACITY
    # Seated in the order the locks were granted.
    assert result[:CAPACITY] == [Registration.Status.CONFIRMED] * CAPACITY


def test_without_the_row_lock_the_same_race_overfills(crowd, slow_clock, monkeypatch):
    """The control: the test above would catch a missing lock."""
    event, pending = crowd
    real = Event.objects.select_for_update
    monkeypatch.setattr(
        Event.objects, "select_for_update", lambda *a, **k: Event.objects.all()
    )
    errors = confirm_at_once(pending)
    monkeypatch.setattr(Event.objects, "select_for_update", real)
    assert errors == []
    assert statuses(event).count(Registration.Status.CONFIRMED) > CAPACITY
