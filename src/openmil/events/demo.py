"""Demo events, registrations, volunteers and mentoring pairs for a lab
(called by the demo generator). Deterministic and small."""

import datetime as dt
import zoneinfo

from django.db.models import Case, When

from openmil.core.models import Lab
from openmil.events.models import (
    Event,
    MentoringMeeting,
    MentoringPair,
    Registration,
    Volunteer,
)
from openmil.participants.models import Participant

EVENTS = [
    # title, kind, days ahead, hour, capacity, registrations, description
    (
        "World kitchen evening",
        Event.Kind.INTERCULTURAL,
        1,
        18,
        4,
        6,
        "Bring a dish from home and **share the recipe**.",
    ),
    (
        "Language café",
        Event.Kind.MEETING,
        8,
        17,
        20,
        5,
        "Practise the language over coffee, every level welcome.",
    ),
    (
        "Start your business: first steps",
        Event.Kind.WORKSHOP,
        15,
        10,
        12,
        3,
        "A morning with local entrepreneurs.\n\n- ideas\n- money\n- paperwork",
    ),
]

VOLUNTEERS = [
    # name, role, languages, status, interests, gender, mentees at most, skills
    (
        "Inês Carvalho",
        Volunteer.Role.MENTOR,
        ["pt", "en"],
        "approved",
        ["economic"],
        "female",
        2,
        ["CV writing"],
    ),
    (
        "Omar Haddad",
        Volunteer.Role.BOTH,
        ["ar", "fr"],
        "approved",
        ["language"],
        "male",
        1,
        ["football"],
    ),
    (
        "Marta Ribeiro",
        Volunteer.Role.VOLUNTEER,
        ["pt"],
        "interviewed",
        ["civic"],
        "",
        1,
        [],
    ),
    (
        "Yusuf Demir",
        Volunteer.Role.MENTOR,
        ["tr", "de"],
        "applied",
        ["intercultural"],
        "male",
        1,
        [],
    ),
    # Mentors with room for matching rounds.
    (
        "Leila Ahmadi",
        Volunteer.Role.MENTOR,
        ["fa", "ps", "en"],
        "approved",
        ["civic"],
        "female",
        2,
        ["cooking"],
    ),
    (
        "Olena Kovalenko",
        Volunteer.Role.MENTOR,
        ["uk", "ru", "en"],
        "approved",
        ["economic"],
        "female",
        2,
        ["accounting"],
    ),
    (
        "Samuel Tesfaye",
        Volunteer.Role.MENTOR,
        ["ti", "am", "ar"],
        "approved",
        ["intercultural"],
        "male",
        1,
        ["football", "music"],
    ),
    (
        "Rahim Uddin",
        Volunteer.Role.BOTH,
        ["bn", "ur", "en"],
        "approved",
        ["language"],
        "male",
        2,
        ["cricket"],
    ),
    (
        "Amal Benali",
        Volunteer.Role.MENTOR,
        ["ar", "fr", "en"],
        "approved",
        ["economic", "language"],
        "female",
        3,
        ["cooking", "sewing"],
    ),
]
#: The first mentors are already paired (the others wait for a round).
PAIRED = 2


def populate_lab(*, lab: Lab, today: dt.date) -> None:
    zone = zoneinfo.ZoneInfo(lab.time_zone)
    for title, kind, ahead, hour, capacity, people, description in EVENTS:
        starts = dt.datetime.combine(
            today + dt.timedelta(days=ahead), dt.time(hour), tzinfo=zone
        )
        event = Event.objects.create(
            lab=lab,
            title=title,
            kind=kind,
            description=description,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place="Community hall",
            capacity=capacity,
            status=Event.Status.PUBLISHED,
        )
        for n in range(people):
            Registration.objects.create(
                event=event,
                name=f"Guest {n + 1}",
                email=f"guest{n + 1}.{event.pk}@example.org",
                status=(
                    Registration.Status.CONFIRMED
                    if n < capacity
                    else Registration.Status.WAITLISTED
                ),
                confirmed_at=starts - dt.timedelta(days=3, minutes=people - n),
            )
    mentors = []
    local = (lab.working_languages or ["en"])[0]
    for index, row in enumerate(VOLUNTEERS):
        name, role, languages, status, interests, gender, most, skills = row
        volunteer = Volunteer.objects.create(
            lab=lab,
            name=name,
            email=f"{name.split()[0].lower()}.{lab.slug}@example.org",
            role=role,
            # Every volunteer also speaks the lab's language.
            languages=list(dict.fromkeys([*languages, local])),
            availability=(
                ["weekday_evenings", "weekends"]
                if index % 2 == 0
                else ["weekday_afternoons", "weekends"]
            ),
            interests=interests,
            skills=skills,
            gender=gender,
            max_mentees=most,
            place=lab.territory,
            status=status,
            background_check_on=(
                today - dt.timedelta(days=40) if status == "approved" else None
            ),
        )
        if status == "approved":
            mentors.append(volunteer)
    paired = mentors[:PAIRED]
    # The first pair is the person whose space the demo signs in to (the
    # first Arabic speaker by reference, see portal.demo), so it shows a mentor.
    persons = list(
        Participant.objects.filter(lab=lab)
        .annotate(arabic=Case(When(mother_tongue="ar", then=0), default=1))
        .order_by("arabic", "reference")[: len(paired)]
    )
    for index, (mentor, person) in enumerate(zip(paired, persons, strict=False)):
        pair = MentoringPair.objects.create(
            lab=lab,
            mentor=mentor,
            participant=person,
            started_on=today - dt.timedelta(weeks=12),
        )
        # The first pair meets every fortnight; the second stopped meeting.
        last = 1 if index == 0 else 7
        for weeks in range(last, 12, 2):
            MentoringMeeting.objects.create(
                pair=pair,
                on=today - dt.timedelta(weeks=weeks),
                duration_minutes=60,
                note="Coffee and paperwork",
            )
