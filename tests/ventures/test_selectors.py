"""Venture reads: scoping through participant_queryset, and the indicators,
checked on a small fixture whose answers can be counted by hand."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.participants.models import Consent
from openmil.ventures import selectors, services
from openmil.ventures.models import Stage
from tests.factories import ConsentFactory, ParticipantFactory
from tests.ventures.factories import VentureFactory

pytestmark = pytest.mark.django_db

D = dt.date


def _walk(venture, actor, steps):
    """Move a venture through (stage, date) steps, registering on the way."""
    for stage, on in steps:
        services.venture_transition(
            actor=actor,
            venture=venture,
            to_stage=stage,
            on=on,
            registration_date=on if stage == Stage.REGISTERED else None,
        )


def _to_registered(venture, actor, registered_on):
    _walk(
        venture,
        actor,
        [
            (Stage.BUSINESS_PLAN, venture.started_on),
            (Stage.FINANCING, venture.started_on),
            (Stage.REGISTERED, registered_on),
        ],
    )


@pytest.fixture
def indicator_world(lab_a, lab_b, coordinator, outsider):
    """
    V1 started 2024-03-01, registered 2024-06-15, operating, never closed.
    V2 started 2024-04-01, registered 2024-07-01, closed 2025-03-01.
    V3 started 2024-05-01, registered 2024-08-01, closed 2025-09-01.
    V4 started 2025-03-01, registered 2025-05-01.
    V5 started 2025-02-01, still an idea.
    Lab B: one venture registered 2024-06-01 (never counted for lab A).
    Jobs: V1 2 (2024-09-01), 4 (2025-03-01), 3 (2025-09-01); V3 1 (2025-01-15).
    """
    people = [ParticipantFactory(lab=lab_a) for _ in range(5)]
    v = {
        name: VentureFactory(lab=lab_a, founders=[person], started_on=start)
        for name, person, start in [
            ("V1", people[0], D(2024, 3, 1)),
            ("V2", people[1], D(2024, 4, 1)),
            ("V3", people[2], D(2024, 5, 1)),
            ("V4", people[3], D(2025, 3, 1)),
            ("V5", people[4], D(2025, 2, 1)),
        ]
    }
    _to_registered(v["V1"], coordinator, D(2024, 6, 15))
    _walk(v["V1"], coordinator, [(Stage.OPERATING, D(2024, 7, 1))])
    _to_registered(v["V2"], coordinator, D(2024, 7, 1))
    _walk(v["V2"], coordinator, [(Stage.CLOSED, D(2025, 3, 1))])
    _to_registered(v["V3"], coordinator, D(2024, 8, 1))
    _walk(v["V3"], coordinator, [(Stage.CLOSED, D(2025, 9, 1))])
    _to_registered(v["V4"], coordinator, D(2025, 5, 1))
    for jobs, on in [(2, D(2024, 9, 1)), (4, D(2025, 3, 1)), (3, D(2025, 9, 1))]:
        services.venture_jobs_record(
            actor=coordinator, venture=v["V1"], jobs=jobs, on=on
        )
    services.venture_jobs_record(
        actor=coordinator, venture=v["V3"], jobs=1, on=D(2025, 1, 15)
    )
    other = VentureFactory(
        lab=lab_b, founders=[ParticipantFactory(lab=lab_b)], started_on=D(2024, 1, 1)
    )
    _to_registered(other, outsider, D(2024, 6, 1))
    services.venture_jobs_record(
        actor=outsider, venture=other, jobs=9, on=D(2025, 1, 1)
    )
    v["people"] = people
    return v


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2024, 1, 1), D(2024, 12, 31), {"V1", "V2", "V3"}),
        (D(2025, 1, 1), D(2025, 12, 31), {"V4", "V5"}),
        (D(2024, 3, 1), D(2024, 4, 1), {"V1", "V2"}),
        (D(2023, 1, 1), D(2023, 12, 31), set()),
    ],
)
def test_ventures_created_in_a_period(
    indicator_world, coordinator, lab_a, start, end, expected
):
    created = selectors.ventures_created(
        user=coordinator, lab_id=lab_a.pk, start=start, end=end
    )
    assert {v.name for v in created} == {indicator_world[n].name for n in expected}


def test_ventures_still_operating_12_months_after_registration(
    indicator_world, coordinator, lab_a
):
    survival = selectors.ventures_surviving(
        user=coordinator, lab_id=lab_a.pk, months=12, as_of=D(2026, 1, 1)
    )
    # V1, V2, V3 were registered 12 months before 2026-01-01; V2 closed within.
    assert (survival.registered, survival.surviving) == (3, 2)
    assert survival.rate == pytest.approx(2 / 3)


def test_survival_on_a_shorter_horizon_and_a_registration_period(
    indicator_world, coordinator, lab_a
):
    six = selectors.ventures_surviving(
        user=coordinator, lab_id=lab_a.pk, months=6, as_of=D(2026, 1, 1)
    )
    # All four registered ventures are 6 months old; none closed within 6 months.
    assert (six.registered, six.surviving) == (4, 4)
    summer = selectors.ventures_surviving(
        user=coordinator,
        lab_id=lab_a.pk,
        months=12,
        as_of=D(2026, 1, 1),
        registered_from=D(2024, 7, 1),
        registered_to=D(2024, 8, 31),
    )
    assert (summer.registered, summer.surviving) == (2, 1)


def test_no_cohort_has_no_rate(indicator_world, coordinator, lab_a):
    survival = selectors.ventures_surviving(
        user=coordinator, lab_id=lab_a.pk, months=12, as_of=D(2024, 1, 1)
    )
    assert (survival.registered, survival.rate) == (0, None)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2024, 1, 1), D(2024, 12, 31), 2),  # V1 0 → 2
        (D(2025, 1, 1), D(2025, 12, 31), 2),  # V1 2 → 3, V3 0 → 1
        (D(2025, 1, 1), D(2025, 6, 30), 3),  # V1 2 → 4, V3 0 → 1
        (D(2025, 7, 1), D(2025, 12, 31), -1),  # V1 4 → 3
    ],
)
def test_jobs_created_in_a_period(
    indicator_world, coordinator, lab_a, start, end, expected
):
    assert (
        selectors.jobs_created(user=coordinator, lab_id=lab_a.pk, start=start, end=end)
        == expected
    )


def test_ventures_whose_founders_object_to_statistics_leave_the_counts(
    indicator_world, coordinator, lab_a
):
    ConsentFactory(
        participant=indicator_world["people"][0],
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at=timezone.now(),
    )
    created = selectors.ventures_created(
        user=coordinator, lab_id=lab_a.pk, start=D(2024, 1, 1), end=D(2024, 12, 31)
    )
    assert created.count() == 2
    survival = selectors.ventures_surviving(
        user=coordinator, lab_id=lab_a.pk, months=12, as_of=D(2026, 1, 1)
    )
    assert (survival.registered, survival.surviving) == (2, 1)
    jobs = selectors.jobs_created(
        user=coordinator, lab_id=lab_a.pk, start=D(2025, 1, 1), end=D(2025, 12, 31)
    )
    assert jobs == 1


def test_indicators_refuse_users_without_aggregates_of_the_lab(
    indicator_world, outsider, mentor, lab_a
):
    for user in (outsider, mentor):
        with pytest.raises(Http404):
            selectors.jobs_created(
                user=user, lab_id=lab_a.pk, start=D(2024, 1, 1), end=D(2025, 1, 1)
            )


def test_analysts_read_indicators_but_not_ventures(indicator_world, analyst, lab_a):
    counts = selectors.venture_stage_counts(user=analyst, lab_id=lab_a.pk)
    assert counts[Stage.CLOSED] == 2
    assert counts[Stage.REGISTERED] == 1
    assert not selectors.venture_list(user=analyst).exists()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 6, 15), 12, D(2025, 6, 15)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert selectors.add_months(day, months) == expected


def test_a_venture_is_hidden_when_every_founder_is_restricted(
    lab_a, facilitator, coordinator, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    participant.processing_restricted = True
    participant.save()
    assert not selectors.venture_queryset(user=facilitator).exists()
    assert selectors.venture_queryset(user=coordinator).get() == venture
    with pytest.raises(Http404):
        selectors.venture_get(user=facilitator, venture_id=venture.pk)


def test_only_visible_founders_are_listed(lab_a, facilitator, participant):
    hidden = ParticipantFactory(lab=lab_a, processing_restricted=True)
    VentureFactory(lab=lab_a, founders=[participant, hidden])
    (venture,) = selectors.venture_list(user=facilitator)
    assert venture.visible_founders == [participant]


def test_viewing_a_venture_is_logged_as_a_view_of_each_founder(
    lab_a, facilitator, participant
):
    partner = ParticipantFactory(lab=lab_a)
    venture = VentureFactory(lab=lab_a, founders=[participant, partner])
    selectors.venture_get(user=facilitator, venture_id=venture.pk)
    views = AuditEntry.objects.filter(action="view", object_type="venture")
    assert set(views.values_list("participant_id", flat=True)) == {
        participant.pk,
        partner.pk,
    }


def test_territorial_needs_list_the_ventures_answering_them(
    lab_a, lab_b, facilitator, participant
):
    need = services.territorial_need_create(
        actor=facilitator,
        lab=lab_a,
        data={"kind": "missing_service", "title": "No bakery in the village"},
    )
    venture = VentureFactory(lab=lab_a, founders=[participant], territorial_need=need)
    (listed,) = selectors.territorial_need_list(user=facilitator, lab_id=lab_a.pk)
    assert listed.answering == [venture]
    assert not selectors.territorial_need_list(user=facilitator, lab_id=lab_b.pk)
