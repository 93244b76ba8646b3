"""Demo ventures and territorial needs for a lab (called by the demo generator).

Deterministic for a seed; about ten ventures per lab at every stage, with
their stage history, supports and jobs counts, founded by the lab's
participants, and a few territorial needs that some ventures answer.
"""

import datetime as dt
import random
from decimal import Decimal

from openmil.classifications.models import Occupation
from openmil.core.models import Lab, Organisation
from openmil.participants.models import Participant
from openmil.ventures.models import (
    JobsRecord,
    Sector,
    Stage,
    StageChange,
    Support,
    TerritorialNeed,
    Venture,
)

NEEDS = [
    ("shortage_occupation", "Bakers wanted in the old town", "baker"),
    ("shortage_occupation", "Not enough home-care workers", "care"),
    ("missing_service", "No tailor or alterations shop in the district", ""),
    ("missing_service", "No affordable catering for local events", ""),
    ("vacant_premises", "Empty shop by the covered market", ""),
]
VENTURES = [
    ("Two Shores Bakery", Sector.I, Stage.GROWING, 0),
    ("Mama's Kitchen Catering", Sector.I, Stage.OPERATING, 3),
    ("Needle and Thread Alterations", Sector.S, Stage.OPERATING, 2),
    ("Bright Home Care", Sector.Q, Stage.REGISTERED, 1),
    ("Market Corner Grocery", Sector.G, Stage.FINANCING, 4),
    ("Phone Fix Express", Sector.S, Stage.BUSINESS_PLAN, None),
    ("Community Language Tutors", Sector.P, Stage.BUSINESS_PLAN, None),
    ("Green Courier Bikes", Sector.H, Stage.IDEA, None),
    ("Web Studio Bridges", Sector.J, Stage.IDEA, None),
    ("Spice Route Imports", Sector.G, Stage.CLOSED, None),
]
PATH: list[str] = [
    Stage.IDEA,
    Stage.BUSINESS_PLAN,
    Stage.FINANCING,
    Stage.REGISTERED,
    Stage.OPERATING,
    Stage.GROWING,
]
JOBS_AT: dict[str, int] = {Stage.GROWING: 5, Stage.OPERATING: 2}


def _occupation(word: str) -> Occupation | None:
    if not word:
        return None
    return (
        Occupation.objects.filter(label__icontains=word).order_by("pk").first()
        or Occupation.objects.order_by("pk").first()
    )


def _steps(target: str, rng: random.Random) -> list[str]:
    if target == Stage.CLOSED:
        return [*PATH[: rng.randint(2, 5)], Stage.CLOSED]
    return PATH[: PATH.index(target) + 1]


def populate_lab_ventures(*, lab: Lab, seed: int, today: dt.date) -> int:
    """Create the lab's demo ventures and territorial needs; return how many."""
    rng = random.Random(f"ventures-{lab.slug}-{seed}")  # noqa: S311 - demo data
    needs = []
    for kind, title, word in NEEDS:
        needs.append(
            TerritorialNeed.objects.create(
                lab=lab,
                kind=kind,
                title=title,
                place=lab.territory,
                occupation=_occupation(word) if kind == "shortage_occupation" else None,
            )
        )
    people = list(
        Participant.objects.filter(lab=lab, pathway_started_on__isnull=False).order_by(
            "pk"
        )[:60]
    ) or list(Participant.objects.filter(lab=lab).order_by("pk")[:60])
    if not people:
        return 0
    providers = {
        o.kind: o
        for o in Organisation.objects.filter(
            lab=lab, kind__in=["incubator", "ngo", "public", "community"]
        )
    }
    changes, supports, jobs = [], [], []
    for name, sector, target, need_index in VENTURES:
        steps = _steps(target, rng)
        gaps = [rng.randint(25, 80) for _ in steps[1:]]
        started = today - dt.timedelta(days=sum(gaps) + rng.randint(5, 120))
        dated, on = [], started
        for step, gap in zip(steps, [0, *gaps], strict=True):
            on += dt.timedelta(days=gap)
            dated.append((step, on))
        registration = next((d for s, d in dated if s == Stage.REGISTERED), None)
        venture = Venture.objects.create(
            lab=lab,
            name=name,
            sector=sector,
            stage=steps[-1],
            started_on=started,
            registration_date=registration,
            territorial_need=needs[need_index] if need_index is not None else None,
        )
        founders = rng.sample(people, k=min(len(people), rng.choice([1, 1, 2])))
        venture.founders.set(founders)
        previous = ""
        for step, day in dated:
            changes.append(
                StageChange(venture=venture, from_stage=previous, to_stage=step, on=day)
            )
            previous = step
        if venture.registration_date:
            registered = venture.registration_date
            count = JOBS_AT.get(venture.stage, 0)
            if count:
                jobs.append(
                    JobsRecord(venture=venture, on=registered, jobs=max(0, count - 2))
                )
                jobs.append(JobsRecord(venture=venture, on=on, jobs=count))
                venture.jobs_created = count
                venture.revenue_band = (
                    Venture.RevenueBand.FROM_50K
                    if venture.stage == Stage.GROWING
                    else Venture.RevenueBand.FROM_10K
                )
            venture.save()
        if "incubator" in providers and len(steps) > 1:
            supports.append(
                Support(
                    venture=venture,
                    kind=Support.Kind.INCUBATOR,
                    provider=providers["incubator"],
                    on=started + dt.timedelta(days=gaps[0] if gaps else 0),
                )
            )
        if "ngo" in providers and venture.registration_date:
            supports.append(
                Support(
                    venture=venture,
                    kind=Support.Kind.MICROCREDIT,
                    provider=providers["ngo"],
                    on=venture.registration_date,
                    amount=Decimal(rng.choice([3000, 5000, 8000, 12000])),
                )
            )
    StageChange.objects.bulk_create(changes)
    Support.objects.bulk_create(supports)
    JobsRecord.objects.bulk_create(jobs)
    for need in needs:
        if need.ventures.filter(stage__in=[Stage.OPERATING, Stage.GROWING]).exists():
            need.status = TerritorialNeed.Status.ADDRESSED
            need.save(update_fields=["status"])
    return len(VENTURES)
