"""Indicator values: population, breakdowns, intervals, disclosure control.

`indicator_compute` gives exact figures (numerators, denominators,
intervals) and is the only place indicators are computed; everything shown
goes through `indicator_publish`, which hands exact figures to the staff of
the lab and disclosure-controlled ones to everybody else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, RowNumber
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


def _median_cells(rows: QuerySet[Any], group: Any) -> list[Cell]:
    """Medians with their order-statistic intervals, per group, reading only
    the few ranked rows each group needs (a window function numbers them)."""
    counts = {
        key: n
        for key, n in rows.annotate(_group=group)
        .values("_group")
        .annotate(n=Count("*"))
        .values_list("_group", "n")
        if n  # a constant group gives one row, even over no rows
    }
    if not counts:
        return []
    wanted: set[int] = set()
    plan = {}
    for key, n in counts.items():
        middle, low, high = _median_ranks(n)
        plan[key] = (middle, low, high)
        wanted.update((*middle, low, high))
    ranked = (
        rows.annotate(_group=group)
        .annotate(
            _rank=Window(
                RowNumber(),
                partition_by=[F("_group")],
                order_by=[F("value").asc()],
            )
        )
        .filter(_rank__in=sorted(wanted))
        .values_list("_group", "_rank", "value")
    )
    values: dict[tuple[str, int], float] = {
        (str(key), rank): _as_number(value) for key, rank, value in ranked
    }
    cells = []
    for key, n in counts.items():
        middle, low, high = plan[key]
        g = str(key)
        cells.append(
            Cell(
                g,
                n,
                None,
                sum(values[g, r] for r in middle) / len(middle),
                values[g, low],
                values[g, high],
            )
        )
    return cells


def _aggregate_rows(rows: QuerySet[Any], group: Any) -> list[tuple[str, int, float]]:
    """(group, n, total of values) per group, in one grouped query."""
    weighted = "weight" in rows.query.annotations
    n_expr: Any = Coalesce(Sum("weight"), 0) if weighted else Count("*")
    grouped = (
        rows.annotate(_group=group)
        .values("_group")
        .annotate(_n=n_expr, _k=Coalesce(Sum("value"), 0))
        .values_list("_group", "_n", "_k")
    )
    return [(str(key), int(n), _as_number(k)) for key, n, k in grouped]


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


def indicator_compute(
    *,
    indicator: Indicator,
    lab_ids: Iterable[int],
    period: Period,
    breakdown: str | None = None,
) -> list[Cell]:
    """Exact figures, the whole first, then one cell per breakdown group
    (sorted). Set-based: one grouped aggregate query for shares, counts and
    sums (the whole is the groups added up), two per level for medians,
    whatever the number of people. No permission check: callers go through
    `indicator_values`."""
    population = participants_counted(lab_ids=lab_ids)
    rows = indicator.observe(participants=population, period=period).order_by()
    whole_group = Value(ALL, output_field=CharField())
    expression = (
        group_expression(breakdown, period=period, person=indicator.person)
        if breakdown
        else None
    )
    if indicator.kind == "median":
        whole = _median_cells(rows, whole_group)
        groups = _median_cells(rows, expression) if expression is not None else []
    else:
        raw = _aggregate_rows(rows, whole_group if expression is None else expression)
        n_all = sum(n for _g, n, _t in raw)
        total = sum(t for _g, _n, t in raw)
        whole = [_aggregate_cell(indicator, ALL, n_all, total)] if n_all else []
        groups = (
            [_aggregate_cell(indicator, g, n, t) for g, n, t in raw if n]
            if expression is not None
            else []
        )
    cells = [whole[0] if whole else _empty(indicator)]
    return cells + sorted(groups, key=lambda c: c.group)


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


def snapshot_latest(*, lab_id: int, period: str) -> IndicatorSnapshot | None:
    return (
        IndicatorSnapshot.objects.filter(lab_id=lab_id, period=period)
        .order_by("-computed_at")
        .first()
    )


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
