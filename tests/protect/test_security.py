"""Security headers, the deployment check, and pages without inline script."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client

import openmil
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SRC = Path(openmil.__file__).parent


def csp_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def test_pages_send_the_security_headers(coordinator):
    response = client_for(coordinator).get("/")
    assert response.status_code == 200
    csp = csp_of(response)
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_sign_in_page_and_the_api_send_them_too():
    for url in ("/account/login/", "/api/v1/labs"):
        response = Client().get(url)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"


def test_hsts_over_https(settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/account/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_htmx_is_told_not_to_inject_styles_or_evaluate_script(coordinator):
    body = client_for(coordinator).get("/participants/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', body)
    assert config is not None
    assert '"includeIndicatorStyles":false' in config.group(1)
    assert '"allowEval":false' in config.group(1)


def _openmil_templates() -> list[Path]:
    """Templates served to browsers; *_pdf.html are WeasyPrint sources that
    never reach one (their styles are the PDF's own)."""
    return sorted(
        p for p in SRC.rglob("templates/**/*.html") if not p.name.endswith("_pdf.html")
    )


INLINE = [
    (
        # Data blocks are not run: JSON (json_script) and, exactly, the
        # schema.org JSON-LD of fact cards (escaped by campaigns.selectors.json_ld).
        re.compile(
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)"
            r"(?![^>]*type=\"application/ld\+json\")[^>]*>",
            re.I,
        ),
        "script",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "style element"),
    (re.compile(r"\shx-on", re.I), "hx-on handler"),
    (re.compile(r"""hx-vals\s*=\s*['"]\s*js:""", re.I), "hx-vals script"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize(
    "template", _openmil_templates(), ids=lambda p: str(p.relative_to(SRC))
)
def test_templates_hold_nothing_the_content_security_policy_blocks(template):
    text = template.read_text(encoding="utf-8")
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template}: {found} (move it to openmil.js / openmil.css)"


def test_the_deployment_check_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": "x7-" + Fernet.generate_key().decode() * 2,
        "OPENMIL_HTTPS": "1",
        "ALLOWED_HOSTS": "openmil.example.org",
        "OPENMIL_DATA_DIR": str(tmp_path),
        "OPENMIL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_SETTINGS_MODULE": "openmil.config.settings",
    }
    code = (
        "import django; django.setup(); "
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING'); "
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout + result.stderr
    assert result.stdout.split()[-4:] == ["31536000", "True", "True", "True"]
