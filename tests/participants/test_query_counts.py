"""The pages a facilitator opens all day run a fixed number of SQL queries.

Each page is measured with 5 participants and again with 30 (every one with
needs, consents, a follow-up, an occupation, and a household that grows):
a query per row (N+1) would show as a higher count at 30.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openmil.classifications.models import Occupation
from openmil.core.models import Membership
from openmil.participants.models import Consent, Household, Participant
from tests.conftest import client_for
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    need_type,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def add_people(lab, caseworker, count: int) -> list[Participant]:
    """`count` people in the caseworker's caseload, in one growing household."""
    household, _ = Household.objects.get_or_create(lab=lab, reference="H-1")
    occupation = Occupation.objects.order_by("pk").first()
    people = []
    for _ in range(count):
        p = ParticipantFactory(
            lab=lab, caseworker=caseworker, household=household, household_role="child"
        )
        NeedFactory(
            participant=p,
            need_type=need_type("housing"),
            owner=caseworker,
            due_date=TODAY() - dt.timedelta(days=3),
        )
        NeedFactory(
            participant=p,
            need_type=need_type("health"),
            owner=None,
            urgent=False,
            due_date=TODAY() - dt.timedelta(days=1),
        )
        ConsentFactory(participant=p, recorded_by=caseworker)
        ConsentFactory(
            participant=p, purpose=Consent.Purpose.FOLLOW_UP, recorded_by=caseworker
        )
        FollowUpFactory(participant=p, assigned_to=caseworker, due_on=TODAY())
        if occupation is not None:
            p.past_occupations.add(occupation)
        people.append(p)
    return people


def pages(first: Participant) -> dict[str, str]:
    return {
        "home": "/",
        "list": "/participants/",
        "search": "/participants/?q=family",
        "detail": f"/participants/{first.pk}/",
        "api list": "/api/v1/participants",
    }


def count_queries(client, path: str) -> int:
    client.get(path)  # warm caches that are filled once per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("page", ["home", "list", "search", "detail", "api list"])
def test_query_count_does_not_grow_with_rows(page, lab_a, facilitator):
    first = add_people(lab_a, facilitator, 5)[0]
    client = client_for(facilitator)
    path = pages(first)[page]
    small = count_queries(client, path)

    add_people(lab_a, facilitator, 25)
    assert Participant.objects.filter(lab=lab_a).count() == 30
    large = count_queries(client, path)

    assert large <= small, f"{page}: {small} queries with 5 rows, {large} with 30"


def test_pages_show_every_row_they_count(lab_a, facilitator):
    """The measured pages really list the grown data (not an empty page)."""
    people = add_people(lab_a, facilitator, 30)
    client = client_for(facilitator)
    listing = client.get("/participants/").content.decode()
    assert "30 participants" in listing
    home = client.get("/").content.decode()
    assert people[0].full_name in home
    detail = client.get(f"/participants/{people[0].pk}/").content.decode()
    assert people[-1].full_name in detail  # a household member
    api = client.get("/api/v1/participants").json()
    assert api["count"] == 30
    assert Membership.objects.filter(user=facilitator).exists()
