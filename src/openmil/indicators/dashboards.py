"""Reads behind the dashboards: trends over periods, the funnel from intake
to employment, reference values and gaps, and the network dashboard.

Figures come from snapshots and go through `indicator_publish` (the one
disclosure-control path of the app), like every figure of the lab dashboard.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from openmil.core import access
from openmil.core.disclosure import DisclosurePolicy, SafeCount, table_protect
from openmil.core.models import Lab, Network
from openmil.core.roles import Perm
from openmil.indicators.models import IndicatorSnapshot, ReferenceValue
from openmil.indicators.registry import REGISTRY, Indicator, Period
from openmil.indicators.selectors import (
    ALL,
    Cell,
    Figure,
    Published,
    analytic_queries,
    indicator_publish,
)
from openmil.indicators.stats import difference_interval, wilson_interval
from openmil.participants.models import Need, Participant
from openmil.participants.selectors import participants_counted

# ---------------------------------------------------------------------------
# The funnel from intake to employment.

FUNNEL_STEPS: dict[str, Any] = {
    "intake": _("Taken in during the period"),
    "needs_met": _("Every urgent need met"),
    "pathway": _("Pathway started"),
    "exited": _("Pathway ended"),
    "employed": _("Employed at a follow-up survey"),
}


def _funnel_counts(
    *, lab_ids: Iterable[int], period: Period, by_lab: bool
) -> dict[int, list[dict[str, Any]]]:
    from openmil.pathways.models import FollowUpSurvey, Pathway

    end = period.end
    unmet = Exists(
        Need.objects.filter(participant=OuterRef("pk"), urgent=True).exclude(
            status=Need.Status.MET, resolved_at__date__lte=end
        )
    )
    started = Exists(
        Pathway.objects.filter(participant=OuterRef("pk"), started_on__lte=end)
    )
    exited = Exists(
        Pathway.objects.filter(
            participant=OuterRef("pk"),
            status=Pathway.Status.EXITED,
            exit_date__lte=end,
        )
    )
    employed = Exists(
        FollowUpSurvey.objects.filter(
            pathway__participant=OuterRef("pk"),
            answered_at__date__lte=end,
            employment_status="employed",
        )
    )
    lab_ids = sorted(set(lab_ids))
    people: QuerySet[Participant] = participants_counted(lab_ids=lab_ids).filter(
        intake_date__range=(period.start, end)
    )
    needs_met = ~Q(has_unmet=True)
    on_pathway = needs_met & Q(has_pathway=True)
    out = on_pathway & Q(has_exit=True)
    steps = {
        "intake": Q(),
        "needs_met": needs_met,
        "pathway": on_pathway,
        "exited": out,
        "employed": out & Q(has_job=True),
    }
    rows = (
        people.annotate(
            has_unmet=unmet, has_pathway=started, has_exit=exited, has_job=employed
        )
        .annotate(_part=F("lab_id") if by_lab else Value(0))
        .order_by()
        .values("_part")
        .annotate(
            **{
                f"n_{step}": Count("pk", filter=condition)
                for step, condition in steps.items()
            }
        )
    )
    with analytic_queries(rows.db):
        counts: dict[int, dict[str, Any]] = {row["_part"]: dict(row) for row in rows}
    return {
        part: [
            {"step": step, "n": counts.get(part, {}).get(f"n_{step}") or 0}
            for step in FUNNEL_STEPS
        ]
        for part in (lab_ids if by_lab else [0])
    }


def funnel_compute(*, lab_ids: Iterable[int], period: Period) -> list[dict[str, Any]]:
    """Exact counts of the funnel: people taken in during the period, then
    of them, those whose urgent needs were all met, who started a pathway,
    whose pathway ended, and who said they were employed at a follow-up
    survey, each by the end of the period. Each step is a subset of the
    previous one. The labs are taken together."""
    return _funnel_counts(lab_ids=lab_ids, period=period, by_lab=False)[0]


#: Seconds of database time per million participants, about, as
#: `Indicator.cost` (bench/indicators).
FUNNEL_COST = 4.0


def funnel_compute_by_lab(
    *, lab_ids: Iterable[int], period: Period
) -> dict[int, list[dict[str, Any]]]:
    """The funnel of each lab (see `funnel_compute`), in one grouped query."""
    return _funnel_counts(lab_ids=lab_ids, period=period, by_lab=True)


@dataclass(frozen=True)
class FunnelStep:
    step: str
    label: str
    n: SafeCount | int
    percent: int  # of the first step, for the bar; 0 when hidden


def funnel_published(*, snapshot: IndicatorSnapshot, exact: bool) -> list[FunnelStep]:
    """The funnel as a user may see it. Steps are nested, not a partition,
    so each count is protected on its own (small ones hidden, others
    rounded); rounding also blurs the difference between two steps."""
    stored = {row["step"]: int(row["n"]) for row in snapshot.funnel or []}
    if not stored:
        return []
    policy = DisclosurePolicy.for_country(snapshot.lab.country)
    top = max(stored.get("intake", 0), 1)
    steps = []
    for step, label in FUNNEL_STEPS.items():
        n = stored.get(step, 0)
        shown: SafeCount | int
        if exact:
            shown, width = n, round(100 * n / top)
        else:
            shown = table_protect({step: n}, policy=policy)[step]
            width = 0 if shown.hidden else round(100 * (shown.value or 0) / top)
        steps.append(FunnelStep(step, str(label), shown, min(width, 100)))
    return steps


# ---------------------------------------------------------------------------
# Headline figures, possibly restricted to one group (cohort or profile).


def figures_for(
    *,
    snapshot: IndicatorSnapshot,
    exact: bool,
    breakdown: str = "",
    selection: tuple[str, str] | None = None,
) -> list[Figure]:
    """Every registered indicator of a snapshot, published. With a
    selection (breakdown, group), the figure's first cell is that group's,
    published together with its breakdown so no hidden cell leaks; the
    breakdown bars then show the selected group's breakdown only if it is
    the same breakdown."""
    policy = DisclosurePolicy.for_country(snapshot.lab.country)
    figures = []
    for indicator_id, indicator in REGISTRY.items():
        stored = snapshot.cells.get(indicator_id, {})
        whole = [Cell(**c) for c in stored.get("", [])]
        if not whole:
            continue
        head: Published | None
        if selection:
            key, group = selection
            table = whole + [Cell(**c) for c in stored.get(key, [])]
            published = indicator_publish(
                indicator=indicator, cells=table, exact=exact, policy=policy
            )
            head = next((c for c in published if c.group == group), None)
            if head is None:
                head = Published(group, 0, None, None, None, True, exact)
            figures.append(Figure(indicator, [head]))
            continue
        groups = [Cell(**c) for c in stored.get(breakdown, [])] if breakdown else []
        cells = indicator_publish(
            indicator=indicator, cells=whole + groups, exact=exact, policy=policy
        )
        figures.append(Figure(indicator, cells))
    return figures


# ---------------------------------------------------------------------------
# Trends: the same figure over the lab's periods of the same kind.


def _period_kind(label: str) -> str:
    if ".." in label:
        return "range"
    if "-Q" in label.upper():
        return "quarter"
    return "month" if len(label) == 7 else "year"


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: float | None  # in the unit shown: percent for shares


def trend_snapshot_versions(
    *, lab_id: int, period: Period, count: int = 8
) -> list[tuple[int, dt.datetime]]:
    """(id, computed at) of the latest snapshot of each of the lab's last
    `count` periods of the same kind (years, quarters, months) up to
    `period`, by id."""
    kind = _period_kind(period.label)
    rows = (
        IndicatorSnapshot.objects.filter(lab_id=lab_id, period_end__lte=period.end)
        .order_by("-period_start", "period", "-computed_at")
        .values_list("pk", "period", "computed_at")
    )
    chosen: dict[str, tuple[int, dt.datetime]] = {}
    for pk, label, computed_at in rows.iterator():
        if _period_kind(label) == kind and label not in chosen:
            chosen[label] = (pk, computed_at)
            if len(chosen) >= count:
                break
    return sorted(chosen.values())


def trend_snapshots(
    *, lab_id: int, period: Period, count: int = 8, ids: list[int] | None = None
) -> list[IndicatorSnapshot]:
    """The snapshots of `trend_snapshot_versions` (or of `ids`), oldest
    first."""
    if ids is None:
        versions = trend_snapshot_versions(lab_id=lab_id, period=period, count=count)
        ids = [pk for pk, _computed_at in versions]
    snapshots = IndicatorSnapshot.objects.filter(pk__in=ids)
    return sorted(
        snapshots.select_related("lab"), key=lambda s: (s.period_start, s.period)
    )


def trends_for(
    *,
    snapshots: list[IndicatorSnapshot],
    exact: bool,
    selection: tuple[str, str] | None = None,
) -> dict[str, list[TrendPoint]]:
    """indicator id -> one point per snapshot (None where hidden or empty)."""
    series: dict[str, list[TrendPoint]] = defaultdict(list)
    for snapshot in snapshots:
        by_id = {
            f.indicator.id: f.cells[0]
            for f in figures_for(snapshot=snapshot, exact=exact, selection=selection)
        }
        for indicator_id, indicator in REGISTRY.items():
            cell = by_id.get(indicator_id)
            value = None if cell is None else cell.value
            if value is not None and indicator.kind == "proportion":
                value = 100 * value
            series[indicator_id].append(TrendPoint(snapshot.period, value))
    return dict(series)


# ---------------------------------------------------------------------------
# Reference values and the gap to them.


def references_of(*, user: Any, lab_id: int) -> QuerySet[ReferenceValue]:
    """A lab's reference values, for anybody who reads its aggregates."""
    access.require(user, Perm.VIEW_AGGREGATES, lab_id)
    return ReferenceValue.objects.filter(lab_id=lab_id)


