"""Participant pages: intake, detail, edit, needs, consents, follow-ups, pathway."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from openmil.core.models import AuditEntry, UserProfile
from openmil.core.roles import Role
from openmil.participants.models import (
    Consent,
    FollowUp,
    Need,
    NeedType,
    Participant,
)
from tests.conftest import client_for
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)
from tests.participants.bad_input import (
    INVALID_CODES_AND_DATES,
    INVALID_CODES_AND_DATES_IDS,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today
NEW = "/participants/new/"


@pytest.fixture(autouse=True)
def _back_to_english():
    """A request may leave another language active in this thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def intake_form(lab, **overrides):
    """What the intake page posts when the person has no need ticked."""
    data = {
        "lab": lab.pk,
        "reference": "LIS-0001",
        "profile": "newcomer",
        "given_name": "Amal",
        "family_name": "Haddad",
        "name_latin": "",
        "birth_date": "1991-03-02",
        "birth_date_precision": "day",
        "sex": "female",
        "country_of_origin": "SY",
        "nationality": "SY",
        "mother_tongue": "ar",
        "other_languages": ["en", "fr"],
        "arrival_date": "2023-09-01",
        "household_reference": "",
        "household_role": "",
        "phone": "",
        "email": "",
        "address": "",
        "legal_status": "",
        "legal_status_detail": "",
        "education_level": "",
        "health_notes": "",
        "case_notes": "",
        "caseworker": "",
        "intake_date": TODAY().isoformat(),
    }
    for nt in NeedType.objects.filter(lab__isnull=True):
        data[f"need-{nt.code}-status"] = Need.Status.IDENTIFIED
    data.update(overrides)
    return data


def edit_form(p, **overrides):
    """What the edit page posts back unchanged for participant `p`."""
    data = {
        "reference": p.reference,
        "profile": p.profile,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "name_latin": p.name_latin,
        "birth_date": p.birth_date.isoformat() if p.birth_date else "",
        "birth_date_precision": p.birth_date_precision,
        "sex": p.sex,
        "country_of_origin": p.country_of_origin,
        "nationality": p.nationality,
        "mother_tongue": p.mother_tongue,
        "other_languages": p.other_languages,
        "arrival_date": p.arrival_date.isoformat() if p.arrival_date else "",
        "household_reference": p.household.reference if p.household_id else "",
        "household_role": p.household_role,
        "phone": p.phone,
        "email": p.email,
        "address": p.address,
        "legal_status": p.legal_status_id or "",
        "legal_status_detail": p.legal_status_detail,
        "education_level": p.education_level or "",
        "health_notes": p.health_notes,
        "case_notes": p.case_notes,
        "caseworker": p.caseworker_id or "",
        "intake_date": p.intake_date.isoformat(),
    }
    if p.stateless:
        data["stateless"] = "on"
    data.update(overrides)
    return data


def page_messages(response):
    return [str(m) for m in response.context["messages"]]


# Intake


def test_intake_page_shows_the_form_with_the_triage(facilitator):
    response = client_for(facilitator).get(NEW)

    assertContains(response, "New intake")
    assertContains(response, 'name="need-housing-present"')
    assertContains(response, 'name="health_notes"')


def test_intake_registers_a_participant_with_triaged_needs(lab_a, facilitator):
    data = intake_form(
        lab_a,
        caseworker=facilitator.pk,
        household_reference="H-1",
        **{
            "need-housing-present": "on",
            "need-housing-urgent": "on",
            "need-housing-due_date": (TODAY() + dt.timedelta(days=5)).isoformat(),
            "need-income-present": "on",
            "need-income-status": Need.Status.IN_PROGRESS,
            "need-income-notes": "Waiting for the allowance",
        },
    )

    response = client_for(facilitator).post(NEW, data)

    p = Participant.objects.get()
    assertRedirects(response, f"/participants/{p.pk}/")
    assert p.full_name == "Amal Haddad"
    assert p.lab == lab_a
    assert p.other_languages == ["en", "fr"]
    assert p.household.reference == "H-1"
    needs = {n.need_type.code: n for n in p.needs.all()}
    assert set(needs) == {"housing", "income"}
    assert needs["housing"].urgent
    assert needs["housing"].due_date == TODAY() + dt.timedelta(days=5)
    assert needs["income"].status == Need.Status.IN_PROGRESS
    assert needs["income"].notes == "Waiting for the allowance"
    detail = client_for(facilitator).get(response.url)
    assertContains(detail, "Amal Haddad")


