"""Browser fixtures: Debian's Chromium driven by Playwright against live_server.

The suite needs /usr/bin/chromium (Playwright's own browser download is not
used). Without it the tests are skipped, unless OPENMIL_REQUIRE_BROWSER=1 is
set (CI does), in which case they fail.
"""

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.test.utils import override_settings

from openmil.core.roles import Role
from tests.factories import LabFactory, member

# Playwright's sync API runs an event loop in this thread; the ORM calls that
# the tests make between browser steps are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("OPENMIL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("OPENMIL_E2E_SHOTS", "/tmp/e2e-shots"))  # noqa: S108
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# Accept-Language sent by the browser, per UI language under test.
BROWSER_LOCALE = {"en": "en-GB", "ar": "ar"}
TIMEOUT_MS = 10_000


def _browser_required() -> bool:
    return os.environ.get("OPENMIL_REQUIRE_BROWSER", "").strip() == "1"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM}"
        if _browser_required():
            pytest.fail(f"{reason} and OPENMIL_REQUIRE_BROWSER=1 is set")
        pytest.skip(f"{reason}; install Debian's chromium to run the e2e tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - depends on the install
        if _browser_required():
            pytest.fail(f"Playwright is not installed: {error}")
        pytest.skip(f"Playwright is not installed: {error}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def _plain_http_server():
    """Plain-HTTP settings while the live server builds its middleware.

    The live server is session-scoped and SecurityMiddleware reads its settings
    once, so the per-test `settings` overrides of tests/conftest.py come too late
    to stop redirects to HTTPS.
    """
    with override_settings(
        OPENMIL_HTTPS=False,
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        LANGUAGE_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http_server, live_server):
    return live_server


@pytest.fixture
def new_page(browser, live_server):
    """Factory: a fresh page in its own browser context (own cookies)."""
    contexts = []

    def make(lang: str = "en", viewport: dict[str, int] | None = None):
        phone = viewport == PHONE
        context = browser.new_context(
            base_url=live_server.url,
            locale=BROWSER_LOCALE[lang],
            viewport=viewport or DESKTOP,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


AUDIT_TRIGGERS = "openmil.core.migrations.0002_audit_immutable"
BUILTIN_NEEDS = "openmil.participants.migrations.0002_builtin_needs_and_search"


def _migration(name: str):
    return importlib.import_module(name)


def _audit_triggers(*, install: bool, using: str = DEFAULT_DB_ALIAS) -> None:
    migration = _migration(AUDIT_TRIGGERS)
    with connections[using].schema_editor() as editor:
        migration.remove(django_apps, editor)
        if install:
            migration.install(django_apps, editor)


def _audit_triggers_back(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    _audit_triggers(install=True, using=using)


@pytest.fixture(scope="session", autouse=True)
def _audit_triggers_back_after_flush():
    """Put the audit triggers back once a flush is over.

    The flush that ends each transactional test sends post_migrate (as Django
    does to recreate content types and permissions), after the fixtures'
    teardown has lifted the triggers for it.
    """
    core = django_apps.get_app_config("core")
    post_migrate.connect(_audit_triggers_back, sender=core, dispatch_uid=__name__)
    yield
    post_migrate.disconnect(sender=core, dispatch_uid=__name__)


@pytest.fixture(autouse=True)
def _e2e_database(transactional_db):
    """A live server needs committed data, emptied by a flush after each test.

    The flush also removes rows that migrations put in, so the built-in need
    types are put back; and it cannot delete audit entries while the database
    triggers that keep them immutable are in place, so these are lifted for
    the flush (and put back by _audit_triggers_back_after_flush).
    """
    _migration(BUILTIN_NEEDS).builtin_needs(django_apps, None)
    yield
    _audit_triggers(install=False)


@pytest.fixture
def e2e_lab(transactional_db):
    return LabFactory(name="Lab Lisboa", slug="lab-lisboa")


@pytest.fixture
def e2e_facilitator(e2e_lab):
    return member(e2e_lab, Role.FACILITATOR, user__first_name="Ana")
