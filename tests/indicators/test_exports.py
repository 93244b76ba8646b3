"""Snapshots and exports: stored exact, exported disclosure-controlled."""

import csv
import datetime as dt
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from frictionless import Package, validate
from openpyxl import load_workbook

from openmil.indicators.exports import indicators_export, neutralise
from openmil.indicators.registry import REGISTRY, Period
from openmil.indicators.selectors import snapshot_figures, snapshot_latest
from openmil.indicators.services import snapshot_compute
from openmil.indicators.tasks import snapshot_refresh
from openmil.participants.models import Need
from tests.factories import NeedFactory, ParticipantFactory


@pytest.fixture
def snapshot(lab_a):
    """23 people with an urgent need in 2026: 15 newcomers (12 met), 8
    nationals (all met)."""
    intake = dt.date(2026, 2, 1)
    for i in range(23):
        p = ParticipantFactory(
            lab=lab_a,
            intake_date=intake,
            profile="newcomer" if i < 15 else "national",
        )
        met = i >= 3
        NeedFactory(
            participant=p,
            urgent=True,
            status=Need.Status.MET if met else Need.Status.IN_PROGRESS,
            resolved_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC) if met else None,
        )
    return snapshot_compute(lab=lab_a, period=Period.parse("2026"))


def _rows(text):
    return list(csv.DictReader(StringIO(text)))


def test_a_snapshot_holds_every_indicator_whole_and_by_every_breakdown(snapshot):
    assert set(snapshot.cells) == set(REGISTRY)
    share = snapshot.cells["needs.urgent_met_share"]
    assert share[""][0]["n"] == 23 and share[""][0]["k"] == 20
    assert {c["group"] for c in share["profile"]} == {"newcomer", "national"}


def test_the_task_refreshes_the_latest_snapshot(lab_a, snapshot):
    result = snapshot_refresh.enqueue(lab_id=lab_a.pk, period="2026")
    latest = snapshot_latest(lab_id=lab_a.pk, period="2026")
    assert latest.pk == result.return_value != snapshot.pk


def test_staff_read_exact_figures_and_analysts_protected_ones(
    snapshot, coordinator, analyst
):
    exact = snapshot_figures(user=coordinator, snapshot=snapshot, breakdown="profile")
    share = next(f for f in exact if f.indicator.id == "needs.urgent_met_share")
    assert [(c.group, c.n) for c in share.cells] == [
        ("all", 23),
        ("national", 8),
        ("newcomer", 15),
    ]
    safe = snapshot_figures(user=analyst, snapshot=snapshot, breakdown="profile")
    share = next(f for f in safe if f.indicator.id == "needs.urgent_met_share")
    shown = {c.group: str(c.n) for c in share.cells}
    # 8 nationals are hidden; newcomers (15) would then give them back from
    # the total, so they are hidden too (secondary suppression).
    assert shown == {"all": "25", "national": "<10", "newcomer": "—"}


def test_csv_export_is_disclosure_controlled(snapshot, tmp_path):
    path = indicators_export(snapshot=snapshot, fmt="csv", path=tmp_path / "x.csv")
    rows = _rows(path.read_text())
    whole = next(
        r
        for r in rows
        if r["indicator"] == "needs.urgent_met_share" and r["breakdown"] == "all"
    )
    assert whole["n"] == "25" and float(whole["value"]) == pytest.approx(20 / 23)
    national = next(
        r
        for r in rows
        if r["indicator"] == "needs.urgent_met_share" and r["group"] == "national"
    )
    assert (national["n"], national["n_flag"], national["value"]) == ("", "<10", "")
    assert not any(r["n"] in {"8", "15", "23"} for r in rows)


def test_hxl_export_has_a_tag_row(snapshot, tmp_path):
    path = indicators_export(snapshot=snapshot, fmt="hxl", path=tmp_path / "x.csv")
    header, tags = path.read_text().splitlines()[:2]
    assert header.startswith("indicator,name,lab")
    assert tags.startswith("#indicator+code,#indicator+name,#org+code")
    assert all(t.startswith("#") for t in tags.split(","))


def test_xlsx_export_has_the_same_rows_as_csv(snapshot, tmp_path):
    xlsx = indicators_export(snapshot=snapshot, fmt="xlsx", path=tmp_path / "x.xlsx")
    text = indicators_export(snapshot=snapshot, fmt="csv", path=tmp_path / "x.csv")
    sheet = load_workbook(xlsx, read_only=True)["indicators"]
    cells = [[_plain(v) for v in row] for row in sheet.values]
    expected = [
        [_plain(v) for v in row] for row in csv.reader(StringIO(text.read_text()))
    ]
    assert cells == expected


def _plain(value):
    """A cell as text, numbers compared as numbers (28 and 28.0 are equal)."""
    if value is None or value == "":
        return ""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def test_the_data_package_is_valid_under_frictionless(snapshot, tmp_path):
    folder = indicators_export(
        snapshot=snapshot, fmt="datapackage", path=tmp_path / "pkg"
    )
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = Package(str(folder / "datapackage.json"))
    rows = package.get_resource("indicators").read_rows()
    assert rows and rows[0]["indicator"]
    zipped = indicators_export(
        snapshot=snapshot, fmt="datapackage", path=tmp_path / "pkg.zip"
    )
    with zipfile.ZipFile(zipped) as zf:
        assert json.loads(zf.read("datapackage.json"))["resources"][0]["name"] == (
            "indicators"
        )


def test_formula_like_text_is_neutralised():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("@SUM") == "'@SUM"
    assert neutralise("lab-a") == "lab-a"
    assert neutralise(12) == 12


def test_an_unknown_format_is_refused(snapshot, tmp_path):
    with pytest.raises(ValueError, match="Unknown format"):
        indicators_export(snapshot=snapshot, fmt="pdf", path=tmp_path / "x")


def test_the_export_command_writes_every_format(lab_a, snapshot, tmp_path):
    for fmt in ("csv", "xlsx", "hxl", "datapackage"):
        out = StringIO()
        target = tmp_path / f"out-{fmt}"
        call_command(
            "indicators",
            "export",
            "--lab",
            "lab-a",
            "--period",
            "2026",
            "--format",
            fmt,
            "-o",
            str(target),
            stdout=out,
        )
        assert "disclosure-controlled" in out.getvalue()
        assert target.exists()


def test_a_share_hidden_for_its_small_numerator_says_why(lab_a, tmp_path):
    intake = dt.date(2026, 2, 1)
    for i in range(12):
        p = ParticipantFactory(lab=lab_a, intake_date=intake)
        met = i < 3
        NeedFactory(
            participant=p,
            urgent=True,
            status=Need.Status.MET if met else Need.Status.IN_PROGRESS,
            resolved_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC) if met else None,
        )
    snapshot = snapshot_compute(lab=lab_a, period=Period.parse("2026"))
    path = indicators_export(snapshot=snapshot, fmt="csv", path=tmp_path / "x.csv")
    whole = next(
        r
        for r in _rows(path.read_text())
        if r["indicator"] == "needs.urgent_met_share" and r["breakdown"] == "all"
    )
    # 12 people (shown rounded), 3 met: the share would give the 3 back.
    assert (whole["n"], whole["value"], whole["n_flag"]) == ("10", "", "numerator<10")
