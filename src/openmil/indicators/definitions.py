"""The indicators, one `register(...)` each. Imported by the app's ready()."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from openmil.indicators.registry import Indicator, Period, register
from openmil.participants.models import Need, Participant


def _unmet_urgent(period: Period) -> Exists:
    met_in_time = Q(status=Need.Status.MET, resolved_at__date__lte=period.end)
    return Exists(
        Need.objects.filter(participant=OuterRef("pk"), urgent=True).exclude(
            met_in_time
        )
    )


def _with_urgent_needs(
    participants: QuerySet[Participant], period: Period
) -> QuerySet[Participant]:
    return participants.filter(
        intake_date__range=(period.start, period.end),
        pk__in=Need.objects.filter(urgent=True).values("participant_id"),
    )


def observe_urgent_needs_met(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> Iterable[tuple[int, float]]:
    people = _with_urgent_needs(participants, period).annotate(
        unmet=_unmet_urgent(period)
    )
    for pk, unmet in people.values_list("pk", "unmet"):
        yield pk, 0.0 if unmet else 1.0


def observe_days_to_needs_met(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> Iterable[tuple[int, float]]:
    people = (
        _with_urgent_needs(participants, period)
        .annotate(unmet=_unmet_urgent(period))
        .filter(unmet=False)
        .annotate(last_met=Max("needs__resolved_at", filter=Q(needs__urgent=True)))
    )
    for pk, intake, last_met in people.values_list("pk", "intake_date", "last_met"):
        if last_met is not None:
            yield pk, float(max((last_met.date() - intake).days, 0))


register(
    Indicator(
        id="needs.urgent_met_share",
        observe=observe_urgent_needs_met,
        name=_("Participants with every urgent need met"),
        area="basic_needs",
        kind="proportion",
        numerator=_(
            "people of the denominator whose urgent needs were all met by the "
            "end of the period"
        ),
        denominator=_("people taken in during the period with an urgent need"),
        population=_(
            "participants of the lab (newcomers and nationals), except those "
            "who objected to anonymised statistics"
        ),
        period=_("intake during the period; status at its end"),
        reads=("participants.Participant", "participants.Need"),
        standard=(
            "OECD/EU Settling In 2023, ch. 7 (housing) and 8 (health): access "
            "to basic services; SDG 1.4"
        ),
    )
)

register(
    Indicator(
        id="needs.median_days_to_met",
        observe=observe_days_to_needs_met,
        name=_("Median days from intake to every urgent need met"),
        area="basic_needs",
        kind="median",
        unit=_("days"),
        numerator=_("days from intake to the last urgent need met"),
        denominator=_(
            "people taken in during the period whose urgent needs were all met "
            "by its end"
        ),
        population=_(
            "participants of the lab, except those who objected to anonymised "
            "statistics"
        ),
        period=_("intake during the period"),
        reads=("participants.Participant", "participants.Need"),
        standard="OECD/EU Settling In 2023 (timeliness of access to services)",
    )
)
