"""Fill a demo database to the scale of the attendance issue, fast.

After `openmil demo-data --labs 4 --participants 25000` (100,000 people with
pathways), adds to every demo lab cohorts of `--people` people with
`--sessions` weekly sessions (all but the last four held) until the
attendance table holds `--attendance` rows:

- cohorts: one `bulk_create` per lab;
- sessions and enrolments: PostgreSQL `COPY` (psycopg 3 `write_row`);
- attendance marks: one `INSERT … SELECT` joining the new sessions held
  with the new enrolments, so the millions of rows never pass through
  Python;

then `ANALYZE`. Writes `--ids`: per lab slug, the participants with a
pathway and the new cohorts, which `bench/load.py --ids` requests. With
`--queries`, also counts the SQL queries of the pathway and attendance
pages in-process (django.test.Client) and prints them as JSON.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/om_imp_bench \\
        .venv/bin/python bench/activities/scale_fill.py --attendance 5000000 \\
        --ids /tmp/ids.json

Run through bench/activities/scale, which makes the database first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmil.config.settings")
os.environ.setdefault("OPENMIL_HTTPS", "0")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from openmil.activities.models import (  # noqa: E402
    Activity,
    Attendance,
    Cohort,
    Enrolment,
    Session,
)
from openmil.core.models import Lab  # noqa: E402
from openmil.core.roles import Role  # noqa: E402
from openmil.demo.generator import NETWORK_SLUG  # noqa: E402
from openmil.participants.models import Participant  # noqa: E402
from openmil.pathways.models import Pathway  # noqa: E402

TITLE = "Bench course"
#: present, present, present, present, excused, absent — by (session + person).
STATUS_SQL = "(ARRAY['present','present','present','present','excused','absent'])"


def _copy(table: str, columns: str, rows) -> int:  # type: ignore[no-untyped-def]
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def fill(*, attendance: int, people: int, sessions: int) -> dict:
    started, cpu_started = time.perf_counter(), time.process_time()
    labs = list(Lab.objects.filter(network__slug=NETWORK_SLUG).order_by("id"))
    if not labs:
        raise SystemExit("no demo network: run `openmil demo-data` first")
    held_per_cohort = people * (sessions - 4)
    cohorts_needed = -(-attendance // held_per_cohort)
    per_lab = [
        cohorts_needed // len(labs) + (1 if i < cohorts_needed % len(labs) else 0)
        for i in range(len(labs))
    ]
    today = timezone.localdate()
    # From tomorrow, the last four sessions are to come and the others held.
    first = today - dt.timedelta(weeks=sessions - 4) + dt.timedelta(days=1)
    now = timezone.now()
    rng = random.Random(1)  # noqa: S311 - sample data, not secrets
    new_cohorts: dict[int, list[int]] = {}
    with transaction.atomic():
        session_rows = []
        enrolment_rows = []
        for lab, count in zip(labs, per_lab, strict=True):
            facilitator = (
                get_user_model()
                .objects.filter(
                    memberships__lab=lab, memberships__role=Role.FACILITATOR
                )
                .order_by("username")
                .first()
            )
            activity = Activity.objects.create(
                lab=lab, title=TITLE, kind=Activity.Kind.COURSE, pillar="language"
            )
            cohorts = Cohort.objects.bulk_create(
                Cohort(activity=activity, name=f"Bench {n}", capacity=people)
                for n in range(count)
            )
            new_cohorts[lab.pk] = [c.pk for c in cohorts]
            pool = list(
                Participant.objects.filter(lab=lab).values_list("pk", flat=True)
            )
            rng.shuffle(pool)
            for n, cohort in enumerate(cohorts):
                for w in range(sessions):
                    day = first + dt.timedelta(weeks=w, days=n % 5)
                    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
                    session_rows.append(
                        (
                            cohort.pk,
                            starts,
                            starts + dt.timedelta(hours=2),
                            "Room 1",
                            facilitator.pk if facilitator else None,
                        )
                    )
                offset = (n * people) % len(pool)
                chosen = (pool + pool[:people])[offset : offset + people]
                enrolment_rows += [
                    (cohort.pk, pid, "enrolled", now, now) for pid in chosen
                ]
        copied_sessions = _copy(
            Session._meta.db_table,
            "cohort_id, starts_at, ends_at, place, facilitator_id",
            session_rows,
        )
        copied_enrolments = _copy(
            Enrolment._meta.db_table,
            "cohort_id, participant_id, status, requested_at, enrolled_at",
            enrolment_rows,
        )
        ids = [pk for pks in new_cohorts.values() for pk in pks]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {Attendance._meta.db_table}
                    (session_id, participant_id, status, recorded_by_id, recorded_at)
                SELECT s.id, e.participant_id,
                       {STATUS_SQL}[1 + (s.id + e.participant_id) %% 6],
                       s.facilitator_id, s.starts_at
                FROM {Session._meta.db_table} s
                JOIN {Enrolment._meta.db_table} e ON e.cohort_id = s.cohort_id
                WHERE s.cohort_id = ANY(%s) AND s.starts_at <= %s
                """,  # noqa: S608 - table names from the models
                [ids, now],
            )
            marks = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds_python": round(time.process_time() - cpu_started, 1),
        "cohorts": len(ids),
        "sessions": copied_sessions,
        "enrolments": copied_enrolments,
        "attendance_rows_added": marks,
        "attendance_rows_total": Attendance.objects.count(),
        "participants_total": Participant.objects.count(),
        "people_per_cohort": people,
        "sessions_per_cohort": sessions,
    }


