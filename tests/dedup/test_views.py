"""Duplicate pages: the check on the intake form, review, merge and undo."""

import datetime as dt

from django.urls import reverse

from openmil.dedup.models import DedupRun, DuplicateCandidate, Merge
from openmil.participants.models import Participant
from tests.conftest import client_for
from tests.factories import ParticipantFactory


def test_the_intake_form_asks_for_possible_duplicates(facilitator, lab_a):
    client = client_for(facilitator)
    form = client.get(reverse("participants:create")).content.decode()
    assert reverse("dedup:check") in form
    known = ParticipantFactory(
        lab=lab_a,
        given_name="Youssef",
        family_name="Haddad",
        birth_date=dt.date(1990, 4, 7),
    )
    answer = client.get(
        reverse("dedup:check"),
        {
            "lab": lab_a.pk,
            "given_name": "يوسف",
            "family_name": "حداد",
            "birth_date": "1990-04-07",
        },
    ).content.decode()
    assert "may already be registered" in answer
    assert known.reference in answer


def test_the_check_says_nothing_for_a_new_person_or_bad_input(facilitator, lab_a):
    client = client_for(facilitator)
    answer = client.get(
        reverse("dedup:check"),
        {"lab": "x", "given_name": "Nobody", "birth_date": "31/02/2000"},
    )
    assert answer.status_code == 200
    assert "may already be registered" not in answer.content.decode()


def _candidate(lab, coordinator):
    left = ParticipantFactory(lab=lab, reference="L-1", email="")
    right = ParticipantFactory(lab=lab, reference="R-1", email="r@example.org")
    run = DedupRun.objects.create(
        requested_by=coordinator, lab=lab, network=lab.network, status="done"
    )
    return DuplicateCandidate.objects.create(
        run=run, left=left, right=right, probability=0.97
    )


def test_merge_page_shows_both_records_and_merges_the_chosen_fields(coordinator, lab_a):
    candidate = _candidate(lab_a, coordinator)
    client = client_for(coordinator)
    page = client.get(reverse("dedup:merge", args=[candidate.pk])).content.decode()
    assert "L-1" in page and "R-1" in page and 'name="email"' in page
    response = client.post(
        reverse("dedup:merge", args=[candidate.pk]), {"keep": "left", "email": "right"}
    )
    merge = Merge.objects.get()
    assert response.url == reverse("dedup:merge_detail", args=[merge.pk])
    kept = Participant.objects.get(reference="L-1")
    assert kept.email == "r@example.org"
    assert not Participant.objects.filter(reference="R-1").exists()
    client.post(reverse("dedup:merge_undo", args=[merge.pk]))
    assert Participant.objects.get(reference="R-1").email == "r@example.org"
    assert Participant.objects.get(reference="L-1").email == ""


def test_the_review_list_shows_pairs_and_starts_a_search(
    coordinator, lab_a, django_capture_on_commit_callbacks
):
    candidate = _candidate(lab_a, coordinator)
    client = client_for(coordinator)
    page = client.get(reverse("dedup:list")).content.decode()
    assert reverse("dedup:merge", args=[candidate.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dedup:list"), {"scope": f"lab-{lab_a.pk}"})
    assert DedupRun.objects.filter(status="done").count() == 2
    client.post(reverse("dedup:dismiss", args=[candidate.pk]))
    candidate.refresh_from_db()
    assert candidate.status == DuplicateCandidate.Status.DISMISSED


def test_the_form_posts_the_check_so_names_stay_out_of_urls(facilitator, lab_a):
    ParticipantFactory(
        lab=lab_a,
        given_name="Omar",
        family_name="Khoury",
        birth_date=dt.date(1980, 2, 3),
    )
    answer = client_for(facilitator).post(
        reverse("dedup:check"),
        {
            "lab": lab_a.pk,
            "given_name": "Umar",
            "family_name": "Khouri",
            "birth_date": "1980-03-02",
        },
    )
    assert "may already be registered" in answer.content.decode()
