"""Encryption at rest: fields, files, key rotation and key checks."""

import importlib
import os

import pytest
from django.apps import apps as django_apps
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.db import connection

from openmil.core import crypto
from openmil.core.fields import EncryptedCharField, EncryptedTextField
from openmil.core.storage import EncryptedFileSystemStorage, file_response
from openmil.participants.models import FollowUp, Need, Participant
from tests.factories import FollowUpFactory, NeedFactory, ParticipantFactory
from tests.protect.factories import new_key

pytestmark = pytest.mark.django_db

HEALTH = "Insulin twice a day since 2019"
CASE = "Left the husband's flat after threats"
LEGAL = "Asylum claim refused, appeal lodged on 3 May"
ADDRESS = "Rua das Flores 12, 2.º Dto, Lisboa"
NEED_NOTES = "Sleeps at a friend's place, must leave by Friday"
SUBJECT = "Call about the shelter room for her daughter"

MIGRATION = importlib.import_module(
    "openmil.participants.migrations.0005_encrypt_existing_values"
)


@pytest.fixture
def keys(settings):
    """Two fresh keys; the first encrypts."""
    first, second = new_key(), new_key()
    settings.OPENMIL_ENCRYPTION_KEYS = [first]
    return first, second


@pytest.fixture
def person(keys):
    p = ParticipantFactory(
        health_notes=HEALTH,
        case_notes=CASE,
        legal_status_detail=LEGAL,
        address=ADDRESS,
    )
    NeedFactory(participant=p, notes=NEED_NOTES)
    FollowUpFactory(participant=p, subject=SUBJECT)
    return p


def raw_rows(table: str, columns: list[str]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
        return cursor.fetchall()


def raw_participant_text() -> str:
    rows = raw_rows(
        "participants_participant",
        ["address", "legal_status_detail", "health_notes", "case_notes"],
    )
    rows += raw_rows("participants_need", ["notes"])
    rows += raw_rows("participants_followup", ["subject"])
    return " ".join(str(v) for row in rows for v in row)


ALL_SECRETS = [HEALTH, CASE, LEGAL, ADDRESS, NEED_NOTES, SUBJECT]


def test_the_database_rows_hold_no_plain_text_of_the_encrypted_fields(person):
    stored = raw_participant_text()
    for secret in ALL_SECRETS:
        assert secret not in stored
    for word in ("Insulin", "husband", "Asylum", "Flores", "Friday", "shelter"):
        assert word not in stored
    assert stored.count(f"{crypto.MARKER}:") == 6


def test_the_orm_and_forms_read_the_plain_text(person):
    p = Participant.objects.get(pk=person.pk)
    assert (p.health_notes, p.case_notes, p.legal_status_detail, p.address) == (
        HEALTH,
        CASE,
        LEGAL,
        ADDRESS,
    )
    assert Need.objects.get(participant=p).notes == NEED_NOTES
    assert FollowUp.objects.values_list("subject", flat=True).get() == SUBJECT
    field = Participant._meta.get_field("address")
    assert field.formfield().max_length == 300


def test_equal_texts_are_stored_differently(keys):
    a = ParticipantFactory(health_notes=HEALTH)
    b = ParticipantFactory(health_notes=HEALTH)
    stored = dict(raw_rows("participants_participant", ["id", "health_notes"]))
    assert stored[a.pk] != stored[b.pk]


def test_blank_values_stay_blank_and_need_no_key(keys):
    p = ParticipantFactory(health_notes="", case_notes="", legal_status_detail="")
    stored = dict(raw_rows("participants_participant", ["id", "health_notes"]))
    assert stored[p.pk] == ""
    assert Participant.objects.get(pk=p.pk).health_notes == ""


def test_encrypted_fields_refuse_lookups_instead_of_silently_matching_nothing(
    person,
):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Participant.objects.filter(health_notes=HEALTH))
    with pytest.raises(FieldError):
        list(Participant.objects.filter(case_notes__icontains="threats"))
    assert Participant.objects.filter(health_notes__isnull=False).count() == 1


