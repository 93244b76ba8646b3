"""Upload → check → confirm → import, all or nothing."""

import codecs
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.imports import services
from openmil.imports.importers import ParticipantImporter
from openmil.imports.models import ImportJob
from openmil.participants.forms import ParticipantForm
from openmil.participants.models import Participant
from tests.factories import LegalStatusFactory, ParticipantFactory
from tests.imports.factories import HEADER, csv_bytes, row, rows, upload, xlsx_bytes


def check(user, lab, content: bytes, name: str = "people.csv", callbacks=None):
    with callbacks(execute=True):
        job = services.import_upload(
            actor=user, lab=lab, kind="participants", upload=upload(content, name)
        )
    job.refresh_from_db()
    return job


def run(user, job, callbacks):
    with callbacks(execute=True):
        services.import_confirm(actor=user, job=job)
    job.refresh_from_db()
    return job


def errors_of(job):
    return [(e.row, e.column, e.message) for e in job.errors.all()]


@pytest.fixture
def do(coordinator, lab_a, django_capture_on_commit_callbacks):
    def _do(content: bytes, name: str = "people.csv", user=None):
        return check(
            user or coordinator,
            lab_a,
            content,
            name,
            django_capture_on_commit_callbacks,
        )

    return _do


@pytest.fixture
def confirm(coordinator, django_capture_on_commit_callbacks):
    def _confirm(job):
        return run(coordinator, job, django_capture_on_commit_callbacks)

    return _confirm


def test_a_valid_csv_is_checked_then_imported_and_the_creations_are_audited(
    do, confirm, lab_a
):
    job = do(csv_bytes(rows(3)))
    assert job.status == ImportJob.Status.CHECKED
    assert job.row_count == 3 and job.error_count == 0 and job.is_ready
    assert not Participant.objects.filter(lab=lab_a).exists()
    job = confirm(job)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count) == (3, 0)
    people = Participant.objects.filter(lab=lab_a).order_by("reference")
    assert [p.reference for p in people] == ["IMP-00001", "IMP-00002", "IMP-00003"]
    first = people[0]
    assert first.birth_date == dt.date(1991, 3, 14)
    assert "person1" in first.search_text
    entry = AuditEntry.objects.get(action="create", object_type="participant")
    assert entry.lab_id == lab_a.pk and entry.detail == "import: 3 created"
    assert sorted(entry.changes["participants"]) == sorted(p.pk for p in people)


def test_xlsx_files_import_like_csv(do, confirm, lab_a):
    job = confirm(do(xlsx_bytes(rows(2)), name="people.xlsx"))
    assert job.status == ImportJob.Status.DONE
    assert Participant.objects.filter(lab=lab_a).count() == 2


def test_every_bad_row_is_reported_with_row_column_and_reason(do, lab_a):
    LegalStatusFactory(lab=lab_a, name="Refugee")
    data = [
        row(reference="A1"),
        row(reference="A2", birth_date="14/03/1991"),
        row(reference="A3", birth_date="2999-01-01"),
        row(reference="A4", profile="tourist", country_of_origin="XX"),
        row(reference="A1"),
        row(reference="A6", legal_status="Unknown status"),
        row(reference="A7", nationality="SY", stateless="yes"),
        row(reference="A8", arrival_date="1980-01-01"),
        row(reference="A9", email="not-an-email", stateless="maybe"),
        row(reference="", given_name=""),
    ]
    job = do(csv_bytes(data))
    found = errors_of(job)
    columns = {(r, c) for r, c, _m in found}
    assert (3, "birth_date") in columns
    assert (4, "birth_date") in columns
    assert (5, "profile") in columns and (5, "country_of_origin") in columns
    assert (6, "reference") in columns
    assert (7, "legal_status") in columns
    assert (8, "stateless") in columns
    assert (9, "arrival_date") in columns
    assert (10, "email") in columns and (10, "stateless") in columns
    assert (11, "reference") in columns and (11, "given_name") in columns
    assert job.rows_with_errors == 9
    assert job.row_count == 10
    assert not job.is_ready
    message = {(r, c): m for r, c, m in found}
    assert "YYYY-MM-DD" in message[(3, "birth_date")]
    assert "row 2" in message[(6, "reference")]


