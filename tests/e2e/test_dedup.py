"""The intake form warns, as it is filled, that the person may already be
registered (htmx POST with the CSRF token)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.test_intake import log_in, t
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.e2e


def test_intake_shows_possible_duplicates(new_page, e2e_lab, e2e_facilitator):
    ParticipantFactory(
        lab=e2e_lab,
        reference="LIS-0042",
        given_name="Youssef",
        family_name="Haddad",
        birth_date=dt.date(1990, 4, 7),
    )
    page = new_page("en")
    log_in(page, e2e_facilitator, "en")
    page.goto("/participants/new/")
    page.locator("#id_given_name").fill("يوسف")
    page.locator("#id_family_name").fill("حداد")
    page.locator("#id_birth_date").fill("1990-04-07")
    page.locator("#id_birth_date").blur()
    warning = page.locator("#duplicate-check")
    expect(warning).to_contain_text(t("en", "This person may already be registered:"))
    expect(warning).to_contain_text("LIS-0042")
