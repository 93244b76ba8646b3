"""Reads of the network app.

Good practices are not about people: every member of staff with access to
aggregates reads the published ones; drafts are seen only by the lab's own
people who may write practices. Figures (benchmarking, adoptions) come from
indicator snapshots through disclosure control, never exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from openmil.core import access
from openmil.core.models import Lab
from openmil.core.roles import Perm
from openmil.indicators.models import IndicatorSnapshot
from openmil.indicators.registry import REGISTRY, Indicator
from openmil.indicators.selectors import snapshot_figures_published
from openmil.network import search
from openmil.network.models import (
    Adoption,
    FederatedLab,
    FederatedPractice,
    FederatedSnapshot,
    MipexScore,
    Practice,
    PracticeQuestion,
    PracticeVersion,
)


def _require_reader(user: Any) -> None:
    if not access.has_any(user, Perm.VIEW_AGGREGATES):
        raise Http404


def practices_visible(*, user: Any) -> QuerySet[Practice]:
    """Published practices, and drafts of the labs where the user writes them."""
    _require_reader(user)
    own = access.lab_ids_with(user, Perm.EXCHANGE_PRACTICE)
    return Practice.objects.filter(
        Q(status=Practice.Status.PUBLISHED) | Q(lab_id__in=own)
    ).select_related("lab")


def practice_get(*, user: Any, practice_id: int) -> Practice:
    practice = practices_visible(user=user).filter(pk=practice_id).first()
    if practice is None:
        raise Http404
    return practice


def practice_get_for_edit(*, user: Any, practice_id: int) -> Practice:
    practice = practice_get(user=user, practice_id=practice_id)
    if not access.can(user, Perm.EXCHANGE_PRACTICE, practice.lab_id):
        raise Http404
    return practice


def version_for(practice: Practice, language: str) -> PracticeVersion | None:
    """The version in `language`, else English, else the first written."""
    versions = {v.language: v for v in practice.versions.all()}
    return (
        versions.get(language)
        or versions.get("en")
        or next(iter(sorted(versions.items())), (None, None))[1]
    )


@dataclass
class PracticeHit:
    practice: Practice
    version: PracticeVersion | None
    rank: float = 0.0


def practice_search(
    *,
    user: Any,
    query: str = "",
    pillar: str = "",
    country: str = "",
    sdg: int | None = None,
    language: str = "",
    lab_id: int | None = None,
    display_language: str = "en",
) -> list[PracticeHit]:
    """Practices matching the filters and every word of `query`, best first
    (most recently changed first without a query)."""
    qs = practices_visible(user=user).prefetch_related("versions")
    if pillar:
        qs = qs.filter(pillar=pillar)
    if lab_id:
        qs = qs.filter(lab_id=lab_id)
    if language:
        qs = qs.filter(versions__language=language)
    practices = list(qs.distinct()[:500])
    # JSON list filters in Python: portable between SQLite and PostgreSQL.
    if country:
        practices = [p for p in practices if country in p.countries]
    if sdg:
        practices = [p for p in practices if sdg in p.sdgs]
    if not query.strip():
        return [PracticeHit(p, version_for(p, display_language)) for p in practices]
    by_version: dict[int, tuple[Practice, PracticeVersion]] = {
        v.pk: (p, v)
        for p in practices
        for v in p.versions.all()
        if not language or v.language == language
    }
    hits: dict[int, PracticeHit] = {}
    for version_id, rank in search.ranked_version_ids(
        query, version_ids=list(by_version)
    ):
        practice, version = by_version[version_id]
        if practice.pk not in hits:
            hits[practice.pk] = PracticeHit(practice, version, rank)
    return list(hits.values())


def questions_of(practice: Practice) -> QuerySet[PracticeQuestion]:
    return practice.questions.select_related("lab").prefetch_related("answers__lab")


@dataclass
class IndicatorChange:
    indicator: Indicator
    before: Any
    after: Any


@dataclass
class AdoptionView:
    adoption: Adoption
    before: IndicatorSnapshot | None
    after: IndicatorSnapshot | None
    changes: list[IndicatorChange] = field(default_factory=list)


def _whole(snapshot: IndicatorSnapshot | None) -> dict[str, Any]:
    if snapshot is None:
        return {}
    return {
        f.indicator.id: f.cells[0]
        for f in snapshot_figures_published(snapshot=snapshot, exact=False)
    }


def adoption_figures(*, adoption: Adoption) -> AdoptionView:
    """The adopting lab's indicators before (latest snapshot of a period that
    ended before the adoption) and after (latest of a period that started on
    or after it), disclosure-controlled."""
    snapshots = IndicatorSnapshot.objects.filter(lab_id=adoption.lab_id).order_by(
        "-period_end", "-computed_at"
    )
    before = snapshots.filter(period_end__lt=adoption.adopted_on).first()
    after = snapshots.filter(period_start__gte=adoption.adopted_on).first()
    old, new = _whole(before), _whole(after)
    ids = adoption.practice.evidence_indicators or list(REGISTRY)
    changes = [
        IndicatorChange(REGISTRY[i], old.get(i), new.get(i))
        for i in ids
        if i in REGISTRY and (i in old or i in new)
    ]
    return AdoptionView(adoption, before, after, changes)


def adoptions_of(practice: Practice) -> list[AdoptionView]:
    return [
        adoption_figures(adoption=a)
        for a in practice.adoptions.select_related("lab", "practice")
    ]


# ---------------------------------------------------------------------------
# Benchmarking.


@dataclass
class Column:
    name: str
    country: str
    federated: bool
    period: str
    figures: dict[str, dict[str, Any]]


@dataclass
class Benchmark:
    period: str
    columns: list[Column]
    rows: list[tuple[Indicator, list[dict[str, Any] | None]]]
    mipex: dict[str, dict[str, int]]
    strands: list[tuple[str, str]]


def benchmark_labs(*, user: Any) -> QuerySet[Lab]:
    """Labs of the networks where the user reads aggregates."""
    _require_reader(user)
    ids = access.lab_ids_with(user, Perm.VIEW_AGGREGATES)
    networks = Lab.objects.filter(pk__in=ids).values("network_id")
    return Lab.objects.filter(network_id__in=networks).order_by("name")


def _display(cell: Any, indicator: Indicator) -> dict[str, Any]:
    return {
        "n": str(cell.n),
        "value": cell.value,
        "hidden": cell.hidden,
        "proportion": indicator.kind == "proportion",
    }


def benchmark(*, user: Any, period: str) -> Benchmark:
    """This installation's labs and the federated ones, side by side."""
    columns: list[Column] = []
    for lab in benchmark_labs(user=user):
        snapshot = (
            IndicatorSnapshot.objects.filter(lab=lab, period=period)
            .order_by("-computed_at", "-pk")
            .first()
        )
        figures = {
            i: _display(cell, REGISTRY[i]) for i, cell in _whole(snapshot).items()
        }
        columns.append(Column(lab.name, lab.country, False, period, figures))
    for federated in FederatedLab.objects.filter(status=FederatedLab.Status.APPROVED):
        latest = (
            FederatedSnapshot.objects.filter(federated_lab=federated, period=period)
            .order_by("-computed_at", "-pk")
            .first()
        )
        figures = {}
        for i, cell in (latest.figures if latest else {}).items():
            if i in REGISTRY:
                figures[i] = {
                    **cell,
                    "proportion": REGISTRY[i].kind == "proportion",
                }
        columns.append(Column(federated.name, federated.country, True, period, figures))
    rows = [
        (indicator, [c.figures.get(indicator.id) for c in columns])
        for indicator in REGISTRY.values()
    ]
    return Benchmark(
        period,
        columns,
        rows,
        mipex_latest(countries={c.country for c in columns}),
        [(code, str(label)) for code, label in MipexScore.Strand.choices],
    )


def mipex_latest(*, countries: set[str]) -> dict[str, dict[str, int]]:
    """country -> strand -> the most recent score."""
    latest: dict[str, dict[str, int]] = {}
    for score in MipexScore.objects.filter(country__in=countries).order_by(
        "country", "strand", "-year"
    ):
        latest.setdefault(score.country, {}).setdefault(score.strand, score.score)
    return latest


def mipex_scores() -> QuerySet[MipexScore]:
    return MipexScore.objects.all()


def federated_practices() -> list[FederatedPractice]:
    """The latest version of each practice pushed by a federated lab."""
    latest: dict[tuple[int, int], FederatedPractice] = {}
    for fp in FederatedPractice.objects.filter(
        federated_lab__status=FederatedLab.Status.APPROVED
    ).select_related("federated_lab"):
        latest.setdefault((fp.federated_lab_id, fp.remote_id), fp)
    return list(latest.values())