def test_intake_success_shows_a_message_on_the_detail_page(lab_a, facilitator):
    response = client_for(facilitator).post(NEW, intake_form(lab_a), follow=True)

    assert page_messages(response) == ["Amal Haddad is registered."]


def test_intake_in_a_second_lab_registers_there(lab_a, lab_b, facilitator):
    member(lab_b, Role.FACILITATOR, user=facilitator)

    client_for(facilitator).post(NEW, intake_form(lab_b))

    assert Participant.objects.get().lab == lab_b


def test_intake_with_the_same_reference_in_another_lab_is_fine(
    lab_a, lab_b, facilitator
):
    ParticipantFactory(lab=lab_b, reference="LIS-0001")

    response = client_for(facilitator).post(NEW, intake_form(lab_a))

    assert response.status_code == 302
    assert Participant.objects.filter(reference="LIS-0001").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        *INVALID_CODES_AND_DATES,
        (
            {"reference": "lis-0001"},
            "reference",
            "The reference lis-0001 is already used in this lab.",
        ),
        (
            {"case_notes": "x" * 5001},
            "case_notes",
            "Ensure this value has at most 5000 characters (it has 5001).",
        ),
        (
            {"stateless": "on"},
            "stateless",
            "A stateless person has no nationality.",
        ),
        ({"given_name": ""}, "given_name", "This field is required."),
    ],
    ids=[
        *INVALID_CODES_AND_DATES_IDS,
        "reference-taken",
        "notes-too-long",
        "stateless-with-nationality",
        "no-name",
    ],
)
def test_intake_with_bad_input_shows_errors_and_writes_nothing(
    lab_a, facilitator, overrides, field, message
):
    ParticipantFactory(lab=lab_a, reference="LIS-0001")
    overrides = {k: v() if callable(v) else v for k, v in overrides.items()}
    data = intake_form(
        lab_a,
        reference="LIS-0002",
        **{"need-housing-present": "on"},
    )
    data.update(overrides)
    audit_before = AuditEntry.objects.count()

    response = client_for(facilitator).post(NEW, data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assertContains(response, "Please correct the errors below.")
    assertContains(response, escape(message))
    assert Participant.objects.count() == 1
    assert not Need.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_intake_with_a_bad_triage_date_shows_the_error(lab_a, facilitator):
    data = intake_form(
        lab_a, **{"need-health-present": "on", "need-health-due_date": "1850-01-01"}
    )

    response = client_for(facilitator).post(NEW, data)

    assert response.status_code == 200
    assertContains(response, "This date is before 1900.")
    assert not Participant.objects.exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR])
def test_intake_page_is_not_found_for_roles_without_edit_rights(lab_a, role):
    assert client_for(member(lab_a, role)).get(NEW).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in():
    response = Client().get(NEW)

    assertRedirects(response, f"/account/login/?next={NEW}")


# Detail and sensitive fields


def test_detail_shows_the_person_needs_and_sensitive_fields_to_caseworker(
    participant, facilitator
):
    NeedFactory(participant=participant)

    response = client_for(facilitator).get(f"/participants/{participant.pk}/")

    assertContains(response, participant.full_name)
    assertContains(response, "Housing")
    assertContains(response, "Asthma, needs an inhaler")
    assert AuditEntry.objects.filter(
        action="view", participant_id=participant.pk, actor=facilitator
    ).exists()


def test_detail_of_another_lab_is_not_found(participant, outsider):
    response = client_for(outsider).get(f"/participants/{participant.pk}/")

    assert response.status_code == 404


@pytest.fixture
def colleague(lab_a):
    """A facilitator of the lab who is not the participant's caseworker."""
    return member(lab_a, Role.FACILITATOR)


def test_other_facilitator_does_not_see_sensitive_fields_on_detail(
    participant, colleague
):
    response = client_for(colleague).get(f"/participants/{participant.pk}/")

    assertContains(response, participant.full_name)
    assertNotContains(response, "Sensitive information")
    assertNotContains(response, "Asthma")
    assertNotContains(response, "reception centre")
    assertNotContains(response, "Asylum claim")


def test_other_facilitator_does_not_see_sensitive_fields_on_edit(
    participant, colleague
):
    response = client_for(colleague).get(f"/participants/{participant.pk}/edit/")

    assert response.status_code == 200
    for name in Participant.SENSITIVE_FIELDS:
        assertNotContains(response, f'name="{name}"')
    assertNotContains(response, "Asthma")


