"""The PDF report: built in the background, figures in its text, RTL in Arabic."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from openmil.indicators.models import IndicatorReport
from openmil.indicators.registry import Period
from openmil.indicators.report import report_html, report_pdf
from openmil.indicators.services import snapshot_compute
from openmil.participants.models import Need
from tests.conftest import client_for
from tests.factories import NeedFactory, ParticipantFactory


@pytest.fixture
def snapshot(lab_a):
    for i in range(24):
        p = ParticipantFactory(
            lab=lab_a,
            intake_date=dt.date(2026, 2, 1),
            profile="newcomer" if i < 12 else "national",
        )
        met = i != 0
        NeedFactory(
            participant=p,
            urgent=True,
            status=Need.Status.MET if met else Need.Status.IDENTIFIED,
            resolved_at=dt.datetime(2026, 2, 21, tzinfo=dt.UTC) if met else None,
        )
    return snapshot_compute(lab=lab_a, period=Period.parse("2026"))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_holds_the_key_figures_and_definitions(snapshot):
    text = _text(report_pdf(snapshot=snapshot, language="en"))
    assert "Indicators: Lab A" in text
    assert "Participants with every urgent need met" in text
    assert "95.8 %" in text  # 23 of 24, shown because the base is 24
    assert "20 days" in text  # every need met 20 days after intake
    assert "Definitions" in text and "needs.urgent_met_share" in text
    # Disclosure control: 24 people show as 25, never as 24.
    assert "n = 25" in text and "n = 24" not in text


def test_the_arabic_report_is_right_to_left(snapshot):
    html = report_html(snapshot=snapshot, language="ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "المؤشرات" in html
    pdf = report_pdf(snapshot=snapshot, language="ar")
    assert pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) >= 2


def test_a_coordinator_requests_a_report_and_downloads_it(
    lab_a, coordinator, snapshot, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/indicators/lab/{lab_a.pk}/reports/", {"period": "2026"}
        )
    report = IndicatorReport.objects.get()
    assert response.url == f"/indicators/lab/{lab_a.pk}/reports/{report.pk}/"
    assert (report.status, report.progress) == ("done", 100)
    page = client.get(response.url)
    assert "Download the PDF" in page.content.decode()
    partial = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="report-status"' in partial
    pdf = client.get(f"{response.url}pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "Participants with every urgent need met" in _text(pdf.content)


def test_other_labs_and_roles_cannot_reach_a_report(
    lab_a, outsider, partner_staff, coordinator, snapshot
):
    report = IndicatorReport.objects.create(
        lab=lab_a, period="2026", language="en", status="done"
    )
    for user in (outsider, partner_staff):
        client = client_for(user)
        assert (
            client.get(f"/indicators/lab/{lab_a.pk}/reports/{report.pk}/").status_code
            == 404
        )
        assert (
            client.post(
                f"/indicators/lab/{lab_a.pk}/reports/", {"period": "2026"}
            ).status_code
            == 404
        )


def test_a_report_not_ready_cannot_be_downloaded(lab_a, coordinator):
    report = IndicatorReport.objects.create(lab=lab_a, period="2026", language="en")
    url = f"/indicators/lab/{lab_a.pk}/reports/{report.pk}/"
    page = client_for(coordinator).get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert client_for(coordinator).get(url + "pdf/").status_code == 404