def test_max_length_applies_to_the_plain_text(keys):
    from django.core.exceptions import ValidationError

    p = ParticipantFactory.build(lab=ParticipantFactory().lab, address="x" * 301)
    p.refresh_search_text()
    with pytest.raises(ValidationError) as error:
        p.full_clean()
    assert "address" in error.value.message_dict
    assert isinstance(Participant._meta.get_field("address"), EncryptedCharField)
    assert isinstance(Participant._meta.get_field("case_notes"), EncryptedTextField)


def test_the_data_migration_encrypts_rows_stored_plain_and_can_be_reversed(person):
    """Rows written before 0004 are plain; 0005 encrypts them, idempotently."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE participants_participant SET health_notes = %s, address = %s",
            ["Plain old note", "Plain old address"],
        )
        cursor.execute("UPDATE participants_need SET notes = %s", ["Plain need"])
    # Stored plain, still read (a row the migration has not reached yet).
    assert Participant.objects.get(pk=person.pk).health_notes == "Plain old note"

    forward, backward = (
        MIGRATION.Migration.operations[0].code,
        MIGRATION.Migration.operations[0].reverse_code,
    )
    forward(django_apps, None)
    stored = raw_participant_text()
    assert "Plain old" not in stored and "Plain need" not in stored
    p = Participant.objects.get(pk=person.pk)
    assert (p.health_notes, p.address, p.case_notes) == (
        "Plain old note",
        "Plain old address",
        CASE,
    )
    again = raw_participant_text()
    forward(django_apps, None)
    assert raw_participant_text() == again, "values under the current key are kept"

    backward(django_apps, None)
    stored = raw_participant_text()
    assert "Plain old note" in stored and CASE in stored
    assert f"{crypto.MARKER}:" not in stored


def test_rotation_re_encrypts_everything_and_the_old_key_can_go(
    person, keys, settings, tmp_path, capsys
):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("documents/permit.txt", ContentFile(b"Permit B-77"))
    old, new = keys
    settings.OPENMIL_ENCRYPTION_KEYS = [new, old]

    call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "Values: 6 re-encrypted, 0 already current" in out
    assert "Files: 1 re-encrypted, 0 already current" in out
    stored = raw_participant_text()
    assert stored.count(f"{crypto.MARKER}:{crypto.key_id(new)}:") == 6
    assert crypto.key_id(old) not in stored
    assert crypto.bytes_key_id((tmp_path / name).read_bytes()) == crypto.key_id(new)

    # Idempotent: a second run changes nothing.
    call_command("rotate_keys")
    assert "Values: 0 re-encrypted, 6 already current" in capsys.readouterr().out
    assert raw_participant_text() == stored

    # The old key removed, everything still opens.
    settings.OPENMIL_ENCRYPTION_KEYS = [new]
    p = Participant.objects.get(pk=person.pk)
    assert (p.health_notes, p.address) == (HEALTH, ADDRESS)
    with default_storage.open(name) as handle:
        assert handle.read() == b"Permit B-77"
    assert not [e for e in run_checks(databases=["default"]) if e.id.startswith("op")]


def test_a_missing_key_is_a_clear_error_and_a_failing_check_not_garbage(
    person, settings
):
    settings.OPENMIL_ENCRYPTION_KEYS = [new_key()]
    with pytest.raises(crypto.EncryptionKeyError, match="not among"):
        Participant.objects.get(pk=person.pk)
    errors = [e for e in run_checks(databases=["default"]) if e.id == "openmil.E103"]
    labels = {e.msg.split(" ")[0] for e in errors}
    assert {
        "participants.Participant.health_notes",
        "participants.Need.notes",
        "participants.FollowUp.subject",
    } <= labels


def test_a_damaged_value_is_an_error_naming_the_problem(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT health_notes FROM participants_participant")
        (stored,) = cursor.fetchone()
        cursor.execute(
            "UPDATE participants_participant SET health_notes = %s",
            [stored[:-6] + "AAAAAA"],
        )
    with pytest.raises(crypto.EncryptionKeyError, match="damaged or was altered"):
        Participant.objects.get(pk=person.pk)


@pytest.mark.parametrize(
    "configured",
    [[], ["not-a-key"], ["c2hvcnQ="]],
    ids=["missing", "malformed", "too short"],
)
def test_a_missing_or_malformed_key_fails_the_startup_check(settings, configured):
    settings.OPENMIL_ENCRYPTION_KEYS = configured
    errors = [e for e in run_checks() if e.id == "openmil.E101"]
    assert len(errors) == 1
    assert "OPENMIL_ENCRYPTION_KEYS" in errors[0].msg


def test_the_check_is_quiet_with_good_keys(keys):
    assert not [e for e in run_checks() if e.id.startswith("openmil.E")]


# Files ----------------------------------------------------------------------


def test_every_file_field_stores_through_the_encrypted_storage(settings):
    backend = settings.STORAGES["default"]["BACKEND"]
    assert backend == "openmil.core.storage.EncryptedFileSystemStorage"
    assert isinstance(storages["default"], EncryptedFileSystemStorage)


def test_a_stored_file_holds_no_plain_content_and_reads_back_plain(
    keys, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    content = "Certificat médical: grossesse, 5 mois. Patient: Zuleikha".encode()
    name = default_storage.save("participants/7/certificate.txt", ContentFile(content))
    on_disk = (tmp_path / name).read_bytes()
    assert b"Zuleikha" not in on_disk and b"grossesse" not in on_disk
    assert crypto.is_encrypted_bytes(on_disk)
    assert oct(os.stat(tmp_path / name).st_mode & 0o777) == "0o600"
    with default_storage.open(name) as handle:
        assert handle.read() == content
    assert default_storage.size(name) == len(content)


def test_file_response_serves_the_decrypted_content(keys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("x/scan.pdf", ContentFile(b"%PDF-1.7 secret"))

    class Stored:
        storage = default_storage

    Stored.name = name
    response = file_response(Stored, filename="scan.pdf")
    assert b"".join(response.streaming_content) == b"%PDF-1.7 secret"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"


def _whole_database() -> str:
    """Every row of every table, as a copy of the database file would hold."""
    text = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            text += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(text)


def test_a_copy_of_the_whole_database_holds_none_of_the_encrypted_texts(
    keys, coordinator, facilitator, lab_a
):
    """Written through the services, changed, logged: still nowhere in clear."""
    import datetime as dt

    from django.utils import timezone

    from openmil.participants import services
    from openmil.participants.models import Consent
    from tests.factories import need_type

    person = services.participant_register(
        actor=coordinator,
        lab=lab_a,
        data={
            "reference": "DB-1",
            "profile": "newcomer",
            "given_name": "Amira",
            "address": ADDRESS,
            "health_notes": HEALTH,
            "case_notes": CASE,
            "legal_status_detail": LEGAL,
        },
        needs=[{"need_type": need_type(), "notes": NEED_NOTES}],
    )
    services.participant_update(
        actor=coordinator,
        participant=person,
        data={"address": ADDRESS + " (new)", "case_notes": CASE + " again"},
    )
    services.consent_give(
        actor=coordinator,
        participant=person,
        purpose=Consent.Purpose.FOLLOW_UP,
        notice_version="2026-01",
    )
    services.follow_up_schedule(
        actor=coordinator,
        participant=person,
        due_on=timezone.localdate() + dt.timedelta(days=2),
        subject=SUBJECT,
    )
    services.protected_case_set(
        actor=coordinator,
        participant=person,
        staff=[coordinator],
        reason="Threatened by her brother-in-law",
    )
    dump = _whole_database()
    assert "Amira" in dump, "the dump does hold the rows"
    for secret in [*ALL_SECRETS, "Threatened by her brother-in-law", "Flores"]:
        assert secret not in dump, secret
