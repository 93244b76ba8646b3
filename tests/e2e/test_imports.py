"""A coordinator imports participants in the browser: a file with errors is
checked, every error is listed, the corrected file imports."""

import pytest
from playwright.sync_api import expect

from openmil.core.roles import Role
from openmil.participants.models import Participant
from tests.e2e.test_intake import log_in, t
from tests.factories import member
from tests.imports.factories import csv_bytes, row

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_upload_see_errors_fix_and_import(new_page, e2e_lab, lang, tmp_path):
    coordinator = member(e2e_lab, Role.COORDINATOR, user__first_name="Carla")
    bad = tmp_path / "people.csv"
    bad.write_bytes(
        csv_bytes(
            [
                row(reference="E-1"),
                row(reference="E-2", birth_date="31/12/1990"),
                row(reference="E-1", given_name="Twice"),
            ]
        )
    )
    page = new_page(lang)
    log_in(page, coordinator, lang)
    page.goto("/imports/")
    page.get_by_label(t(lang, "File (CSV or XLSX)")).set_input_files(str(bad))
    page.get_by_role("button", name=t(lang, "Upload and check")).click()
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("birth_date")
    expect(errors.nth(1)).to_contain_text("reference")
    expect(page.get_by_role("button", name=t(lang, "Import now"))).to_have_count(0)
    assert not Participant.objects.exists()

    good = tmp_path / "fixed.csv"
    good.write_bytes(csv_bytes([row(reference="E-1"), row(reference="E-2")]))
    page.goto("/imports/")
    page.get_by_label(t(lang, "File (CSV or XLSX)")).set_input_files(str(good))
    page.get_by_role("button", name=t(lang, "Upload and check")).click()
    page.get_by_role("button", name=t(lang, "Import now")).click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "done")
    assert set(Participant.objects.values_list("reference", flat=True)) == {
        "E-1",
        "E-2",
    }