def test_other_facilitator_cannot_change_sensitive_fields_by_posting_them(
    participant, colleague
):
    data = edit_form(
        participant,
        family_name="Haddad",
        health_notes="Overwritten",
        case_notes="Overwritten",
        legal_status_detail="Overwritten",
    )

    response = client_for(colleague).post(f"/participants/{participant.pk}/edit/", data)

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.family_name == "Haddad"
    assert participant.health_notes == "Asthma, needs an inhaler"
    assert participant.case_notes == "Met at the reception centre"
    assert participant.legal_status_detail == "Asylum claim lodged in March"


# Edit


def test_edit_page_saves_and_writes_the_audit_log(participant, facilitator):
    data = edit_form(participant, family_name="Haddad", phone="+351 912 000 111")

    response = client_for(facilitator).post(
        f"/participants/{participant.pk}/edit/", data, follow=True
    )

    assertRedirects(response, f"/participants/{participant.pk}/")
    assert page_messages(response) == ["The changes are saved."]
    participant.refresh_from_db()
    assert participant.family_name == "Haddad"
    entry = AuditEntry.objects.get(action="update", participant_id=participant.pk)
    assert entry.actor == facilitator
    assert entry.channel == "web"
    assert entry.changes == {
        "family_name": {"before": "Family", "after": "Haddad"},
        "phone": {"before": "", "after": "+351 912 000 111"},
    }


def test_edit_page_shows_current_values(participant, facilitator):
    response = client_for(facilitator).get(f"/participants/{participant.pk}/edit/")

    assertContains(response, f'value="{participant.reference}"')
    assertContains(response, "Asthma, needs an inhaler")


def test_edit_with_a_reference_used_by_another_participant_is_refused(
    participant, facilitator, lab_a
):
    ParticipantFactory(lab=lab_a, reference="LIS-7")
    data = edit_form(participant, reference="lis-7", family_name="Changed")

    response = client_for(facilitator).post(
        f"/participants/{participant.pk}/edit/", data
    )

    assert response.status_code == 200
    assertContains(response, "already used in this lab")
    participant.refresh_from_db()
    assert participant.family_name == "Family"
    assert not AuditEntry.objects.filter(action="update").exists()


def test_edit_keeping_the_own_reference_is_fine(participant, facilitator):
    data = edit_form(participant, reference=participant.reference.lower())

    response = client_for(facilitator).post(
        f"/participants/{participant.pk}/edit/", data
    )

    assert response.status_code == 302


def test_edit_page_is_not_found_for_an_analyst(participant, analyst):
    response = client_for(analyst).get(f"/participants/{participant.pk}/edit/")

    assert response.status_code == 404


# Needs


def test_need_add_records_the_need_and_says_so(participant, facilitator):
    url = f"/participants/{participant.pk}/needs/"
    data = {
        "need_type": need_type("documents").pk,
        "urgent": "on",
        "status": "identified",
    }

    response = client_for(facilitator).post(url, data, follow=True)

    assertRedirects(response, f"/participants/{participant.pk}/#needs")
    assert page_messages(response) == ["The need is recorded."]
    need = participant.needs.get()
    assert need.need_type.code == "documents"
    assert need.urgent


def test_need_add_twice_shows_why_it_is_refused(participant, facilitator):
    NeedFactory(participant=participant, need_type=need_type("documents"))
    url = f"/participants/{participant.pk}/needs/"
    data = {"need_type": need_type("documents").pk, "status": "identified"}

    response = client_for(facilitator).post(url, data, follow=True)

    assert page_messages(response) == ["This need is already recorded."]
    assert participant.needs.count() == 1


def test_need_add_with_bad_input_names_the_field(participant, facilitator):
    url = f"/participants/{participant.pk}/needs/"

    response = client_for(facilitator).post(url, {"status": "identified"}, follow=True)

    assert page_messages(response) == ["Need: This field is required."]
    assert not participant.needs.exists()


def test_need_edit_page_updates_the_status(participant, facilitator):
    need = NeedFactory(participant=participant)
    url = f"/participants/needs/{need.pk}/"
    client = client_for(facilitator)

    assertContains(client.get(url), "Housing")
    response = client.post(url, {"status": "met", "notes": "Flat found"}, follow=True)

    assertRedirects(response, f"/participants/{participant.pk}/#needs")
    assert page_messages(response) == ["The need is updated."]
    need.refresh_from_db()
    assert need.status == Need.Status.MET
    assert need.resolved_at is not None
    assert need.notes == "Flat found"


