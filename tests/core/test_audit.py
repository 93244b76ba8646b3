"""The audit log: every view and change of a person's record, kept whole."""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import (
    DatabaseError,
    IntegrityError,
    InternalError,
    connection,
    transaction,
)
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmil.config.api import api
from openmil.core.audit import REDACTED, audit_record
from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.core.services import api_token_create
from openmil.participants import services
from openmil.participants.models import Consent, FollowUp, Need, Participant
from tests.conftest import client_for
from tests.factories import (
    ConsentFactory,
    FollowUpFactory,
    NeedFactory,
    ParticipantFactory,
    UserFactory,
    member,
    need_type,
)

pytestmark = pytest.mark.django_db

DB_REFUSALS = (IntegrityError, DatabaseError, InternalError)


def log_mark() -> int:
    return AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0


def written_since(mark: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=mark).order_by("id"))


def api_client(user: Any) -> Client:
    _token, raw = api_token_create(user=user, name="audit")
    return Client(headers={"Authorization": f"Bearer {raw}"})


# ---------------------------------------------------------------------------
# Views of a person's record


def _assert_one_view(entries: list[AuditEntry], user: Any, p: Participant, channel):
    assert len(entries) == 1, [str(e) for e in entries]
    entry = entries[0]
    assert entry.action == AuditEntry.Action.VIEW
    assert entry.object_type == "participant"
    assert entry.object_id == str(p.pk)
    assert entry.participant_id == p.pk
    assert entry.lab_id == p.lab_id
    assert entry.actor_id == user.pk
    assert entry.actor_name == user.get_username()
    assert entry.channel == channel


def test_opening_a_participant_page_writes_exactly_one_view_entry(
    facilitator, participant
):
    mark = log_mark()
    response = client_for(facilitator).get(f"/participants/{participant.pk}/")
    assert response.status_code == 200
    _assert_one_view(written_since(mark), facilitator, participant, "web")


def test_opening_the_edit_form_writes_exactly_one_view_entry(facilitator, participant):
    mark = log_mark()
    response = client_for(facilitator).get(f"/participants/{participant.pk}/edit/")
    assert response.status_code == 200
    _assert_one_view(written_since(mark), facilitator, participant, "web")


@pytest.mark.parametrize("suffix", ["", "/needs", "/consents"])
def test_reading_a_participant_through_the_api_writes_exactly_one_view_entry(
    suffix, facilitator, participant
):
    client = api_client(facilitator)
    mark = log_mark()
    response = client.get(f"/api/v1/participants/{participant.pk}{suffix}")
    assert response.status_code == 200
    _assert_one_view(written_since(mark), facilitator, participant, "api")


def test_a_refused_view_writes_nothing(outsider, participant):
    mark = log_mark()
    response = client_for(outsider).get(f"/participants/{participant.pk}/")
    assert response.status_code == 404
    assert written_since(mark) == []


@pytest.fixture
def crowd(lab_a, lab_b, facilitator):
    """Three people in lab A, and one in lab B nobody in lab A may see."""
    people = [
        ParticipantFactory(lab=lab_a, given_name=name, caseworker=facilitator)
        for name in ("Amal", "Bilal", "Chiara")
    ]
    ParticipantFactory(lab=lab_b, given_name="Dario")
    return people


def _assert_one_list_entry(entries, user, lab_id, ids):
    assert len(entries) == 1, [str(e) for e in entries]
    entry = entries[0]
    assert entry.action == AuditEntry.Action.VIEW
    assert entry.object_type == "participant_list"
    assert entry.lab_id == lab_id
    assert entry.actor_id == user.pk
    assert entry.changes == {"participants": ids}


def test_list_page_writes_one_entry_naming_exactly_the_people_shown(
    facilitator, lab_a, crowd
):
    client = client_for(facilitator)
    mark = log_mark()
    response = client.get("/participants/")
    shown = [p.pk for p in response.context["page"].object_list]
    assert sorted(shown) == sorted(p.pk for p in crowd)
    _assert_one_list_entry(written_since(mark), facilitator, lab_a.pk, shown)

    mark = log_mark()
    response = client.get("/participants/", {"q": "bilal"})
    assert [p.pk for p in response.context["page"].object_list] == [crowd[1].pk]
    _assert_one_list_entry(written_since(mark), facilitator, lab_a.pk, [crowd[1].pk])


