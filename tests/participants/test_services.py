"""Participant services: intake, changes, needs, consents, follow-ups, pathway."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.classifications.models import Occupation
from openmil.core.audit import REDACTED
from openmil.core.models import AuditEntry, Lab
from openmil.core.roles import Role
from openmil.participants import services
from openmil.participants.models import (
    Consent,
    FollowUp,
    Household,
    Need,
    NeedType,
    Participant,
)
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    member,
    need_type,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def intake(**overrides):
    """The fields a caseworker fills in at intake."""
    return {
        "reference": "LIS-0001",
        "profile": Participant.Profile.NEWCOMER,
        "given_name": "Amal",
        "family_name": "Haddad",
        "birth_date": dt.date(1991, 3, 2),
        "country_of_origin": "SY",
        "nationality": "SY",
        "mother_tongue": "ar",
        "other_languages": ["en"],
        "arrival_date": dt.date(2023, 9, 1),
        "health_notes": "Diabetes, insulin daily",
        **overrides,
    }


def audit_entries(**filters):
    return AuditEntry.objects.filter(**filters).order_by("id")


# participant_register


def test_register_creates_the_person_with_triaged_needs(lab_a, facilitator):
    p = services.participant_register(
        actor=facilitator,
        lab=lab_a,
        data=intake(caseworker=facilitator),
        needs=[
            {"need_type": need_type("housing"), "urgent": True},
            {"need_type": need_type("health"), "status": Need.Status.MET},
        ],
    )

    assert p.lab == lab_a
    assert p.full_name == "Amal Haddad"
    needs = {n.need_type.code: n for n in p.needs.all()}
    assert set(needs) == {"housing", "health"}
    assert needs["housing"].urgent
    assert needs["housing"].status == Need.Status.IDENTIFIED
    assert needs["housing"].resolved_at is None
    assert needs["health"].resolved_at is not None
    logged = list(audit_entries(participant_id=p.pk, action="create"))
    assert [e.object_type for e in logged] == ["participant", "need", "need"]
    assert all(e.actor == facilitator for e in logged)


def test_register_keeps_sensitive_values_out_of_the_audit_log(lab_a, facilitator):
    p = services.participant_register(actor=facilitator, lab=lab_a, data=intake())

    entry = audit_entries(participant_id=p.pk, object_type="participant").get()
    assert entry.changes["health_notes"] == {"before": REDACTED, "after": REDACTED}
    assert entry.changes["given_name"] == {"before": None, "after": "Amal"}
    assert "insulin" not in json.dumps(entry.changes)


def test_register_shares_one_household_between_two_people(lab_a, facilitator):
    first = services.participant_register(
        actor=facilitator,
        lab=lab_a,
        data=intake(household_role=Participant.HouseholdRole.HEAD),
        household_reference="H-17",
    )
    second = services.participant_register(
        actor=facilitator,
        lab=lab_a,
        data=intake(reference="LIS-0002", given_name="Omar"),
        household_reference=" H-17 ",
    )

    assert first.household is not None
    assert first.household == second.household
    assert first.household.reference == "H-17"
    assert Household.objects.filter(lab=lab_a).count() == 1
    assert set(first.household.members.all()) == {first, second}


def test_register_without_household_reference_leaves_household_empty(
    lab_a, facilitator
):
    p = services.participant_register(
        actor=facilitator, lab=lab_a, data=intake(), household_reference="  "
    )

    assert p.household is None
    assert not Household.objects.exists()


def test_register_records_past_occupations(lab_a, facilitator):
    baker = Occupation.objects.get(label="baker")
    seller = Occupation.objects.get(label="bakery specialised seller")

    p = services.participant_register(
        actor=facilitator, lab=lab_a, data=intake(), past_occupations=[baker, seller]
    )

    assert set(p.past_occupations.all()) == {baker, seller}
    entry = audit_entries(participant_id=p.pk, object_type="participant").get()
    assert entry.changes["past_occupations"]["after"] == sorted([baker.pk, seller.pk])


def test_register_makes_the_person_findable_by_name_without_accents(lab_a, facilitator):
    p = services.participant_register(
        actor=facilitator, lab=lab_a, data=intake(family_name="Müller")
    )

    assert "muller" in p.search_text
    assert "lis-0001" in p.search_text


def test_register_refuses_a_birth_date_in_the_future_and_writes_nothing(
    lab_a, facilitator
):
    with pytest.raises(ValidationError) as error:
        services.participant_register(
            actor=facilitator,
            lab=lab_a,
            data=intake(birth_date=TODAY() + dt.timedelta(days=1)),
            needs=[{"need_type": need_type("housing")}],
        )

    assert "birth_date" in error.value.message_dict
    assert not Participant.objects.exists()
    assert not Need.objects.exists()
    assert not AuditEntry.objects.exists()


def test_register_refuses_arrival_before_birth(lab_a, facilitator):
    with pytest.raises(ValidationError) as error:
        services.participant_register(
            actor=facilitator,
            lab=lab_a,
            data=intake(
                birth_date=dt.date(2000, 1, 1), arrival_date=dt.date(1999, 1, 1)
            ),
        )

    assert "arrival_date" in error.value.message_dict
    assert not Participant.objects.exists()


# participant_update


def test_update_writes_before_and_after_of_changed_fields_only(
    participant, facilitator
):
    services.participant_update(
        actor=facilitator,
        participant=participant,
        data={"family_name": "Haddad", "phone": "+351 912 345 678"},
    )

    participant.refresh_from_db()
    assert participant.family_name == "Haddad"
    entry = audit_entries(participant_id=participant.pk, action="update").get()
    assert entry.actor == facilitator
    assert entry.changes == {
        "family_name": {"before": "Family", "after": "Haddad"},
        "phone": {"before": "", "after": "+351 912 345 678"},
    }


def test_update_logs_that_a_sensitive_field_changed_but_not_its_value(
    participant, facilitator
):
    services.participant_update(
        actor=facilitator,
        participant=participant,
        data={"health_notes": "Broken arm, in plaster"},
    )

    entry = audit_entries(participant_id=participant.pk, action="update").get()
    assert entry.changes == {"health_notes": {"before": REDACTED, "after": REDACTED}}
    assert "plaster" not in json.dumps(entry.changes)
    assert "Asthma" not in json.dumps(entry.changes)


def test_update_without_a_change_writes_no_audit_entry(participant, facilitator):
    services.participant_update(
        actor=facilitator,
        participant=participant,
        data={"family_name": participant.family_name},
    )

    assert not audit_entries(participant_id=participant.pk, action="update").exists()


def test_update_records_a_household_move_in_the_diff(participant, facilitator):
    services.participant_update(
        actor=facilitator, participant=participant, data={}, household_reference="H-9"
    )

    participant.refresh_from_db()
    assert participant.household.reference == "H-9"
    entry = audit_entries(participant_id=participant.pk, action="update").get()
    assert entry.changes["household"] == {"before": "", "after": "H-9"}


def test_update_refreshes_the_search_text(participant, facilitator):
    services.participant_update(
        actor=facilitator, participant=participant, data={"given_name": "José"}
    )

    participant.refresh_from_db()
    assert "jose" in participant.search_text


def test_update_refuses_invalid_data_and_keeps_the_record(participant, facilitator):
    with pytest.raises(ValidationError):
        services.participant_update(
            actor=facilitator,
            participant=participant,
            data={"birth_date": TODAY() + dt.timedelta(days=3)},
        )

    participant.refresh_from_db()
    assert participant.birth_date == dt.date(1990, 5, 17)
    assert not audit_entries(participant_id=participant.pk).exists()


# need_add and need_update


def test_need_added_as_met_is_resolved_at_once(participant, facilitator):
    need = services.need_add(
        actor=facilitator,
        participant=participant,
        data={"need_type": need_type("income"), "status": Need.Status.MET},
    )

    assert need.resolved_at is not None
    assert audit_entries(object_type="need", action="create").count() == 1


def test_need_update_to_met_sets_resolved_and_reopening_clears_it(
    participant, facilitator
):
    need = NeedFactory(participant=participant)

    need = services.need_update(
        actor=facilitator, need=need, data={"status": Need.Status.MET}
    )
    assert need.resolved_at is not None
    resolved = need.resolved_at

    need = services.need_update(actor=facilitator, need=need, data={"notes": "Keys"})
    assert need.resolved_at == resolved

    need = services.need_update(
        actor=facilitator, need=need, data={"status": Need.Status.IN_PROGRESS}
    )
    need.refresh_from_db()
    assert need.resolved_at is None
    changes = [e.changes for e in audit_entries(object_type="need", action="update")]
    assert changes[0] == {"status": {"before": "identified", "after": "met"}}
    assert changes[-1] == {"status": {"before": "met", "after": "in_progress"}}


def test_need_update_to_not_met_also_resolves(participant, facilitator):
    need = NeedFactory(participant=participant, status=Need.Status.IN_PROGRESS)

    need = services.need_update(
        actor=facilitator, need=need, data={"status": Need.Status.NOT_MET}
    )

    assert need.resolved_at is not None


def test_need_update_cannot_change_the_need_type(participant, facilitator):
    need = NeedFactory(participant=participant, need_type=need_type("housing"))

    services.need_update(
        actor=facilitator, need=need, data={"need_type": need_type("health")}
    )

    need.refresh_from_db()
    assert need.need_type.code == "housing"


def test_need_add_refuses_a_need_type_already_recorded(participant, facilitator):
    NeedFactory(participant=participant, need_type=need_type("housing"))

    with pytest.raises(ValidationError) as error:
        services.need_add(
            actor=facilitator,
            participant=participant,
            data={"need_type": need_type("housing")},
        )

    assert error.value.message_dict == {"need_type": ["This need is already recorded."]}
    assert participant.needs.count() == 1


def test_need_add_refuses_a_need_type_of_another_lab(participant, facilitator, lab_b):
    foreign = NeedType.objects.create(lab=lab_b, code="childcare", label="Childcare")

    with pytest.raises(ValidationError) as error:
        services.need_add(
            actor=facilitator, participant=participant, data={"need_type": foreign}
        )

    assert error.value.message_dict == {
        "need_type": ["This need is defined by another lab."]
    }
    assert not participant.needs.exists()


def test_need_add_accepts_a_need_type_the_lab_defined(participant, facilitator, lab_a):
    own = NeedType.objects.create(lab=lab_a, code="childcare", label="Childcare")

    need = services.need_add(
        actor=facilitator, participant=participant, data={"need_type": own}
    )

    assert need.need_type == own


# consent_give and consent_withdraw


def test_consent_for_partner_sharing_requires_a_partner_category(
    participant, facilitator
):
    with pytest.raises(ValidationError) as error:
        services.consent_give(
            actor=facilitator,
            participant=participant,
            purpose=Consent.Purpose.PARTNER_SHARING,
            notice_version="2026-01",
        )

    assert "partner_category" in error.value.message_dict
    assert not Consent.objects.exists()


def test_consent_for_partner_sharing_is_recorded_per_category(participant, facilitator):
    for category in ("housing", "health"):
        services.consent_give(
            actor=facilitator,
            participant=participant,
            purpose=Consent.Purpose.PARTNER_SHARING,
            partner_category=category,
            notice_version="2026-01",
        )

    assert sorted(participant.consents.values_list("partner_category", flat=True)) == [
        "health",
        "housing",
    ]


def test_consent_other_than_sharing_drops_the_partner_category(
    participant, facilitator
):
    consent = services.consent_give(
        actor=facilitator,
        participant=participant,
        purpose=Consent.Purpose.FOLLOW_UP,
        partner_category="housing",
        notice_version="2026-01",
    )

    assert consent.partner_category == ""
    assert consent.recorded_by == facilitator
    entry = audit_entries(object_type="consent").get()
    assert entry.detail == "follow_up"


def test_consent_already_active_is_refused(participant, facilitator):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)

    with pytest.raises(ValidationError, match="already given"):
        services.consent_give(
            actor=facilitator,
            participant=participant,
            purpose=Consent.Purpose.FOLLOW_UP,
            notice_version="2026-01",
        )

    assert participant.consents.count() == 1


def test_consent_can_be_given_again_after_withdrawal(participant, facilitator):
    old = ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    services.consent_withdraw(actor=facilitator, consent=old)

    new = services.consent_give(
        actor=facilitator,
        participant=participant,
        purpose=Consent.Purpose.FOLLOW_UP,
        notice_version="2026-02",
    )

    assert new.is_active
    assert participant.consents.count() == 2


def test_consent_dated_in_the_future_is_refused(participant, facilitator):
    with pytest.raises(ValidationError) as error:
        services.consent_give(
            actor=facilitator,
            participant=participant,
            purpose=Consent.Purpose.STATISTICS,
            notice_version="2026-01",
            given_at=timezone.now() + dt.timedelta(hours=2),
        )

    assert "given_at" in error.value.message_dict
    assert not Consent.objects.exists()


def test_consent_dated_in_the_past_keeps_its_date(participant, facilitator):
    when = timezone.now() - dt.timedelta(days=3)

    consent = services.consent_give(
        actor=facilitator,
        participant=participant,
        purpose=Consent.Purpose.STATISTICS,
        notice_version="2026-01",
        given_at=when,
    )

    assert consent.given_at == when


def test_withdrawing_case_management_restricts_and_giving_it_again_lifts(
    participant, facilitator, coordinator
):
    consent = ConsentFactory(participant=participant)

    services.consent_withdraw(actor=facilitator, consent=consent)
    participant.refresh_from_db()
    assert participant.processing_restricted

    services.consent_give(
        actor=coordinator,
        participant=participant,
        purpose=Consent.Purpose.CASE_MANAGEMENT,
        notice_version="2026-02",
    )
    participant.refresh_from_db()
    assert not participant.processing_restricted


def test_withdrawing_follow_up_consent_cancels_open_follow_ups(
    participant, facilitator
):
    consent = ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    open_one = FollowUpFactory(participant=participant)
    done = FollowUpFactory(participant=participant, done_at=timezone.now())

    services.consent_withdraw(actor=facilitator, consent=consent)

    open_one.refresh_from_db()
    done.refresh_from_db()
    assert open_one.cancelled_at is not None
    assert done.cancelled_at is None


def test_withdrawing_twice_is_refused(participant, facilitator):
    consent = ConsentFactory(participant=participant)
    services.consent_withdraw(actor=facilitator, consent=consent)

    with pytest.raises(ValidationError, match="already withdrawn"):
        services.consent_withdraw(actor=facilitator, consent=consent)


# follow_up_schedule and follow_up_complete


def test_follow_up_needs_follow_up_consent(participant, facilitator):
    with pytest.raises(ValidationError, match="not consented"):
        services.follow_up_schedule(
            actor=facilitator, participant=participant, due_on=TODAY(), subject="Call"
        )

    assert not FollowUp.objects.exists()


def test_follow_up_is_planned_and_assigned_to_the_actor(participant, facilitator):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)
    due = TODAY() + dt.timedelta(days=7)

    follow_up = services.follow_up_schedule(
        actor=facilitator, participant=participant, due_on=due, subject="Call"
    )

    assert follow_up.assigned_to == facilitator
    assert follow_up.due_on == due
    entry = audit_entries(object_type="follow_up").get()
    assert entry.changes == {"due_on": {"before": None, "after": due.isoformat()}}


def test_follow_up_can_be_assigned_to_a_colleague(
    participant, facilitator, coordinator
):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)

    follow_up = services.follow_up_schedule(
        actor=facilitator,
        participant=participant,
        due_on=TODAY(),
        subject="Call",
        assigned_to=coordinator,
    )

    assert follow_up.assigned_to == coordinator


def test_follow_up_in_the_past_is_refused(participant, facilitator):
    ConsentFactory(participant=participant, purpose=Consent.Purpose.FOLLOW_UP)

    with pytest.raises(ValidationError) as error:
        services.follow_up_schedule(
            actor=facilitator,
            participant=participant,
            due_on=TODAY() - dt.timedelta(days=1),
            subject="Call",
        )

    assert "due_on" in error.value.message_dict


def test_follow_up_complete_marks_it_done_once(participant, facilitator):
    follow_up = FollowUpFactory(participant=participant, assigned_to=facilitator)

    services.follow_up_complete(actor=facilitator, follow_up=follow_up)
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None

    with pytest.raises(ValidationError, match="already closed"):
        services.follow_up_complete(actor=facilitator, follow_up=follow_up)


def test_follow_up_cancelled_cannot_be_completed(participant, facilitator):
    follow_up = FollowUpFactory(participant=participant, cancelled_at=timezone.now())

    with pytest.raises(ValidationError, match="already closed"):
        services.follow_up_complete(actor=facilitator, follow_up=follow_up)


# pathway_start and the lab's basic-needs rule


def set_gate(lab, gate):
    Lab.objects.filter(pk=lab.pk).update(pathway_gate=gate)


def test_pathway_is_blocked_by_an_urgent_identified_need(participant, facilitator):
    NeedFactory(participant=participant, urgent=True, status=Need.Status.IDENTIFIED)

    with pytest.raises(ValidationError, match="Housing"):
        services.pathway_start(actor=facilitator, participant=participant)

    participant.refresh_from_db()
    assert participant.pathway_started_on is None


def test_pathway_ignores_a_need_that_is_not_urgent(participant, facilitator):
    NeedFactory(participant=participant, urgent=False, status=Need.Status.IDENTIFIED)

    services.pathway_start(actor=facilitator, participant=participant)

    participant.refresh_from_db()
    assert participant.pathway_started_on == TODAY()


def test_pathway_starts_with_urgent_need_in_progress_under_the_default_rule(
    participant, facilitator
):
    assert participant.lab.pathway_gate == Lab.PathwayGate.URGENT_MET_OR_IN_PROGRESS
    NeedFactory(participant=participant, urgent=True, status=Need.Status.IN_PROGRESS)

    services.pathway_start(actor=facilitator, participant=participant)

    participant.refresh_from_db()
    assert participant.pathway_started_on == TODAY()
    entry = audit_entries(participant_id=participant.pk, action="update").get()
    assert entry.changes == {
        "pathway_started_on": {"before": None, "after": TODAY().isoformat()}
    }


def test_pathway_is_blocked_by_urgent_need_in_progress_when_lab_requires_met(
    participant, facilitator
):
    set_gate(participant.lab, Lab.PathwayGate.URGENT_MET)
    participant = Participant.objects.get(pk=participant.pk)
    NeedFactory(participant=participant, urgent=True, status=Need.Status.IN_PROGRESS)

    with pytest.raises(ValidationError, match="Housing"):
        services.pathway_start(actor=facilitator, participant=participant)


def test_pathway_starts_when_every_urgent_need_is_met_under_the_strict_rule(
    participant, facilitator
):
    set_gate(participant.lab, Lab.PathwayGate.URGENT_MET)
    participant = Participant.objects.get(pk=participant.pk)
    NeedFactory(participant=participant, urgent=True, status=Need.Status.MET)

    services.pathway_start(actor=facilitator, participant=participant)

    assert participant.pathway_started_on == TODAY()


@pytest.mark.parametrize("status", [Need.Status.IDENTIFIED, Need.Status.NOT_MET])
def test_pathway_always_starts_when_the_lab_has_no_condition(
    participant, facilitator, status
):
    set_gate(participant.lab, Lab.PathwayGate.NONE)
    participant = Participant.objects.get(pk=participant.pk)
    NeedFactory(participant=participant, urgent=True, status=status)

    services.pathway_start(
        actor=facilitator, participant=participant, on=dt.date(2025, 1, 6)
    )

    participant.refresh_from_db()
    assert participant.pathway_started_on == dt.date(2025, 1, 6)


def test_pathway_cannot_start_twice(participant, facilitator):
    services.pathway_start(actor=facilitator, participant=participant)

    with pytest.raises(ValidationError, match="already started"):
        services.pathway_start(actor=facilitator, participant=participant)


# Roles without edit rights


WRITES = {
    "register": lambda actor, p: services.participant_register(
        actor=actor, lab=p.lab, data=intake()
    ),
    "update": lambda actor, p: services.participant_update(
        actor=actor, participant=p, data={"family_name": "X"}
    ),
    "need_add": lambda actor, p: services.need_add(
        actor=actor, participant=p, data={"need_type": need_type("health")}
    ),
    "need_update": lambda actor, p: services.need_update(
        actor=actor, need=p.needs.get(), data={"status": Need.Status.MET}
    ),
    "consent_give": lambda actor, p: services.consent_give(
        actor=actor, participant=p, purpose="statistics", notice_version="1"
    ),
    "consent_withdraw": lambda actor, p: services.consent_withdraw(
        actor=actor, consent=p.consents.get()
    ),
    "follow_up_schedule": lambda actor, p: services.follow_up_schedule(
        actor=actor, participant=p, due_on=TODAY(), subject="Call"
    ),
    "follow_up_complete": lambda actor, p: services.follow_up_complete(
        actor=actor, follow_up=p.follow_ups.get()
    ),
    "pathway_start": lambda actor, p: services.pathway_start(
        actor=actor, participant=p
    ),
}


@pytest.mark.parametrize(
    "role", [Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR, Role.NETWORK_ADMIN]
)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_roles_without_edit_rights_are_refused(lab_a, role, write):
    p = ParticipantFactory(lab=lab_a)
    NeedFactory(participant=p, need_type=need_type("housing"), urgent=False)
    ConsentFactory(participant=p, purpose=Consent.Purpose.FOLLOW_UP)
    FollowUpFactory(participant=p)
    actor = member(lab_a, role)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(PermissionDenied):
        WRITES[write](actor, p)

    assert AuditEntry.objects.count() == audit_before


def test_coordinator_of_another_lab_is_refused(participant, outsider):
    with pytest.raises(PermissionDenied):
        services.participant_update(
            actor=outsider, participant=participant, data={"family_name": "X"}
        )
    with pytest.raises(PermissionDenied):
        services.participant_register(
            actor=outsider, lab=participant.lab, data=intake()
        )


def test_coordinator_may_edit_any_participant_of_the_lab(participant, coordinator):
    services.participant_update(
        actor=coordinator, participant=participant, data={"family_name": "Haddad"}
    )

    participant.refresh_from_db()
    assert participant.family_name == "Haddad"