def test_need_edit_with_bad_input_shows_the_form_again(participant, facilitator):
    need = NeedFactory(participant=participant)

    response = client_for(facilitator).post(
        f"/participants/needs/{need.pk}/", {"status": "solved"}
    )

    assert response.status_code == 200
    assertContains(response, "Please correct the errors below.")
    need.refresh_from_db()
    assert need.status == Need.Status.IDENTIFIED


def test_need_of_another_lab_is_not_found(outsider, participant):
    need = NeedFactory(participant=participant)

    response = client_for(outsider).get(f"/participants/needs/{need.pk}/")

    assert response.status_code == 404


# Consents


def test_consent_give_records_it_and_says_so(participant, facilitator):
    url = f"/participants/{participant.pk}/consents/"
    data = {
        "purpose": "partner_sharing",
        "partner_category": "housing",
        "notice_version": "2026-01",
    }

    response = client_for(facilitator).post(url, data, follow=True)

    assertRedirects(response, f"/participants/{participant.pk}/#consents")
    assert page_messages(response) == ["The consent is recorded."]
    consent = participant.consents.get()
    assert consent.partner_category == "housing"
    assert consent.recorded_by == facilitator


def test_consent_give_for_sharing_without_category_says_what_is_missing(
    participant, facilitator
):
    url = f"/participants/{participant.pk}/consents/"
    data = {"purpose": "partner_sharing", "notice_version": "2026-01"}

    response = client_for(facilitator).post(url, data, follow=True)

    assert page_messages(response) == [
        "Partner category: Choose the category of partner."
    ]
    assert not participant.consents.exists()


def test_consent_give_twice_says_it_is_already_given(participant, facilitator):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.STATISTICS)
    url = f"/participants/{participant.pk}/consents/"
    data = {"purpose": "statistics", "notice_version": "2026-01"}

    response = client_for(facilitator).post(url, data, follow=True)

    assert page_messages(response) == ["This consent is already given."]


def test_consent_withdraw_takes_effect_and_says_so(participant, facilitator):
    consent = ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)

    response = client_for(facilitator).post(
        f"/participants/consents/{consent.pk}/withdraw/", follow=True
    )

    assertRedirects(response, f"/participants/{participant.pk}/#consents")
    assert page_messages(response) == [
        "The consent is withdrawn. This takes effect now."
    ]
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_recorded_by == facilitator


def test_consent_withdraw_twice_says_it_is_already_withdrawn(participant, coordinator):
    consent = ConsentFactory(participant=participant)
    client = client_for(coordinator)
    client.post(f"/participants/consents/{consent.pk}/withdraw/", follow=True)

    response = client.post(
        f"/participants/consents/{consent.pk}/withdraw/", follow=True
    )

    assert page_messages(response) == ["This consent is already withdrawn."]


def test_consent_withdraw_needs_a_post(participant, facilitator):
    consent = ConsentFactory(participant=participant)

    response = client_for(facilitator).get(
        f"/participants/consents/{consent.pk}/withdraw/"
    )

    assert response.status_code == 405
    consent.refresh_from_db()
    assert consent.is_active


# Follow-ups


def test_follow_up_add_without_consent_says_why(participant, facilitator):
    url = f"/participants/{participant.pk}/follow-ups/"
    data = {"due_on": TODAY().isoformat(), "subject": "Call"}

    response = client_for(facilitator).post(url, data, follow=True)

    assert page_messages(response) == [
        "The participant has not consented to follow-up contact."
    ]
    assert not FollowUp.objects.exists()


def test_follow_up_add_and_done(participant, facilitator):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    client = client_for(facilitator)
    data = {"due_on": TODAY().isoformat(), "subject": "Call about the flat"}

    response = client.post(
        f"/participants/{participant.pk}/follow-ups/", data, follow=True
    )

    assertRedirects(response, f"/participants/{participant.pk}/#follow-ups")
    assert page_messages(response) == ["The follow-up is planned."]
    follow_up = FollowUp.objects.get()
    assert follow_up.assigned_to == facilitator
    assertContains(client.get("/"), "Call about the flat")

    response = client.post(
        f"/participants/follow-ups/{follow_up.pk}/done/", {"back": "home"}, follow=True
    )

    assertRedirects(response, "/")
    assert page_messages(response) == ["The follow-up is done."]
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None


def test_follow_up_add_in_the_past_names_the_field(participant, facilitator):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    data = {"due_on": "2020-01-01", "subject": "Call"}

    response = client_for(facilitator).post(
        f"/participants/{participant.pk}/follow-ups/", data, follow=True
    )

    assert page_messages(response) == ["Due on: This date is in the past."]