def references_visible(*, user: Any) -> QuerySet[ReferenceValue]:
    return ReferenceValue.objects.filter(
        lab_id__in=access.lab_ids_with(user, Perm.VIEW_AGGREGATES)
    )


def reference_get(*, user: Any, reference_id: int, permission: str) -> ReferenceValue:
    """A reference value of a lab where the user holds `permission`, else 404."""
    reference = ReferenceValue.objects.filter(pk=reference_id).first()
    if reference is None or not access.can(user, permission, reference.lab_id):
        raise Http404
    return reference


@dataclass(frozen=True)
class Gap:
    """The cohort's figure minus a reference value, with its 95 % interval.

    In percentage points for shares, in the indicator's unit for medians.
    Descriptive, not causal: the cohort and the reference population differ
    in more than the lab's work.
    """

    reference: ReferenceValue
    gap: float | None
    low: float | None
    high: float | None
    unit: str


def gap_of(*, indicator: Indicator, cell: Published, reference: ReferenceValue) -> Gap:
    """The gap of a published figure to a reference value (none when the
    figure is hidden by disclosure control)."""
    unit = "pp" if indicator.kind == "proportion" else str(indicator.unit)
    if cell.value is None:
        return Gap(reference, None, None, None, unit)
    scale = 100.0 if indicator.kind == "proportion" else 1.0
    interval = (
        (scale * cell.low, scale * cell.high)
        if cell.low is not None and cell.high is not None
        else None
    )
    ref_interval = (
        (reference.ci_low, reference.ci_high)
        if reference.ci_low is not None and reference.ci_high is not None
        else None
    )
    gap, bounds = difference_interval(
        scale * cell.value, interval, reference.value, ref_interval
    )
    return Gap(
        reference,
        gap,
        bounds[0] if bounds else None,
        bounds[1] if bounds else None,
        unit,
    )


