"""The complete record: every model with a path to the participant, labelled."""

import datetime as dt
import json

import pytest
from django.utils import translation

from openmil.core.audit import audit_record
from openmil.core.models import AuditEntry
from openmil.participants.models import Consent, Need
from openmil.participants.selectors import participant_get, participant_list_audit
from openmil.records.selectors import collect_rows, participant_record
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    need_type,
)
from tests.portal.factories import participant_account


def section(record, label):
    return next((s for s in record["sections"] if s["model"] == label), None)


def field(row, name):
    return next(f for f in row["fields"] if f["name"] == name)


@pytest.fixture
def person(lab_a, facilitator):
    return ParticipantFactory(
        lab=lab_a, caseworker=facilitator, given_name="Zuleikha", family_name="Hadad"
    )


def test_record_holds_every_model_linked_to_the_participant(person, facilitator):
    NeedFactory(participant=person, need_type=need_type("housing"))
    ConsentFactory(participant=person, purpose=Consent.Purpose.FOLLOW_UP)
    FollowUpFactory(participant=person, subject="Visit the housing office")
    participant_account(person)

    record = participant_record(participant=person)

    labels = {s["model"] for s in record["sections"]}
    assert {
        "participants.participant",
        "participants.need",
        "participants.consent",
        "participants.followup",
        "portal.participantaccount",
        "auth.user",
        "core.userprofile",
    } <= labels
    follow_up = section(record, "participants.followup")["records"][0]
    assert field(follow_up, "subject")["text"] == "Visit the housing office"


def test_models_found_through_the_walk_not_a_list(person):
    """A model appears because of its foreign key, found through _meta."""
    need = NeedFactory(participant=person, need_type=need_type("health"))
    rows = collect_rows(person)
    assert rows[Need] == {need.pk: need}
    # A need of someone else is not in the record.
    NeedFactory(need_type=need_type("health"))
    assert set(collect_rows(person)[Need]) == {need.pk}


def test_choice_fields_carry_their_human_label(person):
    NeedFactory(
        participant=person, need_type=need_type("housing"), status="in_progress"
    )
    with translation.override("fr"):
        record = participant_record(participant=person)
    need = section(record, "participants.need")["records"][0]
    status = field(need, "status")
    assert status["value"] == "in_progress"
    assert status["text"] == "En cours"
    sex = field(section(record, "participants.participant")["records"][0], "sex")
    assert sex["value"] == "female" and sex["text"] != "female"


def test_secrets_are_shown_only_as_present(person):
    account = participant_account(person)
    record = participant_record(participant=person)
    user = section(record, "auth.user")["records"][0]
    assert field(user, "password")["text"] == "•••"
    assert account.user.password not in json.dumps(record)


def test_other_household_members_are_not_copied_in(person, lab_a):
    from openmil.participants.models import Household

    household = Household.objects.create(lab=lab_a, reference="H-1")
    person.household = household
    person.save()
    other = ParticipantFactory(lab=lab_a, household=household, given_name="Omar")
    NeedFactory(participant=other, need_type=need_type("income"))
    record = participant_record(participant=person)
    assert section(record, "participants.household")["records"][0]["text"] == "H-1"
    people = section(record, "participants.participant")["records"]
    assert [p["id"] for p in people] == [person.pk]
    assert section(record, "participants.need") is None


def test_audit_entries_about_the_person_are_in_the_record(person, coordinator):
    participant_get(user=coordinator, participant_id=person.pk)
    participant_list_audit(user=coordinator, participants=[person])
    other = ParticipantFactory(lab=person.lab)
    participant_list_audit(user=coordinator, participants=[other])
    audit_record(
        actor=coordinator,
        action=AuditEntry.Action.VIEW,
        object_type="participant",
        participant=other,
    )
    record = participant_record(participant=person)
    who = [(e["who"], e["action"], e["record"].split()[0]) for e in record["audit"]]
    name = coordinator.get_username()
    assert (name, "view", "participant") in who
    assert (
        len([e for e in record["audit"] if e["record"].startswith("participant list")])
        == 1
    )
    assert all(e["changes"] == [] for e in record["audit"] if "list" in e["record"])


def test_record_is_json_serialisable_with_dates(person):
    person.arrival_date = dt.date(2024, 3, 1)
    person.save()
    record = participant_record(participant=person)
    text = json.dumps(record)
    assert "2024-03-01" in text


def test_audit_entries_of_the_space_read_in_the_persons_language(person):
    from openmil.portal.selectors import own_participant

    account = participant_account(person)
    own_participant(user=account.user)
    with translation.override("fr"):
        record = participant_record(participant=person)
        viewed = str(AuditEntry.Action.VIEW.label)
    entry = record["audit"][-1]
    assert entry["detail"] == "dans son espace personnel"
    assert entry["action_text"] == viewed != "viewed"
    assert entry["who"] == account.user.username
