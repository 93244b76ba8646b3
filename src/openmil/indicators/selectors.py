"""Indicator values: population, breakdowns, intervals, disclosure control.

`indicator_compute` gives exact figures (numerators, denominators,
intervals) and is the only place indicators are computed; everything shown
goes through `indicator_publish`, which hands exact figures to the staff of
the lab and disclosure-controlled ones to everybody else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    DurationField,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractYear
from scipy.stats import binom

from openmil.core import access
from openmil.core.disclosure import (
    DisclosurePolicy,
    SafeCount,
    count_protect,
    rate_protect,
    table_protect,
)
from openmil.core.models import Lab
from openmil.core.roles import Perm
from openmil.indicators.models import IndicatorSnapshot
from openmil.indicators.registry import REGISTRY, Indicator, Period
from openmil.indicators.stats import wilson_interval
from openmil.participants.selectors import participants_counted

ALL = "all"

# EU member states (ISO 3166-1 alpha-2), for the Zaragoza split of origin
# into nationals of the host country, EU citizens and non-EU citizens.
EU27 = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
AGE_BANDS = ((0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 200))


def age_band(birth_date: dt.date | None, on: dt.date) -> str:
    if birth_date is None:
        return "unknown"
    age = (
        on.year
        - birth_date.year
        - ((on.month, on.day) < (birth_date.month, birth_date.day))
    )
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return "unknown"


def origin_group(country: str, host: str) -> str:
    if not country:
        return "unknown"
    if country == host:
        return "host_country"
    return "eu" if country in EU27 else "non_eu"


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _blank_as_unknown(path: str) -> Case:
    return Case(When(**{path: ""}, then=Value("unknown")), default=F(path))


def group_expression(breakdown: str, *, period: Period, person: str = "") -> Any:
    """The SQL expression giving a row's group in a breakdown.

    The same groups as `age_band` and `origin_group` (age at the end of the
    period), computed by the database for every row at once.
    """
    p = f"{person}__" if person else ""
    if breakdown in ("profile", "sex"):
        return _blank_as_unknown(p + breakdown)
    if breakdown == "lab":
        return F(p + "lab__slug")
    if breakdown == "cohort":
        return Cast(ExtractYear(p + "intake_date"), CharField())
    if breakdown == "origin_group":
        origin = p + "country_of_origin"
        return Case(
            When(**{origin: ""}, then=Value("unknown")),
            When(**{origin: F(p + "lab__country")}, then=Value("host_country")),
            When(**{f"{origin}__in": sorted(EU27)}, then=Value("eu")),
            default=Value("non_eu"),
        )
    if breakdown == "age_band":
        birth = p + "birth_date"
        whens = [
            When(**{f"{birth}__isnull": True}, then=Value("unknown")),
            When(**{f"{birth}__gt": period.end}, then=Value("unknown")),
        ]
        for low, high in reversed(AGE_BANDS):
            label = f"{low}+" if high >= 200 else f"{low}-{high}"
            if high >= 200:
                whens.append(
                    When(
                        **{f"{birth}__gt": _years_before(period.end, high + 1)},
                        **{f"{birth}__lte": _years_before(period.end, low)},
                        then=Value(label),
                    )
                )
            else:
                whens.append(
                    When(
                        **{f"{birth}__lte": _years_before(period.end, low)},
                        then=Value(label),
                    )
                )
        return Case(*whens, default=Value("unknown"), output_field=CharField())
    raise LookupError(breakdown)


@dataclass(frozen=True)
class Cell:
    """One exact figure: the whole population or one breakdown group."""

    group: str
    n: int  # observations (the denominator; for a weighted share, the units)
    k: int | None  # observations in the numerator (proportions)
    value: float | None
    low: float | None
    high: float | None


def _as_number(value: Any) -> float:
    """A value read back from the database; durations count in days."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return float(value)


def _median_ranks(n: int) -> tuple[tuple[int, ...], int, int]:
    """1-based ranks of the median and of its interval's bounds."""
    middle = (n + 1) // 2, n // 2 + 1
    j = int(binom.ppf(0.025, n, 0.5))
    low = max(j - 1, 0) + 1
    high = min(n - j, n - 1) + 1
    return middle if n % 2 == 0 else (middle[0],), low, high