def gaps_for(
    *,
    lab_id: int,
    figures: list[Figure],
    references: Iterable[ReferenceValue] | None = None,
) -> dict[str, list[Gap]]:
    """indicator id -> the gap of its headline figure to each of the lab's
    reference values for that indicator (read unless given). No permission
    check: the figures were published for the caller already."""
    if references is None:
        references = ReferenceValue.objects.filter(lab_id=lab_id)
    by_indicator: dict[str, list[ReferenceValue]] = defaultdict(list)
    for reference in references:
        by_indicator[reference.indicator_id].append(reference)
    return {
        f.indicator.id: [
            gap_of(indicator=f.indicator, cell=f.cells[0], reference=r)
            for r in by_indicator[f.indicator.id]
        ]
        for f in figures
        if by_indicator.get(f.indicator.id)
    }


# ---------------------------------------------------------------------------
# The network dashboard: every lab of a network, side by side and together.


@dataclass(frozen=True)
class NetworkRow:
    indicator: Indicator
    total: Published
    by_lab: dict[int, Published]


@dataclass(frozen=True)
class NetworkView:
    network: Network
    labs: list[Lab]
    snapshots: dict[int, IndicatorSnapshot]
    rows: list[NetworkRow]


def networks_of(*, user: Any) -> QuerySet[Network]:
    return Network.objects.filter(
        labs__id__in=access.lab_ids_with(user, Perm.VIEW_AGGREGATES)
    ).distinct()


