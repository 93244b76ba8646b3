"""Intercultural and social indicators: mixed activities and mentoring
(activities app), self-reported health and belonging (follow-ups)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from openmil.activities.models import Activity, Attendance, Cohort, Enrolment
from openmil.indicators.observe import days_between, flag, has_answer, latest_answer
from openmil.indicators.registry import Indicator, Period, register
from openmil.participants.models import Participant

POPULATION = _(
    "participants of the lab (newcomers and nationals), except those who "
    "objected to anonymised statistics"
)
FOLLOW_UP_READS = (
    "participants.Participant",
    "pathways.Pathway",
    "pathways.FollowUpSurvey",
)
MENTORING_DAYS = 91  # three months


def _present(period: Period) -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        participant_id=OuterRef("pk"),
        status=Attendance.Status.PRESENT,
        session__starts_at__date__gte=period.start,
        session__starts_at__date__lte=period.end,
    )


def _enrolled(profile: str) -> Exists:
    return Exists(
        Enrolment.objects.filter(
            cohort_id=OuterRef("pk"),
            status=Enrolment.Status.ENROLLED,
            participant__profile=profile,
        )
    )


def _mixed_cohort_ids() -> list[int]:
    """Cohorts with newcomers and nationals enrolled, read first: a short
    list, so the database does not check the enrolments of a cohort again
    for every attendance mark."""
    return list(
        Cohort.objects.filter(_enrolled(Participant.Profile.NEWCOMER))
        .filter(_enrolled(Participant.Profile.NATIONAL))
        .values_list("pk", flat=True)
    )


def observe_mixed_activities(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    present = _present(period)
    mixed = present.filter(session__cohort_id__in=_mixed_cohort_ids())
    return participants.filter(Exists(present)).annotate(value=flag(Exists(mixed)))


def observe_mentoring(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    mentoring = Attendance.objects.filter(
        participant_id=OuterRef("pk"),
        status=Attendance.Status.PRESENT,
        session__cohort__activity__kind=Activity.Kind.MENTORING_GROUP,
        session__starts_at__date__lte=period.end,
    )
    first = mentoring.order_by("session__starts_at").values("session__starts_at")[:1]
    last = mentoring.order_by("-session__starts_at").values("session__starts_at")[:1]
    in_period = mentoring.filter(session__starts_at__date__gte=period.start)
    return (
        participants.filter(Exists(in_period))
        .annotate(first=Subquery(first), last=Subquery(last))
        .alias(span=days_between(F("last"), F("first")))
        .annotate(value=flag(Q(span__gte=dt.timedelta(days=MENTORING_DAYS))))
    )


def _observe_answer_at_least(answer: str, threshold: int) -> Any:
    def observe(
        *, participants: QuerySet[Participant], period: Period, **_: Any
    ) -> QuerySet[Participant]:
        return (
            participants.filter(has_answer(period, answer))
            .annotate(answer=latest_answer(period, answer))
            .annotate(value=flag(Q(answer__gte=threshold)))
        )

    return observe


register(
    Indicator(
        id="intercultural.mixed_activity_share",
        cost=5.0,
        observe=observe_mixed_activities,
        name=_("Participants taking part in mixed activities"),
        area="intercultural",
        kind="proportion",
        numerator=_(
            "people of the denominator present at a session of a mixed cohort "
            "(one with both newcomers and nationals enrolled)"
        ),
        denominator=_("people present at a session held during the period"),
        population=POPULATION,
        period=_("sessions held during the period"),
        reads=(
            "participants.Participant",
            "activities.Attendance",
            "activities.Session",
            "activities.Enrolment",
        ),
        standard=(
            "EU Action Plan on Integration and Inclusion 2021-2027 (two-way "
            "integration, mixed activities); OECD/EU Settling In 2023, ch. 10 "
            "(social connections)"
        ),
    )
)
register(
    Indicator(
        id="intercultural.mentoring_3m",
        observe=observe_mentoring,
        name=_("Mentoring pairs active for three months or more"),
        area="intercultural",
        kind="proportion",
        numerator=_(
            "people of the denominator whose first and latest mentoring "
            "sessions attended (by the end of the period) are 91 days or more "
            "apart"
        ),
        denominator=_(
            "people present at a session of a mentoring activity during the period"
        ),
        population=POPULATION,
        period=_("mentoring sessions attended during the period"),
        reads=(
            "participants.Participant",
            "activities.Attendance",
            "activities.Activity",
        ),
        standard=(
            "EU Action Plan on Integration and Inclusion 2021-2027 "
            "(mentoring, buddy schemes); OECD/EU Settling In 2023, ch. 10"
        ),
        notes=_(
            "A mentee and a mentor are each observed; a pair counts through "
            "its members."
        ),
    )
)
register(
    Indicator(
        id="intercultural.good_health",
        cost=2.3,
        observe=_observe_answer_at_least("self_rated_health", 4),
        name=_("Self-reported good or very good health"),
        area="intercultural",
        kind="proportion",
        numerator=_("people of the denominator answering good or very good"),
        denominator=_(
            "people whose latest follow-up answered during the period rates "
            "their health (five-point scale, very bad to very good)"
        ),
        population=POPULATION,
        period=_("each person's latest follow-up answered during the period"),
        reads=FOLLOW_UP_READS,
        standard=(
            "Zaragoza core indicators (health); Eurostat EU-SILC "
            "hlth_silc_01 (minimum European health module); OECD/EU Settling "
            "In 2023, ind. 8.1; SDG 3"
        ),
    )
)
register(
    Indicator(
        id="intercultural.belonging",
        cost=2.2,
        observe=_observe_answer_at_least("belonging", 4),
        name=_("Strong sense of belonging"),
        area="intercultural",
        kind="proportion",
        numerator=_(
            "people of the denominator answering 4 or 5 (strongly, very strongly)"
        ),
        denominator=_(
            "people whose latest follow-up answered during the period rates "
            "their sense of belonging (1 to 5)"
        ),
        population=POPULATION,
        period=_("each person's latest follow-up answered during the period"),
        reads=FOLLOW_UP_READS,
        standard=(
            "OECD/EU Settling In 2023, ind. 10.1 (sense of belonging to the "
            "host country); EU Action Plan on Integration and Inclusion"
        ),
    )
)
