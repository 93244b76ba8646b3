"""Civic indicators: civic modules (pathways assessments) and secure
residence status recorded at follow-up."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from openmil.indicators.observe import (
    flag,
    has_answer,
    latest_answer,
    pathway_open_during,
)
from openmil.indicators.registry import Indicator, Period, register
from openmil.participants.models import Participant
from openmil.pathways.models import Assessment, FollowUpSurvey

POPULATION = _(
    "participants of the lab, except those who objected to anonymised statistics"
)
Residence = FollowUpSurvey.Residence


def _modules_done(period: Period) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        participant_id=OuterRef("pk"),
        kind=Assessment.Kind.CIVIC,
        civic_module__isnull=False,
        assessed_on__gte=period.start,
        assessed_on__lte=period.end,
    )


def observe_civic_completion(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    return participants.filter(pathway_open_during(period)).annotate(
        value=flag(Exists(_modules_done(period)))
    )


def observe_civic_modules(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    done = _modules_done(period)
    modules = (
        done.order_by()
        .values("participant_id")
        .annotate(n=Count("civic_module_id", distinct=True))
        .values("n")
    )
    return participants.filter(Exists(done)).annotate(value=Subquery(modules))


def observe_residence_secured(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    answered = {"residence_status": Residence.NOT_SAID}
    return (
        participants.filter(profile=Participant.Profile.NEWCOMER)
        .filter(has_answer(period, "residence_status", **answered))
        .annotate(residence=latest_answer(period, "residence_status", **answered))
        .annotate(value=flag(Q(residence__in=[Residence.PERMANENT, Residence.CITIZEN])))
    )


register(
    Indicator(
        id="civic.module_completion_share",
        cost=1.8,
        observe=observe_civic_completion,
        name=_("Participants completing a civic module"),
        area="civic",
        kind="proportion",
        numerator=_(
            "people of the denominator with a civic module completed during the period"
        ),
        denominator=_("people whose pathway was open during the period"),
        population=POPULATION,
        period=_("pathway open during the period; completion dated in it"),
        reads=("participants.Participant", "pathways.Pathway", "pathways.Assessment"),
        standard=(
            "EU Action Plan on Integration and Inclusion 2021-2027 (civic "
            "orientation); OECD/EU Settling In 2023, ch. 9"
        ),
    )
)
register(
    Indicator(
        id="civic.modules_completed",
        observe=observe_civic_modules,
        name=_("Civic modules completed"),
        area="civic",
        kind="sum",
        unit=_("modules"),
        numerator=_(
            "distinct civic modules completed during the period, added up over people"
        ),
        denominator=_("people with a civic module completed during the period (n)"),
        population=POPULATION,
        period=_("completion dated during the period"),
        reads=(
            "participants.Participant",
            "pathways.Assessment",
            "pathways.CivicModule",
        ),
        standard=(
            "EU Action Plan on Integration and Inclusion 2021-2027 (civic orientation)"
        ),
    )
)
register(
    Indicator(
        id="civic.residence_secured",
        cost=1.7,
        observe=observe_residence_secured,
        name=_("Newcomers with long-term residence or citizenship"),
        area="civic",
        kind="proportion",
        numerator=_(
            "people of the denominator with permanent or long-term residence, "
            "or citizenship"
        ),
        denominator=_(
            "newcomers whose latest follow-up answered during the period "
            "records a residence status ('prefer not to say' left out)"
        ),
        population=_(
            "newcomers of the lab, except those who objected to anonymised "
            "statistics (nationals are citizens by definition)"
        ),
        period=_(
            "each person's latest follow-up survey answered during the period "
            "that records a residence status"
        ),
        reads=("participants.Participant", "pathways.FollowUpSurvey"),
        standard=(
            "Zaragoza core indicators (active citizenship: long-term residence, "
            "naturalisation); OECD/EU Settling In 2023, ind. 9.1 and 9.2"
        ),
    )
)
