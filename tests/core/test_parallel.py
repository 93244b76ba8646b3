"""Read-only work on several connections reading one snapshot."""

import threading

import pytest
from django.db import connection, connections, transaction

from openmil.core.models import Lab
from openmil.core.parallel import connections_wanted, run_on_snapshot
from tests.factories import LabFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite runs the tasks in turn",
)


def _thread() -> str:
    return threading.current_thread().name


@pytest.mark.django_db
def test_inside_a_transaction_the_tasks_run_in_turn_on_the_callers_connection():
    # A test's transaction holds rows no other connection sees, as would a
    # caller's atomic(): the tasks must read them, so they run here.
    lab = LabFactory()
    assert connections_wanted() == 1
    results = run_on_snapshot(
        [
            _thread,
            lambda: Lab.objects.filter(pk=lab.pk).exists(),
            lambda: 3,
        ],
        workers=2,
    )
    assert results == [threading.current_thread().name, True, 3]


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_db")
def test_on_postgresql_the_tasks_run_at_once_on_connections_of_their_own(
    settings,
):
    settings.OPENMIL_ANALYTIC_CONNECTIONS = 2
    assert connections_wanted() == 2
    both_running = threading.Barrier(2)

    def backend() -> int:
        # Both tasks must be running at once to pass the barrier.
        both_running.wait(timeout=10)
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (own,) = cursor.fetchone()
    pids = run_on_snapshot([backend, backend])
    assert len(set(pids)) == 2
    assert own not in pids


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_db")
def test_every_task_reads_the_snapshot_taken_when_the_run_began():
    LabFactory.create_batch(2)
    started = threading.Barrier(2)
    written = threading.Event()

    def count_after_a_commit_elsewhere() -> int:
        started.wait(timeout=10)

        def write() -> None:
            try:
                with transaction.atomic():
                    LabFactory()
            finally:
                connections.close_all()

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=10)
        written.set()
        return Lab.objects.count()

    def count_after_it() -> int:
        started.wait(timeout=10)
        written.wait(timeout=10)
        return Lab.objects.count()

    counts = run_on_snapshot([count_after_a_commit_elsewhere, count_after_it])
    # The lab committed while the tasks ran is in neither's count...
    assert counts == [2, 2]
    # ...and is there for whoever reads afterwards.
    assert Lab.objects.count() == 3


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_db")
def test_what_a_task_writes_is_rolled_back_and_its_failure_reaches_the_caller():
    def create_temporary_table() -> bool:
        with connections["default"].cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE _scratch AS SELECT 1 AS x")
        return True

    def fail() -> None:
        raise ValueError("task failed")

    assert run_on_snapshot([create_temporary_table, lambda: 1]) == [True, 1]
    with pytest.raises(ValueError, match="task failed"):
        run_on_snapshot([fail, lambda: 1])
    # The caller's connection is still usable, outside any transaction.
    assert not connection.in_atomic_block
    assert Lab.objects.count() == 0
