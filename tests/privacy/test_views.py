"""Privacy pages, the admin and the commands: the same rules as the services."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from openmil.participants.models import Participant
from openmil.privacy.models import ErasureRequest, RetentionRun
from tests.conftest import client_for
from tests.factories import ParticipantFactory
from tests.privacy.factories import (
    ErasureRequestFactory,
    PrivacySettingsFactory,
    identifiable_person,
)


@pytest.fixture
def person(lab_a, facilitator):
    return identifiable_person(lab_a, facilitator)


def _ask(client, person):
    return client.post(
        reverse("privacy:erasure_request", args=[person.pk]),
        {"grounds": "person_asked", "reason": "Asked at the desk"},
    )


def test_the_participant_page_offers_to_request_erasure(person, facilitator):
    page = client_for(facilitator).get(reverse("participants:detail", args=[person.pk]))
    assert reverse("privacy:erasure_request", args=[person.pk]).encode() in page.content


def test_two_people_erase_a_person_through_the_pages(
    person, facilitator, coordinator, second_coordinator, journal
):
    response = _ask(client_for(coordinator), person)
    assert response.status_code == 302
    request = ErasureRequest.objects.get(participant=person)

    # The same coordinator cannot approve their own request.
    dashboard = reverse("privacy:dashboard", args=[person.lab_id])
    page = client_for(coordinator).get(dashboard)
    assert b"Another coordinator must decide" in page.content
    response = client_for(coordinator).post(
        reverse("privacy:erasure_approve", args=[request.pk]), follow=True
    )
    assert b"may not approve" in response.content
    person.refresh_from_db()
    assert person.anonymised_at is None

    # A facilitator cannot either.
    response = client_for(facilitator).post(
        reverse("privacy:erasure_approve", args=[request.pk])
    )
    assert response.status_code == 404

    response = client_for(second_coordinator).post(
        reverse("privacy:erasure_approve", args=[request.pk]), follow=True
    )
    assert b"the person is anonymised" in response.content
    person.refresh_from_db()
    assert person.anonymised_at is not None

    listing = client_for(coordinator).get(reverse("participants:list"))
    assert f"Anonymised person {person.reference}".encode() in listing.content
    assert b"Zuleikha" not in listing.content
    detail = client_for(coordinator).get(
        reverse("participants:detail", args=[person.pk])
    )
    assert reverse("privacy:erasure_request", args=[person.pk]).encode() not in (
        detail.content
    )


def test_a_request_with_no_reason_is_a_form_error(person, facilitator):
    response = client_for(facilitator).post(
        reverse("privacy:erasure_request", args=[person.pk]),
        {"grounds": "person_asked", "reason": ""},
    )
    assert response.status_code == 200
    assert not ErasureRequest.objects.exists()


def test_rejecting_from_the_dashboard(person, facilitator, coordinator):
    request = ErasureRequestFactory(participant=person, requested_by=facilitator)
    client_for(coordinator).post(
        reverse("privacy:erasure_reject", args=[request.pk]), {"note": "Legal hold"}
    )
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.REJECTED
    assert request.decision_note == "Legal hold"


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_dashboard_shows_every_section(
    language, person, facilitator, coordinator, dpo
):
    ErasureRequestFactory(participant=person, requested_by=facilitator)
    client = client_for(dpo)
    client.cookies["django_language"] = language
    response = client.get(
        reverse("privacy:dashboard", args=[person.lab_id]),
        headers={"accept-language": language},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert person.reference in body
    assert "/approve/" not in body  # a DPO sees requests, does not decide them
    if language == "ar":
        assert 'dir="rtl"' in body


def test_the_nav_links_to_the_dashboard(coordinator, lab_a):
    page = client_for(coordinator).get(reverse("core:home"))
    assert reverse("privacy:dashboard", args=[lab_a.pk]).encode() in page.content


def _old(lab, **kwargs):
    person = ParticipantFactory(lab=lab, **kwargs)
    then = timezone.now() - dt.timedelta(days=5 * 365)
    Participant.objects.filter(pk=person.pk).update(
        intake_date=then.date(), updated_at=then, created_at=then
    )
    return person


def test_retention_page_dry_run_then_apply(lab_a, coordinator, journal):
    PrivacySettingsFactory(lab=lab_a)
    old = _old(lab_a)
    url = reverse("privacy:retention", args=[lab_a.pk])
    client = client_for(coordinator)
    response = client.post(url, {"action": "dry_run"})
    assert response.status_code == 200
    assert old.reference.encode() in response.content
    old.refresh_from_db()
    assert old.anonymised_at is None
    response = client.post(url, {"action": "apply"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.anonymised_at is not None
    run = RetentionRun.objects.get(dry_run=False)
    assert run.references == [old.reference]


def test_retention_page_refuses_a_real_run_when_rules_are_off(lab_a, coordinator):
    _old(lab_a)
    response = client_for(coordinator).post(
        reverse("privacy:retention", args=[lab_a.pk]), {"action": "apply"}, follow=True
    )
    assert b"switched off" in response.content
    assert not Participant.objects.filter(anonymised_at__isnull=False).exists()


# ---------------------------------------------------------------------------
# The admin is read-only for requests.


def test_the_admin_cannot_add_change_or_delete_requests(person, facilitator):
    request = ErasureRequestFactory(participant=person, requested_by=facilitator)
    admin = get_user_model().objects.create_superuser("root", "r@example.org", "x")
    client = client_for(admin)
    change = reverse("admin:privacy_erasurerequest_change", args=[request.pk])
    assert client.get(change).status_code == 200
    response = client.post(
        change, {"status": "approved", "decided_by": admin.pk, "grounds": "unlawful"}
    )
    assert response.status_code == 403
    add = reverse("admin:privacy_erasurerequest_add")
    assert client.post(add, {"status": "approved"}).status_code == 403
    delete = reverse("admin:privacy_erasurerequest_delete", args=[request.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.PENDING
    person.refresh_from_db()
    assert person.anonymised_at is None


# ---------------------------------------------------------------------------
# Commands.


def test_retention_command_dry_run_and_run_agree(lab_a, journal):
    PrivacySettingsFactory(lab=lab_a)
    old = [_old(lab_a) for _ in range(3)]
    ParticipantFactory(lab=lab_a)
    out = StringIO()
    call_command("retention", "--dry-run", "--lab", lab_a.slug, stdout=out)
    dry = out.getvalue()
    assert f"{lab_a.slug}: 4 considered, 0 kept (follow-up consent), 3 would" in dry
    for person in old:
        assert person.reference in dry
    assert not Participant.objects.filter(anonymised_at__isnull=False).exists()

    out = StringIO()
    call_command("retention", "--lab", lab_a.slug, stdout=out)
    assert "3 anonymised" in out.getvalue()
    assert set(
        Participant.objects.filter(anonymised_at__isnull=False).values_list(
            "pk", flat=True
        )
    ) == {p.pk for p in old}


def test_reapply_erasures_command(
    lab_a, coordinator, second_coordinator, journal, django_capture_on_commit_callbacks
):
    from openmil.privacy import services

    person = ParticipantFactory(lab=lab_a, given_name="Restored")
    request = services.erasure_request_create(
        actor=coordinator, participant=person, grounds="person_asked", reason="Asked"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_approve(actor=second_coordinator, request=request)
    reference = Participant.objects.get(pk=person.pk).reference
    # A restore from before the erasure: the row is back, the request is not.
    ErasureRequest.objects.all().delete()
    Participant.objects.filter(pk=person.pk).update(
        given_name="Restored", reference="REF-OLD", anonymised_at=None
    )
    assert json.loads(journal.read_text().splitlines()[0])["reference"] == reference
    out = StringIO()
    call_command("privacy", "reapply-erasures", stdout=out)
    assert "1 erasures re-applied" in out.getvalue()
    person.refresh_from_db()
    assert (person.given_name, person.reference) == ("", reference)


def test_schedule_queues_the_daily_task_once(settings, lab_a):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    for _ in range(2):
        call_command("retention", "--schedule", stdout=StringIO())
    assert (
        DBTaskResult.objects.filter(task_path__endswith="retention_daily").count() == 1
    )


def test_the_daily_task_queues_tomorrows_run(settings, lab_a):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    from openmil.privacy.tasks import retention_daily

    assert retention_daily.call(reschedule=True) == {}
    queued = DBTaskResult.objects.get(task_path__endswith="retention_daily")
    assert queued.run_after > timezone.now()
    assert timezone.localtime(queued.run_after).hour == 2