def network_labs(*, user: Any, network_id: int) -> list[Lab]:
    """The labs of a network whose aggregates the user reads, else 404."""
    lab_ids = access.lab_ids_with(user, Perm.VIEW_AGGREGATES)
    labs = list(
        Lab.objects.filter(network_id=network_id, pk__in=lab_ids).select_related(
            "network"
        )
    )
    if not labs:
        raise Http404
    return labs


def network_snapshot_versions(
    *, labs: list[Lab], period: Period
) -> dict[int, tuple[int, dt.datetime]]:
    """lab id -> (id, computed at) of its latest snapshot of the period, in
    one query."""
    rows = (
        IndicatorSnapshot.objects.filter(
            lab_id__in=[lab.pk for lab in labs], period=period.label
        )
        .order_by("lab_id", "-computed_at", "-pk")
        .values_list("lab_id", "pk", "computed_at")
    )
    latest: dict[int, tuple[int, dt.datetime]] = {}
    for lab_id, pk, computed_at in rows:
        latest.setdefault(lab_id, (pk, computed_at))
    return latest


def network_figures(*, user: Any, network_id: int, period: Period) -> NetworkView:
    """The labs of a network the user reads aggregates of, side by side and
    together, always disclosure-controlled (even for a lab's own staff: the
    page is for analysts and the network). Labs are the groups of one
    table, so a hidden lab cannot be recovered from the total. Medians of
    several labs cannot be combined from their snapshots: the total shows
    none."""
    labs = network_labs(user=user, network_id=network_id)
    network = labs[0].network
    policy = DisclosurePolicy.strictest(lab.country for lab in labs)
    latest = network_snapshot_versions(labs=labs, period=period)
    loaded = {
        s.lab_id: s
        for s in IndicatorSnapshot.objects.filter(
            pk__in=[pk for pk, _computed_at in latest.values()]
        )
    }
    snapshots = {lab.pk: loaded[lab.pk] for lab in labs if lab.pk in loaded}
    rows = []
    for indicator_id, indicator in REGISTRY.items():
        per_lab = {
            lab_id: Cell(**dict(s.cells[indicator_id][""][0], group=str(lab_id)))
            for lab_id, s in snapshots.items()
            if s.cells.get(indicator_id, {}).get("")
        }
        if not per_lab:
            continue
        n = sum(c.n for c in per_lab.values())
        if indicator.kind == "proportion":
            k = sum(c.k or 0 for c in per_lab.values())
            interval = wilson_interval(k, n)
            total = Cell(
                ALL,
                n,
                k,
                k / n if n else None,
                interval[0] if interval else None,
                interval[1] if interval else None,
            )
        else:
            total = Cell(ALL, n, None, None, None, None)
        published = indicator_publish(
            indicator=indicator,
            cells=[total, *per_lab.values()],
            exact=False,
            policy=policy,
        )
        rows.append(
            NetworkRow(
                indicator,
                published[0],
                {int(c.group): c for c in published[1:]},
            )
        )
    return NetworkView(network, labs, snapshots, rows)