def test_api_list_writes_one_entry_naming_exactly_the_people_returned(
    facilitator, lab_a, crowd
):
    client = api_client(facilitator)
    mark = log_mark()
    response = client.get("/api/v1/participants")
    returned = [item["id"] for item in response.json()["items"]]
    assert sorted(returned) == sorted(p.pk for p in crowd)
    entries = written_since(mark)
    _assert_one_list_entry(entries, facilitator, lab_a.pk, returned)
    assert entries[0].channel == "api"


def test_home_page_logs_the_caseload_it_shows(facilitator, lab_a, crowd):
    mark = log_mark()
    response = client_for(facilitator).get("/")
    assert response.status_code == 200
    entries = written_since(mark)
    assert len(entries) == 1
    assert entries[0].object_type == "participant_list"
    assert sorted(entries[0].changes["participants"]) == sorted(p.pk for p in crowd)


def test_a_list_showing_nobody_writes_nothing(facilitator, crowd):
    mark = log_mark()
    response = client_for(facilitator).get("/participants/", {"q": "nobody-here"})
    assert response.status_code == 200
    assert written_since(mark) == []


# ---------------------------------------------------------------------------
# Changes


@dataclass
class Case:
    coordinator: Any
    participant: Participant
    need: Need
    consent: Consent
    follow_up: FollowUp


@pytest.fixture
def case(coordinator, participant) -> Case:
    return Case(
        coordinator=coordinator,
        participant=participant,
        need=NeedFactory(
            participant=participant, need_type=need_type("housing"), urgent=False
        ),
        consent=ConsentFactory(
            participant=participant,
            purpose=Consent.Purpose.FOLLOW_UP,
            recorded_by=coordinator,
        ),
        follow_up=FollowUpFactory(participant=participant, assigned_to=coordinator),
    )


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


@dataclass(frozen=True)
class Change:
    """A change, the entry it must leave, and the fields it must name."""

    run: Callable[[Case], Any]
    action: str
    object_type: str
    fields: frozenset[str]


CHANGES: dict[str, Change] = {
    "participant update": Change(
        lambda c: services.participant_update(
            actor=c.coordinator,
            participant=c.participant,
            data={"given_name": "Amira", "health_notes": "Diagnosed in May"},
        ),
        AuditEntry.Action.UPDATE,
        "participant",
        frozenset({"given_name", "health_notes"}),
    ),
    "need add": Change(
        lambda c: services.need_add(
            actor=c.coordinator,
            participant=c.participant,
            data={"need_type": need_type("health"), "status": Need.Status.IDENTIFIED},
        ),
        AuditEntry.Action.CREATE,
        "need",
        frozenset({"need_type", "status", "urgent"}),
    ),
    "need update": Change(
        lambda c: services.need_update(
            actor=c.coordinator, need=c.need, data={"status": Need.Status.MET}
        ),
        AuditEntry.Action.UPDATE,
        "need",
        frozenset({"status"}),
    ),
    "consent give": Change(
        lambda c: services.consent_give(
            actor=c.coordinator,
            participant=c.participant,
            purpose=Consent.Purpose.STATISTICS,
            notice_version="2026-02",
        ),
        AuditEntry.Action.CREATE,
        "consent",
        frozenset({"notice_version"}),
    ),
    "consent withdraw": Change(
        lambda c: services.consent_withdraw(actor=c.coordinator, consent=c.consent),
        AuditEntry.Action.UPDATE,
        "consent",
        frozenset({"withdrawn_at"}),
    ),
    "follow-up schedule": Change(
        lambda c: services.follow_up_schedule(
            actor=c.coordinator,
            participant=c.participant,
            due_on=tomorrow(),
            subject="Call about the flat",
        ),
        AuditEntry.Action.CREATE,
        "follow_up",
        frozenset({"due_on"}),
    ),
    "follow-up complete": Change(
        lambda c: services.follow_up_complete(
            actor=c.coordinator, follow_up=c.follow_up
        ),
        AuditEntry.Action.UPDATE,
        "follow_up",
        frozenset({"done_at"}),
    ),
    "pathway start": Change(
        lambda c: services.pathway_start(
            actor=c.coordinator, participant=c.participant
        ),
        AuditEntry.Action.UPDATE,
        "participant",
        frozenset({"pathway_started_on"}),
    ),
}


