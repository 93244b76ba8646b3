"""Exports of the complete record: logged, readable PDF, person's language."""

import io
import json

import pytest
from pypdf import PdfReader

from openmil.core.models import AuditEntry
from openmil.records.services import record_export, record_language
from tests.factories import NeedFactory, ParticipantFactory, need_type
from tests.portal.factories import participant_account


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture
def person(lab_a, facilitator):
    p = ParticipantFactory(
        lab=lab_a,
        caseworker=facilitator,
        given_name="Zuleikha",
        family_name="Haddadine",
        mother_tongue="fr",
    )
    NeedFactory(participant=p, need_type=need_type("housing"), status="in_progress")
    NeedFactory(participant=p, need_type=need_type("health"), status="met")
    return p


def test_export_is_logged_as_record_export(person, coordinator):
    record_export(actor=coordinator, participant=person, fmt="json")
    entry = AuditEntry.objects.get(action="record_export")
    assert entry.participant_id == person.pk
    assert entry.actor == coordinator
    assert entry.detail == "json"


def test_the_copy_lists_its_own_export(person, coordinator):
    data, content = record_export(actor=coordinator, participant=person, fmt="json")
    assert json.loads(content) == json.loads(json.dumps(data, default=str))
    assert data["audit"][-1]["action"] == "record_export"


def test_pdf_holds_the_name_and_the_needs(person, coordinator):
    _data, content = record_export(
        actor=coordinator, participant=person, fmt="pdf", language="en"
    )
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Zuleikha" in text and "Haddadine" in text
    assert "Housing" in text and "Health care" in text
    assert "In progress" in text and "Met" in text


def test_pdf_is_in_the_persons_language(person, coordinator):
    """Mother tongue French: the labels are French without asking."""
    _data, content = record_export(actor=coordinator, participant=person, fmt="pdf")
    text = pdf_text(content)
    assert "Logement" in text and "En cours" in text


def test_arabic_pdf_is_right_to_left_and_holds_the_name(person, coordinator):
    data, content = record_export(
        actor=coordinator, participant=person, fmt="pdf", language="ar"
    )
    assert data["language"] == "ar"
    text = pdf_text(content)
    assert "Zuleikha" in text
    # Arabic glyphs were embedded (the Noto fonts), not replaced by boxes.
    assert any("\u0600" <= ch <= "\u06ff" or "\ufe70" <= ch <= "\ufeff" for ch in text)


def test_language_of_the_person_prefers_their_account(person):
    assert record_language(participant=person) == "fr"
    participant_account(person, language="ar")
    person.refresh_from_db()
    assert record_language(participant=person) == "ar"


def test_language_falls_back_to_the_site_default(lab_a):
    p = ParticipantFactory(lab=lab_a, mother_tongue="prs")
    assert record_language(participant=p) == "en"


def test_unknown_format_is_refused(person, coordinator):
    with pytest.raises(ValueError):
        record_export(actor=coordinator, participant=person, fmt="xml")
    assert not AuditEntry.objects.filter(action="record_export").exists()