def _aggregate_cell(indicator: Indicator, group: str, n: int, total: float) -> Cell:
    if indicator.kind == "proportion":
        k = round(total)
        interval = wilson_interval(k, n)
        return Cell(
            group,
            n,
            k,
            k / n if n else None,
            interval[0] if interval else None,
            interval[1] if interval else None,
        )
    if indicator.kind == "count":
        return Cell(group, n, None, float(n), None, None)
    return Cell(group, n, None, total, None, None)


def _empty(indicator: Indicator) -> Cell:
    if indicator.kind in ("count", "sum"):
        return Cell(ALL, 0, None, 0.0, None, None)
    return Cell(ALL, 0, 0 if indicator.kind == "proportion" else None, None, None, None)


def _value_reader(rows: QuerySet[Any]) -> Any:
    """Turns a raw `value` read back by the cursor into a number (days for
    durations: SQLite stores them as microseconds, PostgreSQL as intervals)."""
    field = rows.query.annotations["value"].output_field
    if isinstance(field, DurationField):

        def duration(value: Any) -> float:
            if not isinstance(value, dt.timedelta):
                value = dt.timedelta(microseconds=int(value))
            return _as_number(value)

        return duration
    return _as_number


@dataclass(frozen=True)
class _Grouped:
    """The observed rows of one indicator as SQL, with a partition column
    (`_part`: the lab, or 0 for one population) and one group column per
    breakdown (`_g0`, `_g1`...), ready for grouping in the database."""

    sql: str
    params: tuple[Any, ...]
    breakdowns: tuple[str, ...]
    weighted: bool
    read: Any
    alias: str  # the database the rows are read from

    @property
    def group_columns(self) -> list[str]:
        return [f"_g{i}" for i in range(len(self.breakdowns))]


def _grouped(
    indicator: Indicator,
    *,
    lab_ids: list[int],
    period: Period,
    breakdowns: tuple[str, ...],
    by_lab: bool,
) -> _Grouped:
    population = participants_counted(lab_ids=lab_ids)
    rows = indicator.observe(participants=population, period=period).order_by()
    p = f"{indicator.person}__" if indicator.person else ""
    columns: dict[str, Any] = {
        "_part": F(p + "lab_id") if by_lab else Value(0, output_field=IntegerField())
    }
    for i, breakdown in enumerate(breakdowns):
        columns[f"_g{i}"] = group_expression(
            breakdown, period=period, person=indicator.person
        )
    weighted = "weight" in rows.query.annotations
    names = [*columns, "value", *(["weight"] if weighted else [])]
    sql, params = rows.annotate(**columns).values(*names).query.sql_with_params()
    return _Grouped(
        sql, tuple(params), breakdowns, weighted, _value_reader(rows), rows.db
    )


@contextmanager
def analytic_queries(alias: str) -> Iterator[None]:
    """A transaction for the grouped queries of the indicators, without
    PostgreSQL's JIT compilation: their estimated cost sets it off, and
    compiling one of them takes 0.5-2 s, more than most take to run
    (EXPLAIN ANALYZE at 100,000 people: the attendance rate 3.1 s with JIT,
    1.0 s of it compiling, 2.3 s without; the whole recompute about three
    times faster)."""
    with transaction.atomic(using=alias):
        if connections[alias].vendor == "postgresql":
            with connections[alias].cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _run(grouped: _Grouped, sql: str) -> list[tuple[Any, ...]]:
    with analytic_queries(grouped.alias), connections[grouped.alias].cursor() as c:
        c.execute(sql, grouped.params)
        return list(c.fetchall())