def rekey(text: str = "Bench note: " + "lorem ipsum " * 8) -> dict[str, int]:
    """Replace every value encrypted under a key that is not configured (a
    database filled with another run's key) by `text` under the current key:
    the pages then decrypt as many values, of about the same length."""
    from django.apps import apps

    from openmil.core import crypto
    from openmil.core.fields import EncryptedMixin

    current = crypto.keyring()[0]
    token = crypto.encrypt_text(text)
    done: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedMixin):
                    table, column = model._meta.db_table, field.column
                    cursor.execute(
                        f'UPDATE "{table}" SET "{column}" = %s '  # noqa: S608
                        f'WHERE "{column}" LIKE %s AND "{column}" NOT LIKE %s',
                        [token, "omenc1:%", f"omenc1:{current}:%"],
                    )
                    done[f"{table}.{column}"] = cursor.rowcount
    return done


def ids_by_lab() -> dict[str, dict[str, list[int]]]:
    out: dict[str, dict[str, list[int]]] = {}
    for lab in Lab.objects.filter(network__slug=NETWORK_SLUG).order_by("id"):
        out[lab.slug] = {
            "pathway": list(
                Pathway.objects.filter(participant__lab=lab).values_list(
                    "participant_id", flat=True
                )
            ),
            "attendance": list(
                Cohort.objects.filter(
                    activity__lab=lab, activity__title=TITLE
                ).values_list("pk", flat=True)
            ),
        }
    return out


def count_queries(ids: dict[str, dict[str, list[int]]], samples: int) -> dict:
    """SQL queries of each page for `samples` random ids, as facil1.<lab>."""
    slug = next(iter(ids))
    user = get_user_model().objects.get(username=f"facil1.{slug}")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    rng = random.Random(2)  # noqa: S311
    out: dict[str, list[int]] = {}
    pages = {
        "pathway": "/pathways/participants/{}/",
        "attendance": "/activities/cohorts/{}/attendance/",
    }
    for name, pattern in pages.items():
        counts = set()
        chosen = rng.sample(ids[slug][name], min(samples, len(ids[slug][name])))
        client.get(pattern.format(chosen[0]))  # warm-up
        for pk in chosen:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(pattern.format(pk))
            assert response.status_code == 200, (name, pk, response.status_code)
            counts.add(len(captured))
        out[name] = sorted(counts)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendance", type=int, default=5_000_000)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--ids", default="", help="write the ids JSON here")
    parser.add_argument("--reuse", action="store_true", help="only write the ids")
    parser.add_argument("--queries", type=int, default=0, help="ids to sample")
    parser.add_argument("--out", default="", help="write the figures here (JSON)")
    parser.add_argument(
        "--rekey",
        action="store_true",
        help="re-encrypt values whose key is gone under the current key",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only (COPY): set DATABASE_URL")
    result: dict = {}
    if args.rekey:
        print(json.dumps(rekey()), file=sys.stderr, flush=True)
    if not args.reuse:
        result["fill"] = fill(
            attendance=args.attendance, people=args.people, sessions=args.sessions
        )
        print(json.dumps(result["fill"]), file=sys.stderr, flush=True)
    ids = ids_by_lab()
    if args.ids:
        Path(args.ids).write_text(json.dumps(ids))
    if args.queries:
        result["queries_per_page"] = count_queries(ids, args.queries)
    if args.out:
        previous = {}
        if Path(args.out).exists():
            previous = json.loads(Path(args.out).read_text())
        previous.update(result)
        Path(args.out).write_text(json.dumps(previous, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
