"""Import endpoints: upload, errors, confirm, status, cancel."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openmil.participants.models import Participant
from tests.core.test_access_sweep import bearer
from tests.imports.factories import csv_bytes, row, rows


def _client(user):
    return Client(headers={"Authorization": f"Bearer {bearer(user)}"})


def _upload(client, lab, content):
    return client.post(
        "/api/v1/imports",
        {"lab": lab.pk, "file": SimpleUploadedFile("p.csv", content)},
    )


def test_upload_errors_fix_and_import(
    coordinator, lab_a, django_capture_on_commit_callbacks
):
    client = _client(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, lab_a, csv_bytes([row(birth_date="1990-13-01")]))
    assert response.status_code == 201
    job_id = response.json()["id"]
    status = client.get(f"/api/v1/imports/{job_id}").json()
    assert (status["status"], status["error_count"]) == ("checked", 1)
    errors = client.get(f"/api/v1/imports/{job_id}/errors").json()["items"]
    assert errors[0]["row"] == 2 and errors[0]["column"] == "birth_date"
    assert client.post(f"/api/v1/imports/{job_id}/confirm").status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        job_id = _upload(client, lab_a, csv_bytes(rows(2))).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/api/v1/imports/{job_id}/confirm")
    assert confirmed.status_code == 200
    assert client.get(f"/api/v1/imports/{job_id}").json()["status"] == "done"
    assert Participant.objects.filter(lab=lab_a).count() == 2
    assert client.post(f"/api/v1/imports/{job_id}/cancel").status_code == 422


def test_bad_uploads_answer_4xx_with_a_reason(coordinator, lab_a, lab_b, settings):
    client = _client(coordinator)
    response = client.post(
        "/api/v1/imports", {"lab": lab_a.pk, "file": SimpleUploadedFile("p.pdf", b"x")}
    )
    assert response.status_code == 422 and "CSV or XLSX" in str(response.json())
    assert _upload(client, lab_b, csv_bytes(rows(1))).status_code == 404
    assert client.post("/api/v1/imports", {"lab": lab_a.pk}).status_code == 422
    settings.OPENMIL_IMPORT_MAX_BYTES = 10
    response = _upload(client, lab_a, csv_bytes(rows(1)))
    assert response.status_code == 422 and "largest file" in str(response.json())
    assert client.get("/api/v1/imports/not-a-uuid").status_code in (404, 422)
