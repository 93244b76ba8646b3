"""A facilitator records a participant's venture and moves it to the
business-plan stage, in English and in Arabic, on a desktop and a phone."""

import pytest
from playwright.sync_api import expect

from openmil.ventures.models import Stage, StageChange, Venture
from tests.e2e.conftest import PHONE
from tests.e2e.test_intake import DIRECTION, log_in, overflow, path_of, screenshot, t
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("lang", "viewport"), [("en", None), ("ar", PHONE)], ids=["en-desktop", "ar-phone"]
)
def test_a_facilitator_creates_a_venture_and_moves_it_to_business_plan(
    new_page, e2e_lab, e2e_facilitator, lang, viewport
):
    person = ParticipantFactory(
        lab=e2e_lab,
        caseworker=e2e_facilitator,
        given_name="Amal",
        family_name="Nasser",
        reference="LIS-0042",
    )
    page = new_page(lang, viewport)
    log_in(page, e2e_facilitator, lang)

    # From the participant's page, start a venture: the founder is filled in.
    page.goto(f"/participants/{person.pk}/")
    section = page.locator("#ventures")
    expect(section).to_contain_text(t(lang, "No venture recorded."))
    section.get_by_role("link", name=t(lang, "New venture")).click()
    expect(page.locator("h1")).to_have_text(t(lang, "New venture"))
    expect(page.locator("html")).to_have_attribute("dir", DIRECTION[lang])
    expect(page.locator("#id_founders_text")).to_have_value("LIS-0042")
    page.locator("#id_name").fill("Amal's Bakery")
    page.locator("#id_sector").select_option("I")
    page.get_by_role("button", name=t(lang, "Record the venture")).click()

    venture = Venture.objects.get()
    assert path_of(page) == f"/ventures/{venture.pk}/"
    expect(page.locator(".messages")).to_contain_text(
        t(lang, "The venture is recorded.")
    )
    expect(page.locator("h1")).to_contain_text(t(lang, "Idea"))

    # An illegal move is not offered; the allowed next stage is.
    stage = page.locator("#id_to_stage")
    options = stage.locator("option").all_inner_texts()
    assert t(lang, "Operating") not in options
    stage.select_option(Stage.BUSINESS_PLAN)
    page.get_by_role("button", name=t(lang, "Change the stage")).click()

    expect(page.locator(".messages")).to_contain_text(t(lang, "The stage is changed."))
    expect(page.locator("h1")).to_contain_text(t(lang, "Business plan"))
    expect(page.locator("#stage .timeline li")).to_have_count(2)
    venture.refresh_from_db()
    assert venture.stage == Stage.BUSINESS_PLAN
    change = StageChange.objects.get(to_stage=Stage.BUSINESS_PLAN)
    assert change.recorded_by == e2e_facilitator
    if viewport == PHONE:
        width, wide = overflow(page)
        assert width <= PHONE["width"], wide
    screenshot(page, f"venture-{lang}")

    # The participant's page lists the venture.
    page.goto(f"/participants/{person.pk}/")
    expect(page.locator("#ventures")).to_contain_text("Amal's Bakery")
