"""Demo records that give every indicator something to show.

The apps' own demo data (pathways, activities, ventures, partners) cover
most indicators; this tops up what they leave empty for the current year:
residence status at follow-up, CEFR levels at exit in every skill,
tertiary education and occupations of the employed, and ventures
registered last year (for the 12-month survival rate). Bulk writes only.
"""

from __future__ import annotations

import datetime as dt
import random

from openmil.classifications.models import IscoGroup
from openmil.core.models import Lab
from openmil.participants.models import Participant
from openmil.pathways.models import (
    Assessment,
    CefrSkill,
    EmploymentStatus,
    FollowUpSurvey,
    Pathway,
)
from openmil.ventures.models import Sector, Stage, StageChange, Venture

RESIDENCE = ["temporary", "temporary", "permanent", "permanent", "citizen", "not_said"]


def populate_lab(*, lab: Lab, seed: int, today: dt.date) -> None:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    _residence(lab, rng)
    _levels_at_exit(lab, rng)
    _tertiary_jobs(lab, rng, today)
    _ventures_last_year(lab, rng, today)


def _residence(lab: Lab, rng: random.Random) -> None:
    surveys = list(
        FollowUpSurvey.objects.filter(
            pathway__participant__lab=lab,
            pathway__participant__profile=Participant.Profile.NEWCOMER,
            answered_at__isnull=False,
        ).only("pk")
    )
    for survey in surveys:
        survey.residence_status = rng.choice(RESIDENCE)
    FollowUpSurvey.objects.bulk_update(surveys, ["residence_status"], batch_size=1000)


def _levels_at_exit(lab: Lab, rng: random.Random) -> None:
    rows = []
    for participant_id, exit_date in Pathway.objects.filter(
        participant__lab=lab, exit_date__isnull=False
    ).values_list("participant_id", "exit_date"):
        if exit_date is None:
            continue
        for skill in (CefrSkill.LISTENING, CefrSkill.READING, CefrSkill.WRITING):
            rows.append(
                Assessment(
                    participant_id=participant_id,
                    kind=Assessment.Kind.CEFR,
                    assessed_on=exit_date - dt.timedelta(days=rng.randint(0, 30)),
                    instrument="Exit test",
                    language=lab.working_languages[0] if lab.working_languages else "",
                    skill=skill,
                    cefr_level=rng.choice([1, 2, 2, 3, 3, 4]),
                )
            )
    Assessment.objects.bulk_create(rows, batch_size=2000)


def _tertiary_jobs(lab: Lab, rng: random.Random, today: dt.date) -> None:
    codes = list(
        IscoGroup.objects.filter(code__regex=r"^[0-9]{4}$")
        .order_by("code")
        .values_list("code", flat=True)[::25]
    )
    if not codes:
        return
    people = list(
        Participant.objects.filter(lab=lab, pathway__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(people, k=len(people) // 4)
    Participant.objects.filter(pk__in=chosen[: len(chosen) // 2]).update(
        education_level=6
    )
    start = dt.date(today.year, 1, 1)
    days = max((today - start).days, 1)
    Assessment.objects.bulk_create(
        [
            Assessment(
                participant_id=pk,
                kind=Assessment.Kind.EMPLOYMENT,
                assessed_on=start + dt.timedelta(days=rng.randrange(days)),
                instrument="Employment record",
                employment_status=EmploymentStatus.EMPLOYED,
                contract_type=rng.choice(["permanent", "fixed_term", "self_employed"]),
                occupation_id=rng.choice(codes),
            )
            for pk in chosen
        ],
        batch_size=2000,
    )


def _ventures_last_year(lab: Lab, rng: random.Random, today: dt.date) -> None:
    founders = list(
        Participant.objects.filter(lab=lab).order_by("pk").values_list("pk", flat=True)
    )[:40]
    if not founders:
        return
    changes = []
    for n in range(12):
        registered = dt.date(today.year - 1, 1, 1) + dt.timedelta(
            days=rng.randrange(365)
        )
        venture = Venture.objects.create(
            lab=lab,
            name=f"Cooperative {n + 1}",
            sector=rng.choice([Sector.I, Sector.G, Sector.S]),
            stage=Stage.OPERATING,
            started_on=registered - dt.timedelta(days=90),
            registration_date=registered,
        )
        venture.founders.set([rng.choice(founders)])
        changes.append(
            StageChange(
                venture=venture,
                from_stage=Stage.IDEA,
                to_stage=Stage.REGISTERED,
                on=registered,
            )
        )
        if n % 4 == 0:
            closed = registered + dt.timedelta(days=rng.randint(120, 330))
            changes.append(
                StageChange(
                    venture=venture,
                    from_stage=Stage.OPERATING,
                    to_stage=Stage.CLOSED,
                    on=min(closed, today),
                )
            )
            venture.stage = Stage.CLOSED
            venture.save(update_fields=["stage"])
    StageChange.objects.bulk_create(changes)