def _aggregate_sets(
    grouped: _Grouped, *, count_only: bool
) -> list[tuple[int, int, Any, int, float]]:
    """(set, partition, group, n, total of values) for the whole (set 0) and
    every breakdown (set i + 1), in one query: GROUPING SETS on PostgreSQL,
    the same GROUP BYs joined by UNION ALL elsewhere (SQLite has no
    GROUPING SETS)."""
    n_expr = "COALESCE(SUM(weight), 0)" if grouped.weighted else "COUNT(*)"
    total = "0" if count_only else "COALESCE(SUM(value), 0)"
    g = grouped.group_columns
    if connections[grouped.alias].vendor == "postgresql":
        sets = ", ".join(["(_part)", *(f"(_part, {c})" for c in g)])
        mask = f"GROUPING({', '.join(g)})" if g else "0"
        sql = (
            f"SELECT {mask}, _part, {', '.join([*g, ''])}{n_expr}, {total} "  # noqa: S608 - column names only
            f"FROM ({grouped.sql}) AS t GROUP BY GROUPING SETS ({sets})"
        )
        full = (1 << len(g)) - 1
        set_of_mask = {full: 0}
        for i in range(len(g)):
            set_of_mask[full & ~(1 << (len(g) - 1 - i))] = i + 1
        result = []
        for row in _run(grouped, sql):
            s = set_of_mask[row[0]]
            key = ALL if s == 0 else row[1 + s]
            result.append((s, row[1], key, row[-2], row[-1]))
    else:
        parts = [
            f"SELECT 0, _part, NULL, {n_expr}, {total} "  # noqa: S608 - column names only
            "FROM t GROUP BY _part"
        ]
        parts += [
            f"SELECT {i + 1}, _part, {c}, {n_expr}, {total} "  # noqa: S608 - column names only
            f"FROM t GROUP BY _part, {c}"
            for i, c in enumerate(g)
        ]
        sql = f"WITH t AS ({grouped.sql}) " + " UNION ALL ".join(parts)
        result = [
            (s, part, ALL if s == 0 else key, n, k)
            for s, part, key, n, k in _run(grouped, sql)
        ]
    return [
        (s, int(part), key, int(n), 0.0 if count_only else _as_number(k))
        for s, part, key, n, k in result
    ]


def _ranked_values(
    grouped: _Grouped, ranks: dict[int, set[int]]
) -> dict[tuple[int, int, str, int], float]:
    """(set, partition, group, rank) -> value, for the ranks wanted of each
    set, in one query (a window function numbers the rows of each group)."""
    materialized = (
        "MATERIALIZED " if connections[grouped.alias].vendor == "postgresql" else ""
    )
    parts = []
    for s, wanted in sorted(ranks.items()):
        if not wanted:
            continue
        column = "NULL" if s == 0 else grouped.group_columns[s - 1]
        partition = "_part" if s == 0 else f"_part, {column}"
        listed = ", ".join(str(int(r)) for r in sorted(wanted))
        parts.append(
            f"SELECT {s}, _part, {column}, _rank, value FROM ("  # noqa: S608 - column names and integers only
            f"SELECT _part, {column}, value, ROW_NUMBER() OVER "
            f"(PARTITION BY {partition} ORDER BY value) AS _rank FROM t) AS r{s} "
            f"WHERE _rank IN ({listed})"
        )
    if not parts:
        return {}
    sql = f"WITH t AS {materialized}({grouped.sql}) " + " UNION ALL ".join(parts)
    return {
        (s, int(part), ALL if s == 0 else str(key), int(rank)): grouped.read(value)
        for s, part, key, rank, value in _run(grouped, sql)
    }


@contextmanager
def _stored(grouped: _Grouped) -> Iterator[_Grouped]:
    """The observed rows computed once into a temporary table, for queries
    that read them more than once (dropped with the transaction on error)."""
    connection = connections[grouped.alias]
    with analytic_queries(grouped.alias):
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE _indicator_rows AS {grouped.sql}",  # noqa: S608 - compiled SQL only
                grouped.params,
            )
        yield dataclasses.replace(
            grouped, sql="SELECT * FROM _indicator_rows", params=()
        )
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE _indicator_rows")


