"""Reference values: the gap and its interval, the form, the CSV import."""

import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.indicators.dashboards import figures_for, gap_of, gaps_for
from openmil.indicators.models import ReferenceValue
from openmil.indicators.registry import Period, indicator_get
from openmil.indicators.selectors import Published
from openmil.indicators.services import (
    ReferenceImportError,
    reference_create,
    reference_delete,
    reference_import,
    reference_update,
    snapshot_compute,
)
from openmil.indicators.stats import difference_interval
from tests.conftest import client_for
from tests.factories import member
from tests.indicators.conftest import people_with_urgent_needs

SHARE = "needs.urgent_met_share"
MEDIAN = "needs.median_days_to_met"


def reference_data(**changes):
    data = {
        "indicator_id": SHARE,
        "area": "Aragón (ES24)",
        "population": "non-EU citizens aged 20-64",
        "period": "2026",
        "value": 80.0,
        "ci_low": 78.0,
        "ci_high": 82.0,
        "source": "Eurostat lfst_r_lfe2emprtn",
        "url": "https://ec.europa.eu/eurostat/databrowser/view/lfst_r_lfe2emprtn/",
    }
    data.update(changes)
    return data


# --- the gap, computed by hand -------------------------------------------


def test_gap_and_interval_match_a_hand_computation(lab_a, coordinator):
    """11 of 12 = 91.667 %; Wilson 95 % interval (z = 1.96):
    centre = (p + z²/2n) / (1 + z²/n) = (0.91667 + 0.16006) / 1.32013 = 0.81562,
    half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n) = 0.16951,
    so 64.612 % to 98.513 %. Reference 80 % (78-82).
    Gap = 11.667 pp; MOVER: low = 11.667 - sqrt(27.055² + 2²) = -15.462,
    high = 11.667 + sqrt(6.847² + 2²) = 18.800."""
    cell = Published("all", 12, 11 / 12, 0.646120, 0.985135, False, True)
    reference = ReferenceValue(lab=lab_a, **reference_data())
    gap = gap_of(indicator=indicator_get(SHARE), cell=cell, reference=reference)
    assert gap.unit == "pp"
    assert gap.gap == pytest.approx(11.667, abs=1e-3)
    assert gap.low == pytest.approx(-15.462, abs=1e-3)
    assert gap.high == pytest.approx(18.800, abs=1e-3)


def test_a_reference_without_interval_counts_as_exact():
    gap, (low, high) = difference_interval(60.0, (50.0, 68.0), 55.0, None)
    assert (gap, low, high) == (5.0, -5.0, 13.0)


def test_a_figure_without_interval_has_a_gap_but_no_interval():
    assert difference_interval(10.0, None, 4.0, (3.0, 5.0)) == (6.0, None)


def test_gaps_on_a_snapshot_use_the_published_figure(lab_a, eleven_of_twelve):
    reference_create(
        actor=member(lab_a, Role.COORDINATOR), lab=lab_a, data=reference_data()
    )
    exact = figures_for(snapshot=eleven_of_twelve, exact=True)
    gaps = gaps_for(lab_id=lab_a.pk, figures=exact)
    assert gaps[SHARE][0].gap == pytest.approx(100 * 11 / 12 - 80)
    # Disclosure control hides 11 of 12 (the unmet one is a small count):
    # no gap is shown, so the hidden figure cannot be recovered from it.
    safe = figures_for(snapshot=eleven_of_twelve, exact=False)
    assert gaps_for(lab_id=lab_a.pk, figures=safe)[SHARE][0].gap == pytest.approx(
        100 * 11 / 12 - 80
    )


def test_no_gap_is_shown_for_a_figure_disclosure_control_hides(lab_a, coordinator):
    people_with_urgent_needs(lab_a, met=3, unmet=1)
    snapshot = snapshot_compute(lab=lab_a, period=Period.parse("2026"))
    reference_create(actor=coordinator, lab=lab_a, data=reference_data())
    safe = figures_for(snapshot=snapshot, exact=False)
    assert gaps_for(lab_id=lab_a.pk, figures=safe)[SHARE][0].gap is None
    exact = figures_for(snapshot=snapshot, exact=True)
    assert gaps_for(lab_id=lab_a.pk, figures=exact)[SHARE][0].gap == -5.0


def test_a_median_gap_is_in_the_indicators_unit(lab_a):
    cell = Published("all", 40, 12.0, 10.0, 15.0, False, True)
    reference = ReferenceValue(
        lab=lab_a,
        **reference_data(indicator_id=MEDIAN, value=20.0, ci_low=18.0, ci_high=23.0),
    )
    gap = gap_of(indicator=indicator_get(MEDIAN), cell=cell, reference=reference)
    assert gap.unit == "days"
    assert gap.gap == -8.0
    assert gap.low == pytest.approx(-8.0 - math.sqrt(2**2 + 3**2))
    assert gap.high == pytest.approx(-8.0 + math.sqrt(3**2 + 2**2))


# --- services ---------------------------------------------------------------


