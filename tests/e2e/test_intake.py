"""A facilitator's day in the browser, in English and in Arabic.

Sign in, switch language, register a participant at intake with the triage of
basic needs, move a need forward and start the pathway, see a translated field
error, and use the pages on a narrow phone without sideways scrolling.
Expected texts come from gettext, so the tests follow the catalogs.
"""

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from openmil.core.models import UserProfile
from openmil.participants.models import Consent, Need, Participant
from tests.e2e.conftest import DESKTOP, PHONE, SHOTS
from tests.factories import (
    PASSWORD,
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    need_type,
)

pytestmark = pytest.mark.e2e

LANGS = pytest.mark.parametrize("lang", ["en", "ar"])
DIRECTION = {"en": "ltr", "ar": "rtl"}
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")


def t(lang: str, message: str) -> str:
    """The text the server shows for `message` in `lang`."""
    with translation.override(lang):
        return translation.gettext(message)


def localised_date(lang: str, value: dt.date, fmt: str = "DATE_FORMAT") -> str:
    with translation.override(lang):
        return formats.date_format(value, fmt)


def path_of(page) -> str:
    return urlparse(page.url).path


def log_in(page, user, lang: str) -> None:
    """Sign in through the login form; the browser asks for `lang`."""
    page.goto("/account/login/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.get_by_label(t(lang, "Username"), exact=True).fill(user.get_username())
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Sign in"), exact=True).click()
    expect(page.locator("h1")).to_have_text(welcome(lang, user))
    assert path_of(page) == "/"


def welcome(lang: str, user) -> str:
    return t(lang, "Welcome, %(name)s") % {"name": user.get_full_name()}


def unlabelled_controls(page) -> list[str]:
    """Visible form controls without an accessible label."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              'main input:not([type=hidden]), main select, main textarea')]
            .filter(el => el.getClientRects().length > 0)
            .filter(el => !(el.labels && el.labels.length)
                          && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.id || el.name)"""
    )


def overflow(page) -> tuple[int, list[str]]:
    """The page's scroll width and what sticks out or scrolls sideways."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            // The skip link waits off-screen, on the side that never scrolls.
            const wide = [...document.querySelectorAll('body *:not(.skip)')]
              .filter(el => {
                const box = el.getBoundingClientRect();
                return box.width > 0 && (box.right > width + 1 || box.left < -1);
            }).slice(0, 8).map(el => el.tagName.toLowerCase()
                + (el.id ? '#' + el.id : '')
                + (el.className && typeof el.className === 'string'
                   ? '.' + el.className.trim().replace(/\\s+/g, '.') : ''));
            // Scroll boxes hide their overflow from the page: count it too.
            const scrolling = [...document.querySelectorAll('.table-wrap')]
                .filter(el => el.scrollWidth > el.clientWidth + 1)
                .map(el => 'scrolling ' + (el.closest('[id]') || el).id);
            return [document.documentElement.scrollWidth, wide.concat(scrolling)];
        }"""
    )


def text_gaps(locator) -> dict[str, float]:
    """Space between a cell's edges and its text, and its resolved direction."""
    return locator.evaluate(
        """cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const text = range.getBoundingClientRect();
            const box = cell.getBoundingClientRect();
            return {left: text.left - box.left, right: box.right - text.right,
                    direction: getComputedStyle(cell).direction};
        }"""
    )


def latin_text_order(locator, text: str) -> dict[str, float | None]:
    """Where the last character of `text` lands relative to the ones before.

    In a right-to-left page, user-entered Latin text must still read left to
    right: its closing punctuation sits right of the last letter, and on one
    line the last character sits right of the first.
    """
    return locator.evaluate(
        """(el, text) => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode()) && !node.data.includes(text));
            if (!node) return null;
            const box = i => {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                return range.getBoundingClientRect();
            };
            const start = node.data.indexOf(text), end = start + text.length - 1;
            const first = box(start), before = box(end - 1), last = box(end);
            return {tail: last.left - before.left,
                    span: first.top === last.top ? last.left - first.left : null};
        }""",
        text,
    )


