"""No personal data in the application's logs, even at DEBUG level."""

import copy
import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openmil.core.log import PersonalDataFilter, scrub
from openmil.core.services import api_token_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PEOPLE = ["Shirin", "Karimova", "Tomasz", "Wieczorek", "Ilse", "Brandauer"]
NOTES = "Pregnant, eight months"
NEEDS = ("housing", "health", "income", "documents")


@pytest.fixture
def app_log():
    """The configured handlers, writing to a buffer, every logger at DEBUG."""
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    for handler in config["handlers"].values():
        handler["stream"] = buffer
    config["root"]["level"] = "DEBUG"
    for logger in config["loggers"].values():
        logger["level"] = "DEBUG"
    config["loggers"]["django.db.backends"] = {"level": "DEBUG"}
    logging.config.dictConfig(config)
    try:
        with CaptureQueriesContext(connection):  # the debug cursor logs SQL
            yield buffer
    finally:
        logging.config.dictConfig(settings.LOGGING)


def intake(lab, given, family):
    return {
        "lab": lab.pk,
        "reference": f"LOG-{given}",
        "profile": "newcomer",
        "given_name": given,
        "family_name": family,
        "birth_date_precision": "day",
        "sex": "female",
        "intake_date": timezone.localdate().isoformat(),
        "health_notes": NOTES,
        "address": f"Rua {family} 3",
    }


def test_intake_search_and_api_create_leave_no_name_in_the_log(
    app_log, coordinator, lab_a
):
    client = client_for(coordinator)
    triage = {f"need-{code}-status": "identified" for code in NEEDS}
    triage.update({"need-housing-present": "on", "need-housing-notes": NOTES})
    response = client.post(
        f"/participants/new/?lab={lab_a.pk}",
        {**intake(lab_a, "Shirin", "Karimova"), **triage},
    )
    assert response.status_code == 302
    assert client.get("/participants/", {"q": "Shirin Karimova"}).status_code == 200
    assert client.get(response["Location"]).status_code == 200
    raw = api_token_create(user=coordinator, name="log")[1]
    response = client.post(
        "/api/v1/participants",
        json.dumps(intake(lab_a, "Tomasz", "Wieczorek")),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content
    # Refused and failing requests are logged by Django: still no names.
    client.get("/participants/999999/", {"q": "Ilse Brandauer"})
    client.post(
        "/api/v1/participants",
        "{not json: Ilse Brandauer}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    # A development server's request line carries the query string.
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /participants/?q=Ilse+Brandauer HTTP/1.1", "200", "512"
    )

    output = app_log.getvalue()
    assert "INSERT INTO participants_participant" in output, "SQL was logged, scrubbed"
    assert "Not Found: /participants/999999/" in output
    assert "GET /participants/?[query withheld]" in output
    for value in [*PEOPLE, NOTES, "shirin", "tomasz"]:
        assert value not in output


def test_the_filter_keeps_the_path_and_drops_query_strings_and_key_values():
    assert scrub("GET /participants/?q=Amal&lab=1 HTTP/1.1") == (
        "GET /participants/?[query withheld] HTTP/1.1"
    )
    assert scrub(
        'duplicate key value violates unique constraint "participant_unique_ref"\n'
        "DETAIL:  Key (lab_id, reference)=(3, LIS-0042) already exists."
    ).endswith("Key (lab_id, reference)=(…) already exists.")


def test_tracebacks_are_scrubbed_and_the_request_is_dropped():
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/participants/?q=Amal",),
        None,
    )
    try:
        raise ValueError("Key (reference)=(AMAL-1) at /x?q=Amal")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    record.request = object()
    assert PersonalDataFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "Amal" not in text and "AMAL" not in text
    assert "Internal Server Error: /participants/?[query withheld]" in text
    assert record.request is None
