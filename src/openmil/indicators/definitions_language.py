"""Language indicators, from the CEFR assessments of the pathways app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from openmil.indicators.observe import days_between, exited_during, flag
from openmil.indicators.registry import Indicator, Period, register
from openmil.participants.models import Participant
from openmil.pathways.models import Assessment, CefrLevel, CefrSkill

CEFR = Assessment.Kind.CEFR
#: "Within 6 months" and "within 12 months", in days.
WINDOWS = {6: 183, 12: 365}

POPULATION = _(
    "participants of the lab (newcomers and nationals), except those who "
    "objected to anonymised statistics"
)
READS = ("participants.Participant", "pathways.Assessment")


def _baselines(period: Period, days: int) -> QuerySet[Assessment]:
    """A person's first assessment in a language and skill, when its window
    of `days` closes during the period (so every window counted is whole)."""
    earlier = Assessment.objects.filter(
        kind=CEFR,
        participant_id=OuterRef("participant_id"),
        language=OuterRef("language"),
        skill=OuterRef("skill"),
        assessed_on__lt=OuterRef("assessed_on"),
    )
    return Assessment.objects.filter(
        kind=CEFR,
        participant_id=OuterRef("pk"),
        cefr_level__isnull=False,
        assessed_on__gte=period.start - dt.timedelta(days=days),
        assessed_on__lte=period.end - dt.timedelta(days=days),
    ).exclude(Exists(earlier))


def _observe_gain(days: int) -> Any:
    def observe(
        *, participants: QuerySet[Participant], period: Period, **_: Any
    ) -> QuerySet[Participant]:
        gained = Assessment.objects.filter(
            kind=CEFR,
            participant_id=OuterRef("participant_id"),
            language=OuterRef("language"),
            skill=OuterRef("skill"),
            cefr_level__gt=OuterRef("cefr_level"),
            assessed_on__gt=OuterRef("assessed_on"),
        ).alias(after=days_between(F("assessed_on"), OuterRef("assessed_on")))
        gained = gained.filter(after__lte=dt.timedelta(days=days))
        baselines = _baselines(period, days)
        return participants.filter(Exists(baselines)).annotate(
            value=flag(Exists(baselines.filter(Exists(gained))))
        )

    return observe


for months, days in WINDOWS.items():
    register(
        Indicator(
            id=f"language.cefr_gain_{months}m",
            cost=3.2,
            observe=_observe_gain(days),
            name=(
                _("Participants gaining a CEFR level within 6 months")
                if months == 6
                else _("Participants gaining a CEFR level within 12 months")
            ),
            area="language",
            kind="proportion",
            numerator=_(
                "people of the denominator assessed at a higher CEFR level in the "
                "same language and skill within the window (6 months = 183 days, "
                "12 months = 365 days) after their first assessment"
            ),
            denominator=_(
                "people with a first CEFR assessment in a language and skill whose "
                "window ends during the period"
            ),
            population=POPULATION,
            period=_(
                "window (first assessment + 6 or 12 months) ending during the "
                "period, so that every window counted is complete"
            ),
            reads=READS,
            standard=(
                "Zaragoza core indicators (language skills of the host country); "
                "OECD/EU Settling In 2023, ch. 5 (language skills); SDG 4.6"
            ),
            notes=_(
                "A person counts once, whatever the number of languages and "
                "skills assessed; a gain in any of them counts."
            ),
        )
    )


def _observe_b1_at_exit(skill: str) -> Any:
    def observe(
        *, participants: QuerySet[Participant], period: Period, **_: Any
    ) -> QuerySet[Participant]:
        last_level = (
            Assessment.objects.filter(
                kind=CEFR,
                participant_id=OuterRef("pk"),
                skill=skill,
                cefr_level__isnull=False,
                assessed_on__lte=OuterRef("pathway__exit_date"),
            )
            .order_by("-assessed_on", "-cefr_level", "-id")
            .values("cefr_level")[:1]
        )
        return (
            participants.filter(exited_during(period))
            .annotate(level_at_exit=Subquery(last_level))
            .filter(level_at_exit__isnull=False)
            .annotate(value=flag(Q(level_at_exit__gte=CefrLevel.B1)))
        )

    return observe


for skill, skill_name in CefrSkill.choices:
    register(
        Indicator(
            id=f"language.b1_at_exit.{skill}",
            observe=_observe_b1_at_exit(skill),
            name=format_lazy("{}: {}", _("At B1 or above at exit"), skill_name),
            area="language",
            kind="proportion",
            numerator=_("people of the denominator whose level was B1 or above"),
            denominator=_(
                "people whose pathway ended during the period with an "
                "assessment in this skill on or before the exit date; the "
                "level is the latest such assessment's (the highest on a tie)"
            ),
            population=POPULATION,
            period=_("pathway exit during the period"),
            reads=(*READS, "pathways.Pathway"),
            standard=(
                "Zaragoza core indicators (language skills); OECD/EU Settling "
                "In 2023, ch. 5 (B1, independent user, as the threshold); "
                "CEFR Companion Volume 2020 (skills); SDG 4.6"
            ),
            notes=_(
                "Any language assessed counts; labs assess the language of the "
                "host country."
            ),
        )
    )
