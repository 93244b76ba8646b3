"""Venture pages: list filters, the venture page, forms and their errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.ventures.models import Stage, Venture
from tests.conftest import client_for
from tests.factories import ParticipantFactory
from tests.ventures.factories import TerritorialNeedFactory, VentureFactory, incubator

pytestmark = pytest.mark.django_db


def test_a_facilitator_records_a_venture_from_the_participant_page(
    facilitator, participant
):
    client = client_for(facilitator)
    page = client.get(reverse("participants:detail", args=[participant.pk]))
    new_url = reverse("ventures:create") + f"?participant={participant.pk}"
    assert new_url in page.content.decode()
    form = client.get(new_url)
    assert participant.reference in form.content.decode()
    response = client.post(
        new_url,
        {
            "name": "Damascus Sweets",
            "sector": "I",
            "founders_text": participant.reference,
            "started_on": "2025-04-01",
            "revenue_band": "none",
        },
    )
    venture = Venture.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ventures:detail", args=[venture.pk])
    assert list(venture.founders.all()) == [participant]
    page = client.get(reverse("participants:detail", args=[participant.pk]))
    assert "Damascus Sweets" in page.content.decode()


def test_unknown_founder_references_are_a_form_error(facilitator, lab_a):
    response = client_for(facilitator).post(
        reverse("ventures:create") + f"?lab={lab_a.pk}",
        {
            "name": "X",
            "sector": "C",
            "founders_text": "NOPE-1",
            "revenue_band": "none",
            "started_on": "2025-01-01",
        },
    )
    assert response.status_code == 200
    assert "NOPE-1" in response.content.decode()
    assert not Venture.objects.exists()


def test_an_illegal_stage_change_is_a_clear_message_not_an_error_page(
    facilitator, lab_a, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    client = client_for(facilitator)
    response = client.post(
        reverse("ventures:transition", args=[venture.pk]),
        {"to_stage": "operating"},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot move to" in text
    venture.refresh_from_db()
    assert venture.stage == Stage.IDEA


def test_moving_to_business_plan_shows_on_the_timeline(facilitator, lab_a, participant):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    client = client_for(facilitator)
    response = client.post(
        reverse("ventures:transition", args=[venture.pk]),
        {"to_stage": "business_plan", "on": "2025-02-01"},
        follow=True,
    )
    venture.refresh_from_db()
    assert venture.stage == Stage.BUSINESS_PLAN
    assert "Business plan" in response.content.decode()


def test_registering_without_a_date_says_what_is_missing(
    facilitator, lab_a, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    Venture.objects.filter(pk=venture.pk).update(stage=Stage.FINANCING)
    response = client_for(facilitator).post(
        reverse("ventures:transition", args=[venture.pk]),
        {"to_stage": "registered"},
        follow=True,
    )
    assert "Give the registration date" in response.content.decode()


def test_supports_and_jobs_are_recorded_from_the_venture_page(
    facilitator, lab_a, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    org = incubator(lab_a)
    client = client_for(facilitator)
    client.post(
        reverse("ventures:support_add", args=[venture.pk]),
        {
            "kind": "grant",
            "provider": org.pk,
            "on": "2025-05-01",
            "amount": "2500",
            "currency": "eur",
        },
    )
    client.post(reverse("ventures:jobs_record", args=[venture.pk]), {"jobs": 4})
    page = client.get(reverse("ventures:detail", args=[venture.pk])).content.decode()
    assert org.name in page
    assert "2500" in page
    assert venture.supports.get().currency == "EUR"
    venture.refresh_from_db()
    assert venture.jobs_created == 4


def test_a_grant_without_amount_is_refused_with_a_message(
    facilitator, lab_a, participant
):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    response = client_for(facilitator).post(
        reverse("ventures:support_add", args=[venture.pk]),
        {
            "kind": "grant",
            "provider": incubator(lab_a).pk,
            "on": "2025-05-01",
            "currency": "EUR",
        },
        follow=True,
    )
    assert "Give the amount" in response.content.decode()
    assert not venture.supports.exists()


def test_the_list_filters_by_stage_and_sector(facilitator, lab_a, participant):
    VentureFactory(lab=lab_a, founders=[participant], name="Bakery", sector="I")
    tailor = VentureFactory(
        lab=lab_a, founders=[participant], name="Tailor", sector="C"
    )
    Venture.objects.filter(pk=tailor.pk).update(stage=Stage.FINANCING)
    client = client_for(facilitator)
    by_sector = client.get(reverse("ventures:list"), {"sector": "C"}).content.decode()
    assert "Tailor" in by_sector and "Bakery" not in by_sector
    by_stage = client.get(reverse("ventures:list"), {"stage": "idea"}).content.decode()
    assert "Bakery" in by_stage and "Tailor" not in by_stage
    bad = client.get(reverse("ventures:list"), {"stage": "flying"})
    assert bad.status_code == 200


def test_the_list_logs_the_founders_shown(facilitator, lab_a, participant):
    VentureFactory(lab=lab_a, founders=[participant])
    client_for(facilitator).get(reverse("ventures:list"))
    entry = AuditEntry.objects.get(object_type="venture_list")
    assert entry.changes == {"participants": [participant.pk]}


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("ventures:list")).status_code == 200
    return len(queries)


def test_the_venture_list_runs_a_fixed_number_of_queries(facilitator, lab_a):
    client = client_for(facilitator)
    need = TerritorialNeedFactory(lab=lab_a)

    def add(count):
        for _ in range(count):
            people = [ParticipantFactory(lab=lab_a) for _ in range(2)]
            VentureFactory(lab=lab_a, founders=people, territorial_need=need)

    add(3)
    _list_queries(client)  # The first request of a session does its own set-up.
    few = _list_queries(client)
    add(20)
    many = _list_queries(client)
    assert few == many
    assert many <= 10


def test_territorial_needs_page_lists_needs_with_their_ventures(
    facilitator, lab_a, participant
):
    need = TerritorialNeedFactory(lab=lab_a, title="No shoemaker left")
    VentureFactory(
        lab=lab_a, founders=[participant], name="Cobbler", territorial_need=need
    )
    page = client_for(facilitator).get(reverse("ventures:needs")).content.decode()
    assert "No shoemaker left" in page and "Cobbler" in page


def test_a_shortage_occupation_without_occupation_is_a_form_error(facilitator, lab_a):
    response = client_for(facilitator).post(
        reverse("ventures:needs") + f"?lab={lab_a.pk}",
        {"kind": "shortage_occupation", "title": "Bakers", "status": "open"},
    )
    assert response.status_code == 200
    assert "names the occupation" in response.content.decode()


def test_a_shortage_occupation_links_an_esco_occupation(facilitator, lab_a):
    from openmil.classifications.models import Occupation

    occupation = Occupation.objects.order_by("pk").first()
    client = client_for(facilitator)
    client.post(
        reverse("ventures:needs") + f"?lab={lab_a.pk}",
        {
            "kind": "shortage_occupation",
            "title": "Bakers",
            "status": "open",
            "occupation": [occupation.pk],
        },
    )
    page = client.get(reverse("ventures:needs")).content.decode()
    assert occupation.label in page


def test_pages_work_in_arabic(facilitator, lab_a, participant):
    venture = VentureFactory(lab=lab_a, founders=[participant])
    client = client_for(facilitator)
    client.cookies["django_language"] = "ar"
    for url in (
        reverse("ventures:list"),
        reverse("ventures:detail", args=[venture.pk]),
        reverse("ventures:needs"),
        reverse("ventures:create"),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
        assert response.status_code == 200
        assert 'dir="rtl"' in response.content.decode()


def test_a_future_start_date_is_refused(facilitator, lab_a, participant):
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    response = client_for(facilitator).post(
        reverse("ventures:create") + f"?lab={lab_a.pk}",
        {
            "name": "X",
            "sector": "C",
            "founders_text": participant.reference,
            "revenue_band": "none",
            "started_on": tomorrow.isoformat(),
        },
    )
    assert response.status_code == 200
    assert not Venture.objects.exists()


def test_editing_keeps_founders_the_editor_cannot_see_and_never_shows_them(
    facilitator, lab_a, participant
):
    hidden = ParticipantFactory(
        lab=lab_a, processing_restricted=True, reference="SECRET-9"
    )
    venture = VentureFactory(lab=lab_a, founders=[participant, hidden])
    client = client_for(facilitator)
    form = client.get(reverse("ventures:edit", args=[venture.pk])).content.decode()
    assert "SECRET-9" not in form
    response = client.post(
        reverse("ventures:edit", args=[venture.pk]),
        {
            "name": "Renamed",
            "sector": "I",
            "founders_text": participant.reference,
            "started_on": venture.started_on.isoformat(),
            "revenue_band": "none",
        },
    )
    assert response.status_code == 302
    assert set(venture.founders.all()) == {participant, hidden}