def record_state(case: Case) -> dict[str, Any]:
    """The participant's record and everything hanging from it."""
    p = case.participant
    return {
        "participant": Participant.objects.filter(pk=p.pk).values().get(),
        "needs": list(Need.objects.filter(participant=p).order_by("pk").values()),
        "consents": list(Consent.objects.filter(participant=p).order_by("pk").values()),
        "follow_ups": list(
            FollowUp.objects.filter(participant=p).order_by("pk").values()
        ),
    }


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_change_writes_one_entry_naming_what_changed(name, case):
    change = CHANGES[name]
    mark = log_mark()
    change.run(case)
    entries = written_since(mark)
    assert len(entries) == 1, [str(e) for e in entries]
    entry = entries[0]
    assert entry.action == change.action
    assert entry.object_type == change.object_type
    assert entry.participant_id == case.participant.pk
    assert entry.lab_id == case.participant.lab_id
    assert entry.actor_id == case.coordinator.pk
    assert change.fields <= set(entry.changes)
    for values in entry.changes.values():
        assert set(values) == {"before", "after"}
        assert values["before"] != values["after"] or values["after"] == REDACTED


@contextmanager
def audit_log_unwritable() -> Iterator[None]:
    """Make the database refuse new audit entries, as a full disk would."""

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and "core_auditentry" in sql:
            raise DatabaseError("the audit log cannot be written")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_change_whose_audit_entry_fails_is_not_saved(name, case):
    """The change and its entry share one transaction: no unlogged change."""
    before = record_state(case)
    mark = log_mark()
    with audit_log_unwritable(), pytest.raises(DatabaseError):
        CHANGES[name].run(case)
    assert record_state(case) == before
    assert written_since(mark) == []


def test_participant_update_keeps_before_and_after_and_redacts_sensitive_values(
    case,
):
    old_name = case.participant.given_name
    old_notes = case.participant.health_notes
    mark = log_mark()
    CHANGES["participant update"].run(case)
    (entry,) = written_since(mark)
    assert entry.changes == {
        "given_name": {"before": old_name, "after": "Amira"},
        "health_notes": {"before": REDACTED, "after": REDACTED},
    }
    stored = json.dumps(entry.changes) + entry.detail
    assert old_notes not in stored
    assert "Diagnosed in May" not in stored


def test_need_update_keeps_before_and_after_of_the_changed_field_only(case):
    mark = log_mark()
    CHANGES["need update"].run(case)
    (entry,) = written_since(mark)
    assert entry.object_id == str(case.need.pk)
    assert entry.changes == {
        "status": {"before": Need.Status.IDENTIFIED, "after": Need.Status.MET}
    }


def test_registering_a_person_logs_the_fields_without_sensitive_values(
    lab_a, facilitator
):
    mark = log_mark()
    p = services.participant_register(
        actor=facilitator,
        lab=lab_a,
        data={
            "reference": "LIS-0042",
            "profile": Participant.Profile.NEWCOMER,
            "given_name": "Samira",
            "case_notes": "Fled with two children",
            "legal_status_detail": "Appeal pending",
        },
    )
    (entry,) = written_since(mark)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.participant_id == p.pk
    assert entry.changes["given_name"] == {"before": None, "after": "Samira"}
    for name in Participant.SENSITIVE_FIELDS:
        assert entry.changes[name] == {"before": REDACTED, "after": REDACTED}
    stored = json.dumps(entry.changes)
    assert "Fled with two children" not in stored
    assert "Appeal pending" not in stored


def test_edit_page_change_is_logged_through_the_web_without_sensitive_values(
    coordinator, participant
):
    p = participant
    form = {
        "reference": p.reference,
        "profile": p.profile,
        "given_name": "Renamed",
        "family_name": p.family_name,
        "birth_date_precision": p.birth_date_precision,
        "sex": p.sex,
        "health_notes": "Broken wrist",
        "intake_date": p.intake_date.isoformat(),
    }
    mark = log_mark()
    response = client_for(coordinator).post(f"/participants/{p.pk}/edit/", form)
    assert response.status_code == 302
    updates = [e for e in written_since(mark) if e.action == AuditEntry.Action.UPDATE]
    assert len(updates) == 1
    assert updates[0].channel == "web"
    assert updates[0].changes["given_name"]["after"] == "Renamed"
    assert "Broken wrist" not in json.dumps(updates[0].changes)


