"""The public pages: reading needs no account; registration by e-mail link;
throttling, honeypots, safe Markdown and calendar files."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from openmil.core.models import AuditEntry
from openmil.events.models import Event, Registration, Volunteer
from openmil.events.public_views import SIGNUP_RATE
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/site/events/(confirm|cancel)/(\S+?)/")


def links(body: str) -> dict[str, str]:
    return {kind: f"/site/events/{kind}/{token}/" for kind, token in LINK.findall(body)}


def test_anyone_reads_the_published_events_but_not_drafts(lab_a):
    shown = EventFactory(lab=lab_a, title="Open kitchen")
    draft = EventFactory(lab=lab_a, title="Secret draft", status=Event.Status.DRAFT)
    response = Client().get(reverse("site_events:list"))
    assert response.status_code == 200
    assert "Open kitchen" in response.content.decode()
    assert "Secret draft" not in response.content.decode()
    assert (
        Client().get(reverse("site_events:detail", args=[shown.pk])).status_code == 200
    )
    assert (
        Client().get(reverse("site_events:detail", args=[draft.pk])).status_code == 404
    )


def test_registration_by_e_mail_link_from_request_to_cancellation(
    lab_a, django_capture_on_commit_callbacks
):
    event = EventFactory(lab=lab_a, capacity=1)
    waiting = RegistrationFactory(event=event, status=Registration.Status.CONFIRMED)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("site_events:detail", args=[event.pk]),
            {"name": "Ana Sousa", "email": "ana@example.net", "website": ""},
        )
    assert response.status_code == 302
    registration = Registration.objects.get(email="ana@example.net")
    assert registration.status == Registration.Status.PENDING
    assert mail.outbox[-1].to == ["ana@example.net"]
    confirm_url = links(mail.outbox[-1].body)["confirm"]
    # Opening the link (as a mail scanner would) confirms nothing.
    assert client.get(confirm_url).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(confirm_url)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.WAITLISTED
    assert "waitlist" in page.content.decode()
    assert "waitlist" in mail.outbox[-1].body
    # The seated person cancels by their link: the place goes to Ana.
    cancel_url = links(mail.outbox[-1].body)["cancel"]
    assert cancel_url
    from openmil.events.services import registration_token

    seated_cancel = reverse(
        "site_events:cancel",
        args=[registration_token(registration=waiting, purpose="cancel")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(seated_cancel)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.code in mail.outbox[-1].body
    assert (
        AuditEntry.objects.filter(
            object_type="registration", object_id=str(registration.pk)
        ).count()
        >= 3
    )


def test_a_tampered_link_is_not_found(lab_a):
    assert Client().get("/site/events/confirm/not-a-token/").status_code == 404
    assert Client().post("/site/events/cancel/not-a-token/").status_code == 404


def test_bad_input_shows_messages_not_errors(lab_a):
    event = EventFactory(lab=lab_a)
    response = Client().post(
        reverse("site_events:detail", args=[event.pk]),
        {"name": "", "email": "not-an-address"},
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode() or (
        "errorlist" in response.content.decode()
    )
    assert not Registration.objects.exists()


def test_a_filled_honeypot_keeps_nothing(lab_a):
    event = EventFactory(lab=lab_a)
    response = Client().post(
        reverse("site_events:detail", args=[event.pk]),
        {"name": "Bot", "email": "bot@example.net", "website": "http://spam"},
    )
    assert response.status_code == 302
    assert not Registration.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=//evil></iframe>",
    ],
)
def test_scripts_in_a_description_never_reach_the_page(lab_a, coordinator, payload):
    event = EventFactory(lab=lab_a, description=f"**Bring food** {payload}")
    for client, url in (
        (Client(), reverse("site_events:detail", args=[event.pk])),
        (_signed_in(coordinator), reverse("events:detail", args=[event.pk])),
    ):
        body = client.get(url).content.decode()
        assert "<strong>Bring food</strong>" in body
        description = body.split('class="description">', 1)[1].split("</div>", 1)[0]
        tags = html_tags(description)
        assert {name for name, _attrs in tags} <= {"p", "strong", "a"}
        for _name, attrs in tags:
            assert not [a for a in attrs if a[0].startswith("on")]
            assert not [a for a in attrs if "javascript" in (a[1] or "")]


def html_tags(fragment: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element of an HTML fragment with its attributes."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(fragment)
    return found


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_registration_form_is_throttled_by_address(lab_a, settings):
    event = EventFactory(lab=lab_a, capacity=100)
    url = reverse("site_events:detail", args=[event.pk])
    statuses = [
        Client(REMOTE_ADDR="203.0.113.7")
        .post(url, {"name": f"P {i}", "email": f"p{i}@example.net"})
        .status_code
        for i in range(21)
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert Registration.objects.count() == 20
    # Another address is not held back.
    other = Client(REMOTE_ADDR="198.51.100.1").post(
        url, {"name": "Q", "email": "q@example.net"}
    )
    assert other.status_code == 302


def _signup(lab, **extra):
    return {
        "lab": lab.pk,
        "name": "Rui Mentor",
        "email": "rui@example.net",
        "role": "mentor",
        "languages": ["pt", "fa"],
        "skills": "cooking, maths ,",
        "availability": ["weekends", "weekday_evenings"],
        "place": "Arroios",
        "interests": ["language", "economic"],
        "gender_preference": "men",
        "consent": "on",
        **extra,
    }


def test_volunteer_sign_up_waits_for_vetting(lab_a):
    response = Client().post(reverse("site_volunteer:signup"), _signup(lab_a))
    assert response.status_code == 302
    volunteer = Volunteer.objects.get()
    assert volunteer.lab == lab_a
    assert volunteer.status == Volunteer.Status.APPLIED
    assert volunteer.languages == ["pt", "fa"]
    assert volunteer.skills == ["cooking", "maths"]
    assert volunteer.interests == ["language", "economic"]
    assert volunteer.gender_preference == "men"


def test_volunteer_sign_up_rejects_unknown_languages_and_spam(lab_a):
    response = Client().post(
        reverse("site_volunteer:signup"), _signup(lab_a, languages=["xx"])
    )
    assert response.status_code == 422
    response = Client().post(
        reverse("site_volunteer:signup"), _signup(lab_a, website="buy now")
    )
    assert response.status_code == 302
    assert not Volunteer.objects.exists()


def test_volunteer_sign_up_is_throttled(lab_a):
    limit = int(SIGNUP_RATE.split("/")[0])
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        client.post(
            reverse("site_volunteer:signup"),
            _signup(lab_a, email=f"v{i}@example.net"),
        ).status_code
        for i in range(limit + 1)
    ]
    assert codes[-1] == 429
    assert (
        "Too many requests"
        in client.post(
            reverse("site_volunteer:signup"), _signup(lab_a)
        ).content.decode()
    )
    assert Volunteer.objects.count() == limit


def test_an_event_calendar_file_is_valid_icalendar(lab_a):
    event = EventFactory(lab=lab_a, title="Open kitchen", place="Hall; room 2")
    response = Client().get(reverse("site_events:ics", args=[event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Open kitchen"
    assert str(vevent["LOCATION"]) == "Hall; room 2"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.ends_at
    assert str(vevent["UID"]).startswith(f"event-{event.pk}@")
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_the_lab_feed_lists_its_public_events_and_cancellations(lab_a, lab_b):
    one = EventFactory(lab=lab_a)
    gone = EventFactory(lab=lab_a, status=Event.Status.CANCELLED)
    EventFactory(lab=lab_a, status=Event.Status.DRAFT)
    EventFactory(lab=lab_b)
    response = Client().get(reverse("site_events:lab_feed", args=[lab_a.slug]))
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    domain = str(next(iter(events))).split("@", 1)[1]
    assert events == {
        f"event-{one.pk}@{domain}": "CONFIRMED",
        f"event-{gone.pk}@{domain}": "CANCELLED",
    }
    assert Client().get("/site/events/labs/nowhere.ics").status_code == 404


def test_public_times_are_shown_in_the_labs_zone(lab_a):
    starts = dt.datetime(2030, 7, 1, 17, 0, tzinfo=dt.UTC)  # 18:00 in Lisbon
    event = EventFactory(
        lab=lab_a, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    body = Client().get(reverse("site_events:detail", args=[event.pk])).content.decode()
    assert "6 p.m." in body or "18:00" in body
    assert timezone.is_aware(event.starts_at)


@pytest.mark.parametrize("which", ["event", "volunteer"])
def test_every_public_form_field_has_a_label_and_its_help_is_linked(lab_a, which):
    event = EventFactory(lab=lab_a)
    url = (
        reverse("site_events:detail", args=[event.pk])
        if which == "event"
        else reverse("site_volunteer:signup")
    )
    body = Client().get(url).content.decode()
    tags = html_tags(body)
    labelled = {dict(attrs).get("for") for name, attrs in tags if name == "label"}
    ids = {dict(attrs).get("id") for _name, attrs in tags}
    fields = [
        dict(attrs)
        for name, attrs in tags
        if name in ("input", "select", "textarea")
        and dict(attrs).get("type") != "hidden"
    ]
    assert fields
    for field in fields:
        assert field.get("id") in labelled, field
        described = field.get("aria-describedby")
        if described:
            assert described in ids, field
