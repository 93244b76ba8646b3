"""Import and export pages, and the round trip export → import."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from openmil.core.models import AuditEntry
from openmil.imports.importers import ParticipantImporter
from openmil.imports.models import ImportJob
from openmil.participants.models import Participant
from tests.conftest import client_for
from tests.factories import LegalStatusFactory, ParticipantFactory
from tests.imports.factories import HEADER, csv_bytes, row, rows


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _upload(client, lab, content: bytes, name: str = "people.csv"):
    return client.post(
        reverse("imports:start"),
        {
            "lab": lab.pk,
            "kind": "participants",
            "file": SimpleUploadedFile(name, content),
        },
    )


def _exported(client, lab, fmt: str = "csv"):
    response = client.get(
        reverse("imports:export"),
        {"lab": lab.pk, "kind": "participants", "format": fmt},
    )
    assert response.status_code == 200
    return _content(response)


def test_upload_shows_every_error_then_a_corrected_file_imports(
    coordinator, lab_a, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(
            client,
            lab_a,
            csv_bytes([row(), row(reference="B", birth_date="31/12/1990")]),
        )
    job = ImportJob.objects.get()
    assert response.url == reverse("imports:detail", args=[job.uuid])
    page = client.get(response.url).content.decode()
    assert "YYYY-MM-DD" in page and "birth_date" in page
    assert "Import now" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, lab_a, csv_bytes([row(), row(reference="B")]))
    job = ImportJob.objects.order_by("-id").first()
    assert "Import now" in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[job.uuid]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Participant.objects.filter(lab=lab_a).count() == 2
    assert "2 created, 0 updated" in client.get(response.url).content.decode()


def test_the_progress_box_polls_while_a_task_runs_and_reloads_when_done(
    coordinator, lab_a
):
    client = client_for(coordinator)
    _upload(client, lab_a, csv_bytes(rows(2)))  # the check is queued, not run
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKING
    box = client.get(reverse("imports:progress", args=[job.uuid]), {"was": "checking"})
    assert 'hx-trigger="every 1s"' in box.content.decode()
    assert "<progress" in box.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKED)
    box = client.get(reverse("imports:progress", args=[job.uuid]), {"was": "checking"})
    assert box["HX-Refresh"] == "true"


def test_an_oversized_upload_is_refused_with_a_clear_message(
    coordinator, lab_a, settings
):
    settings.OPENMIL_IMPORT_MAX_BYTES = 100
    response = _upload(client_for(coordinator), lab_a, csv_bytes(rows(5)))
    assert response.status_code == 200
    assert "largest file accepted" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download_with_every_column(coordinator, fmt):
    response = client_for(coordinator).get(reverse("imports:template", args=[fmt]))
    assert response.status_code == 200
    content = _content(response)
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        header = [c.value for c in next(sheet.iter_rows())]
    assert header == HEADER


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_identical_records(
    coordinator, facilitator, lab_a, fmt, django_capture_on_commit_callbacks
):
    status = LegalStatusFactory(lab=lab_a, name="Refugee")
    for i in range(5):
        ParticipantFactory(
            lab=lab_a,
            caseworker=facilitator,
            legal_status=status,
            other_languages=["en", "fr"],
            given_name=["رنا", "Olena", "=1+2", "@SUM(A1)", "Zoë"][i],
            phone="-1" if i == 2 else "+351 912 000 00" + str(i),
            education_level=6,
        )
    fields = [
        c
        for c in HEADER
        if c not in ("household_reference", "caseworker", "legal_status")
    ]
    before = list(
        Participant.objects.filter(lab=lab_a).order_by("reference").values(*fields)
    )
    client = client_for(coordinator)
    exported = _exported(client, lab_a, fmt)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, lab_a, exported, f"back.{fmt}")
    job = ImportJob.objects.get()
    assert job.error_count == 0, list(
        job.errors.values_list("row", "column", "message")
    )
    # Formula-like cells were exported with a leading quote, which the
    # import takes off again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[job.uuid]))
    job.refresh_from_db()
    assert (job.created_count, job.status) == (0, ImportJob.Status.DONE)
    after = list(
        Participant.objects.filter(lab=lab_a).order_by("reference").values(*fields)
    )
    for old, new in zip(before, after, strict=True):
        assert new == old
    assert Participant.objects.filter(lab=lab_a).count() == 5


def test_export_neutralises_formulas_and_is_audited(coordinator, lab_a):
    ParticipantFactory(
        lab=lab_a, given_name='=HYPERLINK("http://evil")', phone="+1 555"
    )
    ParticipantFactory(lab=lab_a, given_name="\tTabbed", family_name="@cmd")
    text = _exported(client_for(coordinator), lab_a).decode("utf-8-sig")
    cells = [c for r in csv.reader(io.StringIO(text)) for c in r]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'+1 555" in cells and "'\tTabbed" in cells and "'@cmd" in cells
    assert not any(c[:1] in ("=", "+", "@", "\t") for c in cells if c)
    entry = AuditEntry.objects.get(action="export")
    assert len(entry.changes["participants"]) == 2


def test_export_lists_only_records_the_user_may_see(coordinator, lab_a, lab_b):
    ParticipantFactory(lab=lab_a, reference="MINE-1")
    ParticipantFactory(lab=lab_b, reference="THEIRS-1")
    text = _exported(client_for(coordinator), lab_a).decode("utf-8-sig")
    assert "MINE-1" in text and "THEIRS-1" not in text


def test_export_leaves_out_sensitive_notes(coordinator, lab_a):
    ParticipantFactory(lab=lab_a, health_notes="Insulin twice daily")
    assert b"Insulin" not in _exported(client_for(coordinator), lab_a)


def test_cancel_from_the_page(coordinator, lab_a, django_capture_on_commit_callbacks):
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, lab_a, csv_bytes(rows(2)))
    job = ImportJob.objects.get()
    response = client.post(reverse("imports:cancel", args=[job.uuid]), follow=True)
    assert "nothing was written" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED


def test_the_importer_registry_lists_participants():
    from openmil.imports.importers import REGISTRY

    assert REGISTRY["participants"] is ParticipantImporter
