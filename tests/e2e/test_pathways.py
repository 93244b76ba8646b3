"""A facilitator builds a pathway from a template and marks a goal achieved;
a participant answers a follow-up survey on a phone, right to left."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from openmil.core.pillars import Pillar
from openmil.participants.models import Consent
from openmil.pathways import services
from openmil.pathways.models import FollowUpSurvey, Goal, Pathway
from tests.e2e.conftest import PHONE
from tests.e2e.test_intake import LANGS, log_in, overflow, path_of, screenshot, t
from tests.factories import ConsentFactory, ParticipantFactory
from tests.pathways.factories import (
    CriterionFactory,
    PathwayFactory,
    TemplateFactory,
    TemplateGoalFactory,
)

pytestmark = pytest.mark.e2e


def goal_card(page, title: str):
    return page.locator("#goals li.card", has_text=title)


@LANGS
def test_facilitator_builds_a_pathway_and_marks_a_goal_achieved(
    new_page, e2e_lab, e2e_facilitator, lang
):
    template = TemplateFactory(lab=e2e_lab, name="Standard pathway")
    goal = TemplateGoalFactory(
        template=template, pillar=Pillar.CIVIC, title="Civic course completed"
    )
    TemplateGoalFactory(
        template=template, pillar=Pillar.LANGUAGE, title="Reach A2 in Portuguese"
    )
    CriterionFactory(template=template, kind="goal", goal=goal, weight=1)
    participant = ParticipantFactory(
        lab=e2e_lab, caseworker=e2e_facilitator, given_name="Amal", family_name="Nour"
    )
    page = new_page(lang)
    log_in(page, e2e_facilitator, lang)
    page.goto(f"/participants/{participant.pk}/")
    page.get_by_role(
        "link", name=t(lang, "Pathway: goals, assessments and follow-up"), exact=True
    ).click()
    assert path_of(page) == f"/pathways/participants/{participant.pk}/"

    page.locator("#id_template").select_option(str(template.pk))
    page.get_by_role("button", name=t(lang, "Build the pathway"), exact=True).click()
    expect(page.locator(".messages .success")).to_have_text(
        t(lang, "The pathway is built.")
    )
    card = goal_card(page, "Civic course completed")
    expect(card.locator(".badge.planned")).to_have_text(t(lang, "Planned"))
    readiness = page.locator("#readiness .pw-score")
    expect(readiness).to_have_text("0 / 100")

    # planned → in progress → achieved, each through the allowed choices only.
    for status, label in (("in_progress", "In progress"), ("achieved", "Achieved")):
        card = goal_card(page, "Civic course completed")
        card.locator("select[name=status]").select_option(status)
        card.get_by_role("button", name=t(lang, "Change status"), exact=True).click()
        expect(page.locator(".messages .success")).to_have_text(
            t(lang, "The goal's status is changed.")
        )
        expect(
            goal_card(page, "Civic course completed").locator(f".badge.{status}")
        ).to_have_text(t(lang, label))

    expect(readiness).to_have_text("100 / 100")
    civic_bar = page.locator(".pw-pillar", has_text=t(lang, "Civics")).locator(
        "[role=progressbar]"
    )
    expect(civic_bar).to_have_attribute("aria-valuenow", "100")
    # An achieved goal has no status left to move to.
    expect(
        goal_card(page, "Civic course completed").locator("select[name=status]")
    ).to_have_count(0)
    expect(page.locator("#timeline li").first).to_contain_text(
        t(lang, "Goal status changed")
    )
    screenshot(page, f"pathway-{lang}")

    pathway = Pathway.objects.get(participant=participant)
    achieved = pathway.goals.get(title="Civic course completed")
    assert achieved.status == Goal.Status.ACHIEVED
    assert list(
        pathway.events.filter(kind="goal_status")
        .order_by("id")
        .values_list("from_status", "to_status")
    ) == [("planned", "in_progress"), ("in_progress", "achieved")]


@LANGS
def test_pathway_page_fits_a_phone(new_page, e2e_lab, e2e_facilitator, lang):
    participant = ParticipantFactory(lab=e2e_lab, caseworker=e2e_facilitator)
    template = TemplateFactory(lab=e2e_lab)
    for pillar in Pillar:
        TemplateGoalFactory(template=template, pillar=pillar, title=f"Goal {pillar}")
    services.pathway_create(
        actor=e2e_facilitator, participant=participant, template=template
    )
    page = new_page(lang, PHONE)
    log_in(page, e2e_facilitator, lang)
    page.goto(f"/pathways/participants/{participant.pk}/")
    width, sticking_out = overflow(page)
    assert width <= PHONE["width"] + 1, sticking_out


@LANGS
def test_participant_answers_the_survey_on_a_phone(
    new_page, e2e_lab, e2e_facilitator, lang
):
    participant = ParticipantFactory(
        lab=e2e_lab,
        caseworker=e2e_facilitator,
        given_name="Amal",
        mother_tongue=lang,
    )
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    pathway = PathwayFactory(participant=participant, started_on=dt.date(2025, 1, 1))
    survey = FollowUpSurvey.objects.create(
        pathway=pathway, months=3, due_on=dt.date(2025, 9, 1)
    )
    raw = services.survey_link_issue(actor=e2e_facilitator, survey=survey)
    page = new_page(lang, PHONE)
    page.goto(f"/pathways/survey/{raw}/")
    expect(page.locator("html")).to_have_attribute(
        "dir", "rtl" if lang == "ar" else "ltr"
    )
    expect(page.locator("h1")).to_contain_text("Amal")
    width, sticking_out = overflow(page)
    assert width <= PHONE["width"] + 1, sticking_out
    page.get_by_label(t(lang, "Employed"), exact=True).check()
    page.get_by_label(t(lang, "Shared or with family or friends"), exact=True).check()
    page.locator("input[name=belonging][value='4']").check()
    page.get_by_role("button", name=t(lang, "Send my answers"), exact=True).click()
    expect(page.locator("h1")).to_have_text(t(lang, "Thank you"))
    survey.refresh_from_db()
    assert (survey.employment_status, survey.housing, survey.belonging) == (
        "employed",
        "shared",
        4,
    )
    page.goto(f"/pathways/survey/{raw}/")
    expect(page.locator("h1")).to_have_text(
        re.compile(re.escape(t(lang, "This link no longer works")))
    )
