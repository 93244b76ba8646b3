"""A facilitator records attendance for a session in the browser.

Each change of a cell saves at once (htmx); a refused mark (present for a
session that has not started) shows the reason and the cell goes back; the
session's "others present" button fills the rest. Then the rates shown
follow the marks. Also on a phone-sized tablet in Arabic: no sideways
scrolling of the page itself (the grid scrolls in its own box).
"""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from openmil.activities.models import Attendance
from openmil.participants.models import Participant
from tests.activities.factories import (
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    at,
)
from tests.e2e.conftest import PHONE
from tests.e2e.test_intake import log_in, overflow, screenshot
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.e2e


def t(lang: str, message: str) -> str:
    with translation.override(lang):
        return translation.gettext(message)


@pytest.fixture
def evening_class(e2e_lab, e2e_facilitator):
    cohort = CohortFactory(
        activity=ActivityFactory(lab=e2e_lab, title="Portuguese A1"),
        name="Evening group",
        capacity=10,
    )
    people = [
        ParticipantFactory(
            lab=e2e_lab,
            given_name=name,
            family_name=family,
            profile=Participant.Profile.NEWCOMER
            if i % 2
            else Participant.Profile.NATIONAL,
        )
        for i, (name, family) in enumerate(
            [("Amal", "Haddad"), ("Bruno", "Costa"), ("Chen", "Wei")]
        )
    ]
    for person in people:
        EnrolmentFactory(cohort=cohort, participant=person)
    held = SessionFactory(cohort=cohort, starts_at=at(-1), facilitator=e2e_facilitator)
    coming = SessionFactory(cohort=cohort, starts_at=at(3), facilitator=e2e_facilitator)
    return cohort, people, held, coming


def cell(page, session, person):
    return page.locator(f'select[name="p{person.pk}"][form="form-s{session.pk}"]')


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_facilitator_records_attendance_for_a_session(
    new_page, e2e_facilitator, evening_class, lang
):
    cohort, (amal, bruno, chen), held, coming = evening_class
    page = new_page(lang)
    log_in(page, e2e_facilitator, lang)

    # From the home page, the session of this week leads to the grid.
    sessions = page.locator("section[aria-labelledby=h-my-sessions]")
    expect(sessions).to_contain_text("Portuguese A1")
    sessions.get_by_role("link").filter(has_text="Portuguese A1").first.click()
    expect(page.locator("h1")).to_contain_text(t(lang, "Attendance"))
    # htmx (a deferred script) must have wired the cells before a change.
    page.wait_for_function("() => window.htmx && document.readyState === 'complete'")

    # One change saves one cell, at once.
    cell(page, held, amal).select_option("absent")
    expect(page.locator(f"td.att-absent select[name=p{amal.pk}]")).to_have_count(1)
    cell(page, held, bruno).select_option("excused")
    expect(page.locator(f"td.att-excused select[name=p{bruno.pk}]")).to_have_count(1)

    # Present is refused for a session still to come: the reason shows.
    coming_cell = cell(page, coming, chen)
    expect(coming_cell.locator('option[value="present"]')).to_be_disabled()
    coming_cell.select_option("excused")
    expect(
        page.locator(f"td.att-excused select[name=p{chen.pk}][form=form-s{coming.pk}]")
    ).to_have_count(1)

    # "Others present" fills the one left, and keeps the marks made.
    page.locator(f"#form-s{held.pk}").get_by_role(
        "button", name=t(lang, "Others present")
    ).click()
    expect(page.locator(".messages .success")).to_have_text(
        t(lang, "The attendance is saved.")
    )
    marks = dict(
        Attendance.objects.filter(session=held).values_list("participant_id", "status")
    )
    assert marks == {amal.pk: "absent", bruno.pk: "excused", chen.pk: "present"}
    assert Attendance.objects.get(session=coming).status == "excused"

    # The rates follow: one present of three people for one session held.
    expect(page.locator("#cohort-rate strong")).to_have_text("33 %")
    row = page.locator("tbody tr", has_text=chen.given_name)
    expect(row.locator(".att-rate")).to_contain_text("100 %")

    if lang == "ar":
        tablet = new_page(lang, PHONE)
        log_in(tablet, e2e_facilitator, lang)
        tablet.goto(f"/activities/cohorts/{cohort.pk}/attendance/")
        width, _sticking_out = overflow(tablet)
        assert width <= PHONE["width"] + 1
        screenshot(tablet, "attendance-ar-phone")
    screenshot(page, f"attendance-{lang}-desktop")
