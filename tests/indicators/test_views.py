"""The indicator dashboard: who sees what, bad input, downloads."""

import datetime as dt

import pytest

from openmil.core.roles import Role
from openmil.indicators.models import IndicatorSnapshot, ReferenceValue
from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute
from openmil.participants.models import Need
from tests.conftest import client_for
from tests.factories import NeedFactory, ParticipantFactory, member


@pytest.fixture
def snapshot(lab_a):
    for i in range(12):
        p = ParticipantFactory(lab=lab_a, intake_date=dt.date(2026, 2, 1))
        NeedFactory(
            participant=p,
            urgent=True,
            status=Need.Status.MET if i < 11 else Need.Status.IDENTIFIED,
            resolved_at=dt.datetime(2026, 2, 11, tzinfo=dt.UTC) if i < 11 else None,
        )
    return snapshot_compute(lab=lab_a, period=Period.parse("2026"))


def _url(lab, suffix=""):
    return f"/indicators/lab/{lab.pk}/{suffix}"


def test_the_coordinator_sees_exact_figures(lab_a, coordinator, snapshot):
    page = client_for(coordinator).get(_url(lab_a), {"period": "2026"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Participants with every urgent need met" in text
    assert "91.7 %" in text  # 11 of 12, exact
    assert "n = <bdi>12</bdi>" in text


def test_an_analyst_sees_rounded_figures(lab_a, analyst, snapshot):
    page = client_for(analyst).get(_url(lab_a), {"period": "2026"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "n = <bdi>10</bdi>" in text and "<bdi>12</bdi>" not in text


@pytest.mark.parametrize("role", [Role.PARTNER_STAFF, Role.MENTOR])
def test_roles_without_aggregates_get_a_404(lab_a, role, snapshot):
    user = member(lab_a, role)
    assert client_for(user).get(_url(lab_a)).status_code == 404
    assert client_for(user).get(_url(lab_a, "download/csv/")).status_code == 404
    assert (
        client_for(user).post(_url(lab_a, "refresh/"), {"period": "2026"}).status_code
        == 404
    )


def test_another_labs_coordinator_gets_a_404(lab_a, outsider, snapshot):
    assert client_for(outsider).get(_url(lab_a)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(lab_a, snapshot):
    from django.test import Client

    assert Client().get(_url(lab_a)).status_code == 302


def test_a_bad_period_gets_a_clear_message(lab_a, coordinator):
    page = client_for(coordinator).get(_url(lab_a), {"period": "last year"})
    assert page.status_code == 200
    assert "A period is a year (2026)" in page.content.decode()


def test_a_bad_period_in_arabic_is_explained_in_arabic(lab_a, coordinator):
    client = client_for(coordinator)
    client.cookies["django_language"] = "ar"
    page = client.get(_url(lab_a), {"period": "x"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert "الفترة سنة" in page.content.decode()


def test_refresh_computes_a_new_snapshot(lab_a, coordinator):
    response = client_for(coordinator).post(_url(lab_a, "refresh/"), {"period": "2026"})
    assert response.status_code == 302
    assert IndicatorSnapshot.objects.filter(lab=lab_a, period="2026").count() == 1


def test_downloads_are_disclosure_controlled_even_for_the_coordinator(
    lab_a, coordinator, snapshot
):
    response = client_for(coordinator).get(
        _url(lab_a, "download/csv/"), {"period": "2026"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert ",12," not in body and ",10," in body
    for fmt in ("xlsx", "hxl", "datapackage"):
        r = client_for(coordinator).get(
            _url(lab_a, f"download/{fmt}/"), {"period": "2026"}
        )
        assert r.status_code == 200
    missing = client_for(coordinator).get(_url(lab_a, "download/pdf/"))
    assert missing.status_code == 404


def test_a_page_shown_to_staff_first_stays_protected_for_an_analyst(
    lab_a, coordinator, analyst, snapshot
):
    for _ in range(2):  # the second time from the rendered figures kept
        staff = client_for(coordinator).get(_url(lab_a), {"period": "2026"})
        other = client_for(analyst).get(_url(lab_a), {"period": "2026"})
        assert "n = <bdi>12</bdi>" in staff.content.decode()
        assert "<bdi>12</bdi>" not in other.content.decode()


def test_a_new_snapshot_and_a_new_reference_value_show_at_once(
    lab_a, coordinator, snapshot
):
    def page():
        return client_for(coordinator).get(_url(lab_a), {"period": "2026"})

    assert "91.7 %" in page().content.decode()
    person = ParticipantFactory(lab=lab_a, intake_date=dt.date(2026, 2, 1))
    NeedFactory(participant=person, urgent=True, status=Need.Status.IDENTIFIED)
    snapshot_compute(lab=lab_a, period=Period.parse("2026"))
    assert "84.6 %" in page().content.decode()  # 11 of 13
    ReferenceValue.objects.create(
        lab=lab_a,
        indicator_id="needs.urgent_met_share",
        area="Aragón",
        population="everybody",
        period="2026",
        value=50.0,
        source="A national survey",
    )
    assert "A national survey" in page().content.decode()