def _median_sets(grouped: _Grouped) -> dict[tuple[int, int], list[Cell]]:
    """Medians with their order-statistic intervals: the rows stored once,
    the counts of every group in one query, then only the few ranked rows
    each group needs."""
    with _stored(grouped) as stored:
        counted = _aggregate_sets(stored, count_only=True)
        plans, ranks = _median_plans(counted)
        values = _ranked_values(stored, ranks)
    cells: dict[tuple[int, int], list[Cell]] = defaultdict(list)
    for (s, part, key), (n, middle, low, high) in plans.items():
        cells[s, part].append(
            Cell(
                key,
                n,
                None,
                sum(values[s, part, key, r] for r in middle) / len(middle),
                values[s, part, key, low],
                values[s, part, key, high],
            )
        )
    return cells


def _median_plans(
    counted: list[tuple[int, int, Any, int, float]],
) -> tuple[dict[tuple[int, int, str], Any], dict[int, set[int]]]:
    """The ranks each group's median and interval need, from its count."""
    counts = [(s, part, str(key), n) for s, part, key, n, _t in counted if n]
    plans = {}
    ranks: dict[int, set[int]] = defaultdict(set)
    for s, part, key, n in counts:
        middle, low, high = _median_ranks(n)
        plans[s, part, key] = (n, middle, low, high)
        ranks[s].update((*middle, low, high))
    return plans, ranks


def _aggregate_cells(
    indicator: Indicator, grouped: _Grouped
) -> dict[tuple[int, int], list[Cell]]:
    cells: dict[tuple[int, int], list[Cell]] = defaultdict(list)
    for s, part, key, n, total in _aggregate_sets(grouped, count_only=False):
        if n:
            cells[s, part].append(_aggregate_cell(indicator, str(key), n, total))
    return cells


def indicator_compute_sets(
    *,
    indicator: Indicator,
    lab_ids: Iterable[int],
    period: Period,
    breakdowns: Iterable[str] = (),
    by_lab: bool = False,
) -> dict[int, dict[str, list[Cell]]]:
    """Exact figures of one indicator, whole and by every breakdown asked
    for, in one grouped query (two for medians) whatever the number of
    labs, breakdowns and people.

    With `by_lab`, each lab is a population of its own (the snapshots of
    every lab at once); else the labs form one population (key 0). Returns
    key -> breakdown ("" for the whole) -> cells: the whole is one cell
    (an empty one when nothing was observed), a breakdown one cell per
    group observed, sorted. No permission check: callers go through
    `indicator_values` or store snapshots.
    """
    lab_ids = sorted(set(lab_ids))
    breakdowns = tuple(breakdowns)
    grouped = _grouped(
        indicator,
        lab_ids=lab_ids,
        period=period,
        breakdowns=breakdowns,
        by_lab=by_lab,
    )
    if indicator.kind == "median":
        cells = _median_sets(grouped)
    else:
        cells = _aggregate_cells(indicator, grouped)
    result = {}
    for part in lab_ids if by_lab else [0]:
        whole = cells.get((0, part))
        by_breakdown = {"": [whole[0] if whole else _empty(indicator)]}
        for i, breakdown in enumerate(breakdowns):
            by_breakdown[breakdown] = sorted(
                cells.get((i + 1, part), []), key=lambda c: c.group
            )
        result[part] = by_breakdown
    return result


def indicator_compute(
    *,
    indicator: Indicator,
    lab_ids: Iterable[int],
    period: Period,
    breakdown: str | None = None,
) -> list[Cell]:
    """Exact figures of some labs taken together: the whole first, then one
    cell per breakdown group (sorted). See `indicator_compute_sets`."""
    computed = indicator_compute_sets(
        indicator=indicator,
        lab_ids=lab_ids,
        period=period,
        breakdowns=(breakdown,) if breakdown else (),
    )[0]
    return computed[""] + (computed[breakdown] if breakdown else [])


@dataclass(frozen=True)
class Published:
    """A figure as shown: exact for the lab's own staff, else protected."""

    group: str
    n: SafeCount | int
    value: float | None
    low: float | None
    high: float | None
    hidden: bool
    exact: bool


