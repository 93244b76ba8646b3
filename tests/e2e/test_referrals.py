"""A referral in the browser: a facilitator sends it, partner staff accept it.

Texts come from gettext, so the test follows the catalogs.
"""

import pytest
from playwright.sync_api import expect

from openmil.core.models import Organisation
from openmil.participants.models import Consent
from openmil.partners.models import Referral
from tests.e2e.conftest import PHONE
from tests.e2e.test_intake import log_in, overflow, screenshot, t
from tests.factories import (
    ConsentFactory,
    OrganisationFactory,
    ParticipantFactory,
)
from tests.partners.factories import ServiceFactory, partner_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def e2e_referral_world(e2e_lab, e2e_facilitator):
    org = OrganisationFactory(
        lab=e2e_lab, name="Casa Aberta", kind=Organisation.Kind.HOUSING
    )
    service = ServiceFactory(organisation=org, name="Transitional housing")
    person = ParticipantFactory(
        lab=e2e_lab,
        caseworker=e2e_facilitator,
        given_name="Fatima",
        family_name="Haddad",
        health_notes="Insulin twice daily",
    )
    ConsentFactory(
        participant=person,
        purpose=Consent.Purpose.PARTNER_SHARING,
        partner_category=Organisation.Kind.HOUSING,
    )
    partner = partner_of(org, user__first_name="Paulo")
    return {"service": service, "person": person, "partner": partner}


def test_facilitator_sends_a_referral_and_partner_staff_accept_it(
    new_page, e2e_facilitator, e2e_referral_world
):
    lang = "en"
    world = e2e_referral_world
    person = world["person"]

    page = new_page(lang)
    log_in(page, e2e_facilitator, lang)
    page.goto(f"/partners/refer/{person.pk}/")
    page.locator("#id_service").select_option(str(world["service"].pk))
    page.locator("#id_note").fill("Mornings are best")
    page.get_by_role("button", name=t(lang, "Save as draft")).click()
    expect(page.locator("h1 .badge").first).to_have_text(t(lang, "Draft"))
    page.get_by_role("button", name=t(lang, "Send to the partner")).click()
    expect(page.locator("h1 .badge").first).to_have_text(t(lang, "Sent"))
    referral = Referral.objects.get()
    assert referral.status == "sent"

    partner_page = new_page(lang, viewport=PHONE)
    log_in(partner_page, world["partner"], lang)
    expect(partner_page.locator(".bell-count")).to_have_text("1")
    partner_page.goto("/partners/portal/")
    partner_page.get_by_role("link", name=str(referral)).first.click()
    expect(partner_page.locator("main")).to_contain_text("Fatima")
    expect(partner_page.locator("main")).not_to_contain_text("Insulin")
    width, wide = overflow(partner_page)
    assert not wide, wide
    partner_page.get_by_role("button", name=t(lang, "Accept"), exact=True).click()
    expect(partner_page.locator("h1 .badge").first).to_have_text(t(lang, "Accepted"))
    screenshot(partner_page, "referral-accepted-phone")
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert width > 0

    page.reload()
    expect(page.locator(".bell-count")).to_have_text("1")
