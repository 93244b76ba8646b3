"""Enrolments at the same moment never overfill a cohort (PostgreSQL).

Threads enrol different people into one cohort at once. The service locks
the cohort row (`select_for_update`) before counting, so the second
enrolment waits for the first to commit and then counts it. The clock the
service reads between counting and writing is slowed down, to hold the
window between the two wide open; the control test shows that without the
lock this very set-up does overfill the cohort.
"""

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from openmil.activities import services
from openmil.activities.models import Cohort, Enrolment
from tests.activities.factories import ActivityFactory, CohortFactory
from tests.factories import ParticipantFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "needs PostgreSQL (set DATABASE_URL): SQLite serialises writes, so "
            "there is no concurrent enrolment to race"
        ),
    ),
]

THREADS = 8
CAPACITY = 3


@pytest.fixture(autouse=True)
def _flushable(committed_db):
    """Committed rows, emptied by a flush (tests/conftest.py)."""


def enrol_at_once(actor, cohort, people) -> list[BaseException]:
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def run(person) -> None:
        try:
            barrier.wait(timeout=10)
            services.enrolment_create(actor=actor, cohort=cohort, participant=person)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(p,)) for p in people]
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
    cohort = CohortFactory(activity=ActivityFactory(lab=lab_a), capacity=CAPACITY)
    people = [ParticipantFactory(lab=lab_a) for _ in range(THREADS)]
    return cohort, people


def statuses(cohort) -> list[str]:
    return list(
        Enrolment.objects.filter(cohort=cohort)
        .order_by("requested_at", "id")
        .values_list("status", flat=True)
    )


def test_simultaneous_enrolments_never_overfill_the_cohort(
    crowd, coordinator, slow_clock
):
    cohort, people = crowd
    errors = enrol_at_once(coordinator, cohort, people)
    assert errors == []
    result = statuses(cohort)
    assert len(result) == THREADS
    assert result.count(Enrolment.Status.ENROLLED) == CAPACITY
    assert result.count(Enrolment.Status.WAITLISTED) == THREADS - CAPACITY
    # Served in the order the locks were granted: the first three are in.
    assert result[:CAPACITY] == [Enrolment.Status.ENROLLED] * CAPACITY


def test_without_the_row_lock_the_same_race_overfills(
    crowd, coordinator, slow_clock, monkeypatch
):
    """The control: the test above would catch a missing lock."""
    cohort, people = crowd
    monkeypatch.setattr(
        Cohort.objects, "select_for_update", lambda *a, **k: Cohort.objects.all()
    )
    errors = enrol_at_once(coordinator, cohort, people)
    assert errors == []
    assert statuses(cohort).count(Enrolment.Status.ENROLLED) > CAPACITY
