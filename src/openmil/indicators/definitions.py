"""The indicators, one `register(...)` each. Imported by the app's ready()."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Greatest, TruncDate
from django.utils.translation import gettext_lazy as _

from openmil.indicators.observe import days_between, flag
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
) -> QuerySet[Participant]:
    return _with_urgent_needs(participants, period).annotate(
        value=flag(~_unmet_urgent(period))
    )


def observe_days_to_needs_met(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    last_met = (
        Need.objects.filter(participant=OuterRef("pk"), urgent=True)
        .order_by("-resolved_at")
        .values("resolved_at")[:1]
    )
    return (
        _with_urgent_needs(participants, period)
        .exclude(_unmet_urgent(period))
        .annotate(
            value=Greatest(
                days_between(
                    TruncDate(Subquery(last_met), tzinfo=dt.UTC), F("intake_date")
                ),
                Value(dt.timedelta(0), output_field=DurationField()),
            )
        )
    )


register(
    Indicator(
        id="needs.urgent_met_share",
        cost=1.4,
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
        cost=2.5,
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


# The other areas, one module each; importing registers their indicators.
from openmil.indicators import (  # noqa: E402, F401
    definitions_civic,
    definitions_economic,
    definitions_intercultural,
    definitions_language,
    definitions_process,
)
