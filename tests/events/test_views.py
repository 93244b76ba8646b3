"""Staff pages: creating events, check-in on the day, vetting, pairs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openmil.core.models import AuditEntry
from openmil.events.models import Event, MentoringMeeting, Registration, Volunteer
from tests.conftest import client_for
from tests.events.factories import (
    ApprovedMentorFactory,
    EventFactory,
    PairFactory,
    RegistrationFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def test_a_facilitator_creates_an_event_on_the_labs_clock(lab_a, facilitator):
    response = client_for(facilitator).post(
        reverse("events:create"),
        {
            "lab": lab_a.pk,
            "title": "Language café",
            "kind": "meeting",
            "day": "2031-01-15",
            "start": "18:00",
            "end": "20:00",
            "capacity": 12,
            "publish": "on",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.status == Event.Status.PUBLISHED
    assert event.starts_at == dt.datetime(2031, 1, 15, 18, 0, tzinfo=dt.UTC)


def test_the_event_form_shows_errors_instead_of_failing(lab_a, facilitator):
    response = client_for(facilitator).post(
        reverse("events:create"),
        {"lab": lab_a.pk, "title": "", "day": "31/31/2031", "capacity": "-1"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Event.objects.exists()


def test_check_in_by_list_and_by_code(lab_a, facilitator):
    event = EventFactory(lab=lab_a)
    one = RegistrationFactory(event=event)
    two = RegistrationFactory(event=event)
    client = client_for(facilitator)
    url = reverse("events:check_in", args=[event.pk])
    page = client.get(url).content.decode()
    assert one.name in page and two.name in page
    assert AuditEntry.objects.filter(
        object_type="registration_list", object_id=str(event.pk)
    ).exists()
    client.post(url, {"registration": one.pk})
    client.post(url, {"code": two.code.lower()})
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 2
    page = client.get(url).content.decode()
    assert "2 of 2 arrived" in page


def test_check_in_refuses_a_registration_of_another_event(lab_a, facilitator):
    event = EventFactory(lab=lab_a)
    elsewhere = RegistrationFactory(event=EventFactory(lab=lab_a))
    response = client_for(facilitator).post(
        reverse("events:check_in", args=[event.pk]), {"registration": elsewhere.pk}
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.checked_in_at is None


def test_vetting_page_records_a_step_and_logs_the_view(lab_a, coordinator):
    volunteer = VolunteerFactory(lab=lab_a)
    client = client_for(coordinator)
    url = reverse("volunteers:detail", args=[volunteer.pk])
    assert volunteer.name in client.get(url).content.decode()
    assert AuditEntry.objects.filter(
        object_type="volunteer", action=AuditEntry.Action.VIEW
    ).exists()
    response = client.post(url, {"to_status": "approved"})
    assert response.status_code == 200  # illegal step: shown, not saved
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPLIED
    client.post(url, {"to_status": "interviewed"})
    client.post(
        url,
        {
            "to_status": "approved",
            "background_check_on": (timezone.localdate() - dt.timedelta(days=1)),
        },
    )
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPROVED


def test_pairs_page_shows_health_and_logs_who_was_seen(lab_a, facilitator, participant):
    quiet = PairFactory(
        participant=participant,
        mentor=ApprovedMentorFactory(lab=lab_a),
        started_on=timezone.localdate() - dt.timedelta(weeks=6),
    )
    client = client_for(facilitator)
    page = client.get(reverse("volunteers:pairs")).content.decode()
    assert "No recent meeting" in page
    entry = AuditEntry.objects.filter(object_type="participant_list").latest("pk")
    assert entry.changes["participants"] == [participant.pk]
    client.post(
        reverse("volunteers:meeting_log", args=[quiet.pk]),
        {"on": timezone.localdate().isoformat(), "duration_minutes": 60},
    )
    assert MentoringMeeting.objects.filter(pair=quiet).count() == 1
    page = client.get(reverse("volunteers:pairs")).content.decode()
    assert "No recent meeting" not in page
    client.get(reverse("volunteers:pair", args=[quiet.pk]))
    assert AuditEntry.objects.filter(
        object_type="mentoring_pair",
        action=AuditEntry.Action.VIEW,
        participant_id=participant.pk,
    ).exists()


def test_a_vetter_sets_a_mentors_capacity_on_the_volunteer_page(lab_a, coordinator):
    mentor = ApprovedMentorFactory(lab=lab_a)
    client = client_for(coordinator)
    page = client.get(reverse("volunteers:detail", args=[mentor.pk]))
    url = reverse("volunteers:mentoring", args=[mentor.pk])
    assert url in page.content.decode()
    response = client.post(url, {"max_mentees": 0, "gender": ""}, follow=True)
    assert "Mentees at most" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.max_mentees == 1
    client.post(url, {"max_mentees": 4, "gender": "male"})
    mentor.refresh_from_db()
    assert (mentor.max_mentees, mentor.gender) == (4, "male")
