"""In the browser: no page breaks the Content-Security-Policy, and a
coordinator protects a case, which then shows its banner.

Every page is checked for `securitypolicyviolation` events: an inline script,
handler or style that the policy blocks fails the test.
"""

import pytest
from playwright.sync_api import expect

from openmil.core.roles import Role
from openmil.participants.models import ProtectedCase
from tests.e2e.test_intake import log_in, path_of, t
from tests.factories import ParticipantFactory, member

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


@pytest.fixture
def e2e_coordinator(e2e_lab):
    return member(e2e_lab, Role.COORDINATOR, user__first_name="Carla")


def test_pages_and_htmx_work_under_the_content_security_policy(
    new_page, e2e_lab, e2e_facilitator
):
    person = ParticipantFactory(lab=e2e_lab, caseworker=e2e_facilitator)
    page = new_page("en")
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, e2e_facilitator, "en")
    for url in ("/", "/participants/", f"/participants/{person.pk}/", "/api/v1/docs"):
        response = page.goto(url)
        assert response is not None and response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert violations(page) == [], url

    # Live search (htmx) swaps the results in without a page load.
    page.goto("/participants/")
    page.locator("#id_q").fill(person.given_name)
    expect(page.locator("#results")).to_contain_text(person.family_name)
    expect(page).to_have_url(f"/participants/?q={person.given_name}&lab=&profile=")
    # The occupation search box sends its own value (no script in attributes).
    page.goto("/participants/new/")
    page.locator("#id_past_occupations-search").fill("zzzz-no-such-job")
    expect(page.locator("#id_past_occupations-results")).to_contain_text(
        t("en", "No occupation found.")
    )
    # The language picker submits on change through openmil.js.
    page.get_by_label("Language", exact=True).select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert violations(page) == []


def test_a_coordinator_protects_a_case_and_the_banner_shows(
    new_page, e2e_lab, e2e_coordinator, e2e_facilitator
):
    person = ParticipantFactory(lab=e2e_lab, caseworker=e2e_facilitator)
    page = new_page("en")
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, e2e_coordinator, "en")
    page.goto(f"/participants/{person.pk}/")
    page.get_by_role("link", name=t("en", "Protect this case"), exact=True).click()
    staff = page.locator("#id_staff")
    expect(staff.get_by_label("Carla", exact=False)).to_be_checked()
    # Only the coordinator: the caseworker is taken off the case.
    staff.get_by_label("Ana", exact=False).uncheck()
    page.get_by_label(t("en", "Reason")).fill("Threats from a former partner")
    page.get_by_role("button", name=t("en", "Protect this case")).click()

    assert path_of(page) == f"/participants/{person.pk}/"
    banner = page.locator(".protected-banner")
    expect(banner).to_contain_text(t("en", "Protected case"))
    expect(banner).to_contain_text("Threats from a former partner")
    case = ProtectedCase.objects.get(participant=person)
    assert list(case.staff.all()) == [e2e_coordinator]
    assert violations(page) == []

    # The caseworker no longer finds the person.
    other = new_page("en")
    log_in(other, e2e_facilitator, "en")
    response = other.goto(f"/participants/{person.pk}/")
    assert response is not None and response.status == 404
    other.goto("/participants/")
    expect(other.locator("#results")).not_to_contain_text(person.given_name)
