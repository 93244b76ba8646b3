"""Demo citizen projects and recommendations for a lab (called by the demo
generator): published projects in several languages with supporters and an
update, one waiting for moderation, and recommendations at several steps of
the political agenda with evidence."""

import datetime as dt
import random

from django.contrib.auth import get_user_model

from openmil.core.models import Lab
from openmil.core.pillars import Pillar
from openmil.indicators.registry import REGISTRY
from openmil.public.models import (
    Evidence,
    Participation,
    Project,
    ProjectPost,
    Recommendation,
    RecommendationStatusChange,
)

PROJECTS = [
    (
        "Community garden by the river",
        "Neighbours and newcomers grow vegetables together every Saturday.",
        "territorial",
        [Pillar.INTERCULTURAL, Pillar.CIVIC],
        [2, 11],
        "en",
        Project.Status.PUBLISHED,
    ),
    (
        "Cuisines du monde au marché",
        "Un stand où chaque semaine une famille fait goûter sa cuisine.",
        "cultural",
        [Pillar.INTERCULTURAL],
        [10],
        "fr",
        Project.Status.PUBLISHED,
    ),
    (
        "Bicycle repair cooperative",
        "Refugee mechanics and local apprentices repair and sell bikes.",
        "entrepreneurial",
        [Pillar.ECONOMIC],
        [8, 12],
        "en",
        Project.Status.PUBLISHED,
    ),
    (
        "Conversation tables at the library",
        "Volunteers and learners practise the local language over tea.",
        "associative",
        [Pillar.LANGUAGE],
        [4],
        "en",
        Project.Status.PENDING,
    ),
]
RECOMMENDATIONS = [
    (
        "Recognise foreign diplomas within three months",
        "Regional education office",
        ["proposed", "discussed", "adopted"],
    ),
    (
        "Open municipal libraries on Sundays",
        "City council",
        ["proposed", "discussed"],
    ),
    ("Free public transport during the first job search", "Transport authority", []),
]


def populate_lab_public(*, lab: Lab, seed: int, today: dt.date) -> int:
    """Create the lab's demo projects and recommendations; return how many."""
    rng = random.Random(f"public-{lab.slug}-{seed}")  # noqa: S311 - demo data
    users = get_user_model()
    citizens = []
    for n in range(12):
        citizen, _created = users.objects.get_or_create(
            username=f"citizen-{lab.slug}-{n}",
            defaults={"email": f"citizen-{lab.slug}-{n}@example.org"},
        )
        citizens.append(citizen)
    created = 0
    for i, (title, summary, kind, pillars, sdgs, language, status) in enumerate(
        PROJECTS
    ):
        project = Project.objects.create(
            lab=lab,
            owner=citizens[i],
            title=title,
            summary=summary,
            description=f"{summary}\n\n**Everyone is welcome.**",
            kind=kind,
            pillars=pillars,
            sdgs=sdgs,
            language=language,
            status=status,
        )
        created += 1
        if status != Project.Status.PUBLISHED:
            continue
        for citizen in rng.sample(citizens, rng.randint(3, 9)):
            Participation.objects.create(
                project=project,
                user=citizen,
                kind=rng.choice(Participation.Kind.values),
                group=rng.choice(Participation.Group.values),
                show_name=False,
            )
        ProjectPost.objects.create(
            project=project,
            kind=ProjectPost.Kind.UPDATE,
            body="We met for the first time: *twelve* people came.",
        )
    indicator = next(iter(REGISTRY), "")
    for title, addressed_to, steps in RECOMMENDATIONS:
        start = today - dt.timedelta(days=30 * (len(steps) + 1))
        recommendation = Recommendation.objects.create(
            lab=lab,
            title=title,
            body=f"{title}.\n\nThe lab's participants asked for it.",
            addressed_to=addressed_to,
            language="en",
            status_since=start,
        )
        previous = ""
        for n, step in enumerate(steps or ["proposed"]):
            on = start + dt.timedelta(days=30 * n)
            RecommendationStatusChange.objects.create(
                recommendation=recommendation,
                from_status=previous,
                to_status=step,
                on=on,
            )
            previous = step
            recommendation.status, recommendation.status_since = step, on
        recommendation.save(update_fields=["status", "status_since"])
        if indicator:
            Evidence.objects.create(
                recommendation=recommendation,
                kind=Evidence.Kind.INDICATOR,
                indicator_id=indicator,
            )
        Evidence.objects.create(
            recommendation=recommendation,
            kind=Evidence.Kind.PRACTICE,
            url="https://example.org/good-practice",
            label="A good practice from another city",
        )
        created += 1
    return created
