"""Economic indicators: labour-market status (follow-up surveys and ILO
employment assessments, ages 20-64 as in the Zaragoza core indicators),
job placement, and the ventures of the lab's founders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from openmil.indicators.observe import (
    aged,
    days_between,
    exited_during,
    flag,
    has_answer,
    latest_answer,
    surveys_answered,
)
from openmil.indicators.registry import Indicator, Period, register
from openmil.participants.models import Participant
from openmil.pathways.models import Assessment, EmploymentStatus
from openmil.ventures.models import JobsRecord, Stage, StageChange, Venture
from openmil.ventures.selectors import add_months

EMPLOYED = EmploymentStatus.EMPLOYED
UNEMPLOYED = EmploymentStatus.UNEMPLOYED
LOW, HIGH = 20, 64

POPULATION_20_64 = _(
    "participants of the lab aged 20 to 64 at the end of the period (the "
    "Zaragoza working-age range), except those who objected to anonymised "
    "statistics; people without a birth date are left out"
)
POPULATION = _(
    "participants of the lab, except those who objected to anonymised statistics"
)
FOLLOW_UP = _(
    "each person's latest follow-up survey answered during the period that "
    "records an employment status (ILO definitions)"
)
FOLLOW_UP_READS = (
    "participants.Participant",
    "pathways.Pathway",
    "pathways.FollowUpSurvey",
)


def _working_age(participants: QuerySet[Participant], period: Period) -> Any:
    return aged(participants, on=period.end, low=LOW, high=HIGH)


def _with_status(participants: QuerySet[Participant], period: Period) -> Any:
    return (
        _working_age(participants, period)
        .filter(has_answer(period, "employment_status"))
        .annotate(status=latest_answer(period, "employment_status"))
    )


def observe_employment_rate(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    return _with_status(participants, period).annotate(value=flag(Q(status=EMPLOYED)))


def observe_unemployment_rate(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    return (
        _with_status(participants, period)
        .filter(status__in=[EMPLOYED, UNEMPLOYED])
        .annotate(value=flag(Q(status=UNEMPLOYED)))
    )


def observe_activity_rate(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    return _with_status(participants, period).annotate(
        value=flag(Q(status__in=[EMPLOYED, UNEMPLOYED]))
    )


def _latest_employment(period: Period, field: str) -> Subquery:
    """A field of the person's latest ILO employment assessment in the period."""
    return Subquery(
        Assessment.objects.filter(
            participant_id=OuterRef("pk"),
            kind=Assessment.Kind.EMPLOYMENT,
            assessed_on__gte=period.start,
            assessed_on__lte=period.end,
        )
        .exclude(employment_status="")
        .order_by("-assessed_on", "-id")
        .values(field)[:1]
    )


def _employed(participants: QuerySet[Participant], period: Period) -> Any:
    return (
        _working_age(participants, period)
        .annotate(status=_latest_employment(period, "employment_status"))
        .filter(status=EMPLOYED)
    )


