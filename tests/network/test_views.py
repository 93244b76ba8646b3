"""The library, benchmarking and MIPEX pages, and the services behind them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from openmil.core.markup import render_markdown
from openmil.core.roles import Role
from openmil.indicators.models import IndicatorSnapshot
from openmil.indicators.registry import Period
from openmil.indicators.services import snapshot_compute
from openmil.network import services
from openmil.network.models import (
    Adoption,
    FederatedLab,
    FederatedSnapshot,
    MipexScore,
    Practice,
    ReceivedPayload,
)
from openmil.network.selectors import adoption_figures
from tests.conftest import client_for
from tests.factories import LabFactory, ParticipantFactory, member
from tests.network.factories import practice_make, version_add


def test_markdown_is_rendered_without_html_or_scripts():
    html = render_markdown(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://a.org)"
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_a_coordinator_writes_translates_and_publishes_a_practice(coordinator, lab_a):
    client = client_for(coordinator)
    form = {
        "lab": lab_a.pk,
        "language": "en",
        "title": "Buddy walks",
        "summary": "Walks in *pairs*.",
        "pillar": "intercultural",
        "sdgs": [10, 16],
        "countries": ["PT"],
        "evidence_indicators": ["needs.urgent_met_share"],
    }
    response = client.post("/network/practices/new/", form)
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert practice.status == Practice.Status.DRAFT
    response = client.post(
        f"/network/practices/{practice.pk}/edit/",
        {**form, "language": "fr", "title": "Promenades en binôme"},
    )
    assert response.status_code == 302
    assert sorted(practice.versions.values_list("language", flat=True)) == ["en", "fr"]
    page = client.get(f"/network/practices/{practice.pk}/?language=fr")
    assert "Promenades en binôme" in page.content.decode()
    page = client.get(f"/network/practices/{practice.pk}/?language=en")
    assert "<em>pairs</em>" in page.content.decode()
    client.post(f"/network/practices/{practice.pk}/publish/")
    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED


def test_unknown_indicators_and_countries_are_refused(coordinator, lab_a):
    response = client_for(coordinator).post(
        "/network/practices/new/",
        {
            "lab": lab_a.pk,
            "language": "en",
            "title": "T",
            "summary": "S",
            "pillar": "nothing",
            "countries": ["XX"],
            "evidence_indicators": ["made_up"],
        },
    )
    assert response.status_code == 200
    assert not Practice.objects.exists()


def test_drafts_are_seen_only_by_their_lab(coordinator, outsider, analyst, lab_a):
    draft = practice_make(lab=lab_a, title="Secret draft", published=False)
    practice_make(lab=lab_a, title="Open kitchen")
    assert (
        "Secret draft"
        in client_for(coordinator).get("/network/practices/").content.decode()
    )
    for user in (outsider, analyst):
        body = client_for(user).get("/network/practices/").content.decode()
        assert "Open kitchen" in body and "Secret draft" not in body
        assert (
            client_for(user).get(f"/network/practices/{draft.pk}/").status_code == 404
        )


def test_labs_ask_and_the_practice_lab_answers(coordinator, outsider, lab_a, lab_b):
    practice = practice_make(lab=lab_a, title="Open kitchen")
    client_for(outsider).post(
        f"/network/practices/{practice.pk}/questions/",
        {"lab": lab_b.pk, "text": "Who pays the rent?"},
    )
    question = practice.questions.get()
    assert question.lab == lab_b
    # Only the practice's lab answers.
    response = client_for(outsider).post(
        f"/network/questions/{question.pk}/answer/", {"text": "We do."}
    )
    assert response.status_code == 404
    client_for(coordinator).post(
        f"/network/questions/{question.pk}/answer/", {"text": "The parish."}
    )
    body = (
        client_for(outsider).get(f"/network/practices/{practice.pk}/").content.decode()
    )
    assert "Who pays the rent?" in body and "The parish." in body


def test_an_adoption_shows_the_adopting_lab_before_and_after(lab_a, lab_b, settings):
    settings.OPENMIL_SUPPRESS_BELOW = 10
    practice = practice_make(lab=lab_a, title="Open kitchen")
    adopter = member(lab_b, Role.COORDINATOR)
    for _ in range(23):
        ParticipantFactory(lab=lab_b, intake_date=dt.date(2024, 3, 1))
    snapshot_compute(lab=lab_b, period=Period.parse("2024"))
    for _ in range(14):
        ParticipantFactory(lab=lab_b, intake_date=dt.date(2025, 3, 1))
    snapshot_compute(lab=lab_b, period=Period.parse("2025"))
    adoption = services.adoption_record(
        actor=adopter, practice=practice, lab=lab_b, adopted_on=dt.date(2025, 1, 1)
    )
    view = adoption_figures(adoption=adoption)
    assert (view.before.period, view.after.period) == ("2024", "2025")
    # Published figures, never exact: counts are rounded to 5 or hidden.
    for change in view.changes:
        for cell in (change.before, change.after):
            if cell is not None and not cell.hidden:
                assert cell.n.value % 5 == 0
    with pytest.raises(ValidationError):
        services.adoption_record(
            actor=adopter, practice=practice, lab=lab_b, adopted_on=dt.date(2025, 2, 1)
        )
    assert Adoption.objects.count() == 1


def test_a_lab_does_not_adopt_its_own_practice(coordinator, lab_a):
    practice = practice_make(lab=lab_a, title="Open kitchen")
    with pytest.raises(ValidationError):
        services.adoption_record(
            actor=coordinator,
            practice=practice,
            lab=lab_a,
            adopted_on=dt.date(2025, 1, 1),
        )


def test_benchmark_shows_labs_of_the_network_and_federated_labs(lab_a, analyst):
    sister = LabFactory(network=lab_a.network, name="Sister lab", country="FR")
    for lab in (lab_a, sister):
        snapshot_compute(lab=lab, period=Period.parse("2026"))
    LabFactory(name="Stranger lab")
    hub_lab = FederatedLab.objects.create(
        slug="lab-athens",
        name="Lab Athens",
        country="GR",
        public_key="x",
        fingerprint="f",
        status=FederatedLab.Status.APPROVED,
    )
    payload = ReceivedPayload.objects.create(
        federated_lab=hub_lab,
        sequence=1,
        nonce="n",
        kind="snapshot",
        content_hash="h",
        sent_at="2026-11-01T00:00:00Z",
    )
    FederatedSnapshot.objects.create(
        federated_lab=hub_lab,
        payload=payload,
        period="2026",
        computed_at="2026-11-01T00:00:00Z",
        figures={"needs.urgent_met_share": {"n": "45", "value": 0.5, "hidden": False}},
    )
    MipexScore.objects.create(country="GR", year=2025, strand="health", score=63)
    body = client_for(analyst).get("/network/benchmark/?period=2026").content.decode()
    assert "Lab A" in body and "Sister lab" in body and "Lab Athens" in body
    assert "Stranger lab" not in body
    assert "63" in body and "50 %" in body


def test_partner_staff_see_no_network_page(partner_staff):
    for url in ("/network/practices/", "/network/benchmark/", "/network/mipex/"):
        assert client_for(partner_staff).get(url).status_code == 404


@pytest.fixture
def network_admin(lab_a):
    return member(lab_a, Role.NETWORK_ADMIN)


def test_mipex_scores_import_from_csv_all_or_nothing(network_admin):
    client = client_for(network_admin)
    good = (
        "country,year,strand,score,source\n"
        "PT,2025,health,70,MIPEX 2025\n"
        "FR,2025,education,55,\n"
    )
    response = client.post(
        "/network/mipex/", {"file": SimpleUploadedFile("m.csv", good.encode())}
    )
    assert response.status_code == 302
    assert MipexScore.objects.count() == 2
    bad = "country,year,strand,score\nPT,2024,health,70\nZZ,2024,health,101\n"
    response = client.post(
        "/network/mipex/", {"file": SimpleUploadedFile("m.csv", bad.encode())}
    )
    assert response.status_code == 200
    assert "line 3" in response.content.decode()
    assert MipexScore.objects.count() == 2


def test_only_the_network_administrator_enters_mipex_scores(coordinator, network_admin):
    data = {"country": "PT", "year": 2025, "strand": "health", "score": 70}
    assert client_for(coordinator).post("/network/mipex/", data).status_code == 403
    with pytest.raises(PermissionDenied):
        services.mipex_save(actor=coordinator, data=data)
    assert client_for(network_admin).post("/network/mipex/", data).status_code == 302
    assert MipexScore.objects.get().score == 70
    data["score"] = 120
    assert client_for(network_admin).post("/network/mipex/", data).status_code == 200


def test_search_page_finds_a_french_version(coordinator, lab_a):
    practice = practice_make(lab=lab_a, title="Shared flats")
    version_add(
        practice,
        language="fr",
        title="Colocations solidaires",
        summary="Logements partagés.",
    )
    body = (
        client_for(coordinator).get("/network/practices/?q=logements").content.decode()
    )
    assert "Colocations solidaires" in body
    assert IndicatorSnapshot.objects.count() == 0


def test_every_write_leaves_an_audit_entry_in_its_lab(coordinator, lab_a):
    from openmil.core.models import AuditEntry

    practice = services.practice_create(
        actor=coordinator,
        lab=lab_a,
        language="en",
        data={"title": "T", "summary": "S", "pillar": "civic"},
    )
    services.practice_publish(actor=coordinator, practice=practice)
    entries = AuditEntry.objects.filter(object_type="practice", lab=lab_a)
    assert [e.action for e in entries.order_by("pk")] == ["create", "update"]