def test_follow_up_done_twice_says_it_is_closed(participant, facilitator):
    follow_up = FollowUpFactory(participant=participant)
    client = client_for(facilitator)
    client.post(f"/participants/follow-ups/{follow_up.pk}/done/", follow=True)

    response = client.post(
        f"/participants/follow-ups/{follow_up.pk}/done/", follow=True
    )

    assertRedirects(response, f"/participants/{participant.pk}/#follow-ups")
    assert page_messages(response) == ["This follow-up is already closed."]


# Pathway


def test_pathway_start_is_blocked_with_the_reason(participant, facilitator):
    NeedFactory(participant=participant, urgent=True)

    detail = client_for(facilitator).get(f"/participants/{participant.pk}/")
    assertContains(detail, "The pathway can start once these urgent needs")
    response = client_for(facilitator).post(
        f"/participants/{participant.pk}/pathway/start/", follow=True
    )

    assert page_messages(response) == [
        "These urgent needs must be addressed first: Housing"
    ]
    participant.refresh_from_db()
    assert participant.pathway_started_on is None


def test_pathway_start_when_allowed(participant, facilitator):
    NeedFactory(participant=participant, urgent=True, status=Need.Status.IN_PROGRESS)

    response = client_for(facilitator).post(
        f"/participants/{participant.pk}/pathway/start/", follow=True
    )

    assertRedirects(response, f"/participants/{participant.pk}/")
    assert page_messages(response) == ["The integration pathway has started."]
    participant.refresh_from_db()
    assert participant.pathway_started_on == TODAY()


def test_pathway_start_is_not_found_for_an_analyst(participant, analyst):
    response = client_for(analyst).post(
        f"/participants/{participant.pk}/pathway/start/"
    )

    assert response.status_code == 404


# List and occupation lookup


def test_list_finds_by_name_without_accents(lab_a, facilitator):
    ParticipantFactory(lab=lab_a, given_name="José", family_name="Álvarez")
    ParticipantFactory(lab=lab_a, given_name="Olena", family_name="Shevchenko")

    response = client_for(facilitator).get("/participants/", {"q": "JOSE"})

    assertContains(response, "José Álvarez")
    assertNotContains(response, "Olena")


def test_occupation_lookup_returns_matches_by_label_and_isco_code(facilitator):
    client = client_for(facilitator)

    by_label = client.get("/participants/occupations/", {"q": "baker"})
    by_code = client.get("/participants/occupations/", {"q": "7512"})

    assertContains(by_label, "baker (ISCO 7512)")
    assertContains(by_code, "baker (ISCO 7512)")


def test_occupation_lookup_says_when_nothing_matches(facilitator):
    response = client_for(facilitator).get(
        "/participants/occupations/", {"q": "astronaut of the seas"}
    )

    assertContains(response, "No occupation found.")


def test_occupation_lookup_is_not_found_for_an_analyst(analyst):
    response = client_for(analyst).get("/participants/occupations/", {"q": "baker"})

    assert response.status_code == 404


# Languages and right-to-left


def test_switching_to_arabic_renders_pages_right_to_left(participant, facilitator):
    client = client_for(facilitator)

    response = client.post("/language/", {"language": "ar", "next": "/participants/"})
    assertRedirects(response, "/participants/", fetch_redirect_response=False)
    page = client.get(f"/participants/{participant.pk}/")

    assertContains(page, 'lang="ar"')
    assertContains(page, 'dir="rtl"')


def test_user_with_arabic_profile_gets_right_to_left_pages(participant, facilitator):
    UserProfile.objects.create(user=facilitator, language="ar")
    client = client_for(facilitator)

    for url in ("/", NEW, f"/participants/{participant.pk}/edit/"):
        response = client.get(url)
        assertContains(response, '<html lang="ar" dir="rtl">')


def test_english_pages_are_left_to_right(facilitator):
    response = client_for(facilitator).get("/")

    assertContains(response, '<html lang="en" dir="ltr">')


def test_country_names_appear_in_the_users_language(participant, facilitator):
    UserProfile.objects.create(user=facilitator, language="fr")
    client = client_for(facilitator)

    detail = client.get(f"/participants/{participant.pk}/")
    intake = client.get(NEW)

    assertContains(detail, "Syrie")
    assertNotContains(detail, "Syria<")
    assertContains(intake, '<option value="SY">Syrie</option>', html=False)


def test_country_names_in_arabic(participant, facilitator):
    UserProfile.objects.create(user=facilitator, language="ar")

    detail = client_for(facilitator).get(f"/participants/{participant.pk}/")

    assertContains(detail, "سوريا")