def test_the_checks_agree_with_the_intake_form(do, lab_a):
    """A value the intake form refuses is refused by the import, and the
    message is the form's own."""
    bad = {"email": "nope", "country_of_origin": "ZZ", "profile": "alien"}
    form = ParticipantForm(
        {
            "reference": "F1",
            "given_name": "X",
            "sex": "female",
            "birth_date_precision": "day",
            "intake_date": "2025-01-01",
            **bad,
        },
        lab=lab_a,
        show_sensitive=False,
    )
    assert not form.is_valid()
    job = do(csv_bytes([row(**bad)]))
    imported = {c: m for _r, c, m in errors_of(job)}
    for name in bad:
        assert imported[name] == form.errors[name][0]


def test_errors_are_written_in_the_uploaders_language(do):
    from django.utils import translation

    with translation.override("fr"):
        job = do(csv_bytes([row(birth_date="2999-01-01")]))
    assert job.language == "fr"
    assert errors_of(job)[0][2] == "Cette date est dans le futur."


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ([h for h in HEADER if h != "given_name"], "given_name"),
        ([*HEADER, "shoe_size"], "shoe_size"),
        ([*HEADER, "phone"], "phone"),
    ],
    ids=["missing", "extra", "duplicated"],
)
def test_missing_extra_and_duplicated_columns_are_named(do, header, expected):
    job = do(csv_bytes([row()], header=header))
    assert job.status == ImportJob.Status.CHECKED
    assert job.error_count >= 1
    assert any(c == expected and expected in m for r, c, m in errors_of(job) if r == 1)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le"], ids=str
)
def test_unicode_encodings_are_detected(do, confirm, lab_a, encoding):
    content = csv_bytes([row(given_name="رنا", family_name="Nuñez")], encoding=encoding)
    if encoding == "utf-16-le":
        assert not content.startswith(codecs.BOM_UTF16_LE)
    job = confirm(do(content))
    assert job.status == ImportJob.Status.DONE
    person = Participant.objects.get(lab=lab_a)
    assert (person.given_name, person.family_name) == ("رنا", "Nuñez")


def test_a_windows_1252_file_is_read_with_a_clear_notice(do, confirm, lab_a):
    job = do(csv_bytes([row(family_name="Müller-Ça")], encoding="cp1252"))
    assert job.encoding == "cp1252"
    assert "UTF-8" in job.notice
    confirm(job)
    assert Participant.objects.get(lab=lab_a).family_name == "Müller-Ça"


def test_semicolon_separated_files_are_read(do):
    job = do(csv_bytes(rows(2), delimiter=";"))
    assert job.row_count == 2 and job.error_count == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(
    coordinator, lab_a, settings
):
    settings.OPENMIL_IMPORT_MAX_BYTES = 1000
    content = csv_bytes(rows(30))
    assert len(content) > 1000
    with pytest.raises(ValidationError, match="largest file accepted"):
        services.import_upload(
            actor=coordinator, lab=lab_a, kind="participants", upload=upload(content)
        )
    assert not ImportJob.objects.exists()


def test_a_file_with_too_many_rows_is_refused(do, settings):
    settings.OPENMIL_IMPORT_MAX_ROWS = 5
    job = do(csv_bytes(rows(8)))
    assert any("more than 5 rows" in m for _r, _c, m in errors_of(job))
    assert not job.is_ready


def test_other_formats_and_broken_workbooks_are_refused_clearly(do, coordinator, lab_a):
    with pytest.raises(ValidationError, match="CSV or XLSX"):
        services.import_upload(
            actor=coordinator,
            lab=lab_a,
            kind="participants",
            upload=upload(b"x", "people.pdf"),
        )
    job = do(b"PK\x03\x04 not really a zip", name="people.xlsx")
    assert "not a valid XLSX" in errors_of(job)[0][2]
    assert do(b"", name="empty.csv").error_count == 1