def test_audit_log_page_never_shows_sensitive_values(coordinator, case):
    CHANGES["participant update"].run(case)
    body = client_for(coordinator).get("/audit/").content.decode()
    assert "Amira" in body
    assert "Diagnosed in May" not in body
    assert REDACTED in body


def test_api_change_is_logged_through_the_api(coordinator, participant):
    client = api_client(coordinator)
    mark = log_mark()
    response = client.patch(
        f"/api/v1/participants/{participant.pk}",
        {"family_name": "Nasser"},
        content_type="application/json",
    )
    assert response.status_code == 200
    (entry,) = written_since(mark)
    assert entry.channel == "api"
    assert entry.changes == {
        "family_name": {"before": participant.family_name, "after": "Nasser"}
    }


def _expect_invalid(run: Callable[[], Any]) -> None:
    with pytest.raises(ValidationError):
        run()


INVALID_CHANGES: dict[str, Callable[[Case], Any]] = {
    "birth date in the future": lambda c: services.participant_update(
        actor=c.coordinator,
        participant=c.participant,
        data={"birth_date": timezone.localdate() + dt.timedelta(days=3)},
    ),
    "need recorded twice": lambda c: services.need_add(
        actor=c.coordinator,
        participant=c.participant,
        data={"need_type": need_type("housing")},
    ),
    "unknown need status": lambda c: services.need_update(
        actor=c.coordinator, need=c.need, data={"status": "bogus"}
    ),
    "consent given twice": lambda c: services.consent_give(
        actor=c.coordinator,
        participant=c.participant,
        purpose=Consent.Purpose.FOLLOW_UP,
        notice_version="2026-02",
    ),
    "follow-up in the past": lambda c: services.follow_up_schedule(
        actor=c.coordinator,
        participant=c.participant,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        subject="Too late",
    ),
    "pathway with an urgent need open": lambda c: (
        Need.objects.filter(pk=c.need.pk).update(urgent=True),
        services.pathway_start(actor=c.coordinator, participant=c.participant),
    ),
}


@pytest.mark.parametrize("name", sorted(INVALID_CHANGES))
def test_an_invalid_change_writes_nothing(name, case):
    mark = log_mark()
    _expect_invalid(lambda: INVALID_CHANGES[name](case))
    assert written_since(mark) == []


def test_withdrawing_a_withdrawn_consent_writes_nothing_more(case):
    services.consent_withdraw(actor=case.coordinator, consent=case.consent)
    mark = log_mark()
    _expect_invalid(
        lambda: services.consent_withdraw(actor=case.coordinator, consent=case.consent)
    )
    assert written_since(mark) == []


