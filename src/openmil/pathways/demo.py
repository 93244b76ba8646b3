"""Demo pathways: templates, a civic curriculum, and pathways with goals,
assessments, exits and follow-up surveys for the people whose pathway has
started. Deterministic for a seed; bulk inserts, so the demo stays fast."""

import datetime as dt
import random

from openmil.core.models import Lab
from openmil.core.pillars import Pillar
from openmil.participants.models import Participant
from openmil.pathways.models import (
    Assessment,
    CivicModule,
    FollowUpSurvey,
    Goal,
    Pathway,
    PathwayEvent,
    PathwayTemplate,
    ReadinessCriterion,
    TemplateGoal,
)
from openmil.pathways.services import add_months

CIVIC_MODULES = (
    "Rights and duties",
    "How local government works",
    "Health system and prevention",
    "Work law and contracts",
    "Schools and education",
    "History and culture",
)

STANDARD_GOALS = (
    (
        Pillar.LANGUAGE,
        "Reach A2 in the host language",
        "Placement test\nCourse A1\nCourse A2",
        16,
    ),
    (
        Pillar.LANGUAGE,
        "Reach B1 in spoken interaction",
        "Conversation club\nB1 exam",
        40,
    ),
    (
        Pillar.ECONOMIC,
        "Skills recognised",
        "Documents gathered\nRecognition request",
        12,
    ),
    (
        Pillar.ECONOMIC,
        "First job or business plan",
        "CV ready\nInterviews or incubator",
        36,
    ),
    (Pillar.CIVIC, "Civic course completed", "Six modules", 24),
    (Pillar.CIVIC, "Registered with local services", "Health centre\nMunicipality", 6),
    (
        Pillar.INTERCULTURAL,
        "Matched with a local mentor",
        "First meeting\nMonthly meetings",
        8,
    ),
    (Pillar.INTERCULTURAL, "Joined a mixed community activity", "Choose\nAttend", 20),
)

FAST_GOALS = (
    (Pillar.LANGUAGE, "Work vocabulary course", "", 8),
    (Pillar.ECONOMIC, "Employed within six months", "Job search\nContract signed", 26),
    (Pillar.CIVIC, "Work law module", "", 4),
    (Pillar.INTERCULTURAL, "Workplace buddy", "", 6),
)

INSTRUMENTS = ("Placement test", "DELF/CILS/Goethe mock exam", "Teacher assessment")
SKILLS = ("listening", "reading", "spoken_interaction", "spoken_production", "writing")


def _template(lab: Lab, name: str, goals: tuple, description: str) -> PathwayTemplate:
    template = PathwayTemplate.objects.create(
        lab=lab, name=name, description=description
    )
    TemplateGoal.objects.bulk_create(
        TemplateGoal(
            template=template,
            pillar=pillar,
            title=title,
            milestones=milestones,
            target_weeks=weeks,
            position=i,
        )
        for i, (pillar, title, milestones, weeks) in enumerate(goals)
    )
    return template


