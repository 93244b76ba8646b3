"""Benchmark of the cohort attendance page on PostgreSQL.

Generates one lab with many cohorts, each with its people, weekly sessions
and an attendance mark per person and session held (COPY on PostgreSQL,
bulk_create elsewhere), then requests the attendance grid of the largest
cohort, the cohort page and the API's session attendance, signed in as a
facilitator, in-process through Django's test client (the full middleware
stack, templates and audit writes; no network). Prints a Markdown table and
writes JSON.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openmil_activities_bench \
        .venv/bin/python bench/activities/bench.py --cohorts 400 --people 40

Run through bench/activities/run, which makes a fresh database first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")
os.environ.setdefault("OPENMIL_HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from openmil.activities.models import (  # noqa: E402
    Activity,
    Attendance,
    Cohort,
    Enrolment,
    Session,
)
from openmil.core.models import Lab, Membership, Network  # noqa: E402
from openmil.core.pillars import Pillar  # noqa: E402
from openmil.core.roles import Role  # noqa: E402
from openmil.participants.models import Participant  # noqa: E402

HERE = Path(__file__).resolve().parent
STATUSES = ("present", "present", "present", "present", "excused", "absent")


def generate(*, cohorts: int, people: int, sessions: int, big: int) -> dict:
    """One lab; `cohorts` cohorts of `people` (the last of `big`), each with
    `sessions` weekly sessions, most already held, all marked."""
    started = time.perf_counter()
    today = timezone.localdate()
    with transaction.atomic():
        network = Network.objects.create(name="Bench network", slug="bench")
        lab = Lab.objects.create(
            network=network,
            name="Bench lab",
            slug="bench-lab",
            country="PT",
            territory="Lisboa",
            time_zone="Europe/Lisbon",
        )
        user = get_user_model().objects.create_user("bench.facil", password=None)
        Membership.objects.create(user=user, lab=lab, role=Role.FACILITATOR)
        pool = max(people, big) * 4
        persons = Participant.objects.bulk_create(
            (
                Participant(
                    lab=lab,
                    reference=f"B-{n:07d}",
                    profile="newcomer" if n % 3 else "national",
                    given_name=f"Given{n}",
                    family_name=f"Family{n % 997}",
                    search_text=f"b-{n:07d} given{n} family{n % 997}",
                )
                for n in range(pool)
            ),
            batch_size=5000,
        )
        pillars = Pillar.values
        activities = Activity.objects.bulk_create(
            Activity(
                lab=lab,
                title=f"Activity {i}",
                kind=Activity.Kind.COURSE,
                pillar=pillars[i % len(pillars)],
            )
            for i in range(max(1, cohorts // 4))
        )
        cohort_objs = Cohort.objects.bulk_create(
            Cohort(
                activity=activities[i % len(activities)],
                name=f"Cohort {i}",
                capacity=big if i == cohorts - 1 else people,
            )
            for i in range(cohorts)
        )
        first = today - dt.timedelta(weeks=sessions - 4)
        session_objs = Session.objects.bulk_create(
            (
                Session(
                    cohort=c,
                    starts_at=timezone.make_aware(
                        dt.datetime.combine(first + dt.timedelta(weeks=w), dt.time(10))
                    ),
                    ends_at=timezone.make_aware(
                        dt.datetime.combine(first + dt.timedelta(weeks=w), dt.time(12))
                    ),
                    place="Room 1",
                    facilitator=user,
                )
                for c in cohort_objs
                for w in range(sessions)
            ),
            batch_size=5000,
        )
        members: dict[int, list[int]] = {}
        enrolments = []
        for i, c in enumerate(cohort_objs):
            size = c.capacity
            chosen = [persons[(i * 7 + k) % pool].pk for k in range(size)]
            members[c.pk] = chosen
            enrolments += [
                Enrolment(cohort=c, participant_id=pid, status="enrolled")
                for pid in chosen
            ]
        Enrolment.objects.bulk_create(enrolments, batch_size=5000)
        now = timezone.now()
        rows = (
            (s.pk, pid, STATUSES[(s.pk + pid) % len(STATUSES)], user.pk, now)
            for s in session_objs
            if s.starts_at <= now
            for pid in members[s.cohort_id]
        )
        marks = _write_marks(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "participants": pool,
        "cohorts": cohorts,
        "sessions": len(session_objs),
        "enrolments": len(enrolments),
        "attendance_rows": marks,
        "measured_cohort": cohort_objs[-1].pk,
        "measured_cohort_people": big,
        "user": user.pk,
    }


def _write_marks(rows) -> int:  # type: ignore[no-untyped-def]
    table = Attendance._meta.db_table
    columns = "session_id, participant_id, status, recorded_by_id, recorded_at"
    if connection.vendor == "postgresql":
        count = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    objs = [
        Attendance(
            session_id=s,
            participant_id=p,
            status=st,
            recorded_by_id=u,
            recorded_at=at,
        )
        for s, p, st, u, at in rows
    ]
    Attendance.objects.bulk_create(objs, batch_size=5000)
    return len(objs)


def measure(client: Client, path: str, requests: int) -> dict:
    client.get(path)  # warm-up: templates, translations, connection
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {
        "requests": requests,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cohorts", type=int, default=400)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument(
        "--big", type=int, default=60, help="people in the measured cohort"
    )
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    args = parser.parse_args()

    data = generate(
        cohorts=args.cohorts, people=args.people, sessions=args.sessions, big=args.big
    )
    print(
        f"generated in {data['seconds']} s: {data['attendance_rows']:,} attendance "
        f"rows, {data['enrolments']:,} enrolments, {data['sessions']:,} sessions",
        file=sys.stderr,
    )
    client = Client()
    client.force_login(get_user_model().objects.get(pk=data["user"]))
    cohort = data["measured_cohort"]
    session = (
        Session.objects.filter(cohort_id=cohort, starts_at__lte=timezone.now())
        .order_by("-starts_at")
        .first()
    )
    pages = {
        "attendance grid": f"/activities/cohorts/{cohort}/attendance/",
        "cohort page": f"/activities/cohorts/{cohort}/",
        "API session attendance": f"/api/v1/sessions/{session.pk}/attendance",
    }
    results = {
        name: measure(client, path, args.requests) for name, path in pages.items()
    }
    report = {
        "date": timezone.localdate().isoformat(),
        "database": connection.vendor,
        "data": data,
        "pages": results,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    out = io.StringIO()
    out.write(
        f"{data['attendance_rows']:,} attendance rows; measured cohort: "
        f"{args.big} people x {args.sessions} sessions\n\n"
    )
    out.write("| page | requests | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|\n")
    for name, r in results.items():
        out.write(
            f"| {name} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['max_ms']} |\n"
        )
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
