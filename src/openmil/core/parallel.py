"""Read-only work spread over several database connections that all read
one snapshot of the database.

PostgreSQL runs each query of a connection on one core. Work made of
independent read-only queries (the indicators of a recompute) finishes
sooner on several connections at once, and `pg_export_snapshot()` lets
every connection read exactly what the first one reads (as `pg_dump --jobs`
does), so the figures are as consistent as if one connection had read
them all, even while people keep writing.

Elsewhere (SQLite), inside an open transaction (whose uncommitted rows no
other connection can see: a test, a caller's `atomic()`), or with one
connection asked for, the tasks run one after another on the caller's
connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

T = TypeVar("T")


def connections_wanted(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many connections `run_on_snapshot` would use now."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(settings.OPENMIL_ANALYTIC_CONNECTIONS))


def run_on_snapshot(
    tasks: Sequence[Callable[[], T]],
    *,
    using: str = DEFAULT_DB_ALIAS,
    workers: int | None = None,
) -> list[T]:
    """Run read-only `tasks` and return their results in order.

    With more than one worker, each runs on its own connection in a
    repeatable-read transaction importing the snapshot this connection
    exports, and takes the next task when it is free (give the longest
    tasks first). What a task writes (a temporary table) is rolled back
    with its transaction.
    """
    wanted = connections_wanted(using)
    if workers is not None and wanted > 1:
        wanted = workers
    if wanted <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()

        def run(task: Callable[[], T]) -> T:
            return _run_in_snapshot(task, using=using, snapshot=snapshot)

        with ThreadPoolExecutor(
            max_workers=min(wanted, len(tasks)), thread_name_prefix="snapshot"
        ) as pool:
            return list(pool.map(run, tasks))


def _run_in_snapshot(task: Callable[[], T], *, using: str, snapshot: str) -> T:
    connection = connections[using]
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            result = task()
            transaction.set_rollback(True, using=using)
            return result
    finally:
        # The thread's own connection: closed with the thread's work.
        connection.close()
