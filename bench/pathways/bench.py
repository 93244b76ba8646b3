"""Latency of the pathway page (p50/p95) and its query count, in-process.

    .venv/bin/python bench/pathways/bench.py                       # SQLite, 2 x 2,000
    .venv/bin/python bench/pathways/bench.py --participants 25000 --labs 4 \\
        --database-url postgres://postgres@127.0.0.1:5432/openmil_pathways_bench
    .venv/bin/python bench/pathways/bench.py --reuse --database-url ...  # measure only

The database is migrated and filled by the demo generator (which builds the
pathways, goals, assessments, exits and surveys) unless --reuse is given; a
PostgreSQL database must exist and be empty (createdb). The pathway pages of
random participants with a pathway in facil1.lisbon's lab are then requested
with django.test.Client (no network, no gunicorn: the time is the server's
own, from URL resolution to the rendered page, audit entry included) and
the p50/p95/max of wall-clock time and of this process's CPU time (the
figure that holds on a busy machine) printed and written as JSON (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

USER = "facil1.lisbon"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--labs", type=int, default=2)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--out", default="")
    args = parser.parse_args()

    tmp = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        tmp = tempfile.mkdtemp(prefix="openmil-pathways-bench-")
        os.environ["OPENMIL_DATA_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")
    os.environ.setdefault("OPENMIL_HTTPS", "0")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from openmil.pathways.models import Pathway

    generated = None
    if not args.reuse:
        call_command("migrate", verbosity=0)
        from openmil.demo.generator import generate

        started = time.perf_counter()
        generate(labs=args.labs, participants=args.participants, seed=1)
        generated = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    user = get_user_model().objects.get(username=USER)
    lab_id = user.memberships.first().lab_id
    ids = list(
        Pathway.objects.filter(participant__lab_id=lab_id).values_list(
            "participant_id", flat=True
        )
    )
    if not ids:
        print("no pathway in the lab: run without --reuse first", file=sys.stderr)
        return 1
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    rng = random.Random(1)  # noqa: S311 - sampling, not secrets
    for pid in rng.sample(ids, min(5, len(ids))):
        client.get(f"/pathways/participants/{pid}/")  # warm-up
    timings: list[float] = []
    cpu: list[float] = []
    queries: set[int] = set()
    for _ in range(args.requests):
        pid = rng.choice(ids)
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(f"/pathways/participants/{pid}/")
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.add(len(captured))
    result = {
        "database": connection.vendor,
        "labs": args.labs,
        "participants_per_lab": args.participants,
        "pathways_in_lab": len(ids),
        "generate_seconds": generated,
        "requests": args.requests,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
        "load_average": os.getloadavg()[0],
        "queries_per_page": sorted(queries),
    }
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
