"""Indicators against a hand-computable fixture, with intervals and disclosure."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import timezone

from openmil.core.roles import Role
from openmil.indicators.registry import REGISTRY, Period, indicator_get
from openmil.indicators.selectors import (
    age_band,
    indicator_compute,
    indicator_values,
    origin_group,
)
from openmil.indicators.stats import median_interval, wilson_interval
from openmil.participants.models import Consent, Need
from tests.factories import ConsentFactory, NeedFactory, ParticipantFactory, member

YEAR = Period.parse("2026")


def _met_on(day: dt.date) -> dict:
    return {
        "status": Need.Status.MET,
        "resolved_at": timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
    }


@pytest.fixture
def needs_fixture(lab_a):
    """Twelve people taken in on 2026-03-01 with one urgent need each.

    Eight newcomers: six met after 10, 20, 30, 40, 50, 60 days, two open.
    Four nationals: all met after 5 days. One more person met a need only in
    2027 (after the period), one was taken in in 2025 (outside the period),
    one has no urgent need, one objected to statistics.
    """
    intake = dt.date(2026, 3, 1)

    def person(profile, **need):
        p = ParticipantFactory(lab=lab_a, intake_date=intake, profile=profile)
        NeedFactory(participant=p, urgent=True, **need)
        return p

    for days in (10, 20, 30, 40, 50, 60):
        person("newcomer", **_met_on(intake + dt.timedelta(days=days)))
    person("newcomer")
    person("newcomer", status=Need.Status.IN_PROGRESS)
    for _ in range(4):
        person("national", **_met_on(intake + dt.timedelta(days=5)))
    late = person("newcomer", **_met_on(dt.date(2027, 1, 10)))
    early = ParticipantFactory(lab=lab_a, intake_date=dt.date(2025, 6, 1))
    NeedFactory(participant=early, urgent=True, **_met_on(dt.date(2025, 7, 1)))
    calm = ParticipantFactory(lab=lab_a, intake_date=intake)
    NeedFactory(participant=calm, urgent=False)
    objector = person("national", **_met_on(intake))
    ConsentFactory(
        participant=objector,
        purpose=Consent.Purpose.STATISTICS,
        withdrawn_at=timezone.now(),
    )
    return {"late": late}


def test_share_with_every_urgent_need_met_matches_the_hand_count(lab_a, needs_fixture):
    cells = indicator_compute(
        indicator=indicator_get("needs.urgent_met_share"),
        lab_ids=[lab_a.pk],
        period=YEAR,
        breakdown="profile",
    )
    whole, national, newcomer = cells
    # 13 counted people with an urgent need taken in during 2026 (the
    # objector is out); met by 31 Dec 2026: 6 newcomers + 4 nationals.
    assert (whole.group, whole.n, whole.k) == ("all", 13, 10)
    assert (national.group, national.n, national.k) == ("national", 4, 4)
    assert (newcomer.group, newcomer.n, newcomer.k) == ("newcomer", 9, 6)
    assert whole.value == pytest.approx(10 / 13)
    low, high = wilson_interval(10, 13)
    assert (whole.low, whole.high) == (pytest.approx(low), pytest.approx(high))


def test_median_days_to_needs_met_matches_the_hand_count(lab_a, needs_fixture):
    cells = indicator_compute(
        indicator=indicator_get("needs.median_days_to_met"),
        lab_ids=[lab_a.pk],
        period=YEAR,
        breakdown="profile",
    )
    whole, national, newcomer = cells
    # Days: 5, 5, 5, 5, 10, 20, 30, 40, 50, 60 -> median (10 + 20) / 2.
    assert (whole.n, whole.value) == (10, 15.0)
    assert (national.n, national.value) == (4, 5.0)
    assert (newcomer.n, newcomer.value) == (6, 35.0)


def test_a_need_met_after_the_period_does_not_count_as_met_in_it(lab_a, needs_fixture):
    cells = indicator_compute(
        indicator=indicator_get("needs.urgent_met_share"),
        lab_ids=[lab_a.pk],
        period=Period.parse("2025-06-01..2027-06-30"),
    )
    # The 2025 intake and the 2027 resolution are both inside this period.
    assert (cells[0].n, cells[0].k) == (14, 12)


def test_wilson_interval_matches_the_published_formula():
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4)
    assert high == pytest.approx(0.7634, abs=1e-4)
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 20)
    assert low == 0.0 and high == pytest.approx(0.1611, abs=1e-4)


def test_median_interval_covers_the_median_from_order_statistics():
    values = list(range(1, 21))
    low, high = median_interval(values)
    # n = 20: the 6th and 15th smallest values (binomial(20, 1/2) quantiles).
    assert (low, high) == (6.0, 15.0)


def test_age_band_and_origin_group():
    assert age_band(dt.date(2000, 12, 31), dt.date(2026, 12, 30)) == "25-34"
    assert age_band(dt.date(2008, 1, 1), dt.date(2026, 1, 1)) == "18-24"
    assert age_band(None, dt.date(2026, 1, 1)) == "unknown"
    assert age_band(dt.date(1950, 1, 1), dt.date(2026, 1, 1)) == "65+"
    assert origin_group("PT", "PT") == "host_country"
    assert origin_group("RO", "PT") == "eu"
    assert origin_group("SY", "PT") == "non_eu"
    assert origin_group("", "PT") == "unknown"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2025-07-01..2026-06-30", dt.date(2025, 7, 1), dt.date(2026, 6, 30)),
    ],
)
def test_periods_parse(text, start, end):
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["", "2026-Q5", "26-13", "2026-12-01..2026-01-01"])
def test_a_bad_period_is_a_clear_error(text):
    with pytest.raises(ValueError, match="period"):
        Period.parse(text)


def test_lab_staff_see_exact_figures_and_analysts_see_protected_ones(
    lab_a, coordinator, analyst, needs_fixture
):
    indicator = indicator_get("needs.urgent_met_share")
    exact = indicator_values(
        user=coordinator,
        indicator=indicator,
        lab_ids=[lab_a.pk],
        period=YEAR,
        breakdown="profile",
    )
    assert [(c.group, c.n, c.exact) for c in exact] == [
        ("all", 13, True),
        ("national", 4, True),
        ("newcomer", 9, True),
    ]
    protected = indicator_values(
        user=analyst,
        indicator=indicator,
        lab_ids=[lab_a.pk],
        period=YEAR,
        breakdown="profile",
    )
    by_group = {c.group: c for c in protected}
    # Both groups are under 10; with both hidden, the total (13, shown as 15)
    # gives away neither.
    assert str(by_group["national"].n) == "<10" and by_group["national"].hidden
    assert str(by_group["newcomer"].n) == "<10" and by_group["newcomer"].value is None
    assert str(by_group["all"].n) == "15"
    assert by_group["all"].value == pytest.approx(10 / 13)
    assert not any(c.exact for c in protected)


def test_a_user_without_the_aggregate_permission_of_a_lab_is_refused(
    lab_a, lab_b, needs_fixture
):
    stranger = member(lab_b, Role.COORDINATOR)
    with pytest.raises(Http404):
        indicator_values(
            user=stranger,
            indicator=indicator_get("needs.urgent_met_share"),
            lab_ids=[lab_a.pk],
            period=YEAR,
        )
    partner = member(lab_a, Role.PARTNER_STAFF)
    with pytest.raises(Http404):
        indicator_values(
            user=partner,
            indicator=indicator_get("needs.urgent_met_share"),
            lab_ids=[lab_a.pk],
            period=YEAR,
        )


def test_an_unknown_indicator_is_a_clear_error():
    with pytest.raises(LookupError, match="Unknown indicator"):
        indicator_get("nope")


def test_every_indicator_documents_itself():
    for indicator in REGISTRY.values():
        described = indicator.as_dict()
        for key in ("name", "numerator", "denominator", "population", "period"):
            assert described[key], (indicator.id, key)
        assert indicator.standard and indicator.reads


def test_the_indicator_docs_are_up_to_date():
    out = StringIO()
    call_command("indicators", "docs", "--check", stdout=out)
    assert "up to date" in out.getvalue()


def test_the_compute_command_prints_exact_figures(lab_a, needs_fixture):
    out = StringIO()
    call_command(
        "indicators",
        "compute",
        "--lab",
        "lab-a",
        "--period",
        "2026",
        "--indicator",
        "needs.urgent_met_share",
        stdout=out,
    )
    assert "needs.urgent_met_share\tall\tn=13\t0.7692" in out.getvalue()
    with pytest.raises(CommandError, match="No lab"):
        call_command("indicators", "compute", "--lab", "nope", "--period", "2026")
    with pytest.raises(CommandError, match="period"):
        call_command("indicators", "compute", "--lab", "lab-a", "--period", "x")
