"""Trends, the funnel, filters and the network dashboard."""

import datetime as dt

import pytest

from openmil.core.roles import Role
from openmil.indicators.dashboards import (
    funnel_compute,
    funnel_published,
    network_figures,
)
from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute
from openmil.participants.models import Need
from openmil.pathways.models import FollowUpSurvey, Pathway
from tests.conftest import client_for
from tests.factories import LabFactory, NeedFactory, ParticipantFactory, member
from tests.indicators.conftest import people_with_urgent_needs
from tests.pathways.factories import PathwayFactory

SHARE = "needs.urgent_met_share"


def test_the_funnel_counts_each_step_within_the_previous_one(lab_a):
    people = [
        ParticipantFactory(lab=lab_a, intake_date=dt.date(2026, 1, 10))
        for _ in range(6)
    ]
    # people[0] has an urgent need still open: stops at intake.
    NeedFactory(participant=people[0], urgent=True, status=Need.Status.IDENTIFIED)
    # people[1..5] started a pathway; 2..4 ended it; 2 and 3 answered a
    # survey, 2 employed, 3 not; people[1] still on the pathway.
    pathways = {
        i: PathwayFactory(participant=people[i], started_on=dt.date(2026, 2, 1))
        for i in range(1, 5)
    }
    for i in (2, 3, 4):
        Pathway.objects.filter(pk=pathways[i].pk).update(
            status=Pathway.Status.EXITED, exit_date=dt.date(2026, 5, 1)
        )
    for i, status in ((2, "employed"), (3, "unemployed")):
        FollowUpSurvey.objects.create(
            pathway=pathways[i],
            months=3,
            due_on=dt.date(2026, 8, 1),
            answered_at=dt.datetime(2026, 8, 2, tzinfo=dt.UTC),
            employment_status=status,
        )
    # Somebody taken in another year is not in the 2026 funnel.
    PathwayFactory(
        participant=ParticipantFactory(lab=lab_a, intake_date=dt.date(2025, 3, 1))
    )
    counts = {
        row["step"]: row["n"]
        for row in funnel_compute(lab_ids=[lab_a.pk], period=Period.parse("2026"))
    }
    assert counts == {
        "intake": 6,
        "needs_met": 5,
        "pathway": 4,
        "exited": 3,
        "employed": 1,
    }


def test_the_funnel_is_disclosure_controlled_for_non_staff(lab_a, eleven_of_twelve):
    exact = funnel_published(snapshot=eleven_of_twelve, exact=True)
    safe = funnel_published(snapshot=eleven_of_twelve, exact=False)
    assert [s.n for s in exact][:2] == [12, 11]
    assert str(safe[0].n) == "10" and str(safe[1].n) == "10"
    assert str(safe[2].n) == "0"  # nobody on a pathway: zero discloses nobody
    ParticipantFactory(lab=lab_a, intake_date=dt.date(2026, 3, 1))
    PathwayFactory(
        participant=ParticipantFactory(lab=lab_a, intake_date=dt.date(2026, 3, 1))
    )
    snapshot = snapshot_compute(lab=lab_a, period=Period.parse("2026"))
    pathway_step = funnel_published(snapshot=snapshot, exact=False)[2]
    assert pathway_step.n.hidden and str(pathway_step.n) == "<10"
    assert pathway_step.percent == 0


