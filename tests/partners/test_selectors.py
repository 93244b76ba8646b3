"""Scoping of referrals, shared fields, the directory and the steering figures."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.partners import selectors
from openmil.partners.models import Referral, ReferralSettings
from tests.factories import NeedFactory, ParticipantFactory, need_type
from tests.partners.factories import OpportunityFactory, ServiceFactory, referral
from tests.protect.factories import protect


def test_partner_staff_see_only_referrals_sent_to_their_organisation(
    consenting, service, legal_service, facilitator, partner, legal_partner
):
    draft = referral(participant=consenting, service=service, actor=facilitator)
    sent = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    to_legal = referral(
        participant=consenting, service=legal_service, actor=facilitator, status="sent"
    )
    assert list(selectors.referral_queryset(user=partner)) == [sent]
    assert list(selectors.referral_queryset(user=legal_partner)) == [to_legal]
    with pytest.raises(Http404):
        selectors.referral_get(user=partner, referral_id=draft.pk)
    with pytest.raises(Http404):
        selectors.referral_get(user=partner, referral_id=to_legal.pk)


def test_staff_see_referrals_of_the_people_they_may_see(
    consenting, service, facilitator, outsider
):
    r = referral(participant=consenting, service=service, actor=facilitator)
    assert list(selectors.referral_queryset(user=facilitator)) == [r]
    assert not selectors.referral_queryset(user=outsider).exists()


def test_reading_a_referral_is_audited_against_the_person(
    consenting, service, facilitator, partner
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    selectors.referral_get(user=partner, referral_id=r.pk)
    entry = AuditEntry.objects.filter(action="view", object_type="referral").get()
    assert (entry.actor, entry.participant_id) == (partner, consenting.pk)


def test_shared_fields_follow_the_lab_setting_and_never_hold_sensitive_ones(
    consenting, service, facilitator, lab_a
):
    consenting.phone = "+351 900 000 000"
    consenting.other_languages = ["pt"]
    consenting.save()
    need = NeedFactory(participant=consenting, need_type=need_type("housing"))
    r = referral(participant=consenting, service=service, actor=facilitator, need=need)
    shared = selectors.shared_participant(referral=r)
    assert shared == {
        "given_name": consenting.given_name,
        "family_name": consenting.family_name,
        "phone": "+351 900 000 000",
        "languages": ["ar", "pt"],
        "need": "Housing",
    }
    ReferralSettings.objects.create(lab=lab_a, shared_fields=["given_name"])
    assert selectors.shared_participant(referral=r) == {
        "given_name": consenting.given_name
    }
    text = str(selectors.shared_participant_rows(referral=r))
    for sensitive in (
        consenting.health_notes,
        consenting.case_notes,
        consenting.legal_status_detail,
    ):
        assert sensitive not in text


def test_partner_queue_holds_new_accepted_and_overdue(
    consenting, service, facilitator, partner
):
    new = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    accepted = referral(
        participant=ParticipantFactory(lab=consenting.lab),
        service=service,
        actor=facilitator,
        status="accepted",
    )
    Referral.objects.filter(pk=new.pk).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    queue = selectors.partner_queue(user=partner)
    assert queue.new == [new]
    assert queue.accepted == [accepted]
    assert queue.overdue == [new]


def test_directory_filters(housing_org, legal_org, service, legal_service, facilitator):
    language = ServiceFactory(
        organisation=legal_org,
        name="Portuguese for work",
        need_type=None,
        pillar="language",
        languages=["uk"],
        place="Porto",
    )
    found = selectors.service_list
    assert set(found(user=facilitator)) == {service, legal_service, language}
    assert list(found(user=facilitator, kind="housing")) == [service]
    assert list(found(user=facilitator, area="pillar:language")) == [language]
    assert list(found(user=facilitator, area="need:documents")) == [legal_service]
    assert list(found(user=facilitator, language="uk")) == [language]
    assert list(found(user=facilitator, place="porto")) == [language]
    assert set(found(user=facilitator, query="direitos")) == {legal_service, language}
    assert list(found(user=facilitator, query="transitional")) == [service]


def test_directory_is_scoped_to_the_users_labs(service, outsider, analyst):
    assert not selectors.service_list(user=outsider).exists()
    assert not selectors.service_list(user=analyst).exists()


def test_open_opportunities_for_matching(housing_org):
    today = timezone.localdate()
    current = OpportunityFactory(organisation=housing_org, ends_on=today)
    OpportunityFactory(organisation=housing_org, is_open=False)
    OpportunityFactory(
        organisation=housing_org,
        starts_on=today - dt.timedelta(days=9),
        ends_on=today - dt.timedelta(days=1),
    )
    assert list(selectors.opportunities_open(lab_id=housing_org.lab_id)) == [current]


def _at(referral_obj, **days):
    """Put the referral's dates at a fixed offset from its sending, in days."""
    base = timezone.now() - dt.timedelta(days=30)
    fields = {"sent_at": base}
    for name, offset in days.items():
        fields[name] = base + dt.timedelta(days=offset)
    Referral.objects.filter(pk=referral_obj.pk).update(**fields)


