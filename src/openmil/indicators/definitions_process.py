"""Process indicators: attendance (activities), referrals (partners) and
drop-out (pathways)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    CharField,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openmil.activities.models import Attendance, Enrolment, Session
from openmil.indicators.observe import (
    CountPerKey,
    days_between,
    exited_during,
    flag,
)
from openmil.indicators.registry import Indicator, Period, register
from openmil.participants.models import Participant
from openmil.partners.models import Referral
from openmil.pathways.models import Pathway

POPULATION = _(
    "participants of the lab, except those who objected to anonymised statistics"
)


def _pair(first: str, second: str) -> Concat:
    """Two ids as one key ("12:3"), for `CountPerKey`."""
    return Concat(
        Cast(first, CharField()),
        Value(":"),
        Cast(second, CharField()),
        output_field=CharField(),
    )


def _held_until(period: Period) -> dt.datetime:
    """Sessions count as held once started: the period's end, or now."""
    end = timezone.make_aware(
        dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min)
    )
    return min(end, timezone.now())


def observe_attendance(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Enrolment]:
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    held_until = _held_until(period)
    held = Session.objects.filter(starts_at__gte=start, starts_at__lt=held_until)
    # Both counted once for all enrolments: sessions held by cohort, present
    # marks by person and cohort.
    present = Attendance.objects.filter(
        session__starts_at__gte=start,
        session__starts_at__lt=held_until,
        status=Attendance.Status.PRESENT,
    )
    return (
        Enrolment.objects.filter(
            participant__in=participants, status=Enrolment.Status.ENROLLED
        )
        .annotate(weight=CountPerKey(held, key="cohort_id", outer="cohort_id"))
        .filter(weight__gt=0)
        .annotate(
            value=CountPerKey(
                present,
                key=_pair("participant_id", "session__cohort_id"),
                outer=_pair("participant_id", "cohort_id"),
            )
        )
    )


def _referrals(participants: QuerySet[Participant]) -> QuerySet[Referral]:
    return Referral.objects.filter(participant__in=participants)


def observe_referral_acceptance(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Referral]:
    return (
        _referrals(participants)
        .filter(sent_at__date__gte=period.start, sent_at__date__lte=period.end)
        .filter(Q(accepted_at__isnull=False) | Q(declined_at__isnull=False))
        .annotate(value=flag(Q(accepted_at__isnull=False)))
    )


def observe_referral_completion(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Referral]:
    closed = [Referral.Status.COMPLETED, Referral.Status.NOT_COMPLETED]
    return (
        _referrals(participants)
        .filter(
            accepted_at__isnull=False,
            status__in=closed,
            closed_at__date__gte=period.start,
            closed_at__date__lte=period.end,
        )
        .annotate(value=flag(Q(status=Referral.Status.COMPLETED)))
    )


def observe_days_to_acceptance(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Referral]:
    return (
        _referrals(participants)
        .filter(
            sent_at__isnull=False,
            accepted_at__date__gte=period.start,
            accepted_at__date__lte=period.end,
        )
        .annotate(value=days_between(F("accepted_at"), F("sent_at")))
    )


def observe_dropout(
    *, participants: QuerySet[Participant], period: Period, **_: Any
) -> QuerySet[Participant]:
    return participants.filter(exited_during(period)).annotate(
        value=flag(Q(pathway__exit_reason=Pathway.ExitReason.DROPPED_OUT))
    )


REFERRAL_READS = ("partners.Referral", "participants.Participant")

register(
    Indicator(
        id="process.attendance_rate",
        cost=10.4,
        observe=observe_attendance,
        name=_("Attendance rate"),
        area="process",
        kind="proportion",
        numerator=_("sessions of the denominator the person attended (present)"),
        denominator=_(
            "sessions held during the period (started by its end and by now) "
            "of the cohorts each person is enrolled in, added up over people"
        ),
        population=POPULATION,
        period=_("sessions held during the period"),
        reads=(
            "activities.Enrolment",
            "activities.Session",
            "activities.Attendance",
            "participants.Participant",
        ),
        person="participant",
        standard=("OECD/EU Settling In 2023 (participation in integration programmes)"),
        notes=_(
            "The unit is a person's place in a session: n counts places, so "
            "the interval treats sessions as independent (it is narrower than "
            "a person-level one)."
        ),
    )
)
register(
    Indicator(
        id="process.referral_acceptance_rate",
        observe=observe_referral_acceptance,
        name=_("Referral acceptance rate"),
        area="process",
        kind="proportion",
        numerator=_("referrals of the denominator accepted by the partner"),
        denominator=_(
            "referrals sent during the period that the partner answered "
            "(accepted or declined); unanswered and revoked ones are left out"
        ),
        population=POPULATION,
        period=_("referral sent during the period"),
        reads=REFERRAL_READS,
        person="participant",
        standard=(
            "EU Action Plan on Integration and Inclusion (one-stop shops, "
            "coordinated services); OECD/EU Settling In 2023"
        ),
    )
)
register(
    Indicator(
        id="process.referral_completion_rate",
        observe=observe_referral_completion,
        name=_("Referral completion rate"),
        area="process",
        kind="proportion",
        numerator=_("referrals of the denominator completed"),
        denominator=_(
            "accepted referrals closed during the period (completed or not completed)"
        ),
        population=POPULATION,
        period=_("referral closed during the period"),
        reads=REFERRAL_READS,
        person="participant",
        standard="EU Action Plan on Integration and Inclusion (coordinated services)",
    )
)
register(
    Indicator(
        id="process.median_days_to_acceptance",
        observe=observe_days_to_acceptance,
        name=_("Median days from referral to acceptance"),
        area="process",
        kind="median",
        unit=_("days"),
        numerator=_("days (fractions included) from sending to acceptance"),
        denominator=_("referrals accepted during the period"),
        population=POPULATION,
        period=_("referral accepted during the period"),
        reads=REFERRAL_READS,
        person="participant",
        standard="OECD/EU Settling In 2023 (timeliness of access to services)",
    )
)
register(
    Indicator(
        id="process.dropout_rate",
        observe=observe_dropout,
        name=_("Drop-out rate"),
        area="process",
        kind="proportion",
        numerator=_("exits of the denominator with the reason 'dropped out'"),
        denominator=_("pathways that ended during the period, whatever the reason"),
        population=POPULATION,
        period=_("pathway exit during the period"),
        reads=("participants.Participant", "pathways.Pathway"),
        standard=(
            "Eurostat early leavers from training (concept); OECD/EU Settling "
            "In 2023 (completion of integration programmes)"
        ),
        notes=_(
            "Exits for moving away count in the denominator, as in programme "
            "completion statistics."
        ),
    )
)
