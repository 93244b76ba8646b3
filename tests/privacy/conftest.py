"""Fixtures of the privacy tests."""

import importlib

import pytest
from django.db import connection

from openmil.core.roles import Role
from tests.factories import member

REDACTION = importlib.import_module("openmil.privacy.migrations.0002_audit_redaction")


@pytest.fixture(autouse=True)
def _audit_redaction_trigger(db):
    """The sanctioned redaction path, as migration privacy/0002 installs it.

    The browser tests reinstall core's original triggers around their
    flushes; put this app's guard back for each test here (inside the
    test's transaction, so nothing outlives it).
    """
    with connection.cursor() as cursor:
        for sql in REDACTION.statements(connection.vendor):
            cursor.execute(sql)


@pytest.fixture
def journal(tmp_path, settings):
    settings.OPENMIL_ERASURE_JOURNAL = str(tmp_path / "erasures.jsonl")
    return tmp_path / "erasures.jsonl"


@pytest.fixture
def second_coordinator(lab_a):
    return member(lab_a, Role.COORDINATOR)


@pytest.fixture
def dpo(lab_a):
    return member(lab_a, Role.DPO)


@pytest.fixture
def later_app_models(settings, tmp_path):
    """Models of an app written after this one: documents with files, a plan
    with steps (two keys away from the person), notes on a household visit.

    They are registered and their tables created for one test, to show that
    the walk covers apps added later without an edit.
    """
    from unittest import mock

    from django.apps import apps
    from django.db import models

    from openmil.privacy.anonymise import columns_of, person_links

    settings.MEDIA_ROOT = str(tmp_path / "media")

    class PersonDocument(models.Model):  # noqa: DJ008
        participant = models.ForeignKey(
            "participants.Participant", on_delete=models.CASCADE
        )
        kind = models.CharField(
            max_length=10, choices=[("passport", "Passport"), ("cv", "CV")]
        )
        title = models.CharField(max_length=100)
        file = models.FileField(upload_to="documents/")

        class Meta:
            app_label = "privacy"

    class CasePlan(models.Model):  # noqa: DJ008
        participant = models.ForeignKey(
            "participants.Participant", on_delete=models.CASCADE
        )
        summary = models.TextField()
        created_at = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "privacy"

    class CaseStep(models.Model):  # noqa: DJ008
        plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE)
        note = models.TextField(blank=True)
        done_on = models.DateField(null=True)
        status = models.CharField(
            max_length=10, choices=[("open", "Open"), ("done", "Done")]
        )

        class Meta:
            app_label = "privacy"

    class HouseholdVisit(models.Model):  # noqa: DJ008
        household = models.ForeignKey(
            "participants.Household", on_delete=models.CASCADE
        )
        notes = models.TextField()
        visited_on = models.DateField()

        class Meta:
            app_label = "privacy"

    added = [PersonDocument, CasePlan, CaseStep, HouseholdVisit]
    apps.clear_cache()
    person_links.cache_clear()
    with (
        mock.patch.object(connection, "disable_constraint_checking", return_value=True),
        mock.patch.object(connection, "enable_constraint_checking"),
        connection.schema_editor(atomic=False) as editor,
    ):
        for model in added:
            editor.create_model(model)
    yield {model.__name__: model for model in added}
    for model in added:
        del apps.all_models["privacy"][model._meta.model_name]
    apps.clear_cache()
    person_links.cache_clear()
    columns_of.cache_clear()
