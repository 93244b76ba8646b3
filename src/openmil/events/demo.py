"""Demo events, registrations, volunteers and mentoring pairs for a lab
(called by the demo generator). Deterministic and small."""

import datetime as dt
import zoneinfo
from decimal import Decimal

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
#: Neighbourhoods and towns of each demo lab's territory where a mentor or a
#: mentee can meet, with the coordinates of their centre to 2 decimals
#: (about 1 km). A territory not listed gets no coordinates.
MEETING_AREAS: dict[str, list[tuple[str, float, float]]] = {
    "Lisboa": [
        ("Arroios", 38.73, -9.13),
        ("Alvalade", 38.75, -9.14),
        ("Benfica", 38.75, -9.20),
        ("Marvila", 38.75, -9.11),
        ("Alcântara", 38.70, -9.18),
        ("Amadora", 38.75, -9.23),
        ("Odivelas", 38.79, -9.18),
        ("Almada", 38.68, -9.16),
    ],
    "Torino": [
        ("San Salvario", 45.05, 7.68),
        ("Aurora", 45.08, 7.68),
        ("Barriera di Milano", 45.10, 7.70),
        ("San Paolo", 45.07, 7.64),
        ("Mirafiori", 45.03, 7.63),
        ("Vanchiglia", 45.07, 7.70),
        ("Moncalieri", 45.00, 7.68),
        ("Collegno", 45.08, 7.57),
    ],
    "Leipzig": [
        ("Zentrum", 51.34, 12.37),
        ("Connewitz", 51.31, 12.38),
        ("Plagwitz", 51.33, 12.33),
        ("Gohlis", 51.36, 12.37),
        ("Grünau", 51.32, 12.29),
        ("Reudnitz", 51.34, 12.40),
        ("Paunsdorf", 51.35, 12.45),
        ("Markkleeberg", 51.28, 12.37),
    ],
    "Attica": [
        ("Kypseli", 37.99, 23.74),
        ("Pagrati", 37.97, 23.75),
        ("Kallithea", 37.96, 23.70),
        ("Peristeri", 38.01, 23.69),
        ("Piraeus", 37.94, 23.65),
        ("Marousi", 38.05, 23.81),
        ("Nea Smyrni", 37.95, 23.71),
        ("Elefsina", 38.04, 23.54),
    ],
    "Métropole de Lyon": [
        ("Croix-Rousse", 45.77, 4.83),
        ("La Guillotière", 45.75, 4.84),
        ("Villeurbanne", 45.77, 4.88),
        ("Vaulx-en-Velin", 45.78, 4.92),
        ("Vénissieux", 45.70, 4.89),
        ("Part-Dieu", 45.76, 4.86),
        ("Gerland", 45.73, 4.83),
        ("Rillieux-la-Pape", 45.82, 4.90),
    ],
    "Skåne": [
        ("Möllevången", 55.59, 13.01),
        ("Rosengård", 55.58, 13.04),
        ("Västra Hamnen", 55.61, 12.98),
        ("Limhamn", 55.58, 12.93),
        ("Husie", 55.58, 13.07),
        ("Hyllie", 55.56, 12.98),
        ("Burlöv", 55.63, 13.09),
        ("Lund", 55.70, 13.19),
    ],
    "Oost-Vlaanderen": [
        ("Binnenstad", 51.05, 3.72),
        ("Sluizeken", 51.06, 3.73),
        ("Ledeberg", 51.04, 3.74),
        ("Brugse Poort", 51.06, 3.70),
        ("Gentbrugge", 51.05, 3.76),
        ("Sint-Amandsberg", 51.06, 3.75),
        ("Wondelgem", 51.09, 3.72),
        ("Merelbeke", 51.00, 3.75),
    ],
}


def meeting_area(lab: Lab, index: int) -> tuple[str, Decimal, Decimal] | None:
    """The index-th meeting area of the lab's territory (cycling), if known."""
    areas = MEETING_AREAS.get(lab.territory)
    if not areas:
        return None
    name, latitude, longitude = areas[index % len(areas)]
    return name, Decimal(str(latitude)), Decimal(str(longitude))


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
        area = meeting_area(lab, index)
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
            place=area[0] if area else lab.territory,
            latitude=area[1] if area else None,
            longitude=area[2] if area else None,
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
