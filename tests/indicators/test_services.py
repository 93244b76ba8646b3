"""Snapshots of every lab at once: the nightly recompute's path."""

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from openmil.core import parallel
from openmil.indicators.models import IndicatorSnapshot
from openmil.indicators.registry import BREAKDOWNS, REGISTRY, Period
from openmil.indicators.selectors import indicator_compute
from openmil.indicators.services import snapshot_compute, snapshots_compute
from openmil.indicators.tasks import snapshots_refresh_all, snapshots_refresh_labs
from openmil.participants.models import Need
from tests.factories import NeedFactory, ParticipantFactory
from tests.indicators.conftest import people_with_urgent_needs

YEAR = Period.parse("2026")
SHARE = "needs.urgent_met_share"
MEDIAN = "needs.median_days_to_met"


@pytest.fixture
def two_labs(lab_a, lab_b):
    """Lab A: 5 of 7 urgent needs met; lab B: 3 of 7, among them a national
    taken in in March whose need took 30 days (the others took 10)."""
    people_with_urgent_needs(lab_a, met=5, unmet=2)
    people_with_urgent_needs(lab_b, met=2, unmet=4)
    person = ParticipantFactory(
        lab=lab_b, intake_date=dt.date(2026, 3, 1), profile="national"
    )
    NeedFactory(
        participant=person,
        urgent=True,
        status=Need.Status.MET,
        resolved_at=dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC),
    )
    return lab_a, lab_b


def test_every_lab_at_once_gets_the_figures_each_lab_gets_alone(two_labs):
    lab_a, lab_b = two_labs
    together = {s.lab_id: s for s in snapshots_compute(labs=two_labs, period=YEAR)}
    for lab in two_labs:
        alone = snapshot_compute(lab=lab, period=YEAR)
        assert together[lab.pk].cells == alone.cells
        assert together[lab.pk].funnel == alone.funnel
    a, b = together[lab_a.pk].cells, together[lab_b.pk].cells
    assert (a[SHARE][""][0]["n"], a[SHARE][""][0]["k"]) == (7, 5)
    assert (b[SHARE][""][0]["n"], b[SHARE][""][0]["k"]) == (7, 3)
    # Lab B's medians: 10, 10 and 30 days; the national alone took 30.
    assert b[MEDIAN][""][0]["value"] == 10.0
    national = next(c for c in b[MEDIAN]["profile"] if c["group"] == "national")
    assert (national["n"], national["value"]) == (1, 30.0)


def test_a_lab_snapshot_holds_what_the_one_lab_computation_gives(two_labs):
    _lab_a, lab_b = two_labs
    snapshot = snapshots_compute(labs=two_labs, period=YEAR)[1]
    assert snapshot.lab_id == lab_b.pk
    for indicator in REGISTRY.values():
        whole = indicator_compute(indicator=indicator, lab_ids=[lab_b.pk], period=YEAR)
        stored = snapshot.cells[indicator.id]
        assert stored[""] == [vars(c) for c in whole]
        for breakdown in BREAKDOWNS:
            cells = indicator_compute(
                indicator=indicator,
                lab_ids=[lab_b.pk],
                period=YEAR,
                breakdown=breakdown,
            )
            assert stored[breakdown] == [vars(c) for c in cells[1:]]


def test_the_snapshots_command_stores_one_snapshot_per_lab(two_labs):
    out = StringIO()
    call_command("indicators", "snapshots", "--period", "2026", stdout=out)
    assert "Stored 2 snapshots for 2026" in out.getvalue()
    assert sorted(IndicatorSnapshot.objects.values_list("lab__slug", "period")) == [
        ("lab-a", "2026"),
        ("lab-b", "2026"),
    ]
    call_command("indicators", "snapshots", "--period", "2025", "--lab", "lab-b")
    assert IndicatorSnapshot.objects.filter(period="2025").count() == 1
    with pytest.raises(CommandError, match="nowhere"):
        call_command("indicators", "snapshots", "--period", "2025", "--lab", "nowhere")


def test_the_nightly_refresh_recomputes_this_and_last_year_of_every_lab(two_labs):
    this_year = timezone.localdate().year
    assert snapshots_refresh_all.enqueue().return_value == 4
    assert sorted(IndicatorSnapshot.objects.values_list("period", flat=True)) == [
        str(this_year - 1),
        str(this_year - 1),
        str(this_year),
        str(this_year),
    ]
    assert snapshots_refresh_labs.enqueue(period="2026").return_value == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite computes on one connection",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_db")
def test_computed_on_two_connections_the_snapshots_hold_the_same_figures(
    two_labs, settings, monkeypatch
):
    settings.OPENMIL_ANALYTIC_CONNECTIONS = 1
    alone = {s.lab_id: s for s in snapshots_compute(labs=two_labs, period=YEAR)}
    ran_apart = []
    in_snapshot = parallel._run_in_snapshot

    def counted(task, **kwargs):
        ran_apart.append(threading.current_thread().name)
        return in_snapshot(task, **kwargs)

    monkeypatch.setattr(parallel, "_run_in_snapshot", counted)
    settings.OPENMIL_ANALYTIC_CONNECTIONS = 2
    spread = {s.lab_id: s for s in snapshots_compute(labs=two_labs, period=YEAR)}
    # Every indicator and the funnel ran on the workers' connections.
    assert len(ran_apart) == len(REGISTRY) + 1
    assert len(set(ran_apart)) == 2
    for lab in two_labs:
        assert spread[lab.pk].cells == alone[lab.pk].cells
        assert spread[lab.pk].funnel == alone[lab.pk].funnel
    assert spread[two_labs[1].pk].cells[SHARE][""][0]["k"] == 3
