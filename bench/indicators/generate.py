"""Synthetic data for the indicators benchmark, written by PostgreSQL itself.

Every table is filled with one `INSERT ... SELECT ... FROM generate_series`
statement (no rows travel through Python), with foreign-key triggers off
(`session_replication_role = replica`: the generator makes consistent ids)
and the secondary indexes of the big tables dropped first and built again
afterwards, which is faster than maintaining them row by row.

Events: needs (about 1.5 per person), pathways (half of the people),
follow-up surveys (up to three per ended pathway) and attendance marks (the
rest of --events).
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

COUNTRIES = ["ES", "IT", "DE", "FR", "PT", "GR", "NL", "BE", "AT", "SE"]
BIG_TABLES = [
    "participants_participant",
    "participants_need",
    "pathways_pathway",
    "pathways_followupsurvey",
    "activities_attendance",
]


def _run(cursor: Any, sql: str, params: list[Any] | None = None) -> float:
    started = time.perf_counter()
    cursor.execute(sql, params or [])
    return time.perf_counter() - started


def _secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = %s AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [table],
    )
    return list(cursor.fetchall())


def generate(*, participants: int, events: int, labs: int) -> dict[str, Any]:
    """Fill the database; returns row counts and seconds per step."""
    timings: dict[str, float] = {}
    needs = int(participants * 1.5)
    pathways = participants // 2
    surveys = min(participants // 4 * 3, max(events - needs - pathways, 0) // 10)
    sessions_per_lab = 400
    with connection.cursor() as c:
        c.execute("SET session_replication_role = replica")
        c.execute("SET maintenance_work_mem = '256MB'")
        dropped: list[tuple[str, str]] = []
        for table in BIG_TABLES:
            for name, definition in _secondary_indexes(c, table):
                c.execute(f'DROP INDEX "{name}"')
                dropped.append((name, definition))
        c.execute(
            "INSERT INTO core_network (name, slug) VALUES ('Bench network', "
            "'bench') RETURNING id"
        )
        network_id = c.fetchone()[0]
        c.execute(
            """
            INSERT INTO core_lab (name, slug, country, territory,
                working_languages, time_zone, pathway_gate, reference_prefix,
                network_id)
            SELECT 'Bench lab ' || g, 'bench-' || g, (%s::text[])[1 + g %% 10],
                'Region ' || g, '["en"]', 'UTC', 'urgent_in_progress', 'B' || g,
                %s
            FROM generate_series(0, %s - 1) g
            """,
            [COUNTRIES, network_id, labs],
        )
        c.execute(
            "SELECT id FROM core_lab WHERE network_id = %s ORDER BY id", [network_id]
        )
        lab_ids = [row[0] for row in c.fetchall()]
        c.execute("SELECT min(id) FROM participants_needtype WHERE lab_id IS NULL")
        need_type = c.fetchone()[0]
        c.execute("SELECT coalesce(max(id), 0) FROM participants_participant")
        first = c.fetchone()[0] + 1
        timings["participants"] = _run(
            c,
            """
            INSERT INTO participants_participant (id, reference, profile,
                given_name, family_name, name_latin, birth_date,
                birth_date_precision, sex, country_of_origin, nationality,
                stateless, mother_tongue, other_languages, household_role,
                phone, email, address, legal_status_detail, health_notes,
                case_notes, intake_date, processing_restricted, search_text,
                created_at, updated_at, lab_id)
            SELECT %(first)s + g, 'R' || g,
                CASE WHEN (g * 7919) %% 103 %% 4 = 0 THEN 'national'
                    ELSE 'newcomer' END,
                '', '', '', date '1960-01-01' + ((g * 7919) %% 20000)::int, 'day',
                CASE g %% 3 WHEN 0 THEN 'female' WHEN 1 THEN 'male'
                    ELSE 'not_stated' END,
                (ARRAY['SY','AF','UA','MA','ES','IT','VE','NG','ER','FR'])
                    [(1 + (g * 31) %% 10)::int],
                '', false, '', '[]', '', '', '', '', '', '', '',
                date '2023-01-01' + ((g * 104729) %% 1400)::int, false, '',
                now(), now(),
                (%(labs)s::bigint[])[(1 + g %% %(n_labs)s)::int]
            FROM generate_series(0::bigint, %(n)s - 1) g
            """,
            {"first": first, "labs": lab_ids, "n_labs": labs, "n": participants},
        )
        # Needs: one per person of type 1, half of them a second one (distinct
        # types keep the unique constraint); two thirds are met, mostly in time.
        timings["needs"] = _run(
            c,
            """
            INSERT INTO participants_need (urgent, status, notes, created_at,
                resolved_at, need_type_id, participant_id)
            SELECT (g * 7919) %% 101 %% 5 <> 0,
                CASE WHEN g %% 3 = 0 THEN 'identified' ELSE 'met' END, '',
                now(),
                CASE WHEN g %% 3 = 0 THEN NULL ELSE
                    (date '2023-01-01' + ((p * 104729) %% 1400 + g %% 90)::int)
                    ::timestamptz END,
                %(type)s + (g / %(n)s), %(first)s + p
            FROM generate_series(0::bigint, %(needs)s - 1) g,
                LATERAL (SELECT g %% %(n)s AS p) x
            """,
            {"type": need_type, "n": participants, "first": first, "needs": needs},
        )
        timings["pathways"] = _run(
            c,
            """
            INSERT INTO pathways_pathway (id, started_on, status, exit_reason,
                exit_date, exit_note, created_at, participant_id)
            SELECT %(first)s + g,
                date '2023-01-01' + ((g * 104729) %% 1400)::int + 20,
                CASE WHEN g %% 3 = 0 THEN 'exited' ELSE 'active' END,
                CASE WHEN g %% 3 = 0 THEN 'graduated' ELSE '' END,
                CASE WHEN g %% 3 = 0 THEN
                    date '2023-01-01' + ((g * 104729) %% 1400)::int + 200 END,
                '', now(), %(first)s + g
            FROM generate_series(0::bigint, %(n)s - 1) g
            WHERE (g * 7919) %% 101 %% 2 = 0
            """,
            {"first": first, "n": participants},
        )
        timings["surveys"] = _run(
            c,
            """
            INSERT INTO pathways_followupsurvey (months, due_on, token_digest,
                channel, employment_status, income_band, housing,
                residence_status, answered_at, pathway_id)
            SELECT m, p.exit_date + 30 * m, '', 'staff',
                (ARRAY['employed','unemployed','inactive'])[(1 + p.id %% 3)::int],
                '', '', '', (p.exit_date + 30 * m)::timestamptz, p.id
            FROM pathways_pathway p, unnest(ARRAY[3, 6, 12]) m
            WHERE p.status = 'exited' AND p.participant_id >= %(first)s
            LIMIT %(surveys)s
            """,
            {"first": first, "surveys": surveys},
        )
        c.execute("SELECT count(*) FROM pathways_followupsurvey")
        attendance = max(events - needs - pathways - c.fetchone()[0], 0)
        per_person = max(1, -(-attendance // participants))  # ceil
        c.execute(
            """
            INSERT INTO activities_activity (title, kind, pillar, description,
                created_at, lab_id)
            SELECT 'Language course', 'course', 'language', '', now(), l
            FROM unnest(%s::bigint[]) l
            """,
            [lab_ids],
        )
        c.execute(
            """
            INSERT INTO activities_cohort (name, capacity, created_at,
                activity_id)
            SELECT 'Cohort 1', 100000, now(), a.id FROM activities_activity a
            WHERE a.lab_id = ANY(%s) ORDER BY a.lab_id
            """,
            [lab_ids],
        )
        c.execute("SELECT coalesce(max(id), 0) FROM activities_session")
        first_session = c.fetchone()[0] + 1
        c.execute(
            """
            INSERT INTO activities_session (id, starts_at, ends_at, place,
                cohort_id)
            SELECT %(s)s + (l.ord - 1) * %(per)s + k,
                timestamptz '2023-01-02 09:00+00' + k * interval '3 days',
                timestamptz '2023-01-02 11:00+00' + k * interval '3 days',
                '', co.id
            FROM unnest(%(labs)s::bigint[]) WITH ORDINALITY AS l(id, ord)
            JOIN activities_activity a ON a.lab_id = l.id
            JOIN activities_cohort co ON co.activity_id = a.id
            CROSS JOIN generate_series(0, %(per)s - 1) k
            """,
            {"s": first_session, "per": sessions_per_lab, "labs": lab_ids},
        )
        # Attendance: person p gets `per_person` marks in sessions of their
        # own lab, at distinct session numbers.
        timings["attendance"] = _run(
            c,
            """
            INSERT INTO activities_attendance (status, recorded_at,
                participant_id, session_id)
            SELECT (ARRAY['present','present','present','absent','excused'])
                    [(1 + g %% 5)::int], now(), %(first)s + p,
                %(s)s + (p %% %(n_labs)s) * %(per)s
                    + ((g / %(n)s) * 37 + p) %% %(per)s
            FROM generate_series(0::bigint, %(att)s - 1) g,
                LATERAL (SELECT g %% %(n)s AS p) x
            """,
            {
                "first": first,
                "s": first_session,
                "n_labs": labs,
                "per": sessions_per_lab,
                "n": participants,
                "att": min(attendance, participants * per_person),
            },
        )
        started = time.perf_counter()
        for _name, definition in dropped:
            c.execute(definition)
        timings["indexes"] = time.perf_counter() - started
        for table in ("participants_participant", "pathways_pathway"):
            sql = (
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                "(SELECT max(id) FROM {t}))"
            )
            c.execute(sql.format(t=table))
        c.execute(
            "SELECT setval(pg_get_serial_sequence('activities_session', 'id'), "
            "(SELECT max(id) FROM activities_session))"
        )
        c.execute("SET session_replication_role = DEFAULT")
        counts = {}
        for table in BIG_TABLES:
            c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = c.fetchone()[0]
    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    return {
        "network_id": network_id,
        "lab_ids": lab_ids,
        "rows": counts,
        "events": sum(v for k, v in counts.items() if k != "participants_participant"),
        "seconds": timings,
    }
