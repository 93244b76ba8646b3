"""Erasure with the two-person rule, the full-database sweep, retention."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.participants import selectors as participant_selectors
from openmil.participants import services as participant_services
from openmil.participants.models import Consent, Need, Participant
from openmil.privacy import services
from openmil.privacy.anonymise import person_links, sweep_for
from openmil.privacy.models import ErasureRequest, RetentionRun
from openmil.privacy.retention import register_exit_date, unregister
from tests.factories import ConsentFactory, ParticipantFactory, member
from tests.privacy.factories import (
    NAMES,
    ErasureRequestFactory,
    PrivacySettingsFactory,
    identifiable_person,
    secrets_of,
)


def _request(person, by, reason="She asked us to erase her data"):
    return services.erasure_request_create(
        actor=by, participant=person, grounds="person_asked", reason=reason
    )


# ---------------------------------------------------------------------------
# The two-person rule.


def test_a_second_coordinator_approves_and_the_person_is_anonymised(
    participant, facilitator, coordinator, journal
):
    request = _request(participant, facilitator)
    services.erasure_approve(actor=coordinator, request=request)
    participant.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.APPROVED
    assert request.decided_by == coordinator
    assert participant.anonymised_at is not None
    assert participant.given_name == participant.family_name == ""
    assert participant.full_name == f"Anonymised person {participant.reference}"


def test_the_requester_may_not_approve_their_own_request(
    participant, coordinator, journal
):
    request = _request(participant, coordinator)
    with pytest.raises(PermissionDenied, match="asked for an erasure"):
        services.erasure_approve(actor=coordinator, request=request)
    participant.refresh_from_db()
    assert participant.anonymised_at is None


def test_a_facilitator_may_not_approve(participant, coordinator, facilitator):
    request = _request(participant, coordinator)
    with pytest.raises(PermissionDenied):
        services.erasure_approve(actor=facilitator, request=request)


def test_a_coordinator_of_another_lab_may_not_approve(
    participant, facilitator, outsider
):
    request = _request(participant, facilitator)
    with pytest.raises(PermissionDenied):
        services.erasure_approve(actor=outsider, request=request)


def test_a_dpo_may_not_approve(participant, facilitator, dpo):
    request = _request(participant, facilitator)
    with pytest.raises(PermissionDenied):
        services.erasure_approve(actor=dpo, request=request)


def test_the_database_refuses_a_request_decided_by_its_requester(
    participant, coordinator
):
    request = ErasureRequestFactory(participant=participant, requested_by=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        ErasureRequest.objects.filter(pk=request.pk).update(decided_by=coordinator)


def test_an_approved_request_cannot_be_approved_again(
    participant, facilitator, coordinator, second_coordinator, journal
):
    request = _request(participant, facilitator)
    services.erasure_approve(actor=coordinator, request=request)
    with pytest.raises(ValidationError, match="already decided"):
        services.erasure_approve(actor=second_coordinator, request=request)


def test_one_pending_request_per_person(participant, facilitator):
    _request(participant, facilitator)
    with pytest.raises(ValidationError, match="pending"):
        _request(participant, facilitator)


def test_a_request_needs_a_reason(participant, facilitator):
    with pytest.raises(ValidationError):
        _request(participant, facilitator, reason="   ")


def test_only_staff_of_the_lab_may_ask(participant, analyst, outsider):
    for user in (analyst, outsider):
        with pytest.raises(PermissionDenied):
            _request(participant, user)


def test_a_rejected_request_leaves_the_person_as_they_were(
    participant, facilitator, coordinator
):
    request = _request(participant, facilitator)
    services.erasure_reject(actor=coordinator, request=request, note="Legal hold")
    participant.refresh_from_db()
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.REJECTED
    assert participant.anonymised_at is None
    assert participant.given_name


# ---------------------------------------------------------------------------
# What an erasure removes and keeps.


def _register_with_history(lab, coordinator):
    """A person created and changed through the services, so the audit log
    holds their names in before/after values, and viewed once."""
    person = identifiable_person(lab, coordinator)
    participant_services.participant_update(
        actor=coordinator,
        participant=person,
        data={"given_name": "Zuleikha", "family_name": "Haddadine-Nour"},
    )
    participant_services.participant_update(
        actor=coordinator, participant=person, data={"family_name": "Haddadine"}
    )
    participant_selectors.participant_get(user=coordinator, participant_id=person.pk)
    return person


def test_after_erasure_no_column_of_any_model_holds_the_persons_data(
    lab_a,
    coordinator,
    second_coordinator,
    journal,
    later_app_models,
    django_capture_on_commit_callbacks,
):
    person = _register_with_history(lab_a, coordinator)
    m = later_app_models
    document = m["PersonDocument"].objects.create(
        participant=person,
        kind="passport",
        title="Passport of Zuleikha",
        file=ContentFile(b"Passport of Zuleikha Haddadine", name="passport.txt"),
    )
    stored = document.file.name
    plan = m["CasePlan"].objects.create(
        participant=person, summary="Plan agreed with Haddadine"
    )
    m["CaseStep"].objects.create(
        plan=plan, note="Zuleikha to bring her diploma", status="open"
    )
    m["HouseholdVisit"].objects.create(
        household=person.household,
        notes="Visited the Haddadine flat",
        visited_on=dt.date(2026, 1, 5),
    )
    needles = [*secrets_of(NAMES), "Passport of Zuleikha Haddadine"]
    found = {model for model, _field, _pk in sweep_for(needles)}
    assert {
        "participants.participant",
        "participants.need",
        "participants.followup",
        "core.auditentry",
        "privacy.persondocument",
        "privacy.casestep",
        "privacy.householdvisit",
    } <= found, "the control: the data is there before"
    assert default_storage.open(stored).read().startswith(b"Passport")

    request = _request(person, coordinator, reason="Zuleikha Haddadine asked")
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_approve(actor=second_coordinator, request=request)

    assert sweep_for(needles) == []
    assert not default_storage.exists(stored)
    step = m["CaseStep"].objects.get()
    assert (step.status, step.note) == ("open", "")
    assert m["PersonDocument"].objects.get().kind == "passport"


def test_erasure_keeps_the_facts_the_indicators_need(
    lab_a, coordinator, second_coordinator, journal
):
    person = _register_with_history(lab_a, coordinator)
    participant_services.pathway_start(actor=coordinator, participant=person)
    before = Participant.objects.get(pk=person.pk)
    services.erasure_approve(
        actor=second_coordinator, request=_request(person, coordinator)
    )
    after = Participant.objects.get(pk=person.pk)
    for field in (
        "profile",
        "sex",
        "country_of_origin",
        "nationality",
        "mother_tongue",
        "other_languages",
        "arrival_date",
        "intake_date",
        "pathway_started_on",
        "education_level",
        "household_role",
        "lab_id",
        "processing_restricted",
    ):
        assert getattr(after, field) == getattr(before, field), field
    assert after.birth_date == dt.date(1990, 4, 1)
    assert after.reference != before.reference
    assert after.reference.startswith("ANON-")
    assert after.search_text == after.reference.casefold()
    assert Need.objects.filter(participant=person).count() == 1
    assert Consent.objects.filter(participant=person).count() == 2
    need = Need.objects.get(participant=person)
    assert need.notes == ""
    assert need.status == Need.Status.IN_PROGRESS


def test_aggregates_are_the_same_before_and_after_erasure(
    lab_a, coordinator, second_coordinator, journal
):
    people = [identifiable_person(lab_a, coordinator)]
    for i in range(12):
        ParticipantFactory(
            lab=lab_a,
            profile="national" if i % 3 else "newcomer",
            pathway_started_on=timezone.localdate() if i % 2 else None,
        )
    ConsentFactory(participant=people[0], purpose="case_management")
    before = participant_selectors.lab_overview(user=coordinator, lab_id=lab_a.pk)
    services.erasure_approve(
        actor=second_coordinator, request=_request(people[0], coordinator)
    )
    after = participant_selectors.lab_overview(user=coordinator, lab_id=lab_a.pk)
    assert after == before


def test_the_audit_log_says_who_asked_and_who_approved_without_personal_data(
    lab_a, coordinator, second_coordinator, journal
):
    person = _register_with_history(lab_a, coordinator)
    services.erasure_approve(
        actor=second_coordinator, request=_request(person, coordinator)
    )
    entry = AuditEntry.objects.get(
        participant_id=person.pk, object_type="personal_data"
    )
    assert entry.actor == second_coordinator
    assert entry.changes["requested_by"] == coordinator.username
    assert entry.changes["approved_by"] == second_coordinator.username
    text = json.dumps([e.changes for e in AuditEntry.objects.all()], ensure_ascii=False)
    assert "Haddadine" not in text
    changed = AuditEntry.objects.filter(
        participant_id=person.pk, object_type="participant", action="update"
    ).first()
    assert changed.changes["family_name"] == {"before": "•••", "after": "•••"}


def test_the_audit_log_stays_immutable_outside_an_erasure(participant, coordinator):
    participant_selectors.participant_get(
        user=coordinator, participant_id=participant.pk
    )
    entry = AuditEntry.objects.filter(participant_id=participant.pk).first()
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")


def test_a_grant_does_not_open_entries_of_a_person_not_anonymised(
    participant, coordinator
):
    from openmil.privacy.models import AuditRedactionGrant

    participant_selectors.participant_get(
        user=coordinator, participant_id=participant.pk
    )
    AuditRedactionGrant.objects.create(participant_id=participant.pk)
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        AuditEntry.objects.filter(participant_id=participant.pk).update(
            detail="rewritten"
        )


def test_a_redaction_may_not_change_who_or_when(
    participant, facilitator, coordinator, journal
):
    from openmil.privacy.models import AuditRedactionGrant

    services.erasure_approve(
        actor=coordinator, request=_request(participant, facilitator)
    )
    AuditRedactionGrant.objects.create(participant_id=participant.pk)
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        AuditEntry.objects.filter(participant_id=participant.pk).update(
            actor_name="someone else"
        )
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        AuditEntry.objects.filter(participant_id=participant.pk).delete()


def test_household_reference_is_replaced_when_no_member_remains(
    lab_a, coordinator, second_coordinator, journal
):
    person = identifiable_person(lab_a, coordinator)
    services.erasure_approve(
        actor=second_coordinator, request=_request(person, coordinator)
    )
    person.refresh_from_db()
    assert "Haddadine" not in person.household.reference


def test_household_reference_stays_while_another_member_remains(
    lab_a, coordinator, second_coordinator, journal
):
    person = identifiable_person(lab_a, coordinator)
    sibling = ParticipantFactory(lab=lab_a, household=person.household)
    services.erasure_approve(
        actor=second_coordinator, request=_request(person, coordinator)
    )
    sibling.refresh_from_db()
    assert sibling.household.reference == "HH-Haddadine"
    assert sibling.anonymised_at is None
    assert sibling.given_name


def test_the_walk_finds_every_model_of_a_person():
    labels = {link.model._meta.label_lower for link in person_links()}
    assert {
        "participants.need",
        "participants.consent",
        "participants.followup",
        "privacy.erasurerequest",
    } <= labels
    assert "core.auditentry" not in labels


# ---------------------------------------------------------------------------
# Re-applying erasures after a restore.


def test_reapply_erasures_anonymises_again_a_person_restored_from_a_backup(
    lab_a, coordinator, second_coordinator, journal, django_capture_on_commit_callbacks
):
    person = identifiable_person(lab_a, coordinator)
    saved = {
        k: v
        for k, v in Participant.objects.filter(pk=person.pk).values()[0].items()
        if k != "id"
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_approve(
            actor=second_coordinator, request=_request(person, coordinator)
        )
    new_reference = Participant.objects.get(pk=person.pk).reference
    lines = journal.read_text().splitlines()
    assert json.loads(lines[-1])["participant_id"] == person.pk
    assert "Haddadine" not in journal.read_text()

    # The restore of a backup taken before the erasure: the row as it was,
    # and no trace of the request.
    ErasureRequest.objects.filter(participant=person).delete()
    Participant.objects.filter(pk=person.pk).update(**saved)
    assert Participant.objects.get(pk=person.pk).given_name == "Zuleikha"

    done = services.erasures_reapply()
    person.refresh_from_db()
    assert done == [new_reference]
    assert person.anonymised_at is not None
    assert person.given_name == ""
    assert person.reference == new_reference
    assert services.erasures_reapply() == []


# ---------------------------------------------------------------------------
# Retention.


def _age(person, years: int) -> None:
    """Make every date of the person's records `years` years old."""
    then = timezone.now() - dt.timedelta(days=365 * years)
    Participant.objects.filter(pk=person.pk).update(
        intake_date=then.date(), updated_at=then, created_at=then
    )
    Need.objects.filter(participant=person).update(created_at=then)