def test_an_invalid_edit_form_writes_nothing(coordinator, participant):
    mark = log_mark()
    response = client_for(coordinator).post(
        f"/participants/{participant.pk}/edit/",
        {"reference": participant.reference, "given_name": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert written_since(mark) == []


def test_an_invalid_api_change_writes_nothing(coordinator, participant):
    client = api_client(coordinator)
    mark = log_mark()
    response = client.patch(
        f"/api/v1/participants/{participant.pk}",
        {"sex": "unknown-value"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert written_since(mark) == []


# ---------------------------------------------------------------------------
# Nothing can rewrite the log


@pytest.fixture
def entry(coordinator, participant) -> AuditEntry:
    return audit_record(
        actor=coordinator,
        action=AuditEntry.Action.VIEW,
        object_type="participant",
        object_id=participant.pk,
        lab_id=participant.lab_id,
        participant_id=participant.pk,
        detail="original",
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _unchanged(entry: AuditEntry) -> bool:
    stored = AuditEntry.objects.filter(pk=entry.pk).values("detail", "action").first()
    return stored == {"detail": "original", "action": AuditEntry.Action.VIEW}


def test_admin_shows_an_audit_entry_read_only(superuser, entry):
    response = client_for(superuser).get(
        reverse("admin:core_auditentry_change", args=[entry.pk])
    )
    assert response.status_code == 200
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize(
    ("method", "url_name", "with_pk"),
    [
        ("post", "admin:core_auditentry_change", True),
        ("get", "admin:core_auditentry_delete", True),
        ("post", "admin:core_auditentry_delete", True),
        ("get", "admin:core_auditentry_add", False),
        ("post", "admin:core_auditentry_add", False),
    ],
)
def test_admin_refuses_to_add_change_or_delete_audit_entries(
    method, url_name, with_pk, superuser, entry
):
    url = reverse(url_name, args=[entry.pk] if with_pk else [])
    count = AuditEntry.objects.count()
    data = {"detail": "rewritten", "action": "delete", "post": "yes"}
    response = getattr(client_for(superuser), method)(url, data)
    assert response.status_code == 403
    assert _unchanged(entry)
    assert AuditEntry.objects.count() == count


def test_admin_bulk_delete_is_not_offered_for_audit_entries(superuser, entry):
    client = client_for(superuser)
    url = reverse("admin:core_auditentry_changelist")
    assert b"delete_selected" not in client.get(url).content
    client.post(
        url,
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert _unchanged(entry)


def test_api_offers_no_operation_on_the_audit_log():
    paths = api.get_openapi_schema()["paths"]
    assert not [path for path in paths if "audit" in path.lower()]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/audit/{pk}"])
def test_api_refuses_writes_to_audit_entries(method, path, coordinator, entry):
    client = api_client(coordinator)
    count = AuditEntry.objects.count()
    response = getattr(client, method)(
        path.format(pk=entry.pk), {"detail": "x"}, content_type="application/json"
    )
    assert response.status_code in {404, 405}
    assert _unchanged(entry)
    assert AuditEntry.objects.count() == count


def test_database_refuses_to_update_an_audit_entry(entry):
    with pytest.raises(DB_REFUSALS), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    assert _unchanged(entry)


def test_database_refuses_to_save_changes_to_an_audit_entry(entry):
    entry.detail = "rewritten"
    with pytest.raises(DB_REFUSALS), transaction.atomic():
        entry.save()
    assert _unchanged(entry)


def test_database_refuses_to_delete_an_audit_entry(entry):
    with pytest.raises(DB_REFUSALS), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DB_REFUSALS), transaction.atomic():
        AuditEntry.objects.get(pk=entry.pk).delete()
    assert _unchanged(entry)


def test_database_refuses_raw_sql_that_rewrites_the_log(entry):
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET detail = 'rewritten' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with (
            pytest.raises(DB_REFUSALS),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert _unchanged(entry)


# ---------------------------------------------------------------------------
# Who reads the log


@pytest.fixture
def two_labs_logged(coordinator, outsider, lab_a, lab_b):
    """One consent recorded in each lab, with a notice version to spot."""
    services.consent_give(
        actor=coordinator,
        participant=ParticipantFactory(lab=lab_a),
        purpose=Consent.Purpose.STATISTICS,
        notice_version="LABA-NOTICE-3",
    )
    services.consent_give(
        actor=outsider,
        participant=ParticipantFactory(lab=lab_b),
        purpose=Consent.Purpose.STATISTICS,
        notice_version="LABB-NOTICE-7",
    )


def test_coordinator_reads_the_audit_log_of_their_lab(coordinator, two_labs_logged):
    response = client_for(coordinator).get("/audit/")
    assert response.status_code == 200
    assert "LABA-NOTICE-3" in response.content.decode()


def test_coordinator_never_sees_the_audit_log_of_another_lab(
    coordinator, lab_b, two_labs_logged
):
    client = client_for(coordinator)
    assert "LABB-NOTICE-7" not in client.get("/audit/").content.decode()
    assert client.get("/audit/", {"lab": lab_b.pk}).status_code == 404


def test_coordinator_of_lab_b_never_sees_lab_a_log(outsider, lab_a, two_labs_logged):
    client = client_for(outsider)
    body = client.get("/audit/").content.decode()
    assert "LABB-NOTICE-7" in body
    assert "LABA-NOTICE-3" not in body
    assert client.get("/audit/", {"lab": lab_a.pk}).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.FACILITATOR, Role.ANALYST, Role.PARTNER_STAFF, Role.MENTOR], ids=str
)
def test_other_roles_get_not_found_for_the_audit_log(role, lab_a, two_labs_logged):
    response = client_for(member(lab_a, role)).get("/audit/")
    assert response.status_code == 404
    assert "LABA-NOTICE-3" not in response.content.decode()