def test_steering_figures_on_a_hand_computed_fixture(
    lab_a, coordinator, facilitator, service, legal_service
):
    """Housing: 4 sent — accepted in 1 day then completed 4 days later,
    accepted in 3 days, declined, and one overdue; one draft not counted.
    Legal: 1 sent, accepted in 2 days, not completed."""

    def person():
        return ParticipantFactory(lab=lab_a, caseworker=facilitator)

    done = referral(
        participant=person(), service=service, actor=facilitator, status="completed"
    )
    _at(done, accepted_at=1, closed_at=5)
    open_one = referral(
        participant=person(), service=service, actor=facilitator, status="accepted"
    )
    _at(open_one, accepted_at=3)
    Referral.objects.filter(pk=open_one.pk).update(
        due_at=timezone.now() + dt.timedelta(days=1)
    )
    declined = referral(
        participant=person(), service=service, actor=facilitator, status="declined"
    )
    _at(declined, declined_at=2, closed_at=2)
    late = referral(
        participant=person(), service=service, actor=facilitator, status="sent"
    )
    _at(late, due_at=5)
    referral(participant=person(), service=service, actor=facilitator)
    legal = referral(
        participant=person(),
        service=legal_service,
        actor=facilitator,
        status="not_completed",
    )
    _at(legal, accepted_at=2, closed_at=9)

    eco = selectors.ecosystem_summary(user=coordinator, lab_id=lab_a.pk)
    rows = {row.label: row for row in eco.by_partner}
    housing, law = rows["Casa Aberta"], rows["Direitos Já"]
    assert (housing.sent, housing.accepted, housing.declined) == (4, 2, 1)
    assert (housing.completed, housing.overdue) == (1, 1)
    assert housing.acceptance_percent == 67
    assert housing.median_days_to_accept == 2.0
    assert housing.median_days_to_complete == 4.0
    assert (law.sent, law.accepted, law.not_completed) == (1, 1, 1)
    assert law.acceptance_percent == 100
    assert law.median_days_to_accept == 2.0
    assert law.median_days_to_complete is None
    areas = {row.label: row.sent for row in eco.by_area}
    assert areas == {"Housing": 4, "Documents and legal status": 1}
    assert eco.needs_without_service == ["Health care", "Income or minimum allowance"]
    assert len(eco.pillars_without_service) == 4
    assert [row.label for row in eco.overdue_partners] == ["Casa Aberta"]


def test_steering_is_for_coordinators_of_the_lab(facilitator, outsider, lab_a):
    for user in (facilitator, outsider):
        with pytest.raises(Http404):
            selectors.ecosystem_summary(user=user, lab_id=lab_a.pk)


def test_partner_staff_lose_a_referral_once_the_person_is_protected(
    consenting, service, facilitator, partner
):
    sent = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    assert list(selectors.referral_queryset(user=partner)) == [sent]
    case = protect(consenting, facilitator)
    assert not selectors.referral_queryset(user=partner).exists()
    with pytest.raises(Http404):
        selectors.referral_get(user=partner, referral_id=sent.pk)
    # The staff named on the case still see it; a partner named on it too.
    assert list(selectors.referral_queryset(user=facilitator)) == [sent]
    case.staff.add(partner)
    assert selectors.referral_get(user=partner, referral_id=sent.pk) == sent


def test_partner_staff_lose_a_referral_once_processing_is_restricted(
    consenting, service, facilitator, partner
):
    sent = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    consenting.processing_restricted = True
    consenting.save(update_fields=["processing_restricted"])
    assert not selectors.referral_queryset(user=partner).exists()
    with pytest.raises(Http404):
        selectors.referral_get(user=partner, referral_id=sent.pk)