def test_the_dashboard_draws_a_trend_over_computed_periods(lab_a, coordinator):
    for year, met in ((2024, 10), (2025, 15), (2026, 20)):
        people_with_urgent_needs(lab_a, met=met, unmet=5, year=year)
        snapshot_compute(lab=lab_a, period=Period.parse(str(year)))
    page = client_for(coordinator).get(
        f"/indicators/lab/{lab_a.pk}/", {"period": "2026"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('class="trend"') >= 1
    assert 'dir="ltr"' in text and "<polyline" in text
    # 10/15, 15/20 and 20/25 of the people met: 66.7, 75.0 and 80.0 %.
    for label in ("66.7", "75.0", "80.0"):
        assert f">{label}</text>" in text
    for year in ("2024", "2025", "2026"):
        assert f">{year}</text>" in text
    assert "From intake to employment" in text


def test_a_single_period_draws_no_trend(lab_a, coordinator, eleven_of_twelve):
    page = client_for(coordinator).get(
        f"/indicators/lab/{lab_a.pk}/", {"period": "2026"}
    )
    assert 'class="trend"' not in page.content.decode()


def test_filtering_by_cohort_or_profile_shows_that_groups_figure(lab_a, coordinator):
    people_with_urgent_needs(lab_a, met=11, unmet=1)  # intake in 2026
    snapshot_compute(lab=lab_a, period=Period.parse("2026"))
    client = client_for(coordinator)
    url = f"/indicators/lab/{lab_a.pk}/"
    whole = client.get(url, {"period": "2026"}).content.decode()
    cohort = client.get(url, {"period": "2026", "cohort": "2026"}).content.decode()
    other = client.get(url, {"period": "2026", "cohort": "2019"}).content.decode()
    assert "91.7 %" in whole and "91.7 %" in cohort
    assert "91.7 %" not in other
    both = client.get(url, {"period": "2026", "cohort": "2026", "profile": "newcomer"})
    assert both.status_code == 200
    assert "Choose a cohort or a profile, not both" in both.content.decode()
    bad = client.get(url, {"period": "2026", "cohort": "20x6"})
    assert bad.status_code == 200 and "A cohort is a year" in bad.content.decode()


# --- the network dashboard ----------------------------------------------------


@pytest.fixture
def network_labs(lab_a):
    """Lab A (12 people, 11 met) and lab C of the same network (30 people,
    24 met), both computed for 2026."""
    lab_c = LabFactory(network=lab_a.network, name="Lab C", slug="lab-c")
    people_with_urgent_needs(lab_a, met=11, unmet=1)
    people_with_urgent_needs(lab_c, met=24, unmet=6)
    for lab in (lab_a, lab_c):
        snapshot_compute(lab=lab, period=Period.parse("2026"))
    return lab_a, lab_c


def test_a_network_admin_sees_every_lab_and_the_total(network_labs):
    lab_a, lab_c = network_labs
    admin = member(lab_a, Role.NETWORK_ADMIN)
    view = network_figures(
        user=admin, network_id=lab_a.network_id, period=Period.parse("2026")
    )
    assert {lab.pk for lab in view.labs} == {lab_a.pk, lab_c.pk}
    row = next(r for r in view.rows if r.indicator.id == SHARE)
    # 35 of 42 met: the total is computed from numerators, not averaged.
    assert row.total.value == pytest.approx(35 / 42)
    assert str(row.total.n) == "40"  # 42 rounded to 5
    assert str(row.by_lab[lab_a.pk].n) == "10" and str(row.by_lab[lab_c.pk].n) == "30"


def test_the_network_dashboard_is_disclosure_controlled_even_for_lab_staff(
    network_labs, coordinator
):
    lab_a, _lab_c = network_labs
    page = client_for(coordinator).get(
        f"/indicators/network/{lab_a.network_id}/", {"period": "2026"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "n = <bdi>10</bdi>" in text and "<bdi>12</bdi>" not in text
    assert "Lab C" not in text  # the coordinator reads only lab A's aggregates


def test_a_small_lab_is_hidden_and_cannot_be_recovered_from_the_total(lab_a):
    lab_c = LabFactory(network=lab_a.network, name="Lab C", slug="lab-c")
    lab_d = LabFactory(network=lab_a.network, name="Lab D", slug="lab-d")
    people_with_urgent_needs(lab_a, met=20, unmet=5)
    people_with_urgent_needs(lab_c, met=20, unmet=10)
    people_with_urgent_needs(lab_d, met=3, unmet=1)
    for lab in (lab_a, lab_c, lab_d):
        snapshot_compute(lab=lab, period=Period.parse("2026"))
    admin = member(lab_a, Role.NETWORK_ADMIN)
    view = network_figures(
        user=admin, network_id=lab_a.network_id, period=Period.parse("2026")
    )
    row = next(r for r in view.rows if r.indicator.id == SHARE)
    assert row.by_lab[lab_d.pk].hidden and row.by_lab[lab_d.pk].n.reason == "primary"
    # One hidden lab would be total minus the others: a second one is hidden.
    assert row.by_lab[lab_a.pk].hidden and row.by_lab[lab_a.pk].n.reason == "secondary"
    assert not row.by_lab[lab_c.pk].hidden


def test_an_analyst_sees_the_network_page_with_computed_at(network_labs, analyst):
    lab_a, _lab_c = network_labs
    page = client_for(analyst).get(
        f"/indicators/network/{lab_a.network_id}/", {"period": "2026"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Computed at" in text and "not computed" not in text
    assert "<bdi>12</bdi>" not in text


@pytest.mark.parametrize("role", [Role.PARTNER_STAFF, Role.MENTOR])
def test_roles_without_aggregates_do_not_reach_the_network_page(network_labs, role):
    lab_a, _lab_c = network_labs
    client = client_for(member(lab_a, role))
    url = f"/indicators/network/{lab_a.network_id}/"
    assert client.get(url, {"period": "2026"}).status_code == 404
    assert client.get(url, {"period": "bad"}).status_code == 404


def test_another_networks_coordinator_gets_a_404(network_labs, outsider):
    lab_a, _lab_c = network_labs
    url = f"/indicators/network/{lab_a.network_id}/"
    assert client_for(outsider).get(url, {"period": "2026"}).status_code == 404
