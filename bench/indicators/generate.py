"""Synthetic data for the indicators benchmark, written by PostgreSQL itself.

Every table is filled with one `INSERT ... SELECT ... FROM generate_series`
statement (no rows travel through Python), with foreign-key triggers off
(`session_replication_role = replica`: the generator makes consistent ids)
and the secondary indexes of the big tables dropped first and built again
afterwards, which is faster than maintaining them row by row.

Events: needs (about 1.5 per person), pathways (half of the people),
follow-up surveys (up to three per ended pathway, with employment, health,
belonging and residence answers), assessments (CEFR levels, ILO employment
status, civic modules), enrolments in a mixed course and a newcomers'
mentoring group, referrals to a partner, ventures with their stage changes
and job counts, a few withdrawn statistics consents, and attendance marks
(the rest of --events): every registered indicator reads some of them.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

COUNTRIES = ["ES", "IT", "DE", "FR", "PT", "GR", "NL", "BE", "AT", "SE"]
BIG_TABLES = [
    "participants_participant",
    "participants_need",
    "participants_consent",
    "pathways_pathway",
    "pathways_followupsurvey",
    "pathways_assessment",
    "activities_enrolment",
    "activities_attendance",
    "partners_referral",
    "ventures_venture",
    "ventures_venture_founders",
    "ventures_stagechange",
    "ventures_jobsrecord",
]
#: The profile of person g (as the participants' INSERT sets it), in SQL.
NATIONAL = "(({g} * 7919) %% 103 %% 4 = 0)"


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
                case_notes, education_level, intake_date, processing_restricted,
                search_text, created_at, updated_at, lab_id)
            SELECT %(first)s + g, 'R' || g,
                CASE WHEN (g * 7919) %% 103 %% 4 = 0 THEN 'national'
                    ELSE 'newcomer' END,
                '', '', '', date '1960-01-01' + ((g * 7919) %% 20000)::int, 'day',
                CASE g %% 3 WHEN 0 THEN 'female' WHEN 1 THEN 'male'
                    ELSE 'not_stated' END,
                (ARRAY['SY','AF','UA','MA','ES','IT','VE','NG','ER','FR'])
                    [(1 + (g * 31) %% 10)::int],
                '', false, '', '[]', '', '', '', '', '', '', '', (g * 13) %% 9,
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
                residence_status, answered_at, pathway_id, self_rated_health,
                belonging)
            SELECT m, p.exit_date + 30 * m, '', 'staff',
                (ARRAY['employed','unemployed','inactive','employed'])
                    [(1 + (p.id + m) %% 4)::int],
                '', '',
                (ARRAY['asylum_seeker','temporary','permanent','citizen',
                    'not_said'])[(1 + (p.id + m / 3) %% 5)::int],
                (p.exit_date + 30 * m)::timestamptz, p.id,
                1 + (p.id * 7 + m) %% 5, 1 + (p.id * 11 + m) %% 5
            FROM pathways_pathway p, unnest(ARRAY[3, 6, 12]) m
            WHERE p.status = 'exited' AND p.participant_id >= %(first)s
            LIMIT %(surveys)s
            """,
            {"first": first, "surveys": surveys},
        )
        timings.update(_assessments(c, first=first, n=participants, labs=lab_ids))
        timings.update(_referrals(c, first=first, n=participants, labs=lab_ids))
        timings.update(_ventures(c, first=first, n=participants, labs=lab_ids))
        first_session = _activities(c, labs=lab_ids, per=sessions_per_lab)
        timings["enrolments"] = _run(
            c,
            f"""
            INSERT INTO activities_enrolment (status, requested_at, enrolled_at,
                cohort_id, participant_id)
            SELECT 'enrolled', now(), now(),
                co.first + 2 * ((p - %(first)s) %% %(n_labs)s) + c, p
            FROM generate_series(%(first)s::bigint, %(first)s + %(n)s - 1) p,
                (SELECT min(id) AS first FROM activities_cohort
                 WHERE activity_id IN (SELECT id FROM activities_activity
                     WHERE lab_id = ANY(%(labs)s))) co,
                unnest(ARRAY[0, 1]) c
            WHERE c = 0 OR ((p - %(first)s) %% 3 = 1
                AND NOT {NATIONAL.format(g="(p - %(first)s)")})
            """,  # noqa: S608 - a fixed expression, values are parameters
            {"first": first, "n": participants, "n_labs": labs, "labs": lab_ids},
        )
        other = 0
        for table in BIG_TABLES[1:]:
            if table != "activities_attendance":
                c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
                other += c.fetchone()[0]
        attendance = max(events - other, 0)
        per_person = max(1, -(-attendance // participants))  # ceil
        # Attendance: person p gets `per_person` marks at distinct sessions of
        # their lab's course; people of the mentoring group get every other
        # mark in the group's sessions instead.
        timings["attendance"] = _run(
            c,
            f"""
            INSERT INTO activities_attendance (status, recorded_at,
                participant_id, session_id)
            SELECT (ARRAY['present','present','present','absent','excused'])
                    [(1 + g %% 5)::int], now(), %(first)s + p,
                %(s)s + (2 * (p %% %(n_labs)s) + mentor) * %(per)s
                    + ((g / %(n)s) * 37 + p) %% %(per)s
            FROM generate_series(0::bigint, %(att)s - 1) g,
                LATERAL (SELECT g %% %(n)s AS p) x,
                LATERAL (SELECT CASE WHEN p %% 3 = 1
                    AND NOT {NATIONAL.format(g="p")} AND (g / %(n)s) %% 2 = 1
                    THEN 1 ELSE 0 END AS mentor) y
            """,  # noqa: S608 - a fixed expression, values are parameters
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
        for table in BIG_TABLES[1:] + ["activities_session"]:
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
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


def _activities(cursor: Any, *, labs: list[int], per: int) -> int:
    """Per lab, a course every participant is enrolled in and a mentoring
    group of newcomers, `per` sessions each three days apart from January
    2023; returns the first session id (sessions of lab i, cohort c start at
    first + (2 i + c) per)."""
    cursor.execute(
        """
        INSERT INTO activities_activity (title, kind, pillar, description,
            created_at, lab_id)
        SELECT t.title, t.kind, t.pillar, '', now(), l
        FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(l, ord),
            (VALUES (0, 'Language course', 'course', 'language'),
                (1, 'Mentoring group', 'mentoring_group', 'social'))
                AS t(c, title, kind, pillar)
        ORDER BY u.ord, t.c
        """,
        [labs],
    )
    cursor.execute(
        """
        INSERT INTO activities_cohort (name, capacity, created_at, activity_id,
            target_newcomer_share)
        SELECT 'Cohort 1', 1000000, now(), a.id, 50 FROM activities_activity a
        WHERE a.lab_id = ANY(%s) ORDER BY a.id
        """,
        [labs],
    )
    cursor.execute("SELECT coalesce(max(id), 0) FROM activities_session")
    first_session = cursor.fetchone()[0] + 1
    cursor.execute(
        """
        INSERT INTO activities_session (id, starts_at, ends_at, place, cohort_id)
        SELECT %(s)s + (co.ord - 1) * %(per)s + k,
            timestamptz '2023-01-02 09:00+00' + k * interval '3 days',
            timestamptz '2023-01-02 11:00+00' + k * interval '3 days',
            '', co.id
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS ord
              FROM activities_cohort WHERE activity_id IN (
                  SELECT id FROM activities_activity WHERE lab_id = ANY(%(labs)s)))
            AS co
        CROSS JOIN generate_series(0, %(per)s - 1) k
        """,
        {"s": first_session, "per": per, "labs": labs},
    )
    return first_session


def _assessments(
    cursor: Any, *, first: int, n: int, labs: list[int]
) -> dict[str, float]:
    """CEFR levels (two in five people: a first assessment 10 days after
    intake, then 100 and 300 days after, often a level higher), ILO
    employment status at the start of each pathway and 250 days later, civic
    modules along two pathways in five, and a few withdrawn consents."""
    timings = {}
    timings["cefr"] = _run(
        cursor,
        """
        INSERT INTO pathways_assessment (kind, assessed_on, instrument, assessor,
            note, language, skill, cefr_level, employment_status, contract_type,
            programme, participation, created_at, participant_id)
        SELECT 'cefr', pp.intake_date + d, '', '', '', 'es',
            (ARRAY['listening','reading','spoken_interaction',
                'spoken_production','writing'])[(1 + (g * 7919) %% 101 %% 5)::int],
            least(6, 1 + (g * 104729) %% 103 %% 4 + CASE WHEN d = 10 THEN 0
                WHEN g %% 3 = 0 THEN 0 ELSE 1 END + CASE WHEN d = 300
                AND g %% 2 = 0 THEN 1 ELSE 0 END),
            '', '', '', '', now(), pp.id
        FROM generate_series(0::bigint, %(n)s - 1) g
        JOIN participants_participant pp ON pp.id = %(first)s + g,
            unnest(ARRAY[10, 100, 300]) d
        WHERE (g * 7907) %% 97 %% 5 IN (1, 3)
        """,
        {"first": first, "n": n},
    )
    cursor.execute(
        "SELECT array_agg(code ORDER BY code) FROM classifications_iscogroup "
        "WHERE length(code) = 4 AND left(code, 1) IN ('2', '3', '5', '9')"
    )
    codes = cursor.fetchone()[0] or [None]
    timings["employment"] = _run(
        cursor,
        """
        INSERT INTO pathways_assessment (kind, assessed_on, instrument, assessor,
            note, language, skill, employment_status, contract_type,
            occupation_id, programme, participation, created_at, participant_id)
        SELECT 'employment', pw.started_on + d, '', '', '', '', '',
            CASE WHEN d = 0 THEN
                CASE WHEN pw.id %% 5 = 0 THEN 'employed' ELSE 'unemployed' END
            ELSE (ARRAY['employed','employed','unemployed','inactive'])
                [(1 + pw.id %% 4)::int] END,
            CASE WHEN d = 0 AND pw.id %% 5 <> 0 THEN ''
                WHEN (pw.id / 4) %% 8 = 0 THEN 'self_employed'
                ELSE 'permanent' END,
            CASE WHEN d = 0 AND pw.id %% 5 <> 0 THEN NULL
                ELSE (%(codes)s::text[])[(1 + (pw.id * 7) %%
                    cardinality(%(codes)s::text[]))::int] END,
            '', '', now(), pw.participant_id
        FROM pathways_pathway pw, unnest(ARRAY[0, 250]) d
        WHERE pw.participant_id >= %(first)s
        """,
        {"first": first, "codes": codes},
    )
    cursor.execute(
        """
        INSERT INTO pathways_civicmodule (title, position, lab_id)
        SELECT 'Module ' || k, k, l FROM unnest(%s::bigint[]) l,
            generate_series(1, 5) k
        """,
        [labs],
    )
    timings["civic"] = _run(
        cursor,
        """
        INSERT INTO pathways_assessment (kind, assessed_on, instrument, assessor,
            note, language, skill, employment_status, contract_type,
            civic_module_id, programme, participation, created_at, participant_id)
        SELECT 'civic', pw.started_on + 30 * k, '', '', '', '', '', '', '',
            m.id, '', '', now(), pw.participant_id
        FROM pathways_pathway pw
        JOIN participants_participant pp ON pp.id = pw.participant_id
        CROSS JOIN generate_series(1, 3) k
        JOIN pathways_civicmodule m ON m.lab_id = pp.lab_id AND m.position = k
        WHERE pw.participant_id >= %(first)s AND (pw.id * 7907) %% 97 %% 5 IN (0, 2)
            AND k <= 1 + pw.id %% 3
        """,
        {"first": first},
    )
    timings["consents"] = _run(
        cursor,
        """
        INSERT INTO participants_consent (purpose, partner_category,
            notice_version, given_at, withdrawn_at, participant_id)
        SELECT 'statistics', '', '1', now() - interval '400 days',
            CASE WHEN g %% 2 = 0 THEN now() - interval '10 days' END,
            %(first)s + g
        FROM generate_series(0::bigint, %(n)s - 1) g
        WHERE (g * 104723) %% 1009 < 20
        """,
        {"first": first, "n": n},
    )
    return timings


def _referrals(cursor: Any, *, first: int, n: int, labs: list[int]) -> dict[str, float]:
    """One partner organisation and service per lab; a referral for two
    people in five, sent 5 days after intake: most accepted within days
    (then completed or not a month later), some declined, some unanswered."""
    cursor.execute(
        """
        INSERT INTO core_organisation (name, kind, email, phone, website, lab_id)
        SELECT 'Partner ' || l, 'ngo', '', '', '', l FROM unnest(%s::bigint[]) l
        """,
        [labs],
    )
    cursor.execute(
        """
        INSERT INTO partners_service (name, description, pillar, eligibility,
            eligible_profile, languages, place, contact, response_days, active,
            search_text, organisation_id)
        SELECT 'Housing advice', '', 'basic_needs', '', '', '[]', '', '', 5, true,
            '', o.id FROM core_organisation o WHERE o.lab_id = ANY(%s)
        """,
        [labs],
    )
    return {
        "referrals": _run(
            cursor,
            """
            INSERT INTO partners_referral (status, note, reason, created_at,
                sent_at, accepted_at, declined_at, closed_at,
                consent_override_reason, lab_id, organisation_id,
                participant_id, service_id)
            SELECT CASE WHEN r < 6 THEN
                    CASE WHEN r < 4 THEN 'completed' ELSE 'not_completed' END
                WHEN r = 6 THEN 'accepted' WHEN r = 7 THEN 'declined'
                ELSE 'sent' END,
                '', '', sent, sent,
                CASE WHEN r <= 6 THEN sent + (1 + g %% 9) * interval '1 day'
                    + (g %% 24) * interval '1 hour' END,
                CASE WHEN r = 7 THEN sent + interval '3 days' END,
                CASE WHEN r < 6 THEN sent + interval '40 days' END,
                '', pp.lab_id, s.organisation_id, pp.id, s.id
            FROM generate_series(0::bigint, %(n)s - 1) g
            JOIN participants_participant pp ON pp.id = %(first)s + g
            JOIN core_organisation o ON o.lab_id = pp.lab_id
            JOIN partners_service s ON s.organisation_id = o.id,
                LATERAL (SELECT (g * 7919) %% 1009 %% 10 AS r,
                    (pp.intake_date + 5)::timestamptz AS sent) x
            WHERE (g * 7907) %% 97 %% 5 IN (0, 4)
            """,
            {"first": first, "n": n},
        )
    }


def _ventures(cursor: Any, *, first: int, n: int, labs: list[int]) -> dict[str, float]:
    """About one person in fifty founds a venture 60 days after intake, most
    registered 90 days later; a fifth close within a year; job counts
    recorded 100 and 400 days after registration."""
    cursor.execute("SELECT coalesce(max(id), 0) FROM ventures_venture")
    first_venture = cursor.fetchone()[0] + 1
    timings = {
        "ventures": _run(
            cursor,
            """
            INSERT INTO ventures_venture (id, name, stage, sector, description,
                started_on, registration_date, revenue_band, jobs_created, lab_id)
            SELECT %(v)s + g, 'Venture ' || g,
                CASE WHEN g %% 7 <> 0 THEN 'registered' ELSE 'idea' END, 'G', '',
                pp.intake_date + 60,
                CASE WHEN g %% 7 <> 0 THEN pp.intake_date + 150 END,
                'none', 0, pp.lab_id
            FROM generate_series(0::bigint, %(n)s - 1) g
            JOIN participants_participant pp ON pp.id = %(first)s + g
            WHERE (g * 7919) %% 1009 < 20
            """,
            {"v": first_venture, "first": first, "n": n},
        )
    }
    cursor.execute(
        """
        INSERT INTO ventures_venture_founders (venture_id, participant_id)
        SELECT %(v)s + g, %(first)s + g
        FROM generate_series(0::bigint, %(n)s - 1) g
        WHERE (g * 7919) %% 1009 < 20
        """,
        {"v": first_venture, "first": first, "n": n},
    )
    cursor.execute(
        """
        INSERT INTO ventures_stagechange (from_stage, to_stage, "on",
            recorded_at, note, venture_id)
        SELECT 'registered', 'closed', v.registration_date + 200, now(), '', v.id
        FROM ventures_venture v
        WHERE v.id >= %s AND v.registration_date IS NOT NULL AND v.id %% 5 = 0
        """,
        [first_venture],
    )
    cursor.execute(
        """
        INSERT INTO ventures_jobsrecord ("on", jobs, recorded_at, venture_id)
        SELECT v.registration_date + d, 1 + (v.id + d) %% 4, now(), v.id
        FROM ventures_venture v, unnest(ARRAY[100, 400]) d
        WHERE v.id >= %s AND v.registration_date IS NOT NULL
        """,
        [first_venture],
    )
    return timings