def observe_self_employment(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    return _employed(participants, period).annotate(
        contract=_latest_employment(period, "contract_type"),
        value=flag(Q(contract="self_employed")),
    )


TERTIARY = 5  # ISCED 2011 levels 5 to 8
SKILLED_MAJOR_GROUPS = ("1", "2", "3")  # ISCO-08; 4 to 9 need less than tertiary


def observe_overqualification(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    tertiary_assessed = Assessment.objects.filter(
        participant_id=OuterRef("pk"),
        kind=Assessment.Kind.EDUCATION,
        isced_level__gte=TERTIARY,
        assessed_on__lte=period.end,
    )
    return (
        _employed(participants, period)
        .filter(Q(education_level__gte=TERTIARY) | Exists(tertiary_assessed))
        .annotate(occupation=_latest_employment(period, "occupation_id"))
        .filter(occupation__isnull=False)
        .annotate(major=Substr("occupation", 1, 1))
        .annotate(value=flag(Q(major__in=["4", "5", "6", "7", "8", "9"])))
    )


def observe_job_placement(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    employed_at_start = Assessment.objects.filter(
        participant_id=OuterRef("pk"),
        kind=Assessment.Kind.EMPLOYMENT,
        employment_status=EMPLOYED,
        assessed_on__lte=OuterRef("pathway__started_on"),
    )
    employed_since = Assessment.objects.filter(
        participant_id=OuterRef("pk"),
        kind=Assessment.Kind.EMPLOYMENT,
        employment_status=EMPLOYED,
        assessed_on__gt=OuterRef("pathway__started_on"),
        assessed_on__lte=period.end,
    )
    employed_at_follow_up = surveys_answered(
        Period(dt.date.min, period.end, "")
    ).filter(pathway__participant_id=OuterRef("pk"), employment_status=EMPLOYED)
    return (
        participants.filter(exited_during(period))
        .exclude(Exists(employed_at_start))
        .annotate(value=flag(Exists(employed_since) | Exists(employed_at_follow_up)))
    )


register(
    Indicator(
        id="economic.employment_rate",
        cost=2.1,
        observe=observe_employment_rate,
        name=_("Employment rate (20-64), at follow-up"),
        area="economic",
        kind="proportion",
        numerator=_("people of the denominator employed"),
        denominator=_(
            "people aged 20-64 who answered the employment question of a "
            "follow-up survey during the period"
        ),
        population=POPULATION_20_64,
        period=FOLLOW_UP,
        reads=FOLLOW_UP_READS,
        standard=(
            "Zaragoza core indicators: employment rate (20-64); Eurostat LFS "
            "lfsa_ergan; OECD/EU Settling In 2023, ind. 4.1; SDG 8.5"
        ),
    )
)
register(
    Indicator(
        id="economic.unemployment_rate",
        cost=2.2,
        observe=observe_unemployment_rate,
        name=_("Unemployment rate (20-64), at follow-up"),
        area="economic",
        kind="proportion",
        numerator=_("people of the denominator unemployed"),
        denominator=_(
            "people aged 20-64 whose latest follow-up answer in the period "
            "says employed or unemployed (the labour force)"
        ),
        population=POPULATION_20_64,
        period=FOLLOW_UP,
        reads=FOLLOW_UP_READS,
        standard=(
            "Zaragoza core indicators: unemployment rate; Eurostat LFS "
            "lfsa_urgan; OECD/EU Settling In 2023, ind. 4.4; SDG 8.5.2"
        ),
    )
)
register(
    Indicator(
        id="economic.activity_rate",
        cost=1.9,
        observe=observe_activity_rate,
        name=_("Activity rate (20-64), at follow-up"),
        area="economic",
        kind="proportion",
        numerator=_("people of the denominator employed or unemployed"),
        denominator=_(
            "people aged 20-64 who answered the employment question of a "
            "follow-up survey during the period"
        ),
        population=POPULATION_20_64,
        period=FOLLOW_UP,
        reads=FOLLOW_UP_READS,
        standard=(
            "Zaragoza core indicators: activity rate; Eurostat LFS lfsa_argan; "
            "OECD/EU Settling In 2023, ind. 4.2"
        ),
    )
)
register(
    Indicator(
        id="economic.self_employment_share",
        cost=1.7,
        observe=observe_self_employment,
        name=_("Self-employed among the employed (20-64)"),
        area="economic",
        kind="proportion",
        numerator=_("people of the denominator whose contract type is self-employed"),
        denominator=_(
            "people aged 20-64 whose latest ILO employment assessment in the "
            "period says employed"
        ),
        population=POPULATION_20_64,
        period=_("each person's latest employment assessment during the period"),
        reads=("participants.Participant", "pathways.Assessment"),
        standard=(
            "Zaragoza core indicators: share of self-employed in total "
            "employment; Eurostat LFS lfsa_esgan; OECD/EU Settling In 2023, "
            "ch. 4"
        ),
    )
)
register(
    Indicator(
        id="economic.overqualification_rate",
        observe=observe_overqualification,
        name=_("Over-qualification rate (20-64)"),
        area="economic",
        kind="proportion",
        numerator=_(
            "people of the denominator working in ISCO-08 major groups 4 to 9 "
            "(jobs that need less than tertiary education)"
        ),
        denominator=_(
            "people aged 20-64 with tertiary education (ISCED 2011 levels 5-8, "
            "recorded at intake or assessed by the end of the period) whose "
            "latest employment assessment in the period says employed and "
            "records an occupation"
        ),
        population=POPULATION_20_64,
        period=_("each person's latest employment assessment during the period"),
        reads=(
            "participants.Participant",
            "pathways.Assessment",
            "classifications.IscoGroup",
        ),
        standard=(
            "Zaragoza core indicators: over-qualification rate; Eurostat "
            "lfsa_eoqgan (ISCED 5-8 employed in ISCO 4-9); OECD/EU Settling "
            "In 2023, ind. 4.9"
        ),
    )
)
register(
    Indicator(
        id="economic.job_placement_rate",
        observe=observe_job_placement,
        name=_("Job placement rate"),
        area="economic",
        kind="proportion",
        numerator=_(
            "people of the denominator recorded employed after their pathway "
            "started and by the end of the period (an ILO employment "
            "assessment or a follow-up answer)"
        ),
        denominator=_(
            "people whose pathway ended during the period and who were not "
            "recorded employed when it started"
        ),
        population=POPULATION,
        period=_("pathway exit during the period; employment by its end"),
        reads=(
            "participants.Participant",
            "pathways.Pathway",
            "pathways.Assessment",
            "pathways.FollowUpSurvey",
        ),
        standard="IRIS+ PI3527 (job placement rate); SDG 8.5",
    )
)


# --- Ventures: one observation per venture, credited to its lead founder.


def _lead_links(participants: QuerySet[Participant]) -> QuerySet[Any]:
    """One founder link per counted venture: its lowest-numbered founder
    among the counted people (a venture counts while one founder does)."""
    links = Venture.founders.through.objects.filter(participant__in=participants)
    lead = (
        links.filter(venture_id=OuterRef("venture_id"))
        .order_by("participant_id")
        .values("participant_id")[:1]
    )
    return links.filter(participant_id=Subquery(lead))


def observe_ventures_created(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Any]:
    return (
        _lead_links(participants)
        .filter(
            venture__started_on__gte=period.start, venture__started_on__lte=period.end
        )
        .annotate(value=Value(1))
    )


def observe_ventures_surviving(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Any]:
    closed_within_a_year = (
        StageChange.objects.filter(
            venture_id=OuterRef("venture_id"), to_stage=Stage.CLOSED
        )
        .alias(after=days_between(F("on"), OuterRef("venture__registration_date")))
        .filter(after__lte=dt.timedelta(days=365))
    )
    return (
        _lead_links(participants)
        .filter(
            venture__registration_date__gte=add_months(period.start, -12),
            venture__registration_date__lte=add_months(period.end, -12),
        )
        .annotate(value=flag(~Exists(closed_within_a_year)))
    )


def _jobs_on(day: dt.date) -> Coalesce:
    """A venture's job count on a day: its latest record then, else 0."""
    latest = (
        JobsRecord.objects.filter(venture_id=OuterRef("venture_id"), on__lte=day)
        .order_by("-on", "-id")
        .values("jobs")[:1]
    )
    return Coalesce(Subquery(latest), 0)


def observe_jobs_created(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Any]:
    recorded = JobsRecord.objects.filter(
        venture_id=OuterRef("venture_id"),
        on__gte=period.start,
        on__lte=period.end,
    )
    before = period.start - dt.timedelta(days=1)
    return (
        _lead_links(participants)
        .filter(Exists(recorded))
        .annotate(value=_jobs_on(period.end) - _jobs_on(before))
    )


VENTURE_POPULATION = _(
    "ventures of the lab, each credited to its lowest-numbered founder among "
    "the counted participants; a venture leaves the counts when every "
    "founder objected to anonymised statistics"
)
VENTURE_READS = ("ventures.Venture", "participants.Participant")

register(
    Indicator(
        id="ventures.created",
        observe=observe_ventures_created,
        name=_("Ventures created"),
        area="economic",
        kind="count",
        unit=_("ventures"),
        numerator=_("ventures started during the period"),
        denominator=_("none (a count)"),
        population=VENTURE_POPULATION,
        period=_("start date of the venture during the period"),
        reads=VENTURE_READS,
        person="participant",
        standard=(
            "OECD/EU Settling In 2023, ind. 4.6 (self-employment); OECD "
            "Inclusive Entrepreneurship; SDG 8.3"
        ),
        notes=_("Breakdowns describe the lead founder."),
    )
)
register(
    Indicator(
        id="ventures.surviving_12m",
        observe=observe_ventures_surviving,
        name=_("Ventures still operating 12 months after registration"),
        area="economic",
        kind="proportion",
        numerator=_(
            "ventures of the denominator not closed within 12 months (365 days) "
            "of registration"
        ),
        denominator=_(
            "ventures whose first 12 months after registration end during the period"
        ),
        population=VENTURE_POPULATION,
        period=_("registration date + 12 months during the period"),
        reads=(*VENTURE_READS, "ventures.StageChange"),
        person="participant",
        standard=(
            "Eurostat business demography (1-year survival rate, "
            "bd_9bd_sz_cl_r2); OECD Inclusive Entrepreneurship; SDG 8.3"
        ),
        notes=_("Breakdowns describe the lead founder."),
    )
)
register(
    Indicator(
        id="ventures.jobs_created",
        observe=observe_jobs_created,
        name=_("Jobs created by ventures"),
        area="economic",
        kind="sum",
        unit=_("jobs"),
        numerator=_(
            "net jobs: each venture's job count at the end of the period minus "
            "its count the day before it began (no record yet counts 0)"
        ),
        denominator=_("ventures with a jobs record during the period (n)"),
        population=VENTURE_POPULATION,
        period=_("jobs records dated during the period"),
        reads=(*VENTURE_READS, "ventures.JobsRecord"),
        person="participant",
        standard="IRIS+ PI3687 (jobs created); SDG 8.5",
        notes=_(
            "Jobs given to people other than the founders; breakdowns describe "
            "the lead founder."
        ),
    )
)
