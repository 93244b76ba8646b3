"""Training reads: who holds what, what expires soon, and who sees which."""

import datetime as dt

import pytest
from django.http import Http404

from openmil.training import selectors
from tests.factories import member
from tests.training.factories import (
    CertificationFactory,
    CompetencyFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def records(lab_a, coordinator, facilitator):
    first_aid = CompetencyFactory(lab=lab_a, name="First aid")
    mediation = CompetencyFactory(lab=lab_a, name="Mediation")
    return {
        "first_aid": first_aid,
        "mediation": mediation,
        # Expires in 30 days: listed.
        "soon": CertificationFactory(
            competency=first_aid,
            user=facilitator,
            certified_on=dt.date(2024, 7, 1),
            expires_on=TODAY + dt.timedelta(days=30),
        ),
        # Expires in 90 days exactly: listed; in 91: not listed.
        "edge": CertificationFactory(
            competency=mediation,
            user=facilitator,
            certified_on=dt.date(2025, 1, 1),
            expires_on=TODAY + dt.timedelta(days=90),
        ),
        "later": CertificationFactory(
            competency=mediation,
            user=coordinator,
            certified_on=dt.date(2025, 1, 1),
            expires_on=TODAY + dt.timedelta(days=91),
        ),
        # Expires in 10 days but renewed since: not listed.
        "renewed_old": CertificationFactory(
            competency=first_aid,
            user=coordinator,
            certified_on=dt.date(2024, 6, 1),
            expires_on=TODAY + dt.timedelta(days=10),
        ),
        "renewed_new": CertificationFactory(
            competency=first_aid,
            user=coordinator,
            certified_on=dt.date(2026, 5, 1),
            expires_on=dt.date(2028, 5, 1),
        ),
    }


def test_expiring_lists_current_certifications_within_90_days(
    records, coordinator, lab_a
):
    expiring = selectors.certifications_expiring(
        user=coordinator, lab_id=lab_a.pk, today=TODAY
    )
    assert list(expiring) == [records["soon"], records["edge"]]


def test_who_holds_what_shows_the_latest_certification(
    records, coordinator, facilitator, lab_a
):
    competencies, rows = selectors.who_holds_what(user=coordinator, lab_id=lab_a.pk)
    assert [c.name for c in competencies] == ["First aid", "Mediation"]
    cells = {row.user: row.cells for row in rows}
    assert cells[coordinator] == [records["renewed_new"], records["later"]]
    assert cells[facilitator] == [records["soon"], records["edge"]]


def test_facilitators_see_only_their_own(records, facilitator, coordinator, lab_a):
    mine = selectors.certification_list(user=facilitator)
    assert {c.user_id for c in mine} == {facilitator.pk}
    with pytest.raises(Http404):
        selectors.who_holds_what(user=facilitator, lab_id=lab_a.pk)
    assert selectors.certification_list(user=coordinator).count() == 5


def test_trainings_seen_are_those_followed_or_managed(lab_a, coordinator, facilitator):
    followed = TrainingFactory(lab=lab_a)
    followed.attendees.add(facilitator)
    TrainingFactory(lab=lab_a)
    assert list(selectors.training_list(user=facilitator)) == [followed]
    assert selectors.training_list(user=coordinator).count() == 2


def test_other_labs_and_other_roles_see_nothing(records, outsider, lab_a):
    for user in (outsider, member(lab_a, "mentor"), member(lab_a, "analyst")):
        assert not selectors.certification_list(user=user, lab_id=lab_a.pk).exists()
        assert not selectors.training_list(user=user, lab_id=lab_a.pk).exists()
        with pytest.raises(Http404):
            selectors.certifications_expiring(user=user, lab_id=lab_a.pk, today=TODAY)
