"""Importing and exporting the partner directory: organisations and services."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from openmil.core.models import AuditEntry, Organisation
from openmil.imports import services
from openmil.imports.importers import REGISTRY
from openmil.imports.models import ImportJob
from openmil.imports.partner_importers import (
    ORGANISATION_COLUMNS,
    SERVICE_COLUMNS,
    OrganisationImporter,
    ServiceImporter,
)
from openmil.partners.models import Service
from tests.conftest import client_for
from tests.core.test_access_sweep import bearer
from tests.factories import OrganisationFactory, need_type
from tests.imports.factories import csv_bytes, upload, xlsx_bytes
from tests.partners.factories import ServiceFactory

ORG_HEADER = [c.name for c in ORGANISATION_COLUMNS]
SERVICE_HEADER = [c.name for c in SERVICE_COLUMNS]
SERVICE_FIELDS = (
    "organisation__name",
    "name",
    "pillar",
    "need_type__code",
    "description",
    "eligible_profile",
    "eligibility",
    "languages",
    "capacity",
    "response_days",
    "place",
    "contact",
    "active",
)


def service_row(**values):
    base = {
        "organisation": "Casa Comum",
        "name": "Room search",
        "basic_need": "housing",
        "languages": "pt en",
        "capacity": "10",
        "response_days": "4",
        "place": "Lisboa",
        "contact": "+351 213 000 000",
    }
    base.update(values)
    return base


def org_row(**values):
    base = {"name": "Casa Comum", "kind": "housing", "email": "a@casa.example"}
    base.update(values)
    return base


@pytest.fixture
def do(coordinator, lab_a, django_capture_on_commit_callbacks):
    def _do(kind, content, name="file.csv", user=None):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_upload(
                actor=user or coordinator,
                lab=lab_a,
                kind=kind,
                upload=upload(content, name),
            )
        job.refresh_from_db()
        return job

    return _do


@pytest.fixture
def confirm(coordinator, django_capture_on_commit_callbacks):
    def _confirm(job):
        with django_capture_on_commit_callbacks(execute=True):
            services.import_confirm(actor=coordinator, job=job)
        job.refresh_from_db()
        return job

    return _confirm


def errors_of(job):
    return [(e.row, e.column, e.message) for e in job.errors.all()]


def services_csv(data, header=None):
    return csv_bytes(data, header=header or SERVICE_HEADER)


def orgs_csv(data, header=None):
    return csv_bytes(data, header=header or ORG_HEADER)


def test_the_registry_holds_organisations_and_services():
    assert REGISTRY["organisations"] is OrganisationImporter
    assert REGISTRY["services"] is ServiceImporter


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_organisations_import_then_reimport_updates_by_name(do, confirm, lab_a, fmt):
    maker = (
        (lambda d: orgs_csv(d))
        if fmt == "csv"
        else (lambda d: xlsx_bytes(d, header=ORG_HEADER))
    )
    job = confirm(
        do(
            "organisations",
            maker([org_row(), org_row(name="Job Link", kind="ngo")]),
            f"orgs.{fmt}",
        )
    )
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
    assert set(
        Organisation.objects.filter(lab=lab_a).values_list("name", flat=True)
    ) == {
        "Casa Comum",
        "Job Link",
    }
    entry = AuditEntry.objects.get(action="create", object_type="organisation")
    assert len(entry.changes["organisations"]) == 2
    job = confirm(
        do(
            "organisations",
            maker([org_row(name="CASA COMUM", kind="ngo")]),
            f"again.{fmt}",
        )
    )
    assert (job.created_count, job.updated_count) == (0, 1)
    casa = Organisation.objects.get(lab=lab_a, name="Casa Comum")
    assert casa.kind == "ngo" and casa.email == "a@casa.example"
    update = AuditEntry.objects.get(action="update", object_type="organisation")
    assert update.object_id == str(casa.pk) or update.object_id == casa.pk
    assert update.changes["kind"] == {"before": "housing", "after": "ngo"}
    assert Organisation.objects.filter(lab=lab_a).count() == 2


def test_bad_organisation_rows_are_all_reported(do):
    job = do(
        "organisations",
        orgs_csv(
            [
                org_row(kind="bakery"),
                org_row(name="Other", email="not-an-email"),
                org_row(name="casa comum"),
            ]
        ),
    )
    errors = errors_of(job)
    assert (2, "kind") in [(r, c) for r, c, _m in errors]
    assert (3, "email") in [(r, c) for r, c, _m in errors]
    assert (4, "name", "The name casa comum is also in row 2.") in errors
    assert not job.is_ready


def test_services_import_with_pillar_or_need_languages_and_numbers(do, confirm, lab_a):
    OrganisationFactory(lab=lab_a, name="Casa Comum")
    job = confirm(
        do(
            "services",
            services_csv(
                [
                    service_row(),
                    service_row(
                        name="Portuguese for work",
                        basic_need="",
                        pillar="Language",
                        languages="pt",
                        capacity="",
                        response_days="7",
                        eligible_profile="newcomer",
                        active="no",
                    ),
                ]
            ),
        )
    )
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
    room = Service.objects.get(name="Room search")
    assert room.need_type == need_type("housing") and room.pillar == ""
    assert room.languages == ["pt", "en"] and room.capacity == 10
    assert room.response_days == 4 and "room search" in room.search_text
    course = Service.objects.get(name="Portuguese for work")
    assert course.pillar == "language" and course.need_type is None
    assert course.capacity is None and course.eligible_profile == "newcomer"
    assert course.active is False
    assert AuditEntry.objects.filter(action="create", object_type="service").exists()


def test_reimporting_a_service_updates_it_instead_of_duplicating(do, confirm, lab_a):
    casa = OrganisationFactory(lab=lab_a, name="Casa Comum")
    service = ServiceFactory(organisation=casa, name="Room search", capacity=3)
    job = confirm(
        do(
            "services",
            services_csv(
                [service_row(name="ROOM SEARCH", basic_need="", pillar="economic")]
            ),
        )
    )
    assert (job.created_count, job.updated_count) == (0, 1)
    service.refresh_from_db()
    assert service.name == "Room search"
    assert (service.pillar, service.need_type, service.capacity) == (
        "economic",
        None,
        10,
    )
    assert Service.objects.filter(organisation=casa).count() == 1
    entry = AuditEntry.objects.get(action="update", object_type="service")
    assert entry.changes["capacity"] == {"before": 3, "after": 10}


def test_a_reimport_with_only_some_columns_leaves_the_others(do, confirm, lab_a):
    casa = OrganisationFactory(lab=lab_a, name="Casa Comum")
    service = ServiceFactory(organisation=casa, name="Room search", place="Porto")
    header = ["organisation", "name", "capacity"]
    job = confirm(do("services", services_csv([service_row(capacity="8")], header)))
    assert job.updated_count == 1
    service.refresh_from_db()
    assert (service.capacity, service.place) == (8, "Porto")
    assert service.need_type == need_type("housing")


def test_bad_service_rows_are_each_reported_with_row_column_and_reason(
    do, lab_a, lab_b
):
    OrganisationFactory(lab=lab_a, name="Casa Comum")
    OrganisationFactory(lab=lab_b, name="Elsewhere")
    job = do(
        "services",
        services_csv(
            [
                service_row(organisation="Nowhere"),
                service_row(organisation="Elsewhere", name="B"),
                service_row(name="C", basic_need="", pillar="cooking"),
                service_row(name="D", languages="pt xx"),
                service_row(name="E", pillar="language"),
                service_row(name="F", basic_need=""),
                service_row(name="G", capacity="many", response_days="0"),
                service_row(name="H", basic_need="spaceship"),
                service_row(name="I", eligible_profile="everyone"),
                service_row(name="J", active="maybe"),
            ]
        ),
    )
    errors = errors_of(job)
    cells = {(r, c) for r, c, _m in errors}
    assert (2, "organisation", "Nowhere is not an organisation of this lab.") in errors
    assert (3, "organisation") in cells
    assert (
        4,
        "pillar",
        "cooking is not a pillar; write one of "
        "language, economic, civic, intercultural.",
    ) in errors
    assert (5, "languages", "Unknown language code: xx") in errors
    assert (6, "pillar") in cells
    assert (7, "pillar") in cells
    assert (8, "capacity") in cells and (8, "response_days") in cells
    assert (9, "basic_need") in cells
    assert (10, "eligible_profile") in cells
    assert (11, "active", "Write yes or no.") in errors
    assert {r for r, _c in cells} == set(range(2, 12))
    assert job.rows_with_errors == 10


def test_a_missing_required_column_is_named(do):
    header = [c for c in SERVICE_HEADER if c != "organisation"]
    job = do("services", services_csv([service_row()], header))
    assert errors_of(job) == [
        (1, "organisation", "The required column organisation is missing.")
    ]


def test_formula_like_values_in_error_messages_are_neutralised(do):
    job = do("services", services_csv([service_row(organisation='=HYPERLINK("x")')]))
    (_row, column, message), *_rest = errors_of(job)
    assert column == "organisation" and message.startswith("'=HYPERLINK")


def test_errors_are_translated(do, lab_a):
    OrganisationFactory(lab=lab_a, name="Casa Comum")
    with translation.override("fr"):
        job = do("services", services_csv([service_row(active="maybe")]))
    message = errors_of(job)[0][2]
    assert message != "Write yes or no." and message


def test_one_bad_row_writes_nothing(do, confirm, lab_a, monkeypatch):
    OrganisationFactory(lab=lab_a, name="Casa Comum")
    job = do("services", services_csv([service_row(), service_row(name="Two")]))
    assert job.is_ready
    original = ServiceImporter.check_row

    def fail_last(self, number, values):
        if number == 3:
            return None, [("name", "changed since the check")]
        return original(self, number, values)

    monkeypatch.setattr(ServiceImporter, "check_row", fail_last)
    job = confirm(job)
    assert job.status == ImportJob.Status.FAILED
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    "role", ["facilitator", "analyst", "partner_staff", "outsider"]
)
def test_only_the_labs_coordinators_may_import_the_directory(request, lab_a, role):
    user = request.getfixturevalue(role)
    for kind, content in (
        ("organisations", orgs_csv([org_row()])),
        ("services", services_csv([service_row()])),
    ):
        with pytest.raises(PermissionDenied):
            services.import_upload(
                actor=user, lab=lab_a, kind=kind, upload=upload(content)
            )


def test_a_coordinator_without_the_directory_permission_may_not_import_it(
    coordinator, lab_a, monkeypatch
):
    from openmil.core import access

    real = access.can
    monkeypatch.setattr(
        access,
        "can",
        lambda user, perm, lab_id=None: (
            perm != "manage_directory" and real(user, perm, lab_id)
        ),
    )
    with pytest.raises(PermissionDenied):
        services.import_upload(
            actor=coordinator,
            lab=lab_a,
            kind="organisations",
            upload=upload(orgs_csv([org_row()])),
        )


# ---------------------------------------------------------------------------
# Pages, exports and the API.


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _export(client, lab, kind, fmt="csv"):
    response = client.get(
        reverse("imports:export"), {"lab": lab.pk, "kind": kind, "format": fmt}
    )
    assert response.status_code == 200
    return _content(response)


def _upload_page(client, lab, kind, content, name):
    return client.post(
        reverse("imports:start"),
        {"lab": lab.pk, "kind": kind, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize("kind", ["organisations", "services"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download_with_every_column(coordinator, kind, fmt):
    response = client_for(coordinator).get(
        reverse("imports:template", args=[fmt]), {"kind": kind}
    )
    assert response.status_code == 200
    content = _content(response)
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        header = [c.value for c in next(sheet.iter_rows())]
    assert header == (ORG_HEADER if kind == "organisations" else SERVICE_HEADER)


def test_the_services_template_imports_once_its_organisation_exists(
    coordinator, lab_a, do, confirm
):
    client = client_for(coordinator)
    org_template = _content(
        client.get(reverse("imports:template", args=["csv"]), {"kind": "organisations"})
    )
    confirm(do("organisations", org_template))
    template = _content(
        client.get(reverse("imports:template", args=["csv"]), {"kind": "services"})
    )
    job = confirm(do("services", template))
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_identical_directory(
    coordinator, lab_a, lab_b, fmt, django_capture_on_commit_callbacks
):
    casa = OrganisationFactory(
        lab=lab_a, name="Casa Comum", phone="+351 21", website="https://c.example"
    )
    formula = OrganisationFactory(lab=lab_a, name="=cmd|' /C calc'!A0", kind="ngo")
    OrganisationFactory(lab=lab_b, name="Not ours")
    ServiceFactory(organisation=casa, name="Room search", capacity=4)
    ServiceFactory(
        organisation=casa,
        name="@SUM(A1)",
        need_type=None,
        pillar="civic",
        languages=["ar"],
        description="-dash",
        eligibility="+plus",
        contact="=1+1",
        active=False,
    )
    ServiceFactory(organisation=formula, name="Cours", response_days=9)
    before_orgs = list(
        Organisation.objects.filter(lab=lab_a)
        .order_by("name")
        .values("name", "kind", "email", "phone", "website")
    )
    before = list(Service.objects.order_by("name").values(*SERVICE_FIELDS))
    client = client_for(coordinator)
    for kind in ("organisations", "services"):
        exported = _export(client, lab_a, kind, fmt)
        if fmt == "csv":
            text = exported.decode("utf-8-sig")
            assert "Not ours" not in text
            cells = [c for r in csv.reader(io.StringIO(text)) for c in r]
            assert not any(c[:1] in ("=", "+", "-", "@") for c in cells if c)
        with django_capture_on_commit_callbacks(execute=True):
            _upload_page(client, lab_a, kind, exported, f"{kind}.{fmt}")
        job = ImportJob.objects.get(kind=kind)
        assert job.error_count == 0, errors_of(job)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("imports:confirm", args=[job.uuid]))
        job.refresh_from_db()
        assert (job.status, job.created_count) == (ImportJob.Status.DONE, 0), list(
            Organisation.objects.values_list("name", flat=True)
        )
        assert job.updated_count == 0
    after_orgs = list(
        Organisation.objects.filter(lab=lab_a)
        .order_by("name")
        .values("name", "kind", "email", "phone", "website")
    )
    after = list(Service.objects.order_by("name").values(*SERVICE_FIELDS))
    assert after_orgs == before_orgs and after == before
    exports = AuditEntry.objects.filter(action="export")
    assert {e.object_type for e in exports} == {"organisations", "services"}


def test_exports_of_the_directory_are_for_coordinators(facilitator, lab_a):
    response = client_for(facilitator).get(
        reverse("imports:export"),
        {"lab": lab_a.pk, "kind": "services", "format": "csv"},
    )
    assert response.status_code in (403, 404)


def test_the_api_imports_services(
    coordinator, lab_a, django_capture_on_commit_callbacks
):
    OrganisationFactory(lab=lab_a, name="Casa Comum")
    client = Client(headers={"Authorization": f"Bearer {bearer(coordinator)}"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports",
            {
                "lab": lab_a.pk,
                "kind": "services",
                "file": SimpleUploadedFile(
                    "s.csv", services_csv([service_row(languages="pt zz")])
                ),
            },
        )
    assert response.status_code == 201
    job_id = response.json()["id"]
    errors = client.get(f"/api/v1/imports/{job_id}/errors").json()["items"]
    assert errors == [
        {"row": 2, "column": "languages", "message": "Unknown language code: zz"}
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.post(
            "/api/v1/imports",
            {
                "lab": lab_a.pk,
                "kind": "services",
                "file": SimpleUploadedFile("s.csv", services_csv([service_row()])),
            },
        ).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/imports/{job_id}/confirm").status_code == 200
    assert Service.objects.filter(organisation__lab=lab_a).count() == 1
    bad = client.post(
        "/api/v1/imports",
        {
            "lab": lab_a.pk,
            "kind": "spaceships",
            "file": SimpleUploadedFile("s.csv", b"a\n1\n"),
        },
    )
    assert bad.status_code == 422