def assert_reads_left_to_right(locator, text: str) -> None:
    order = latin_text_order(locator, text)
    assert order is not None, f"{text!r} not found"
    assert order["tail"] > 0, f"{text!r}: closing character misplaced {order}"
    assert order["span"] is None or order["span"] > 0, f"{text!r} reversed {order}"


def screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def names_for(lang: str) -> dict[str, str]:
    if lang == "ar":
        return {"given_name": "فاطمة", "family_name": "حداد", "name_latin": "Fatima"}
    return {"given_name": "Fatima", "family_name": "Haddad", "name_latin": ""}


def fill_person(page, lang: str, *, reference: str, birth_date: dt.date) -> None:
    names = names_for(lang)
    page.locator("#id_reference").fill(reference)
    page.locator("#id_profile").select_option(Participant.Profile.NEWCOMER)
    page.locator("#id_given_name").fill(names["given_name"])
    page.locator("#id_family_name").fill(names["family_name"])
    if names["name_latin"]:
        page.locator("#id_name_latin").fill(names["name_latin"])
    page.locator("#id_birth_date").fill(birth_date.isoformat())
    page.locator("#id_country_of_origin").select_option("SY")


def need_row(page, lang: str, label: str):
    return page.locator("#needs tbody tr", has_text=t(lang, label))


def pathway_section(page):
    return page.locator("section[aria-labelledby=h-pathway]")


# 1. Sign in -----------------------------------------------------------------


@LANGS
def test_sign_in_through_the_login_form(new_page, e2e_facilitator, lang):
    page = new_page(lang)
    page.goto("/")
    assert path_of(page) == "/account/login/"
    expect(page.locator("html")).to_have_attribute("dir", DIRECTION[lang])

    page.get_by_label(t(lang, "Username"), exact=True).fill(
        e2e_facilitator.get_username()
    )
    page.get_by_label(t(lang, "Password"), exact=True).fill("not-the-password")
    page.get_by_role("button", name=t(lang, "Sign in"), exact=True).click()
    username = get_user_model()._meta.get_field("username").verbose_name
    with translation.override(lang):
        refused = str(AuthenticationForm.error_messages["invalid_login"]) % {
            "username": username
        }
    expect(page.locator(".errorlist.nonfield")).to_have_text(refused)
    assert path_of(page) == "/account/login/"

    log_in(page, e2e_facilitator, lang)
    expect(page.locator("html")).to_have_attribute("dir", DIRECTION[lang])
    header = page.locator("header.top")
    expect(
        header.get_by_role("link", name=t(lang, "Participants"), exact=True)
    ).to_be_visible()
    # The rest of the menu sits in groups that open on a click.
    new_intake = header.get_by_role("link", name=t(lang, "New intake"), exact=True)
    expect(new_intake).to_be_hidden()
    header.locator("summary", has_text=t(lang, "People")).click()
    expect(new_intake).to_be_visible()
    expect(
        header.get_by_role("button", name=re.compile(re.escape(t(lang, "Sign out"))))
    ).to_contain_text(e2e_facilitator.get_username())


# 2. Language selector and right-to-left layout ------------------------------