def test_an_error_on_the_last_row_writes_nothing(do, confirm, lab_a, monkeypatch):
    """Rows are re-checked at import time: a row that became invalid after
    the check (its reference taken meanwhile by a hidden record) stops the
    whole import, and the rows before it are rolled back."""
    job = do(csv_bytes(rows(2500)))
    assert job.is_ready
    original = ParticipantImporter.check_row

    def failing_last(self, number, values):
        if number == 2501:
            return None, [("reference", "taken meanwhile")]
        return original(self, number, values)

    monkeypatch.setattr(ParticipantImporter, "check_row", failing_last)
    job = confirm(job)
    assert job.status == ImportJob.Status.FAILED
    assert "2501" in job.message
    assert not Participant.objects.filter(lab=lab_a).exists()
    assert not AuditEntry.objects.filter(object_type="participant").exists()


def test_a_crash_while_writing_rolls_everything_back(do, confirm, lab_a, monkeypatch):
    job = do(csv_bytes(rows(1500)))
    calls = {"n": 0}
    original = ParticipantImporter.write

    def crash_second_batch(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, batch)

    monkeypatch.setattr(ParticipantImporter, "write", crash_second_batch)
    job = confirm(job)
    assert job.status == ImportJob.Status.FAILED
    assert not Participant.objects.filter(lab=lab_a).exists()


def test_reimporting_known_references_updates_them_as_audited_updates(
    do, confirm, lab_a
):
    confirm(do(csv_bytes(rows(3))))
    ids = set(Participant.objects.values_list("pk", flat=True))
    changed = rows(3)
    changed[1]["family_name"] = "Renamed"
    job = confirm(do(csv_bytes([*changed, row(reference="IMP-NEW")])))
    assert (job.created_count, job.updated_count) == (1, 1)
    assert Participant.objects.filter(lab=lab_a).count() == 4
    assert ids <= set(Participant.objects.values_list("pk", flat=True))
    person = Participant.objects.get(reference="IMP-00002")
    assert person.family_name == "Renamed"
    update = AuditEntry.objects.get(
        action="update", object_type="participant", participant_id=person.pk
    )
    assert update.changes["family_name"] == {"before": "Haddad", "after": "Renamed"}


def test_references_of_another_lab_are_new_records_here(do, confirm, lab_a, lab_b):
    other = ParticipantFactory(lab=lab_b, reference="IMP-00001")
    confirm(do(csv_bytes(rows(1))))
    other.refresh_from_db()
    assert other.given_name != "Person1"
    assert Participant.objects.filter(lab=lab_a, reference="IMP-00001").exists()


def test_cancelling_a_checked_file_writes_nothing(do, coordinator, lab_a):
    job = do(csv_bytes(rows(2)))
    services.import_cancel(actor=coordinator, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert not services.stored_file(job).exists()
    with pytest.raises(ValidationError):
        services.import_confirm(actor=coordinator, job=job)
    assert not Participant.objects.exists()


def test_cancelling_during_the_import_rolls_it_back(do, confirm, lab_a, monkeypatch):
    job = do(csv_bytes(rows(2500)))
    original = ParticipantImporter.write

    def cancel_after_first_batch(self, batch):
        result = original(self, batch)
        services._side_file(job, "cancel").touch()
        return result

    monkeypatch.setattr(ParticipantImporter, "write", cancel_after_first_batch)
    job = confirm(job)
    assert job.status == ImportJob.Status.CANCELLED
    assert not Participant.objects.filter(lab=lab_a).exists()


def test_a_file_with_errors_cannot_be_confirmed(do, coordinator):
    job = do(csv_bytes([row(birth_date="yesterday")]))
    with pytest.raises(ValidationError):
        services.import_confirm(actor=coordinator, job=job)


@pytest.mark.parametrize("role", ["facilitator", "analyst", "outsider"])
def test_only_the_labs_coordinators_may_import(request, lab_a, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.import_upload(
            actor=user,
            lab=lab_a,
            kind="participants",
            upload=upload(csv_bytes(rows(1))),
        )


def test_formula_like_values_in_error_messages_are_neutralised(do):
    job = do(csv_bytes([row(legal_status='=HYPERLINK("http://x")')]))
    message = errors_of(job)[0][2]
    assert "'=HYPERLINK" in message


def test_intake_date_defaults_to_today_and_blank_sex_to_not_stated(do, confirm, lab_a):
    confirm(do(csv_bytes([row(sex="", intake_date="")])))
    person = Participant.objects.get(lab=lab_a)
    assert person.intake_date == timezone.localdate()
    assert person.sex == Participant.Sex.NOT_STATED
