"""The referral state machine, consent gating, history and audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.notifications.models import Notification
from openmil.partners import services
from openmil.partners.models import Referral, ReferralEvent, ReferralSettings
from openmil.partners.services import ConsentMissing, IllegalTransition
from tests.factories import NeedFactory, ParticipantFactory, member, need_type
from tests.partners.factories import ServiceFactory, referral, sharing_consent

ALL_STATES = [s.value for s in Referral.Status]
#: Legal transitions: action -> states it may start from.
LEGAL = {
    "send": {"draft"},
    "accept": {"sent"},
    "decline": {"sent"},
    "complete": {"accepted"},
    "not_complete": {"accepted"},
    "revoke": {"draft", "sent", "accepted"},
}


def _actor_for(action, facilitator, partner):
    return facilitator if action in ("send", "revoke") else partner


def _kwargs(action):
    if action in ("decline", "not_complete"):
        return {"reason": "a reason"}
    return {}


@pytest.mark.parametrize(
    ("action", "state"),
    [(a, s) for a in LEGAL for s in ALL_STATES if s not in LEGAL[a]],
)
def test_every_illegal_transition_is_refused_with_a_clear_error(
    action, state, consenting, service, facilitator, partner
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status=state
    )
    events = ReferralEvent.objects.filter(referral=r).count()
    if r.sent_at is None and action not in ("send", "revoke"):
        # Partner staff never see what was not sent, so they cannot act on it.
        with pytest.raises(PermissionDenied):
            services.REFERRAL_ACTIONS[action](
                actor=partner, referral=r, **_kwargs(action)
            )
    else:
        with pytest.raises(IllegalTransition) as error:
            services.REFERRAL_ACTIONS[action](
                actor=_actor_for(action, facilitator, partner),
                referral=r,
                **_kwargs(action),
            )
        assert "cannot be" in error.value.messages[0]
    r.refresh_from_db()
    assert r.status == state
    assert ReferralEvent.objects.filter(referral=r).count() == events


@pytest.mark.parametrize(
    ("action", "state"), [(a, s) for a in LEGAL for s in sorted(LEGAL[a])]
)
def test_every_legal_transition_moves_the_referral_and_keeps_history(
    action, state, consenting, service, facilitator, partner
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status=state
    )
    actor = _actor_for(action, facilitator, partner)
    done = services.REFERRAL_ACTIONS[action](actor=actor, referral=r, **_kwargs(action))
    target = Referral.TRANSITIONS[action][1]
    assert done.status == target
    last = ReferralEvent.objects.filter(referral=r).order_by("id").last()
    assert (last.from_status, last.to_status, last.actor) == (state, target, actor)
    entry = AuditEntry.objects.filter(
        object_type="referral", object_id=str(r.pk)
    ).first()
    assert entry.changes["status"] == {"before": state, "after": target}
    assert entry.participant_id == consenting.pk
    assert entry.actor == actor


def test_declining_or_not_completing_needs_a_reason(
    consenting, service, facilitator, partner
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    with pytest.raises(ValidationError) as error:
        services.referral_decline(actor=partner, referral=r, reason="  ")
    assert "reason" in error.value.message_dict
    services.referral_accept(actor=partner, referral=r)
    with pytest.raises(ValidationError):
        services.referral_not_complete(actor=partner, referral=r, reason="")


def test_sending_without_partner_sharing_consent_is_refused_naming_the_consent(
    participant, service, facilitator
):
    r = services.referral_create(
        actor=facilitator, participant=participant, service=service
    )
    with pytest.raises(ConsentMissing) as error:
        services.referral_send(actor=facilitator, referral=r)
    assert "Sharing with a category of partner" in error.value.messages[0]
    assert "Housing" in error.value.messages[0]
    r.refresh_from_db()
    assert r.status == "draft"


def test_consent_for_another_category_or_withdrawn_does_not_count(
    participant, service, facilitator
):
    sharing_consent(participant, "legal")
    withdrawn = sharing_consent(participant, "housing")
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    r = services.referral_create(
        actor=facilitator, participant=participant, service=service
    )
    with pytest.raises(ConsentMissing):
        services.referral_send(actor=facilitator, referral=r)


def test_facilitator_cannot_override_missing_consent(participant, service, facilitator):
    r = services.referral_create(
        actor=facilitator, participant=participant, service=service
    )
    with pytest.raises(PermissionDenied):
        services.referral_send(
            actor=facilitator, referral=r, override_reason="urgent situation"
        )
    r.refresh_from_db()
    assert r.status == "draft"


def test_coordinator_override_sends_and_records_the_reason_in_the_audit_log(
    participant, service, coordinator
):
    r = services.referral_create(
        actor=coordinator, participant=participant, service=service
    )
    services.referral_send(
        actor=coordinator, referral=r, override_reason="Sleeping rough"
    )
    r.refresh_from_db()
    assert r.status == "sent"
    assert r.consent_override_reason == "Sleeping rough"
    assert r.consent_override_by == coordinator
    assert AuditEntry.objects.filter(
        object_id=str(r.pk), detail="consent override", actor=coordinator
    ).exists()
    event = r.events.get(to_status="sent")
    assert event.reason == "Sleeping rough"


def test_only_staff_of_the_addressed_organisation_answer(
    consenting, service, facilitator, legal_partner, coordinator
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    for outsider in (legal_partner, coordinator, facilitator):
        with pytest.raises(PermissionDenied):
            services.referral_accept(actor=outsider, referral=r)


def test_partner_staff_cannot_create_send_or_revoke(consenting, service, partner):
    with pytest.raises(PermissionDenied):
        services.referral_create(actor=partner, participant=consenting, service=service)


def test_referral_to_a_service_of_another_lab_is_refused(
    participant, facilitator, lab_b
):
    from tests.factories import OrganisationFactory

    foreign = ServiceFactory(organisation=OrganisationFactory(lab=lab_b))
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=facilitator, participant=participant, service=foreign
        )
    assert "service" in error.value.message_dict


def test_referral_of_another_persons_need_is_refused(participant, service, facilitator):
    other_need = NeedFactory(participant=ParticipantFactory(lab=participant.lab))
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            actor=facilitator, participant=participant, service=service, need=other_need
        )
    assert "need" in error.value.message_dict


def test_deadlines_come_from_the_service_and_the_lab(
    consenting, service, facilitator, partner, lab_a
):
    ReferralSettings.objects.create(lab=lab_a, completion_days=12)
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    assert r.due_at - r.sent_at == dt.timedelta(days=service.response_days)
    r = services.referral_accept(actor=partner, referral=r)
    assert r.due_at - r.accepted_at == dt.timedelta(days=12)
    r = services.referral_complete(actor=partner, referral=r)
    assert r.due_at is None and r.closed_at is not None


def test_sending_notifies_partner_staff_and_answers_notify_the_sender(
    consenting, service, facilitator, partner
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    note = Notification.objects.get(user=partner)
    assert note.kind == "referral_new"
    assert str(r.pk) in note.title
    services.referral_accept(actor=partner, referral=r)
    note = Notification.objects.get(user=facilitator)
    assert note.kind == "referral_status"
    assert "accepted" in note.title


def test_notifications_hold_no_personal_data(consenting, service, facilitator, partner):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="completed"
    )
    assert Notification.objects.count() >= 3
    for note in Notification.objects.all():
        for value in (
            consenting.given_name,
            consenting.family_name,
            consenting.reference,
            consenting.health_notes,
        ):
            assert value not in note.title
    assert r.status == "completed"


def test_overdue_referrals_are_flagged_to_both_sides_once(
    consenting, service, facilitator, partner
):
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="sent"
    )
    Notification.objects.all().delete()
    later = timezone.now() + dt.timedelta(days=service.response_days + 1)
    assert services.referrals_flag_overdue(now=later) == 1
    kinds = set(Notification.objects.values_list("user", "kind"))
    assert kinds == {
        (facilitator.pk, "referral_overdue"),
        (partner.pk, "referral_overdue"),
    }
    assert services.referrals_flag_overdue(now=later) == 0
    # A new deadline (accepted) flags again once it passes.
    services.referral_accept(actor=partner, referral=r)
    assert services.referrals_flag_overdue(now=later + dt.timedelta(days=31)) == 1


def test_accepted_not_completed_after_the_lab_setting_is_overdue(
    consenting, service, facilitator, partner, lab_a
):
    ReferralSettings.objects.create(lab=lab_a, completion_days=3)
    r = referral(
        participant=consenting, service=service, actor=facilitator, status="accepted"
    )
    assert not r.is_overdue
    Referral.objects.filter(pk=r.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    r.refresh_from_db()
    assert r.is_overdue


def test_referral_settings_never_share_a_sensitive_field(coordinator, lab_a):
    with pytest.raises(ValidationError):
        services.referral_settings_update(
            actor=coordinator,
            lab=lab_a,
            shared_fields=["given_name", "health_notes"],
            completion_days=10,
        )
    saved = services.referral_settings_update(
        actor=coordinator, lab=lab_a, shared_fields=["given_name"], completion_days=10
    )
    assert saved.shared_fields == ["given_name"]


def test_referral_settings_are_for_coordinators(facilitator, lab_a):
    with pytest.raises(PermissionDenied):
        services.referral_settings_update(
            actor=facilitator, lab=lab_a, shared_fields=[], completion_days=10
        )


def test_partner_staff_manage_their_own_services_and_opportunities_only(
    partner, housing_org, legal_org
):
    data = {
        "name": "Night shelter",
        "need_type": need_type("housing"),
        "response_days": 2,
    }
    created = services.service_create(
        actor=partner, organisation=housing_org, data=data
    )
    assert created.organisation == housing_org
    with pytest.raises(PermissionDenied):
        services.service_create(actor=partner, organisation=legal_org, data=data)
    opportunity = services.opportunity_create(
        actor=partner,
        organisation=housing_org,
        data={"kind": "housing", "title": "Two rooms", "capacity": 2},
    )
    assert opportunity.is_open
    with pytest.raises(PermissionDenied):
        services.opportunity_create(
            actor=partner,
            organisation=legal_org,
            data={"kind": "housing", "title": "x"},
        )


def test_a_service_has_a_pillar_or_a_need_not_both(coordinator, housing_org):
    with pytest.raises(ValidationError):
        services.service_create(
            actor=coordinator,
            organisation=housing_org,
            data={"name": "Both", "pillar": "language", "need_type": need_type()},
        )
    with pytest.raises(ValidationError):
        services.service_create(
            actor=coordinator, organisation=housing_org, data={"name": "Neither"}
        )


def test_opportunity_level_needs_a_language_and_dates_in_order(
    coordinator, housing_org
):
    with pytest.raises(ValidationError):
        services.opportunity_create(
            actor=coordinator,
            organisation=housing_org,
            data={"kind": "vacancy", "title": "Cook", "min_cefr": 3},
        )
    with pytest.raises(ValidationError):
        services.opportunity_create(
            actor=coordinator,
            organisation=housing_org,
            data={
                "kind": "vacancy",
                "title": "Cook",
                "starts_on": dt.date(2026, 5, 1),
                "ends_on": dt.date(2026, 4, 1),
            },
        )


def test_a_mentor_cannot_refer(consenting, service, lab_a):
    mentor = member(lab_a, Role.MENTOR)
    with pytest.raises(PermissionDenied):
        services.referral_create(actor=mentor, participant=consenting, service=service)
