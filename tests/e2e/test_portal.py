"""A participant signs in on a phone and uses their own space, in Arabic.

Sign in with the password, land in the space (right to left, in the
person's language), no sideways scrolling at 375 pixels; withdraw a consent
with one click and a confirmation; sign in once with a one-time link; say
what they are looking for.
"""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from openmil.participants.models import Consent
from openmil.placements.models import MatchingPreference
from tests.e2e.conftest import SHOTS
from tests.factories import (
    PASSWORD,
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    need_type,
)
from tests.portal.factories import participant_account

pytestmark = pytest.mark.e2e

PHONE_375 = {"width": 375, "height": 740}


def t(lang: str, message: str) -> str:
    with translation.override(lang):
        return translation.gettext(message)


def path_of(page) -> str:
    return urlparse(page.url).path


def scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.fixture
def arabic_account(e2e_lab, e2e_facilitator):
    person = ParticipantFactory(
        lab=e2e_lab,
        caseworker=e2e_facilitator,
        given_name="ليلى",
        family_name="الخطيب",
        email="layla.alkhatib.long-address@example.org",
    )
    NeedFactory(
        participant=person, need_type=need_type("housing"), status="in_progress"
    )
    NeedFactory(participant=person, need_type=need_type("documents"), status="met")
    FollowUpFactory(participant=person, subject="Appointment at the town hall")
    ConsentFactory(participant=person, purpose=Consent.Purpose.FOLLOW_UP)
    ConsentFactory(participant=person, purpose=Consent.Purpose.STATISTICS)
    return participant_account(person, language="ar")


def sign_in(page, account, lang: str) -> None:
    page.goto("/portal/")
    assert path_of(page) == "/portal/sign-in/"
    page.get_by_label(t(lang, "Email address"), exact=True).fill(account.user.username)
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Sign in"), exact=True).click()
    expect(page.locator("#h-needs")).to_have_text(t(lang, "My basic needs"))
    assert path_of(page) == "/portal/"


def test_participant_signs_in_and_sees_the_space_on_a_phone_in_arabic(
    new_page, arabic_account
):
    page = new_page("ar", viewport=PHONE_375)
    sign_in(page, arabic_account, "ar")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    for key, title in [
        ("needs", "My basic needs"),
        ("appointments", "My next appointments"),
        ("consents", "My consents"),
        ("documents", "My documents"),
        ("my-data", "Download my data"),
    ]:
        expect(page.locator(f"#h-{key}")).to_have_text(t("ar", title))
    expect(page.locator("#needs")).to_contain_text(
        t("ar", "Someone is working on this.")
    )
    expect(page.locator("#appointments")).to_contain_text(
        "Appointment at the town hall"
    )
    expect(page.locator("#documents")).to_contain_text(
        t("ar", "You have no documents here yet.")
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "portal-space-ar-375.png", full_page=True)
    assert page.evaluate("() => document.documentElement.clientWidth") == 375
    assert scroll_width(page) <= 375
    # Right to left: the first section's heading starts at the right edge.
    box = page.locator("#h-needs").bounding_box()
    assert box is not None and box["x"] + box["width"] > 375 / 2


def test_withdraw_a_consent_with_one_click_and_a_confirmation(new_page, arabic_account):
    page = new_page("ar", viewport=PHONE_375)
    sign_in(page, arabic_account, "ar")
    consents = page.locator("#consents")
    consents.get_by_role("link", name=t("ar", "Withdraw"), exact=True).first.click()
    expect(page.locator("h1")).to_have_text(t("ar", "Withdraw my consent"))
    assert scroll_width(page) <= 375
    page.get_by_role("button", name=t("ar", "Yes, withdraw it"), exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        t("ar", "Your consent is withdrawn. This takes effect now.")
    )
    assert (
        Consent.objects.filter(
            participant=arabic_account.participant, withdrawn_at__isnull=False
        ).count()
        == 1
    )


def test_one_time_link_signs_in_once(new_page, arabic_account):
    page = new_page("ar", viewport=PHONE_375)
    page.goto("/portal/sign-in/")
    page.get_by_role(
        "link", name=t("ar", "Send me a sign-in link by email"), exact=True
    ).click()
    page.get_by_label(re.compile(re.escape(t("ar", "Your email address")))).fill(
        arabic_account.user.email
    )
    page.get_by_role("button", name=t("ar", "Send the link"), exact=True).click()
    expect(page.locator("h1")).to_have_text(t("ar", "Check your email"))
    link = re.search(r"https?://\S+", mail.outbox[-1].body)[0]
    page.goto(urlparse(link).path)
    page.get_by_role("button", name=t("ar", "Sign in"), exact=True).click()
    expect(page.locator("#h-needs")).to_have_text(t("ar", "My basic needs"))
    other = new_page("ar", viewport=PHONE_375)
    other.goto(urlparse(link).path)
    expect(other.locator("h1")).to_have_text(t("ar", "This link does not work"))


def test_participant_states_what_they_are_looking_for_on_a_phone(
    new_page, arabic_account
):
    page = new_page("ar", viewport=PHONE_375)
    sign_in(page, arabic_account, "ar")
    section = page.locator("#preferences")
    expect(section).to_contain_text(
        t("ar", "You have not said yet what you are looking for.")
    )
    section.get_by_role("link", name=t("ar", "Change"), exact=True).click()
    expect(page.locator("h1")).to_have_text(t("ar", "What I am looking for"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert scroll_width(page) <= 375
    page.get_by_label(t("ar", "A job"), exact=True).check()
    page.get_by_label(t("ar", "Towns or neighbourhoods where you could go")).fill(
        "Lisboa, Amadora"
    )
    page.get_by_label(t("ar", "From when can you start?")).fill("2026-05-04")
    page.get_by_label(t("ar", "A woman"), exact=True).check()
    page.get_by_label(t("ar", "Weekends"), exact=True).check()
    page.get_by_label(t("ar", "Where could you meet a mentor?")).fill("Arroios")
    page.screenshot(path=SHOTS / "portal-preferences-ar-375.png", full_page=True)
    assert scroll_width(page) <= 375
    page.get_by_role("button", name=t("ar", "Save"), exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        t("ar", "Thank you: what you are looking for is saved.")
    )
    assert path_of(page) == "/portal/"
    for words in ("A job", "A woman", "Weekends"):
        expect(section).to_contain_text(t("ar", words))
    expect(section).to_contain_text("Lisboa, Amadora")
    expect(section).to_contain_text("Arroios")
    assert scroll_width(page) <= 375
    pref = MatchingPreference.objects.get(participant=arabic_account.participant)
    assert pref.kinds == ["vacancy"] and pref.meeting_place == "Arroios"
    assert pref.available_from.isoformat() == "2026-05-04"