@pytest.fixture
def retention_world(lab_a, coordinator, journal):
    PrivacySettingsFactory(lab=lab_a, months_after_last_activity=36)
    old = ParticipantFactory(lab=lab_a, given_name="Olderperson")
    _age(old, 5)
    follow = ParticipantFactory(lab=lab_a, given_name="Followed")
    ConsentFactory(participant=follow, purpose="follow_up")
    _age(follow, 5)
    recent = ParticipantFactory(lab=lab_a, given_name="Recent")
    exited = ParticipantFactory(lab=lab_a, given_name="Exited")
    register_exit_date(
        "test-exits",
        lambda people: (
            {exited.pk: timezone.localdate() - dt.timedelta(days=800)}
            if people.filter(pk=exited.pk).exists()
            else {}
        ),
    )
    yield {"old": old, "follow": follow, "recent": recent, "exited": exited}
    unregister("test-exits")


def test_retention_dry_run_and_real_run_agree(lab_a, coordinator, retention_world):
    dry, plan = services.retention_apply(lab=lab_a, actor=coordinator, dry_run=True)
    assert {d.participant_id for d in plan.due} == {
        retention_world["old"].pk,
        retention_world["exited"].pk,
    }
    assert Participant.objects.filter(anonymised_at__isnull=False).count() == 0
    assert dry.dry_run and dry.anonymised == 0

    run, _plan = services.retention_apply(lab=lab_a, actor=coordinator)
    anonymised = set(
        Participant.objects.filter(anonymised_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert anonymised == set(plan.participant_ids)
    assert run.anonymised == len(plan.due) == 2
    assert run.kept_for_follow_up == dry.kept_for_follow_up == 1
    assert sorted(run.references) == sorted(
        Participant.objects.filter(pk__in=anonymised).values_list(
            "reference", flat=True
        )
    )


def test_follow_up_consent_keeps_a_person_past_the_retention_period(
    lab_a, coordinator, retention_world
):
    services.retention_apply(lab=lab_a, actor=coordinator)
    retention_world["follow"].refresh_from_db()
    assert retention_world["follow"].anonymised_at is None


def test_recent_activity_in_a_related_record_keeps_a_person(
    lab_a, coordinator, retention_world
):
    old = retention_world["old"]
    participant_services.need_add(
        actor=coordinator,
        participant=old,
        data={"need_type": Need.need_type.field.related_model.objects.first()},
    )
    _dry, plan = services.retention_apply(lab=lab_a, actor=coordinator, dry_run=True)
    assert old.pk not in plan.participant_ids


def test_a_real_run_needs_the_rules_switched_on(lab_a, coordinator):
    with pytest.raises(ValidationError, match="switched off"):
        services.retention_apply(lab=lab_a, actor=coordinator)


def test_retention_needs_a_coordinator(lab_a, facilitator, dpo, outsider):
    for user in (facilitator, dpo, outsider):
        with pytest.raises(PermissionDenied):
            services.retention_apply(lab=lab_a, actor=user, dry_run=True)


def test_the_daily_task_runs_every_lab_with_rules_on(lab_a, lab_b, retention_world):
    from openmil.privacy.tasks import retention_daily

    result = retention_daily.enqueue(reschedule=False)
    assert result.return_value == {lab_a.slug: 2}
    assert RetentionRun.objects.filter(lab=lab_a, dry_run=False).count() == 1
    assert not RetentionRun.objects.filter(lab=lab_b).exists()


def test_privacy_settings_are_validated_and_audited(lab_a, coordinator):
    rules = services.privacy_settings_update(
        actor=coordinator, lab=lab_a, data={"months_after_exit": 12}
    )
    assert rules.months_after_exit == 12
    assert AuditEntry.objects.filter(object_type="privacy_settings").exists()
    with pytest.raises(ValidationError):
        services.privacy_settings_update(
            actor=coordinator, lab=lab_a, data={"months_after_exit": 0}
        )


def test_the_new_role_has_no_personal_access(lab_a, participant):
    dpo = member(lab_a, Role.DPO)
    assert not participant_selectors.participant_queryset(user=dpo).exists()
