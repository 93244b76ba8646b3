"""Demo good practices and MIPEX scores (called by the demo generator).

A few practices in English and French, one adopted by another lab, a
question with its answer, and MIPEX scores for the labs' countries. The
MIPEX figures are illustrative round numbers, not the published index.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from openmil.core.models import Lab
from openmil.network import search
from openmil.network.models import (
    Adoption,
    MipexScore,
    Practice,
    PracticeAnswer,
    PracticeQuestion,
    PracticeVersion,
)

PRACTICES: list[dict[str, Any]] = [
    {
        "pillar": "economic",
        "sdgs": [8, 10],
        "evidence": ["needs.urgent_met_share"],
        "versions": {
            "en": (
                "Cooking together: a community kitchen",
                "Newcomers and long-term unemployed locals cook together every "
                "week and run a small **catering business** for local events.",
            ),
            "fr": (
                "Cuisiner ensemble : une cuisine communautaire",
                "Des nouveaux arrivants et des chômeurs de longue durée cuisinent "
                "ensemble chaque semaine et tiennent un petit **traiteur**.",
            ),
        },
    },
    {
        "pillar": "intercultural",
        "sdgs": [10, 11],
        "evidence": [],
        "versions": {
            "fr": (
                "Logement partagé entre étudiants et réfugiés",
                "Des étudiants hébergent des réfugiés dans des logements "
                "partagés ; la colocation aide à apprendre la langue.",
            ),
        },
    },
    {
        "pillar": "language",
        "sdgs": [4],
        "evidence": [],
        "versions": {
            "en": (
                "Language cafés in public libraries",
                "Volunteers host weekly conversation tables in the host "
                "language, open to everybody in the neighbourhood.",
            ),
        },
    },
]

# Illustrative scores (0-100) per strand, in Strand order.
MIPEX = [60, 55, 50, 60, 45, 60, 50, 75]


def populate_network(*, labs: list[Lab], today: dt.date) -> None:
    if not labs:
        return
    practices = []
    for i, spec in enumerate(PRACTICES):
        lab = labs[i % len(labs)]
        practice = Practice.objects.create(
            lab=lab,
            pillar=spec["pillar"],
            sdgs=spec["sdgs"],
            countries=[lab.country],
            evidence_indicators=spec["evidence"],
            status=Practice.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for language, (title, summary) in spec["versions"].items():
            version = PracticeVersion.objects.create(
                practice=practice,
                language=language,
                title=title,
                summary=summary,
                problem="People stayed in separate circles.",
                what_was_done="Weekly sessions, mixed groups, one coordinator.",
                resources="A room, a part-time coordinator, volunteers.",
                results="More people reached their goals; see the indicators.",
            )
            search.index_version(version)
        practices.append(practice)
    if len(labs) > 1:
        Adoption.objects.create(
            practice=practices[0],
            lab=labs[1],
            adopted_on=dt.date(today.year, 1, 1),
            note="Started with one group of twelve.",
        )
        question = PracticeQuestion.objects.create(
            practice=practices[0], lab=labs[1], text="How do you pay for the kitchen?"
        )
        PracticeAnswer.objects.create(
            question=question,
            lab=practices[0].lab,
            text="The parish lends it; the catering covers the food.",
        )
    for country in sorted({lab.country for lab in labs}):
        for strand, score in zip(MipexScore.Strand.values, MIPEX, strict=True):
            MipexScore.objects.get_or_create(
                country=country,
                year=2025,
                strand=strand,
                defaults={"score": score, "source": "Illustrative demo figure"},
            )
