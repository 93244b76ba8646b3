"""Activity pages: list by pillar, detail, cohort with enrolment, waitlist
and mix, attendance grid (htmx cell and whole session), calendar feeds,
and the facilitator's sessions on the home page."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation
from icalendar import Calendar
from pytest_django.asserts import assertContains, assertNotContains

from openmil.activities.models import (
    Activity,
    Attendance,
    CalendarFeed,
    Cohort,
    Enrolment,
    LabActivitySettings,
    Session,
)
from openmil.core.models import AuditEntry
from openmil.core.roles import Role
from openmil.participants.models import Participant
from tests.activities.factories import (
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    at,
)
from tests.conftest import client_for
from tests.factories import ParticipantFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_english():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def cohort(lab_a):
    return CohortFactory(
        activity=ActivityFactory(lab=lab_a, title="Portuguese A1"),
        name="Evening group",
        capacity=1,
    )


def test_activity_list_filters_by_pillar(lab_a, facilitator):
    ActivityFactory(lab=lab_a, title="Portuguese A1", pillar="language")
    ActivityFactory(lab=lab_a, title="Start a business", pillar="economic")
    client = client_for(facilitator)
    response = client.get("/activities/", {"pillar": "economic"})
    assertContains(response, "Start a business")
    assertNotContains(response, "Portuguese A1")
    assertContains(client.get("/activities/"), "Portuguese A1")


def test_coordinator_creates_an_activity_and_a_cohort(lab_a, coordinator):
    client = client_for(coordinator)
    response = client.post(
        f"/activities/new/?lab={lab_a.pk}",
        {
            "lab": lab_a.pk,
            "title": "Welcome evening",
            "kind": "intercultural_event",
            "pillar": "intercultural",
        },
    )
    activity = Activity.objects.get(title="Welcome evening")
    assert response["Location"] == f"/activities/{activity.pk}/"
    response = client.post(
        f"/activities/{activity.pk}/cohorts/",
        {"name": "June", "capacity": 12, "target_newcomer_share": 60},
    )
    cohort = Cohort.objects.get(activity=activity)
    assert response["Location"] == f"/activities/cohorts/{cohort.pk}/"
    assert cohort.target_newcomer_share == 60


def test_activity_form_errors_are_shown_in_the_users_language(lab_a, coordinator):
    client = client_for(coordinator)
    response = client.post(
        "/activities/new/",
        {"lab": lab_a.pk, "title": "", "kind": "nonsense", "pillar": "language"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assertContains(response, "Ce champ est obligatoire.")
    assert not Activity.objects.exists()


def test_facilitator_enrols_then_the_next_goes_to_the_waitlist(
    cohort, lab_a, facilitator
):
    first, second = (ParticipantFactory(lab=lab_a) for _ in range(2))
    client = client_for(facilitator)
    url = f"/activities/cohorts/{cohort.pk}/enrol/"
    response = client.post(url, {"participant": first.pk}, follow=True)
    assertContains(response, f"{first.full_name} is enrolled.")
    response = client.post(url, {"participant": second.pk}, follow=True)
    assertContains(response, "The cohort is full")
    waitlist = response.content.decode().split('id="h-waitlist"')[1]
    assert second.full_name in waitlist
    enrolment = Enrolment.objects.get(participant=first)
    response = client.post(f"/activities/enrolments/{enrolment.pk}/withdraw/")
    assert Enrolment.objects.get(participant=second).status == "enrolled"


def test_enrolling_someone_of_another_lab_is_not_found(cohort, lab_b, coordinator):
    stranger = ParticipantFactory(lab=lab_b)
    response = client_for(coordinator).post(
        f"/activities/cohorts/{cohort.pk}/enrol/", {"participant": stranger.pk}
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_enrol_search_finds_people_of_the_cohorts_lab_only(
    cohort, lab_a, lab_b, facilitator
):
    ParticipantFactory(lab=lab_a, given_name="Samira", family_name="Odeh")
    ParticipantFactory(lab=lab_b, given_name="Samira", family_name="Rossi")
    response = client_for(facilitator).get(
        f"/activities/cohorts/{cohort.pk}/search/", {"q": "samira"}
    )
    assertContains(response, "Odeh")
    assertNotContains(response, "Rossi")
    assert AuditEntry.objects.filter(object_type="participant_list").exists()


def test_cohort_page_shows_the_mix_flag_and_logs_who_was_listed(lab_a, facilitator):
    LabActivitySettings.objects.create(lab=lab_a, target_newcomer_share=50)
    cohort = CohortFactory(activity=ActivityFactory(lab=lab_a), capacity=10)
    for _ in range(4):
        EnrolmentFactory(
            cohort=cohort,
            participant=ParticipantFactory(
                lab=lab_a, profile=Participant.Profile.NEWCOMER
            ),
        )
    response = client_for(facilitator).get(f"/activities/cohorts/{cohort.pk}/")
    assertContains(response, "off target")
    assertContains(response, "50 points above the target")
    entry = AuditEntry.objects.get(object_type="participant_list")
    assert len(entry.changes["participants"]) == 4


def test_coordinator_sets_the_labs_target_mix(lab_a, coordinator):
    response = client_for(coordinator).post(
        f"/activities/labs/{lab_a.pk}/target/",
        {f"lab{lab_a.pk}-target_newcomer_share": 65},
    )
    assert response.status_code == 302
    assert LabActivitySettings.objects.get(lab=lab_a).target_newcomer_share == 65


def test_coordinator_plans_a_session_in_the_labs_time(cohort, coordinator, facilitator):
    response = client_for(coordinator).post(
        f"/activities/cohorts/{cohort.pk}/sessions/",
        {
            "day": "2026-01-15",
            "start": "18:30",
            "end": "20:00",
            "place": "Room 1",
            "facilitator": facilitator.pk,
        },
    )
    assert response.status_code == 302
    session = Session.objects.get()
    # Lisbon is on UTC in winter.
    assert session.starts_at == dt.datetime(2026, 1, 15, 18, 30, tzinfo=dt.UTC)
    assert session.facilitator == facilitator


@pytest.fixture
def class_of_two(cohort, lab_a):
    cohort.capacity = 5
    cohort.save()
    people = [ParticipantFactory(lab=lab_a) for _ in range(2)]
    for p in people:
        EnrolmentFactory(cohort=cohort, participant=p)
    session = SessionFactory(cohort=cohort, starts_at=at(-1))
    return session, people


def test_attendance_cell_saves_through_htmx(class_of_two, facilitator):
    session, (ana, ben) = class_of_two
    response = client_for(facilitator).post(
        f"/activities/sessions/{session.pk}/attendance/",
        {"participant": ana.pk, f"p{ana.pk}": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<td")
    assert 'value="present" selected' in body
    assert Attendance.objects.get(participant=ana).status == "present"


def test_a_refused_cell_answers_422_with_the_reason(cohort, class_of_two, facilitator):
    _session, (ana, _ben) = class_of_two
    coming = SessionFactory(cohort=cohort, starts_at=at(3))
    response = client_for(facilitator).post(
        f"/activities/sessions/{coming.pk}/attendance/",
        {"participant": ana.pk, f"p{ana.pk}": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert b"not started yet" in response.content
    assert not Attendance.objects.exists()


def test_whole_session_form_marks_the_others_present(class_of_two, facilitator):
    session, (ana, ben) = class_of_two
    response = client_for(facilitator).post(
        f"/activities/sessions/{session.pk}/attendance/",
        {f"p{ana.pk}": "absent", f"p{ben.pk}": "", "all": "present"},
    )
    assert response.status_code == 302
    marks = dict(Attendance.objects.values_list("participant_id", "status"))
    assert marks == {ana.pk: "absent", ben.pk: "present"}


def test_attendance_page_shows_rates_and_logs_the_list(class_of_two, facilitator):
    session, (ana, ben) = class_of_two
    AttendanceFactory(session=session, participant=ana)
    response = client_for(facilitator).get(
        f"/activities/cohorts/{session.cohort_id}/attendance/"
    )
    assertContains(response, ana.full_name)
    assertContains(response, "100 %")
    assertContains(response, "50 %")
    assertContains(response, f'name="p{ben.pk}"')
    assertContains(response, '<option value="absent">Absent</option>')
    entry = AuditEntry.objects.get(object_type="participant_list")
    assert sorted(entry.changes["participants"]) == sorted([ana.pk, ben.pk])


def test_attendance_cells_escape_names_once_and_only_once(class_of_two, facilitator):
    session, (ana, _ben) = class_of_two
    Participant.objects.filter(pk=ana.pk).update(
        given_name='<b onmouseover="x()">Ana', family_name="O'Neil & Co"
    )
    client = client_for(facilitator)
    grid = client.get(f"/activities/cohorts/{session.cohort_id}/attendance/")
    cell = client.post(
        f"/activities/sessions/{session.pk}/attendance/",
        {"participant": ana.pk, f"p{ana.pk}": "present"},
        HTTP_HX_REQUEST="true",
    )
    for body in (grid.content.decode(), cell.content.decode()):
        assert "<b onmouseover" not in body
        assert "&lt;b onmouseover=&quot;x()&quot;&gt;Ana O&#x27;Neil &amp; Co" in body
        assert "&amp;lt;" not in body  # not escaped twice


def test_home_page_lists_my_sessions_this_week(cohort, facilitator):
    SessionFactory(cohort=cohort, facilitator=facilitator, starts_at=at(2))
    response = client_for(facilitator).get("/")
    assertContains(response, "My sessions this week")
    assertContains(response, "Portuguese A1")


def test_facilitator_feed_is_served_without_a_session_and_revoked_when_renewed(
    cohort, facilitator
):
    session = SessionFactory(
        cohort=cohort, facilitator=facilitator, starts_at=at(2), place="Room 7"
    )
    client = client_for(facilitator)
    response = client.post("/activities/calendar/", follow=True)
    url = response.context["url"]
    assert url.startswith("http://testserver/activities/feeds/")
    anonymous = client_for(member(cohort.activity.lab, Role.MENTOR))
    anonymous.logout()
    feed = anonymous.get(url)
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["location"]) for e in events] == ["Room 7"]
    assert events[0].decoded("dtstart") == session.starts_at
    assert CalendarFeed.objects.get(revoked_at__isnull=True).last_used_at

    assert client.get("/activities/calendar/").context["url"] is None
    client.post("/activities/calendar/")
    assert anonymous.get(url).status_code == 404


def test_participant_feed_lists_the_sessions_of_enrolled_cohorts(
    cohort, lab_a, facilitator
):
    person = ParticipantFactory(lab=lab_a)
    EnrolmentFactory(cohort=cohort, participant=person)
    SessionFactory(cohort=cohort, starts_at=at(4), place="Room 9")
    other = CohortFactory(activity=cohort.activity)
    SessionFactory(cohort=other, starts_at=at(4), place="Elsewhere")
    response = client_for(facilitator).post(
        f"/activities/participants/{person.pk}/calendar/", follow=True
    )
    assert response.status_code == 200
    assertContains(response, "Room 9")
    feed = client_for(facilitator).get(response.context["url"])
    body = feed.content.decode()
    assert "Room 9" in body
    assert "Elsewhere" not in body
    assert person.given_name not in body


def test_a_made_up_feed_token_is_not_found(db):
    from django.test import Client

    assert Client().get("/activities/feeds/not-a-token.ics").status_code == 404


def test_others_present_leaves_out_records_the_facilitator_may_not_see(
    class_of_two, facilitator, lab_a
):
    session, (ana, ben) = class_of_two
    hidden = ParticipantFactory(lab=lab_a, processing_restricted=True)
    EnrolmentFactory(cohort=session.cohort, participant=hidden)
    response = client_for(facilitator).post(
        f"/activities/sessions/{session.pk}/attendance/", {"all": "present"}
    )
    assert response.status_code == 302
    marked = set(Attendance.objects.values_list("participant_id", flat=True))
    assert marked == {ana.pk, ben.pk}
