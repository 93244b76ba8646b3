"""Every events and volunteers page and API operation, requested by every role
that must not get through, and by a coordinator of another lab (see
tests/ventures/sweep.py); the public pages, requested by anonymous visitors.

A new page or endpoint without an entry here fails the completeness tests.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openmil.events.models import (
    Event,
    MentoringMeeting,
    MentoringPair,
    Registration,
    Volunteer,
    VolunteerStatusChange,
)
from openmil.events.services import registration_token
from tests.core.test_access_sweep import (  # noqa: F401 - the fixture
    Operation,
    Page,
    World,
    world,
)
from tests.events.factories import (
    ApprovedMentorFactory,
    EventFactory,
    PairFactory,
    RegistrationFactory,
    VolunteerFactory,
)
from tests.factories import ParticipantFactory
from tests.ventures import sweep

NAMESPACES = ("events:", "volunteers:")
PUBLIC_NAMESPACES = ("site_events:", "site_volunteer:")
API_PATHS = (
    "/api/v1/events",
    "/api/v1/registrations/",
    "/api/v1/volunteers",
    "/api/v1/mentoring-pairs",
)


@dataclass
class EventsWorld(World):
    event: Event | None = None
    public_event: Event | None = None
    registration: Registration | None = None
    volunteer: Volunteer | None = None
    mentor: Volunteer | None = None
    pair: MentoringPair | None = None
    unpaired: Any = None


@pytest.fixture
def eworld(world: World) -> EventsWorld:  # noqa: F811
    event = EventFactory(
        lab=world.lab, title="Zuleikha's supper club", status=Event.Status.DRAFT
    )
    registration = RegistrationFactory(
        event=event, name="Registrant Quennell", email="quennell@example.net"
    )
    public_event = EventFactory(lab=world.lab, title="Open day")
    RegistrationFactory(
        event=public_event, name="Registrant Ottoline", email="ottoline@example.net"
    )
    volunteer = VolunteerFactory(
        lab=world.lab, name="Volunteer Pemberton", email="pemberton@example.net"
    )
    mentor = ApprovedMentorFactory(
        lab=world.lab, name="Mentor Fairweather", email="fairweather@example.net"
    )
    pair = PairFactory(
        mentor=mentor,
        participant=world.participant,
        started_on=timezone.localdate() - dt.timedelta(days=30),
    )
    unpaired = ParticipantFactory(lab=world.lab, caseworker=world.facilitator)
    return EventsWorld(
        **world.__dict__,
        unpaired=unpaired,
        event=event,
        public_event=public_event,
        registration=registration,
        volunteer=volunteer,
        mentor=mentor,
        pair=pair,
    )


def secrets(w: EventsWorld) -> list[str]:
    return [
        *w.personal_data,
        w.event.title,
        "Quennell",
        "quennell@example.net",
        "Ottoline",
        "ottoline@example.net",
        "Pemberton",
        "Fairweather",
        "fairweather@example.net",
    ]


state = sweep.make_database_state(
    (
        Event,
        Registration,
        Volunteer,
        VolunteerStatusChange,
        MentoringPair,
        MentoringMeeting,
    )
)


def _e(w: EventsWorld) -> dict[str, int]:
    return {"event_id": w.event.pk}


def _r(w: EventsWorld) -> dict[str, int]:
    return {"registration_id": w.registration.pk}


def _v(w: EventsWorld) -> dict[str, int]:
    return {"volunteer_id": w.volunteer.pk}


def _pair(w: EventsWorld) -> dict[str, int]:
    return {"pair_id": w.pair.pk}


def _lab(w: EventsWorld) -> dict[str, int]:
    return {"lab": w.lab.pk}


def _event_form(w: EventsWorld) -> dict[str, Any]:
    return {
        "title": "Language café",
        "kind": "meeting",
        "description": "Bring a friend",
        "day": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
        "start": "18:00",
        "end": "20:00",
        "place": "Library",
        "capacity": 12,
    }


def _new_person_to_pair(w: EventsWorld) -> dict[str, Any]:
    return {"mentor": w.mentor.pk, "participant": w.unpaired.pk}


PAGES: dict[str, Page] = {
    "events:list": Page(staff=True),
    "events:create": Page(staff=True, query=_lab, post=_event_form, lab_a=True),
    "events:detail": Page(staff=True, kwargs=_e, lab_a=True),
    "events:edit": Page(staff=True, kwargs=_e, post=_event_form, lab_a=True),
    "events:publish": Page(
        staff=True, kwargs=_e, get=False, post=lambda w: {}, lab_a=True
    ),
    "events:cancel": Page(
        staff=True, kwargs=_e, get=False, post=lambda w: {"confirm": "on"}, lab_a=True
    ),
    "events:register": Page(
        staff=True,
        kwargs=_e,
        get=False,
        post=lambda w: {"name": "Walk In", "email": "walkin@example.net"},
        lab_a=True,
    ),
    "events:check_in": Page(
        staff=True,
        kwargs=_e,
        post=lambda w: {"code": w.registration.code},
        lab_a=True,
    ),
    "events:registration_cancel": Page(
        staff=True, kwargs=_r, get=False, post=lambda w: {}, lab_a=True
    ),
    "volunteers:list": Page(staff=True),
    "volunteers:detail": Page(
        staff=True,
        kwargs=_v,
        post=lambda w: {"to_status": "interviewed"},
        lab_a=True,
    ),
    "volunteers:mentoring": Page(
        staff=True,
        kwargs=lambda w: {"volunteer_id": w.mentor.pk},
        get=False,
        post=lambda w: {"max_mentees": 3, "gender": "female"},
        lab_a=True,
    ),
    "volunteers:pairs": Page(staff=True, post=_new_person_to_pair),
    "volunteers:pair": Page(staff=True, kwargs=_pair, lab_a=True),
    "volunteers:meeting_log": Page(
        staff=True,
        kwargs=_pair,
        get=False,
        post=lambda w: {
            "on": timezone.localdate().isoformat(),
            "duration_minutes": 45,
            "note": "Walked to the job centre",
        },
        lab_a=True,
    ),
    "volunteers:pair_end": Page(
        staff=True, kwargs=_pair, get=False, post=lambda w: {}, lab_a=True
    ),
}

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/events"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/events"): Operation(
        body=lambda w: {"lab": w.lab.pk, **_event_form(w)}
    ),
    ("GET", "/api/v1/events/{event_id}"): Operation(path=_e),
    ("PATCH", "/api/v1/events/{event_id}"): Operation(
        path=_e, body=lambda w: {"capacity": 30}
    ),
    ("POST", "/api/v1/events/{event_id}/publish"): Operation(
        path=_e, body=lambda w: {}
    ),
    ("POST", "/api/v1/events/{event_id}/cancel"): Operation(path=_e, body=lambda w: {}),
    ("GET", "/api/v1/events/{event_id}/registrations"): Operation(path=_e),
    ("POST", "/api/v1/events/{event_id}/registrations"): Operation(
        path=_e, body=lambda w: {"name": "Walk In", "email": "walkin@example.net"}
    ),
    ("POST", "/api/v1/events/{event_id}/check-in"): Operation(
        path=_e, body=lambda w: {"code": w.registration.code}
    ),
    ("POST", "/api/v1/registrations/{registration_id}/cancel"): Operation(
        path=_r, body=lambda w: {}
    ),
    ("POST", "/api/v1/registrations/{registration_id}/check-in"): Operation(
        path=_r, body=lambda w: {}
    ),
    ("GET", "/api/v1/volunteers"): Operation(query=_lab, listing=True),
    ("GET", "/api/v1/volunteers/mentor-candidates"): Operation(query=_lab),
    ("GET", "/api/v1/volunteers/{volunteer_id}"): Operation(path=_v),
    ("POST", "/api/v1/volunteers/{volunteer_id}/transitions"): Operation(
        path=_v, body=lambda w: {"to_status": "interviewed"}
    ),
    ("GET", "/api/v1/mentoring-pairs"): Operation(query=_lab, listing=True),
    ("POST", "/api/v1/mentoring-pairs"): Operation(body=_new_person_to_pair),
    ("GET", "/api/v1/mentoring-pairs/{pair_id}"): Operation(path=_pair),
    ("POST", "/api/v1/mentoring-pairs/{pair_id}/meetings"): Operation(
        path=_pair,
        body=lambda w: {
            "on": timezone.localdate().isoformat(),
            "duration_minutes": 30,
        },
    ),
    ("POST", "/api/v1/mentoring-pairs/{pair_id}/end"): Operation(
        path=_pair, body=lambda w: {}
    ),
}


def test_the_sweep_knows_every_staff_page():
    assert sweep.url_names_in(NAMESPACES) == set(PAGES)


def test_the_sweep_knows_every_operation():
    assert sweep.api_operations_under(API_PATHS) == set(OPERATIONS)
    assert sweep.api_routes_under(API_PATHS) == {path for _m, path in OPERATIONS}


globals().update(sweep.page_tests(PAGES, state, secrets, "eworld"))
globals().update(sweep.api_tests(OPERATIONS, state, secrets, "eworld"))


# ---------------------------------------------------------------------------
# Public pages: no account needed, no personal data shown.


def _public_reg(w: EventsWorld) -> Registration:
    return w.public_event.registrations.get()


PUBLIC_PAGES: dict[str, Page] = {
    "site_events:list": Page(public=True),
    "site_events:detail": Page(
        public=True, kwargs=lambda w: {"event_id": w.public_event.pk}
    ),
    "site_events:requested": Page(
        public=True, kwargs=lambda w: {"event_id": w.public_event.pk}
    ),
    "site_events:ics": Page(
        public=True, kwargs=lambda w: {"event_id": w.public_event.pk}
    ),
    "site_events:lab_feed": Page(
        public=True, kwargs=lambda w: {"lab_slug": w.lab.slug}
    ),
    "site_events:confirm": Page(
        public=True,
        kwargs=lambda w: {
            "token": registration_token(registration=_public_reg(w), purpose="confirm")
        },
    ),
    "site_events:cancel": Page(
        public=True,
        kwargs=lambda w: {
            "token": registration_token(registration=_public_reg(w), purpose="cancel")
        },
    ),
    "site_volunteer:signup": Page(public=True),
    "site_volunteer:thanks": Page(public=True),
}

#: The registrant's own link pages greet them: their name is theirs to see.
OWN_PAGES = {"site_events:confirm", "site_events:cancel"}


def test_the_sweep_knows_every_public_page():
    assert sweep.url_names_in(PUBLIC_NAMESPACES) == set(PUBLIC_PAGES)


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_public_pages_open_without_an_account_and_show_no_personal_data(
    name, request, db
):
    w = request.getfixturevalue("eworld")
    response = sweep.request_page(PUBLIC_PAGES, Client(), "get", name, w)
    assert response.status_code == 200
    hidden = [s for s in secrets(w) if name not in OWN_PAGES or "Ottoline" not in s]
    assert not sweep.leaks(response.content.decode(), hidden)


def test_a_draft_event_is_not_public(eworld):
    client = Client()
    assert client.get(f"/site/events/{eworld.event.pk}/").status_code == 404
    assert client.get(f"/site/events/{eworld.event.pk}/event.ics").status_code == 404
