"""Demo programme of a lab: activities in every pillar, cohorts, weekly
sessions from three weeks ago to three weeks ahead, enrolments with a
waitlist, and attendance for the sessions held.

Deterministic for a lab (its own random generator, seeded by the lab's
short name) and written with bulk inserts, so the demo stays fast.
"""

import datetime as dt
import random
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone

from openmil.activities.models import (
    Activity,
    Attendance,
    Cohort,
    Enrolment,
    LabActivitySettings,
    Session,
)
from openmil.core.models import Lab, Membership
from openmil.core.pillars import Pillar
from openmil.core.roles import Role
from openmil.participants.models import Participant

#: (pillar, kind, title, partner kind or "" for the lab itself)
PROGRAMME = [
    (Pillar.LANGUAGE, Activity.Kind.COURSE, "Host language A1", "education"),
    (Pillar.LANGUAGE, Activity.Kind.COURSE, "Host language B1 for work", ""),
    (Pillar.ECONOMIC, Activity.Kind.WORKSHOP, "Start your own business", "incubator"),
    (Pillar.ECONOMIC, Activity.Kind.INFORMATION_SESSION, "Finding work here", "public"),
    (Pillar.CIVIC, Activity.Kind.COURSE, "Living here: rights and duties", ""),
    (Pillar.CIVIC, Activity.Kind.INFORMATION_SESSION, "Health care and housing", ""),
    (
        Pillar.INTERCULTURAL,
        Activity.Kind.MENTORING_GROUP,
        "Buddy pairs with locals",
        "community",
    ),
    (
        Pillar.INTERCULTURAL,
        Activity.Kind.INTERCULTURAL_EVENT,
        "Cooking and stories evening",
        "",
    ),
]
PLACES = ("Room 1", "Room 2", "Community hall", "Library")
WEEKS_BEFORE, WEEKS_AFTER = 3, 3


def populate_lab(*, lab: Lab, today: dt.date) -> None:
    """Create the lab's demo programme (the caller skips existing labs)."""
    rng = random.Random(f"activities-{lab.slug}")  # noqa: S311 - demo data
    zone = zoneinfo.ZoneInfo(lab.time_zone)
    staff: list[Any] = [
        m.user
        for m in Membership.objects.filter(
            lab=lab, role=Role.FACILITATOR
        ).select_related("user")
    ] or [None]
    partners = {o.kind: o for o in lab.organisations.all()}
    people = list(
        Participant.objects.filter(lab=lab).order_by("id").values_list("id", "profile")
    )
    newcomers = [pid for pid, profile in people if profile == "newcomer"]
    nationals = [pid for pid, profile in people if profile == "national"]
    now = timezone.now()
    with transaction.atomic():
        LabActivitySettings.objects.get_or_create(
            lab=lab, defaults={"target_newcomer_share": 60}
        )
        activities = Activity.objects.bulk_create(
            Activity(
                lab=lab,
                title=title,
                kind=kind,
                pillar=pillar,
                organisation=partners.get(partner) if partner else None,
            )
            for pillar, kind, title, partner in PROGRAMME
        )
        start = today - dt.timedelta(weeks=WEEKS_BEFORE)
        cohorts = Cohort.objects.bulk_create(
            Cohort(
                activity=activity,
                name=f"{start:%B %Y}",
                starts_on=start,
                ends_on=start + dt.timedelta(weeks=WEEKS_BEFORE + WEEKS_AFTER - 1),
                capacity=rng.choice([10, 12, 14, 16]),
                # Every other cohort aims at an even mix instead of the lab's.
                target_newcomer_share=50 if i % 2 else None,
            )
            for i, activity in enumerate(activities)
        )
        sessions: list[Session] = []
        for i, cohort in enumerate(cohorts):
            hour = rng.choice([10, 14, 18])
            for week in range(WEEKS_BEFORE + WEEKS_AFTER):
                day = start + dt.timedelta(weeks=week, days=i % 5)
                starts = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
                sessions.append(
                    Session(
                        cohort=cohort,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(hours=2),
                        place=PLACES[i % len(PLACES)],
                        facilitator=staff[i % len(staff)],
                    )
                )
        Session.objects.bulk_create(sessions)
        enrolments: list[Enrolment] = []
        for cohort in cohorts:
            # Some cohorts lean to newcomers, others are even: the mix page
            # then shows both sides of the target.
            share = rng.choice([0.4, 0.5, 0.6, 0.8])
            wanted = cohort.capacity + rng.choice([0, 1, 2, 3])
            n_new = min(len(newcomers), round(wanted * share))
            chosen = rng.sample(newcomers, n_new) + rng.sample(
                nationals, min(len(nationals), wanted - n_new)
            )
            rng.shuffle(chosen)
            for k, pid in enumerate(chosen):
                asked = timezone.make_aware(
                    dt.datetime.combine(start, dt.time(9))
                ) - dt.timedelta(days=14, minutes=-k)
                enrolled = k < cohort.capacity
                enrolments.append(
                    Enrolment(
                        cohort=cohort,
                        participant_id=pid,
                        status=Enrolment.Status.ENROLLED
                        if enrolled
                        else Enrolment.Status.WAITLISTED,
                        requested_at=asked,
                        enrolled_at=asked if enrolled else None,
                    )
                )
        Enrolment.objects.bulk_create(enrolments)
        by_cohort: dict[int, list[int]] = {}
        for e in enrolments:
            if e.status == Enrolment.Status.ENROLLED:
                by_cohort.setdefault(e.cohort_id, []).append(e.participant_id)
        marks = [
            Attendance(
                session=session,
                participant_id=pid,
                status=rng.choices(Attendance.Status.values, weights=[80, 10, 10])[0],
                recorded_by=session.facilitator,
                recorded_at=session.ends_at,
            )
            for session in sessions
            if session.starts_at <= now
            for pid in by_cohort.get(session.cohort_id, [])
        ]
        Attendance.objects.bulk_create(marks, batch_size=2000)