@LANGS
def test_language_selector_switches_language_and_direction(
    new_page, e2e_facilitator, lang
):
    start = "ar" if lang == "en" else "en"
    page = new_page(start)
    log_in(page, e2e_facilitator, start)

    page.get_by_label(t(start, "Language"), exact=True).select_option(lang)
    expect(page.locator(f"html[lang={lang}][dir={DIRECTION[lang]}]")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(welcome(lang, e2e_facilitator))
    assert path_of(page) == "/"
    expect(page.get_by_label(t(lang, "Language"), exact=True)).to_have_value(lang)

    brand = page.locator("header.top .brand").bounding_box()
    tools = page.locator("header.top .tools").bounding_box()
    # The bar's own links and the groups' headings (their links are hidden
    # until a group opens).
    links = page.locator("header.top nav > a, header.top nav summary")
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    assert boxes, "the navigation has links"
    nav_left = min(b["x"] for b in boxes)
    nav_right = max(b["x"] + b["width"] for b in boxes)
    first_row = [b for b in boxes if b["y"] < boxes[0]["y"] + boxes[0]["height"]]
    # The tools follow the links on their row, or wrap to a row of their own.
    below_nav = tools["y"] >= max(b["y"] for b in first_row) + first_row[0]["height"]
    # A long menu takes the row under the brand; a short one follows it.
    below_brand = min(b["y"] for b in boxes) >= brand["y"] + brand["height"]
    if lang == "ar":
        # Brand at the right edge, then the links, then the tools to the left.
        assert below_brand or brand["x"] >= nav_right, (brand, boxes)
        assert below_nav or tools["x"] + tools["width"] <= nav_left, (tools, boxes)
        assert boxes == sorted(boxes, key=lambda b: (b["y"], -b["x"])), "right-left"
    else:
        assert below_brand or brand["x"] + brand["width"] <= nav_left, (brand, boxes)
        assert below_nav or tools["x"] >= nav_right, (tools, boxes)
        assert boxes == sorted(boxes, key=lambda b: (b["y"], b["x"])), "left-right"

    heading = page.locator("section[aria-labelledby=h-mine] thead th").first
    expect(heading).to_have_text(t(lang, "Name"))
    gaps = text_gaps(heading)
    assert gaps["direction"] == DIRECTION[lang]
    near, far = ("right", "left") if lang == "ar" else ("left", "right")
    assert gaps[near] < gaps[far], gaps
    assert gaps[near] <= 12, f"header text starts at the {near} padding: {gaps}"

    # The choice is kept on the next page and saved in the user's profile.
    page.locator("header.top nav").get_by_role(
        "link", name=t(lang, "Participants"), exact=True
    ).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert path_of(page) == "/participants/"
    assert UserProfile.objects.get(user=e2e_facilitator).language == lang


# 3. Intake -------------------------------------------------------------------


@LANGS
def test_intake_registers_participant_with_urgent_housing_need(
    new_page, e2e_lab, e2e_facilitator, lang
):
    page = new_page(lang)
    log_in(page, e2e_facilitator, lang)
    nav = page.locator("header.top nav")
    nav.locator("summary", has_text=t(lang, "People")).click()
    nav.get_by_role("link", name=t(lang, "New intake"), exact=True).click()
    expect(page.locator("h1")).to_have_text(t(lang, "New intake"))
    assert path_of(page) == "/participants/new/"
    assert unlabelled_controls(page) == []

    reference = f"LIS-{lang.upper()}-001"
    fill_person(page, lang, reference=reference, birth_date=dt.date(1991, 3, 4))
    due = timezone.localdate() + dt.timedelta(days=7)
    page.locator("#id_need-housing-present").check()
    page.locator("#id_need-housing-urgent").check()
    page.locator("#id_need-housing-due_date").fill(due.isoformat())
    page.get_by_role("button", name=t(lang, "Register"), exact=True).click()

    participant = Participant.objects.get(lab=e2e_lab, reference=reference)
    names = names_for(lang)
    full_name = f"{names['given_name']} {names['family_name']}"
    assert path_of(page) == f"/participants/{participant.pk}/"
    expect(page.locator(".messages .success")).to_have_text(
        t(lang, "%(name)s is registered.") % {"name": full_name}
    )
    expect(page.locator("h1 bdi")).to_have_text(full_name)
    if names["name_latin"]:
        expect(page.locator("dl.facts").first).to_contain_text(names["name_latin"])

    housing = need_row(page, lang, "Housing")
    expect(housing).to_have_count(1)
    expect(housing.locator(".badge.urgent")).to_have_text(t(lang, "urgent"))
    expect(housing.locator(".badge.identified")).to_have_text(t(lang, "Identified"))
    expect(housing).to_contain_text(localised_date(lang, due, "SHORT_DATE_FORMAT"))

    assert participant.given_name == names["given_name"]
    assert participant.name_latin == names["name_latin"]
    assert participant.birth_date == dt.date(1991, 3, 4)
    assert participant.country_of_origin == "SY"
    assert participant.caseworker == e2e_facilitator
    need = participant.needs.get()
    assert (need.need_type.code, need.urgent, need.status, need.due_date) == (
        "housing",
        True,
        Need.Status.IDENTIFIED,
        due,
    )


# 4. Triage and the start of the pathway ---------------------------------------


@LANGS
def test_triage_then_start_the_pathway(new_page, e2e_lab, e2e_facilitator, lang):
    participant = ParticipantFactory(
        lab=e2e_lab, caseworker=e2e_facilitator, **names_for(lang)
    )
    NeedFactory(participant=participant, need_type=need_type("housing"), urgent=True)
    page = new_page(lang)
    log_in(page, e2e_facilitator, lang)
    page.goto(f"/participants/{participant.pk}/")
    start_button = pathway_section(page).get_by_role(
        "button", name=t(lang, "Start the pathway"), exact=True
    )
    expect(pathway_section(page)).to_contain_text(
        t(lang, "The pathway can start once these urgent needs are handled:")
    )
    expect(start_button).to_have_count(0)

    # The housing need moves to "in progress": the pathway may now start.
    need_row(page, lang, "Housing").get_by_role(
        "link", name=t(lang, "Update"), exact=True
    ).click()
    page.locator("#id_status").select_option(Need.Status.IN_PROGRESS)
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    expect(page.locator(".messages .success")).to_have_text(
        t(lang, "The need is updated.")
    )
    expect(need_row(page, lang, "Housing").locator(".badge.in_progress")).to_have_text(
        t(lang, "In progress")
    )
    expect(start_button).to_be_visible()

    # Meanwhile, in a second tab, an urgent health need is recorded...
    other_tab = page.context.new_page()
    other_tab.goto(f"/participants/{participant.pk}/")
    other_tab.get_by_text(t(lang, "Record a need"), exact=True).click()
    other_tab.locator("#id_need_type").select_option(str(need_type("health").pk))
    other_tab.locator("#id_urgent").check()
    other_tab.get_by_role("button", name=t(lang, "Add need"), exact=True).click()
    expect(other_tab.locator(".messages .success")).to_have_text(
        t(lang, "The need is recorded.")
    )
    other_tab.close()

    # ... so the start from the first, stale tab is refused with a message.
    start_button.click()
    refusal = t(lang, "These urgent needs must be addressed first: %(needs)s") % {
        "needs": t(lang, "Health care")
    }
    expect(page.locator(".messages .error")).to_have_text(refusal)
    expect(start_button).to_have_count(0)
    participant.refresh_from_db()
    assert participant.pathway_started_on is None

    need_row(page, lang, "Health care").get_by_role(
        "link", name=t(lang, "Update"), exact=True
    ).click()
    page.locator("#id_status").select_option(Need.Status.MET)
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    expect(page.locator(".messages .success")).to_have_text(
        t(lang, "The need is updated.")
    )

    start_button.click()
    expect(page.locator(".messages .success")).to_have_text(
        t(lang, "The integration pathway has started.")
    )
    participant.refresh_from_db()
    assert participant.pathway_started_on is not None
    expect(pathway_section(page)).to_contain_text(
        t(lang, "Started on %(date)s.")
        % {"date": localised_date(lang, participant.pathway_started_on)}
    )
    expect(start_button).to_have_count(0)


# 5. A translated field error ----------------------------------------------------


@LANGS
def test_future_birth_date_shows_translated_error_next_to_field(
    new_page, e2e_lab, e2e_facilitator, lang
):
    page = new_page(lang)
    log_in(page, e2e_facilitator, lang)
    page.goto("/participants/new/")
    future = timezone.localdate() + dt.timedelta(days=30)
    fill_person(page, lang, reference="LIS-FUTURE", birth_date=future)
    page.get_by_role("button", name=t(lang, "Register"), exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text(
        t(lang, "Please correct the errors below.")
    )
    birth = page.locator("#id_birth_date")
    expect(birth).to_have_attribute("aria-invalid", "true")
    error = page.locator(".field", has=birth).locator(".errorlist")
    expected = t(lang, "This date is in the future.")
    expect(error).to_have_text(expected)
    error_id = error.get_attribute("id")
    assert error_id
    expect(birth).to_have_attribute("aria-describedby", re.compile(error_id))
    if lang == "ar" and expected != t("en", "This date is in the future."):
        assert ARABIC_SCRIPT.search(expected)

    # What was typed is kept, and nothing is saved.
    expect(page.locator("#id_given_name")).to_have_value(names_for(lang)["given_name"])
    expect(birth).to_have_value(future.isoformat())
    assert not Participant.objects.filter(lab=e2e_lab).exists()
    assert path_of(page) == "/participants/new/"


# 6. Narrow phone -------------------------------------------------------------------


NEED_NOTES = "Evicted from the reception centre; needs a room for her and a child."
FOLLOW_UP = "Has the housing partner found a room?"


def rich_participant(lab, caseworker, lang: str) -> Participant:
    """A record with long values and one of each related item."""
    names = names_for(lang)
    participant = ParticipantFactory(
        lab=lab,
        caseworker=caseworker,
        given_name=names["given_name"],
        family_name=f"{names['family_name']} عبد الرحمن الحسيني",
        name_latin="Fatima Abd al-Rahman al-Husseini",
        email="fatima.abd-al-rahman.al-husseini@example-housing-partner.org",
        phone="+351 912 345 678",
        address="Rua Cidade de Manchester 12, 3.º Esquerdo, 1170-100 Lisboa",
        other_languages=["en", "fr", "pt"],
        arrival_date=dt.date(2024, 11, 2),
    )
    today = timezone.localdate()
    NeedFactory(
        participant=participant,
        need_type=need_type("housing"),
        due_date=today - dt.timedelta(days=3),
        notes=NEED_NOTES,
    )
    NeedFactory(
        participant=participant,
        need_type=need_type("documents"),
        urgent=False,
        status=Need.Status.IN_PROGRESS,
        due_date=today + dt.timedelta(days=20),
    )
    for purpose in (Consent.Purpose.CASE_MANAGEMENT, Consent.Purpose.FOLLOW_UP):
        ConsentFactory(participant=participant, purpose=purpose)
    FollowUpFactory(
        participant=participant,
        due_on=today,
        assigned_to=caseworker,
        subject=FOLLOW_UP,
    )
    return participant


@LANGS
def test_phone_pages_do_not_scroll_sideways(new_page, e2e_lab, e2e_facilitator, lang):
    participant = rich_participant(e2e_lab, e2e_facilitator, lang)
    pages = {
        "home": "/",
        "participant": f"/participants/{participant.pk}/",
        "intake": "/participants/new/",
    }

    phone = new_page(lang, PHONE)
    log_in(phone, e2e_facilitator, lang)
    for name, url in pages.items():
        phone.goto(url)
        expect(phone.locator("html")).to_have_attribute("dir", DIRECTION[lang])
        width, sticking_out = overflow(phone)
        assert width <= PHONE["width"] + 1, f"{name} page overflows: {sticking_out}"
        assert not sticking_out, f"{name} page: {sticking_out}"
        screenshot(phone, f"{name}-{lang}-phone")
        if name == "home":
            follow_ups = phone.locator("section[aria-labelledby=h-follow]")
            assert_reads_left_to_right(follow_ups, FOLLOW_UP)
        elif name == "participant":
            assert_reads_left_to_right(phone.locator("#needs"), NEED_NOTES)
            assert_reads_left_to_right(phone.locator("#follow-ups"), FOLLOW_UP)
            assert_reads_left_to_right(phone.locator("#consents"), "2026-01")

    desktop = new_page(lang, DESKTOP)
    log_in(desktop, e2e_facilitator, lang)
    for name, url in pages.items():
        desktop.goto(url)
        width, sticking_out = overflow(desktop)
        assert width <= DESKTOP["width"] + 1, f"{name} page overflows: {sticking_out}"
        screenshot(desktop, f"{name}-{lang}-desktop")
