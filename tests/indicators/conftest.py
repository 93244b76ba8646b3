import datetime as dt

import pytest

from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute
from openmil.participants.models import Need
from tests.factories import NeedFactory, ParticipantFactory


def people_with_urgent_needs(lab, *, met: int, unmet: int, year: int = 2026):
    """`met` people whose urgent need was met, `unmet` whose was not."""
    for i in range(met + unmet):
        person = ParticipantFactory(lab=lab, intake_date=dt.date(year, 2, 1))
        NeedFactory(
            participant=person,
            urgent=True,
            status=Need.Status.MET if i < met else Need.Status.IDENTIFIED,
            resolved_at=dt.datetime(year, 2, 11, tzinfo=dt.UTC) if i < met else None,
        )


@pytest.fixture
def eleven_of_twelve(lab_a):
    """Lab A in 2026: 12 people with an urgent need, 11 met (91.7 %)."""
    people_with_urgent_needs(lab_a, met=11, unmet=1)
    return snapshot_compute(lab=lab_a, period=Period.parse("2026"))
