"""The attendance grid shows a window of sessions: by default the latest
held and the next one to come; earlier and later windows, and one
session's full register, are a link away."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openmil.activities import selectors
from openmil.activities.models import Attendance
from tests.activities.factories import (
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    at,
)
from tests.conftest import client_for
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

HELD, COMING = 16, 4


@pytest.fixture
def course(lab_a, facilitator):
    """Three people, 16 sessions held (weekly) and 4 to come; Ana was
    present at the first session only, Ben at every one."""
    cohort = CohortFactory(activity=ActivityFactory(lab=lab_a), capacity=10)
    sessions = [
        SessionFactory(cohort=cohort, starts_at=at(7 * (w - HELD) + 1))
        for w in range(HELD + COMING)
    ]
    people = [
        ParticipantFactory(lab=lab_a, family_name=name) for name in ("Ana", "Ben", "Cy")
    ]
    for person in people:
        EnrolmentFactory(cohort=cohort, participant=person)
    ana, ben, _cy = people
    AttendanceFactory(session=sessions[0], participant=ana, status="present")
    for session in sessions[:HELD]:
        AttendanceFactory(session=session, participant=ben, status="present")
    return cohort, sessions, people


def headers(body: str) -> list[str]:
    return re.findall(r'<th scope="col" id="s(\d+)"', body)


def test_the_default_window_ends_with_the_next_session_to_come(course, facilitator):
    cohort, sessions, (ana, ben, _cy) = course
    grid = selectors.attendance_grid(user=facilitator, cohort=cohort, size=8)
    assert grid.sessions == sessions[HELD + 1 - 8 : HELD + 1]
    assert (grid.start, grid.total, grid.held) == (HELD + 1 - 8, 20, HELD)
    # Rates count every held session, not only those in the window.
    rates = {row.participant: (row.rate.present, row.rate.held) for row in grid.rows}
    assert rates[ana] == (1, HELD) and rates[ben] == (HELD, HELD)
    ben_row = next(r for r in grid.rows if r.participant == ben)
    assert [m for _s, m in ben_row.marks] == ["present"] * 7 + [""]
    assert grid.earlier_start == 1 and grid.later_start == 12


def test_windows_page_back_and_forth_and_stop_at_the_ends(course, facilitator):
    cohort, sessions, _people = course
    first = selectors.attendance_grid(user=facilitator, cohort=cohort, size=8, start=0)
    assert first.sessions == sessions[:8] and first.earlier_start is None
    assert first.later_start == 8
    last = selectors.attendance_grid(user=facilitator, cohort=cohort, size=8, start=12)
    assert last.sessions == sessions[12:] and last.later_start is None
    beyond = selectors.attendance_grid(
        user=facilitator, cohort=cohort, size=8, start=500
    )
    assert beyond.sessions == sessions[19:]
    whole = selectors.attendance_grid(user=facilitator, cohort=cohort)
    assert whole.sessions == sessions and whole.earlier_start is None


def test_the_page_shows_eight_sessions_with_links_to_the_others(course, facilitator):
    cohort, sessions, _people = course
    client = client_for(facilitator)
    body = client.get(f"/activities/cohorts/{cohort.pk}/attendance/").content.decode()
    shown = sessions[HELD + 1 - 8 : HELD + 1]
    assert headers(body) == [str(s.pk) for s in shown]
    assert body.count('<select name="p') == 3 * 8
    assert 'href="?start=1&amp;size=8" rel="prev"' in body
    assert 'href="?start=12&amp;size=8" rel="next"' in body
    assert "Sessions 10–17 of 20" in body
    # The rate still counts all 16 sessions held.
    assert "(16/16)" in body and "(1/16)" in body
    earlier = client.get(
        f"/activities/cohorts/{cohort.pk}/attendance/", {"start": 1, "size": 8}
    ).content.decode()
    assert headers(earlier) == [str(s.pk) for s in sessions[1:9]]
    assert 'href="?start=0&amp;size=8" rel="prev"' in earlier


def test_one_sessions_full_register(course, facilitator):
    cohort, sessions, people = course
    client = client_for(facilitator)
    body = client.get(f"/activities/cohorts/{cohort.pk}/attendance/").content.decode()
    assert f'href="?start={HELD - 1}&amp;size=1"' in body
    register = client.get(
        f"/activities/cohorts/{cohort.pk}/attendance/",
        {"start": HELD - 1, "size": 1},
    ).content.decode()
    assert headers(register) == [str(sessions[HELD - 1].pk)]
    assert register.count('<select name="p') == len(people)
    assert "Back to the latest sessions" in register


def test_saving_a_session_returns_to_the_same_window(course, facilitator):
    cohort, sessions, (ana, _ben, _cy) = course
    session = sessions[3]
    response = client_for(facilitator).post(
        f"/activities/sessions/{session.pk}/attendance/?start=3&size=1",
        {f"p{ana.pk}": "absent"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"/activities/cohorts/{cohort.pk}/attendance/?start=3&size=1#s{session.pk}"
    )
    assert Attendance.objects.get(session=session, participant=ana).status == "absent"


@pytest.mark.parametrize(
    "query", [{"start": "abc"}, {"size": "-5"}, {"start": "-3", "size": "9999"}]
)
def test_odd_window_parameters_still_draw_a_page(course, facilitator, query):
    cohort, _sessions, _people = course
    response = client_for(facilitator).get(
        f"/activities/cohorts/{cohort.pk}/attendance/", query
    )
    assert response.status_code == 200


def test_the_grid_runs_as_many_queries_for_40_sessions_as_for_4(lab_a, facilitator):
    counts = []
    for total in (4, 40):
        cohort = CohortFactory(activity=ActivityFactory(lab=lab_a), capacity=10)
        sessions = [
            SessionFactory(cohort=cohort, starts_at=at(d - total + 2))
            for d in range(total)
        ]
        for _ in range(5):
            person = ParticipantFactory(lab=lab_a)
            EnrolmentFactory(cohort=cohort, participant=person)
            for session in sessions[:-2]:
                AttendanceFactory(session=session, participant=person)
        client = client_for(facilitator)
        url = f"/activities/cohorts/{cohort.pk}/attendance/"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