def test_create_update_delete_are_audited(lab_a, coordinator):
    reference = reference_create(actor=coordinator, lab=lab_a, data=reference_data())
    assert reference.lab == lab_a and reference.value == 80.0
    reference_update(actor=coordinator, reference=reference, data={"value": 79.0})
    reference.refresh_from_db()
    assert reference.value == 79.0 and reference.area == "Aragón (ES24)"
    reference_delete(actor=coordinator, reference=reference)
    assert not ReferenceValue.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_type="reference_value")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"indicator_id": "no.such.indicator"}, "indicator_id"),
        ({"value": 120.0, "ci_high": 130.0}, "value"),
        ({"ci_low": None}, "__all__"),
        ({"ci_low": 81.0}, "__all__"),
        ({"period": "last year"}, "period"),
        ({"source": ""}, "source"),
        ({"url": "not a url"}, "url"),
    ],
)
def test_bad_reference_values_are_refused_with_a_reason(
    lab_a, coordinator, changes, field
):
    with pytest.raises(ValidationError) as caught:
        reference_create(actor=coordinator, lab=lab_a, data=reference_data(**changes))
    assert field in caught.value.message_dict
    assert not ReferenceValue.objects.exists()


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.ANALYST])
def test_only_coordinators_manage_reference_values(lab_a, role):
    with pytest.raises(PermissionDenied):
        reference_create(actor=member(lab_a, role), lab=lab_a, data=reference_data())


# --- CSV import ---------------------------------------------------------------

HEADER = "indicator,area,population,period,value,ci_low,ci_high,source,url\n"
GOOD = f"{SHARE},Spain,non-EU citizens,2025,61.2,60.1,62.3,Eurostat,\n"


def test_a_valid_csv_is_imported_whole(lab_a, coordinator):
    semicolons = (HEADER + GOOD).replace(",", ";").encode()
    created = reference_import(actor=coordinator, lab=lab_a, content=semicolons)
    second = f"{MEDIAN},Spain,all residents,2025,30,,,INE,https://www.ine.es/\n"
    created += reference_import(
        actor=coordinator, lab=lab_a, content=(HEADER + second).encode()
    )
    assert [(r.indicator_id, r.value, r.ci_low) for r in created] == [
        (SHARE, 61.2, 60.1),
        (MEDIAN, 30.0, None),
    ]


def test_one_bad_row_imports_nothing_and_names_every_bad_row(lab_a, coordinator):
    content = (
        HEADER
        + GOOD
        + "no.such,Spain,x,2025,50,,,Eurostat,\n"
        + f"{SHARE},Spain,x,2025,abc,,,Eurostat,\n"
        + f"{SHARE},Spain,x,2025,50,40,,Eurostat,\n"
        + GOOD
    ).encode()
    with pytest.raises(ReferenceImportError) as caught:
        reference_import(actor=coordinator, lab=lab_a, content=content)
    lines = sorted({line for line, _field, _message in caught.value.errors})
    assert lines == [3, 4, 5]
    fields = {(line, field) for line, field, _m in caught.value.errors}
    assert (3, "indicator") in fields and (4, "value") in fields
    assert not ReferenceValue.objects.exists()


def test_a_file_without_the_columns_or_not_utf8_is_refused(lab_a, coordinator):
    with pytest.raises(ReferenceImportError) as caught:
        reference_import(actor=coordinator, lab=lab_a, content=b"a,b\n1,2\n")
    assert caught.value.errors[0][1] == "header"
    with pytest.raises(ReferenceImportError):
        reference_import(actor=coordinator, lab=lab_a, content=b"\xff\xfe\x00bad")
    with pytest.raises(ReferenceImportError):
        reference_import(actor=coordinator, lab=lab_a, content=HEADER.encode())


# --- pages ------------------------------------------------------------------------


def test_the_form_saves_and_the_dashboard_shows_the_gap(
    lab_a, coordinator, eleven_of_twelve
):
    client = client_for(coordinator)
    form = {k: ("" if v is None else v) for k, v in reference_data().items()}
    response = client.post(f"/indicators/lab/{lab_a.pk}/references/new/", form)
    assert response.status_code == 302
    page = client.get(f"/indicators/lab/{lab_a.pk}/", {"period": "2026"})
    text = page.content.decode()
    assert "descriptive, not causal" in text
    assert "+11.7 pp" in text
    assert "−15.5" in text and "+18.8" in text


def test_the_form_shows_errors_instead_of_saving(lab_a, coordinator):
    form = {k: ("" if v is None else v) for k, v in reference_data(value="x").items()}
    response = client_for(coordinator).post(
        f"/indicators/lab/{lab_a.pk}/references/new/", form
    )
    assert response.status_code == 200
    assert "Enter a number." in response.content.decode()
    assert not ReferenceValue.objects.exists()


def test_the_import_page_lists_bad_rows(lab_a, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "refs.csv", (HEADER + GOOD + f"{SHARE},,x,2025,50,,,Eurostat,\n").encode()
    )
    response = client_for(coordinator).post(
        f"/indicators/lab/{lab_a.pk}/references/import/", {"file": upload}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in text and "<td>3</td>" in text
    assert not ReferenceValue.objects.exists()


def test_analysts_read_but_do_not_manage_reference_values(lab_a, analyst, coordinator):
    reference = reference_create(actor=coordinator, lab=lab_a, data=reference_data())
    client = client_for(analyst)
    listing = client.get(f"/indicators/lab/{lab_a.pk}/references/")
    assert listing.status_code == 200 and "Aragón (ES24)" in listing.content.decode()
    assert client.get(f"/indicators/lab/{lab_a.pk}/references/new/").status_code == 404
    delete = client.post(f"/indicators/references/{reference.pk}/delete/")
    assert delete.status_code == 404
    assert ReferenceValue.objects.filter(pk=reference.pk).exists()


def test_demo_reference_values_say_they_are_made_up(lab_a, eleven_of_twelve):
    from openmil.indicators.demo_references import DEMO_SOURCE, populate_lab_references

    assert populate_lab_references(lab=lab_a) == 4
    figures = figures_for(snapshot=eleven_of_twelve, exact=True)
    gaps = gaps_for(lab_id=lab_a.pk, figures=figures)
    assert {g.reference.source for g in gaps[SHARE]} == {DEMO_SOURCE}
    assert len(gaps[SHARE]) == 2