def indicator_publish(
    *,
    indicator: Indicator,
    cells: list[Cell],
    exact: bool,
    policy: DisclosurePolicy | None = None,
) -> list[Published]:
    """Apply disclosure control (unless `exact`) to computed cells.

    Denominators of the groups and their total form one table, so secondary
    suppression keeps a hidden group from being recovered from the total.
    """
    if exact:
        return [
            Published(c.group, c.n, c.value, c.low, c.high, False, True) for c in cells
        ]
    policy = policy or DisclosurePolicy.for_country()
    counts = {c.group: c.n for c in cells}
    groups = [[g for g in counts if g != ALL]] if len(cells) > 1 else []
    table = table_protect(counts, groups=groups, policy=policy)
    if groups and table.totals[0].hidden:
        table.cells[ALL] = table.totals[0]
    published = []
    for c in cells:
        safe_n = table[c.group]
        value = c.value
        if indicator.kind == "proportion":
            rate = rate_protect(c.k or 0, c.n, policy=policy, base_hidden=safe_n.hidden)
            hidden = rate.hidden
        elif indicator.kind == "count":
            # The count is the denominator: shown as the table shows it.
            hidden, value = safe_n.hidden, safe_n.value
        elif indicator.kind == "sum":
            # A sum of amounts, rounded like a count, on a shown base only.
            amount = count_protect(round(c.value or 0), policy=policy)
            hidden = safe_n.hidden or amount.hidden
            value = amount.value
        else:
            hidden = safe_n.hidden or c.n == 0
        published.append(
            Published(
                c.group,
                safe_n,
                None if hidden or value is None else float(value),
                None if hidden else c.low,
                None if hidden else c.high,
                hidden,
                False,
            )
        )
    return published


def indicator_values(
    *,
    user: Any,
    indicator: Indicator,
    lab_ids: Iterable[int],
    period: Period,
    breakdown: str | None = None,
) -> list[Published]:
    """What a user may see of an indicator for some labs."""
    lab_ids = sorted(set(lab_ids))
    for lab_id in lab_ids:
        access.require(user, Perm.VIEW_AGGREGATES, lab_id)
    exact = bool(lab_ids) and all(
        access.can(user, Perm.VIEW_PERSONAL, lab_id) for lab_id in lab_ids
    )
    countries = Lab.objects.filter(pk__in=lab_ids).values_list("country", flat=True)
    cells = indicator_compute(
        indicator=indicator, lab_ids=lab_ids, period=period, breakdown=breakdown
    )
    return indicator_publish(
        indicator=indicator,
        cells=cells,
        exact=exact,
        policy=DisclosurePolicy.strictest(countries),
    )


def snapshot_latest(
    *, lab_id: int, period: str, with_cells: bool = True
) -> IndicatorSnapshot | None:
    """The lab's latest snapshot of a period; without its cells (read on
    first use) when the caller may not need them."""
    snapshots = IndicatorSnapshot.objects.filter(lab_id=lab_id, period=period)
    if not with_cells:
        snapshots = snapshots.defer("cells")
    return snapshots.order_by("-computed_at").first()


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    cells: list[Published]


def snapshot_figures(
    *, user: Any, snapshot: IndicatorSnapshot, breakdown: str = ""
) -> list[Figure]:
    """A snapshot as a user may see it: exact for the lab's own staff,
    disclosure-controlled for everybody else."""
    access.require(user, Perm.VIEW_AGGREGATES, snapshot.lab_id)
    exact = access.can(user, Perm.VIEW_PERSONAL, snapshot.lab_id)
    return snapshot_figures_published(
        snapshot=snapshot, breakdown=breakdown, exact=exact
    )


def snapshot_figures_published(
    *, snapshot: IndicatorSnapshot, breakdown: str = "", exact: bool = False
) -> list[Figure]:
    """Every registered indicator of a snapshot (exports use exact=False)."""
    policy = DisclosurePolicy.for_country(snapshot.lab.country)
    figures = []
    for indicator_id, indicator in REGISTRY.items():
        stored = snapshot.cells.get(indicator_id, {})
        whole = [Cell(**c) for c in stored.get("", [])]
        groups = [Cell(**c) for c in stored.get(breakdown, [])] if breakdown else []
        if not whole:
            continue
        cells = indicator_publish(
            indicator=indicator, cells=whole + groups, exact=exact, policy=policy
        )
        figures.append(Figure(indicator, cells))
    return figures
