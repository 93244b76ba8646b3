"""Fixtures shared by all tests: two labs, and a user of each role in lab A."""

import logging

import pytest
from django.test import Client
from django.utils import translation

from openmil.core.roles import Role
from tests.factories import LabFactory, ParticipantFactory, member

# factory_boy traces every declaration it evaluates at DEBUG, with the
# objects' reprs (a participant's is their name). That is the test fixtures
# talking, not the application: CI's log check (no test person's name in the
# application's logs) reads the run's log file at DEBUG, so keep it quiet.
logging.getLogger("factory").setLevel(logging.INFO)


@pytest.fixture
def committed_db(transactional_db):
    """For a transactional test (committed rows, emptied by a flush after
    it), as tests/e2e does: the built-in need types, which an earlier
    flush removed, are put back; and the flush deletes audit entries, which
    the database triggers refuse, so they are lifted for the flush and put
    back when the flush sends post_migrate."""
    from django.apps import apps as django_apps
    from django.db.models.signals import post_migrate

    from tests.e2e.conftest import (
        BUILTIN_NEEDS,
        _audit_triggers,
        _audit_triggers_back,
        _migration,
    )

    _migration(BUILTIN_NEEDS).builtin_needs(django_apps, None)
    core = django_apps.get_app_config("core")
    post_migrate.connect(_audit_triggers_back, sender=core, dispatch_uid=__name__)
    yield
    _audit_triggers(install=False)


@pytest.fixture(autouse=True)
def _english_first():
    """Each test starts in English: a page request in another language
    leaves its language active in the thread after the response."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _plain_settings(settings, tmp_path):
    settings.OPENMIL_HTTPS = False
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.OPENMIL_REQUIRE_2FA = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def lab_a(db):
    return LabFactory(name="Lab A", slug="lab-a")


@pytest.fixture
def lab_b(db):
    return LabFactory(name="Lab B", slug="lab-b", country="IT", time_zone="Europe/Rome")


@pytest.fixture
def coordinator(lab_a):
    return member(lab_a, Role.COORDINATOR)


@pytest.fixture
def facilitator(lab_a):
    return member(lab_a, Role.FACILITATOR)


@pytest.fixture
def analyst(lab_a):
    return member(lab_a, Role.ANALYST)


@pytest.fixture
def partner_staff(lab_a):
    return member(lab_a, Role.PARTNER_STAFF)


@pytest.fixture
def mentor(lab_a):
    return member(lab_a, Role.MENTOR)


@pytest.fixture
def outsider(lab_b):
    """A coordinator of another lab."""
    return member(lab_b, Role.COORDINATOR)


@pytest.fixture
def participant(lab_a, facilitator):
    return ParticipantFactory(lab=lab_a, caseworker=facilitator)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
