"""Building blocks of the indicator definitions: SQL expressions shared by
several indicators (a yes/no as 1/0, the latest answered follow-up of a
person in a period, the age condition of the labour-market indicators).

Each returns a Django expression or queryset, so every indicator stays one
set-based query whatever the number of people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from openmil.indicators.registry import Period
from openmil.participants.models import Participant
from openmil.pathways.models import FollowUpSurvey


def flag(condition: Any) -> Case:
    """1 when the condition (a Q or an Exists) holds, else 0."""
    return Case(
        When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


class CountPerKey(Expression):
    """How many of `rows` share the current row's value of `outer`, the rows
    being counted once for every key (an uncorrelated subquery, which the
    database runs once, gathered into a JSON object key -> count) instead of
    once per outer row as a correlated COUNT would. 0 for a key with no rows.
    """

    output_field = IntegerField()

    def __init__(self, rows: QuerySet[Any], *, key: Any, outer: Any) -> None:
        super().__init__()
        key = F(key) if isinstance(key, str) else key
        self.counts = rows.order_by().values(_k=key).annotate(_n=Count("*"))
        self.outer: Any = F(outer) if isinstance(outer, str) else outer

    def get_source_expressions(self) -> list[Any]:
        return [self.outer]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.outer,) = exprs

    def get_group_by_cols(self) -> list[Any]:
        return list(self.outer.get_group_by_cols())

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        counts, count_params = self.counts.query.get_compiler(
            connection=connection
        ).as_sql()
        outer, outer_params = compiler.compile(self.outer)
        if connection.vendor == "postgresql":
            sql = (
                "COALESCE(((SELECT jsonb_object_agg(CAST(c._k AS text), c._n) "  # noqa: S608 - compiled SQL only
                f"FROM ({counts}) AS c) ->> CAST({outer} AS text))::integer, 0)"
            )
        else:
            sql = (
                "COALESCE(json_extract((SELECT json_group_object("  # noqa: S608 - compiled SQL only
                f"CAST(c._k AS text), c._n) FROM ({counts}) AS c), "
                f"'$.\"' || CAST({outer} AS text) || '\"'), 0)"
            )
        return sql, (*count_params, *outer_params)


def days_between(later: Any, earlier: Any) -> ExpressionWrapper:
    """`later - earlier` as a duration (dates or datetimes), in SQL."""
    return ExpressionWrapper(later - earlier, output_field=DurationField())


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def aged(
    people: QuerySet[Participant], *, on: dt.date, low: int, high: int
) -> QuerySet[Participant]:
    """People aged `low` to `high` (both included) on a day; people without
    a birth date are left out, as surveys leave out a missing age."""
    return people.filter(
        birth_date__lte=years_before(on, low),
        birth_date__gt=years_before(on, high + 1),
    )


def surveys_answered(period: Period) -> QuerySet[FollowUpSurvey]:
    return FollowUpSurvey.objects.filter(
        answered_at__date__gte=period.start, answered_at__date__lte=period.end
    )


NUMERIC_ANSWERS = frozenset({"self_rated_health", "belonging"})


def _answering(period: Period, answer: str, exclude: dict[str, Any]) -> QuerySet[Any]:
    """A person's follow-ups answered in the period that answer a question."""
    answered = surveys_answered(period).filter(pathway__participant_id=OuterRef("pk"))
    if answer in NUMERIC_ANSWERS:
        answered = answered.filter(**{f"{answer}__isnull": False})
    else:
        answered = answered.exclude(**{answer: ""})
    return answered.exclude(**exclude) if exclude else answered


def latest_answer(period: Period, answer: str, **exclude: Any) -> Subquery:
    """A person's answer to one question in their latest follow-up answered
    during the period that answers it (empty answers and `exclude` skipped)."""
    answered = _answering(period, answer, exclude)
    return Subquery(answered.order_by("-answered_at", "-id").values(answer)[:1])


def has_answer(period: Period, answer: str, **exclude: Any) -> Exists:
    return Exists(_answering(period, answer, exclude))


def pathway_open_during(period: Period) -> Q:
    """A pathway open at some point of the period."""
    return Q(pathway__started_on__lte=period.end) & (
        Q(pathway__exit_date__isnull=True) | Q(pathway__exit_date__gte=period.start)
    )


def exited_during(period: Period) -> Q:
    return Q(pathway__exit_date__gte=period.start, pathway__exit_date__lte=period.end)