def populate(lab: Lab, *, seed: int, today: dt.date) -> None:
    """Templates and pathways for one demo lab (its participants exist)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    language = (lab.working_languages or ["en"])[0]
    modules = CivicModule.objects.bulk_create(
        CivicModule(lab=lab, title=title, position=i)
        for i, title in enumerate(CIVIC_MODULES)
    )
    standard = _template(
        lab, "Standard pathway", STANDARD_GOALS, "Four pillars over about a year."
    )
    fast = _template(
        lab, "Fast track to work", FAST_GOALS, "For people close to the job market."
    )
    goals_of = {t.pk: list(t.goals.order_by("position")) for t in (standard, fast)}
    by_title = {g.title: g for g in goals_of[standard.pk]}
    ReadinessCriterion.objects.bulk_create(
        [
            ReadinessCriterion(
                template=standard,
                kind=ReadinessCriterion.Kind.CEFR,
                weight=3,
                language=language,
                skill="spoken_interaction",
                cefr_level=3,
            ),
            ReadinessCriterion(
                template=standard,
                kind=ReadinessCriterion.Kind.GOAL,
                weight=2,
                goal=by_title["Skills recognised"],
            ),
            ReadinessCriterion(
                template=standard,
                kind=ReadinessCriterion.Kind.EMPLOYMENT,
                weight=3,
                employment_status="employed",
            ),
            ReadinessCriterion(
                template=standard,
                kind=ReadinessCriterion.Kind.CIVIC_MODULES,
                weight=2,
                count=4,
            ),
            ReadinessCriterion(
                template=fast,
                kind=ReadinessCriterion.Kind.EMPLOYMENT,
                weight=1,
                employment_status="employed",
            ),
        ]
    )
    people = list(
        Participant.objects.filter(lab=lab, pathway_started_on__isnull=False)
        .only("pk", "pathway_started_on", "caseworker_id", "intake_date")
        .order_by("pk")
    )
    pathways: list[Pathway] = []
    pairs: list[tuple[Pathway, Participant, PathwayTemplate, dt.date]] = []
    for p in people:
        started = p.pathway_started_on
        if started is None:
            continue
        template = fast if rng.random() < 0.25 else standard
        exited = rng.random() < 0.2 and started < today - dt.timedelta(180)
        exit_date: dt.date | None = None
        if exited:
            exit_date = min(
                today - dt.timedelta(days=rng.randint(1, 200)),
                started + dt.timedelta(days=rng.randint(150, 400)),
            )
            if exit_date <= started:
                exit_date = None
        pathway = Pathway(
            participant=p,
            template=template,
            started_on=started,
            status=Pathway.Status.EXITED if exit_date else Pathway.Status.ACTIVE,
            exit_reason=(
                rng.choice(["graduated", "graduated", "moved_away", "dropped_out"])
                if exit_date
                else ""
            ),
            exit_date=exit_date,
            created_by_id=p.caseworker_id,
        )
        pathways.append(pathway)
        pairs.append((pathway, p, template, started))
    Pathway.objects.bulk_create(pathways, batch_size=1000)
    goals, assessments, events, surveys = [], [], [], []
    for pathway, p, template, started in pairs:
        end = pathway.exit_date or today
        elapsed_weeks = max(0, (end - started).days // 7)
        start_at = dt.datetime.combine(started, dt.time(10), tzinfo=dt.UTC)
        events.append(
            PathwayEvent(
                pathway=pathway,
                at=start_at,
                actor_id=p.caseworker_id,
                kind=PathwayEvent.Kind.STARTED,
                subject=template.name,
            )
        )
        for tg in goals_of[template.pk]:
            share = elapsed_weeks / tg.target_weeks
            if share >= 1:
                status = rng.choices(
                    ["achieved", "not_achieved", "in_progress", "dropped"],
                    [70, 10, 15, 5],
                )[0]
            elif share > 0.2:
                status = rng.choice(["in_progress", "in_progress", "planned"])
            else:
                status = "planned"
            goals.append(
                Goal(
                    pathway=pathway,
                    template_goal=tg,
                    pillar=tg.pillar,
                    title=tg.title,
                    milestones=tg.milestones,
                    status=status,
                    target_date=started + dt.timedelta(weeks=tg.target_weeks),
                )
            )
        level = rng.choice([0, 1, 1, 2])
        for months in range(0, elapsed_weeks // 4 + 1, 4):
            day = add_months(started, months)
            if day > end:
                break
            assessments.append(
                Assessment(
                    participant=p,
                    kind=Assessment.Kind.CEFR,
                    assessed_on=day,
                    instrument=rng.choice(INSTRUMENTS),
                    assessor="Language teacher",
                    language=language,
                    skill=rng.choice(SKILLS[2:4]),
                    cefr_level=level,
                    recorded_by_id=p.caseworker_id,
                    created_at=dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC),
                )
            )
            level = min(6, level + rng.choice([0, 1, 1]))
        if elapsed_weeks > 20:
            employed = rng.random() < 0.45
            day = started + dt.timedelta(weeks=rng.randint(12, elapsed_weeks))
            assessments.append(
                Assessment(
                    participant=p,
                    kind=Assessment.Kind.EMPLOYMENT,
                    assessed_on=day,
                    instrument="Contract seen" if employed else "Interview",
                    assessor="Facilitator",
                    employment_status="employed" if employed else "unemployed",
                    contract_type=rng.choice(["fixed_term", "permanent"])
                    if employed
                    else "",
                    hours_per_week=rng.choice([20, 30, 40]) if employed else None,
                    recorded_by_id=p.caseworker_id,
                    created_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
                )
            )
        for i, module in enumerate(modules[: min(len(modules), elapsed_weeks // 6)]):
            day = started + dt.timedelta(weeks=3 * (i + 1))
            if day > end:
                break
            assessments.append(
                Assessment(
                    participant=p,
                    kind=Assessment.Kind.CIVIC,
                    assessed_on=day,
                    instrument="Attendance",
                    assessor="Civic trainer",
                    civic_module=module,
                    recorded_by_id=p.caseworker_id,
                    created_at=dt.datetime.combine(day, dt.time(13), tzinfo=dt.UTC),
                )
            )
        if elapsed_weeks > 8 and rng.random() < 0.6:
            day = started + dt.timedelta(weeks=rng.randint(4, elapsed_weeks))
            assessments.append(
                Assessment(
                    participant=p,
                    kind=Assessment.Kind.INTERCULTURAL,
                    assessed_on=min(day, end),
                    participation=rng.choice(["activity", "mentoring"]),
                    note="Mixed group",
                    recorded_by_id=p.caseworker_id,
                    created_at=dt.datetime.combine(
                        min(day, end), dt.time(14), tzinfo=dt.UTC
                    ),
                )
            )
        if pathway.exit_date:
            exit_at = dt.datetime.combine(pathway.exit_date, dt.time(16), tzinfo=dt.UTC)
            events.append(
                PathwayEvent(
                    pathway=pathway,
                    at=exit_at,
                    actor_id=p.caseworker_id,
                    kind=PathwayEvent.Kind.EXITED,
                    subject=str(pathway.get_exit_reason_display()),
                )
            )
            for months in FollowUpSurvey.MONTHS:
                due = add_months(pathway.exit_date, months)
                answered = due <= today and rng.random() < 0.6
                at = dt.datetime.combine(
                    due + dt.timedelta(days=rng.randint(0, 10)),
                    dt.time(9),
                    tzinfo=dt.UTC,
                )
                surveys.append(
                    FollowUpSurvey(
                        pathway=pathway,
                        months=months,
                        due_on=due,
                        answered_at=at if answered else None,
                        answered_by_id=p.caseworker_id if answered else None,
                        channel="staff" if answered else "",
                        employment_status=rng.choice(["employed", "unemployed"])
                        if answered
                        else "",
                        housing=rng.choice(["own_or_rented", "shared"])
                        if answered
                        else "",
                        self_rated_health=rng.randint(2, 5) if answered else None,
                        belonging=rng.randint(2, 5) if answered else None,
                    )
                )
    Goal.objects.bulk_create(goals, batch_size=2000)
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    PathwayEvent.objects.bulk_create(events, batch_size=2000)
    FollowUpSurvey.objects.bulk_create(surveys, batch_size=2000)
