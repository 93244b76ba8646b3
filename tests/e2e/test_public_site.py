"""The public site in a browser: a Persian reader on a 375-pixel phone signs
up and supports a project; axe-core finds no serious or critical violation
on the main public pages, in English and in Persian."""

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from openmil.public.models import Participation, Project
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_intake import overflow, path_of, t, unlabelled_controls
from tests.public.factories import ProjectFactory, RecommendationFactory

pytestmark = pytest.mark.e2e

SMALL_PHONE = {"width": 375, "height": 740}
LOCALES = {"en": "en-GB", "fa": "fa-IR"}


@pytest.fixture
def site_page(browser, live_server) -> Iterator[object]:
    """Factory: a page of a fresh context in a language, on a phone or not."""
    contexts = []

    def make(lang: str, viewport: dict[str, int] | None = None):
        phone = viewport == SMALL_PHONE
        context = browser.new_context(
            base_url=live_server.url,
            locale=LOCALES[lang],
            viewport=viewport or {"width": 1280, "height": 800},
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def published(e2e_lab):
    project = ProjectFactory(
        lab=e2e_lab,
        title="Community garden of Graça",
        summary="Neighbours and newcomers grow vegetables together.",
        language="en",
    )
    recommendation = RecommendationFactory(lab=e2e_lab, title="Libraries on Sundays")
    recommendation.history.create(to_status="proposed", on=recommendation.status_since)
    return project, recommendation


def _fits(page) -> None:
    # A click on a link may still be replacing the document: measure the
    # page that has loaded, not the one on its way out.
    page.wait_for_load_state("load")
    width, wide = overflow(page)
    assert width <= SMALL_PHONE["width"], wide
    assert not wide


def test_a_persian_reader_on_a_small_phone_signs_up_and_supports_a_project(
    site_page, published
):
    project, _recommendation = published
    page = site_page("fa", SMALL_PHONE)
    page.goto("/site/")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text(
        t("fa", "Citizen diplomacy: act together where you live")
    )
    _fits(page)

    # The keyboard reaches the skip link first.
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()

    # A project written in English says so, in Persian.
    page.get_by_role("link", name=t("fa", "Projects"), exact=True).click()
    assert path_of(page) == "/site/projects/"
    _fits(page)
    page.get_by_role("link", name=project.title).click()
    expect(page.locator(".note").first).to_contain_text(
        t("fa", "This project is available in %(language)s only.")
        % {"language": "English"}
    )
    expect(page.locator("h1")).to_have_attribute("lang", "en")
    _fits(page)

    # Sign up from the project page and come back to it.
    page.get_by_role("link", name=t("fa", "Create an account"), exact=True).click()
    assert not unlabelled_controls(page)
    page.locator("#id_username").fill("shirin")
    page.locator("#id_email").fill("shirin@example.org")
    page.locator("#id_password1").fill("a long pass phrase 42")
    page.locator("#id_password2").fill("a long pass phrase 42")
    _fits(page)
    page.get_by_role("button", name=t("fa", "Create the account")).click()
    assert path_of(page) == f"/site/projects/{project.pk}/"
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    # Support it as a newcomer, shown only as a count.
    page.locator("#id_group").select_option("newcomer")
    page.get_by_role("button", name=t("fa", "Support the project")).click()
    expect(page.locator(".messages")).to_contain_text(
        t("fa", "You support the project.")
    )
    participation = Participation.objects.get()
    assert participation.group == "newcomer" and not participation.show_name
    assert "shirin" not in page.locator("#who").locator("..").inner_text()
    _fits(page)

    # The switcher changes the language of the site.
    page.locator("#site-language").select_option("en")
    page.get_by_role("button", name=t("fa", "Change")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def test_a_citizen_proposes_a_project_in_persian(site_page, published, e2e_lab):
    page = site_page("fa", SMALL_PHONE)
    page.goto("/site/account/sign-up/")
    page.locator("#id_username").fill("dariush")
    page.locator("#id_email").fill("dariush@example.org")
    page.locator("#id_password1").fill("a long pass phrase 42")
    page.locator("#id_password2").fill("a long pass phrase 42")
    page.get_by_role("button", name=t("fa", "Create the account")).click()
    page.goto("/site/projects/new/")
    assert not unlabelled_controls(page)
    page.locator("#id_title").fill("کلاس آشپزی مشترک")
    page.locator("#id_summary").fill("آشپزی با همسایه‌ها")
    page.locator("#id_description").fill("هر **جمعه**")
    page.locator("#id_kind").select_option("cultural")
    page.get_by_label(t("fa", "Intercultural dialogue and active citizenship")).check()
    page.get_by_label("4", exact=True).check()
    _fits(page)
    page.get_by_role("button", name=t("fa", "Send the project")).click()
    project = Project.objects.get(title="کلاس آشپزی مشترک")
    assert project.language == "fa" and project.status == "pending"
    assert project.sdgs == [4]
    expect(page.locator(".note").first).to_contain_text(
        t("fa", "Waiting for moderation")
    )


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("lang", "viewport"), [("en", None), ("fa", SMALL_PHONE)], ids=["en", "fa-phone"]
)
def test_the_main_public_pages_have_no_serious_accessibility_violation(
    site_page, published, lang, viewport
):
    project, recommendation = published
    page = site_page(lang, viewport)
    axe = Axe()
    problems = {}
    for path in (
        "/site/",
        "/site/projects/",
        f"/site/projects/{project.pk}/",
        f"/site/projects/{project.pk}/report/",
        "/site/recommendations/",
        f"/site/recommendations/{recommendation.pk}/",
        "/site/account/sign-up/",
        "/site/account/sign-in/",
    ):
        page.goto(path)
        results = axe.run(page)
        assert results.response["testEngine"]["name"] == "axe-core"
        found = _serious(results)
        if found:
            problems[path] = found
    assert not problems, problems
