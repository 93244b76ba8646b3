"""The attendance and cohort pages run a fixed number of SQL queries,
whatever the size of the cohort: measured with 3 and with 30 people."""

import pytest

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

#: Session, user and memberships (3), the cohort with its activity and lab,
#: then for the grid: sessions, enrolments with people, the window's marks,
#: the present marks counted per person (rates over every held session),
#: the audit entry; for the cohort page: enrolments with people, the audit entry, the
#: enrolled count, the mix by profile, the lab's target, the sessions.
# The page header (navigation, notification bell) included.
MAX_QUERIES = {"attendance/": 10, "": 11}


def cohort_of(lab, facilitator, size: int):
    cohort = CohortFactory(activity=ActivityFactory(lab=lab), capacity=size)
    sessions = [
        SessionFactory(cohort=cohort, starts_at=at(d), facilitator=facilitator)
        for d in (-14, -7, -1, 6)
    ]
    for i in range(size):
        person = ParticipantFactory(
            lab=lab, profile="national" if i % 3 else "newcomer"
        )
        EnrolmentFactory(cohort=cohort, participant=person)
        for session in sessions[:3]:
            AttendanceFactory(
                session=session,
                participant=person,
                status=Attendance.Status.values[i % 3],
            )
    return cohort


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("page", ["attendance/", ""])
def test_cohort_pages_run_a_fixed_number_of_queries(
    page, size, lab_a, facilitator, django_assert_max_num_queries
):
    cohort = cohort_of(lab_a, facilitator, size)
    client = client_for(facilitator)
    url = f"/activities/cohorts/{cohort.pk}/{page}"
    client.get(url)  # warm caches that are filled once per process
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="att-rate"') == (size if page else 0)
