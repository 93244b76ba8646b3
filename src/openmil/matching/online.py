"""Online matching: batches arrive over time and use up shared capacity.

Each batch is matched as it arrives, keeping room for later arrivals with the
dual prices of dynamic Annie MOORE (Ahani et al., Operations Research 2024):
the LP relaxation of "this batch plus a sample of the arrivals still to come"
on the remaining capacity prices each unit of room in each slot; the batch is
then solved exactly with every pair's value lowered by the price of the room
it takes. A pair worth less than the room it uses is left for a later
candidate. Prices are averaged over the forecast's samples and recomputed for
every batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from openmil.matching.problem import (
    Assignment,
    Candidate,
    Pair,
    Problem,
    Slot,
    Solution,
    Weights,
)
from openmil.matching.solver import (
    DEFAULT_MIP_GAP,
    model_build,
    model_solve,
    relaxation_solve,
)


@dataclass(frozen=True, slots=True)
class Batch:
    """Candidates arriving together, with their allowed pairs."""

    candidates: tuple[Candidate, ...]
    pairs: tuple[Pair, ...]


# forecast(t, seen) -> samples of everything expected to arrive after batch t,
# given the batches seen so far (batch t included). Each sample is one Batch.
Forecast = Callable[[int, Sequence[Batch]], Sequence[Batch]]


@dataclass(frozen=True, slots=True)
class OnlineResult:
    assignments: tuple[Assignment, ...]
    objective: float
    batches: tuple[Solution, ...]
    seconds: float


def history_forecast(*, horizon: int, samples: int = 1, seed: int = 0) -> Forecast:
    """A forecast that replays candidates seen so far: for each batch still to
    come, as many candidates as the average batch, drawn with replacement."""

    def forecast(t: int, seen: Sequence[Batch]) -> Sequence[Batch]:
        remaining = horizon - t - 1
        pool = [c for b in seen for c in b.candidates]
        if remaining <= 0 or not pool:
            return []
        pairs_of: dict[str, list[Pair]] = {}
        for b in seen:
            for p in b.pairs:
                pairs_of.setdefault(p.candidate, []).append(p)
        per_batch = len(pool) / len(seen)
        count = round(per_batch * remaining)
        rng = np.random.default_rng([seed, t])
        result = []
        for k in range(samples):
            drawn = rng.integers(0, len(pool), size=count)
            cands: list[Candidate] = []
            pairs: list[Pair] = []
            for n, i in enumerate(drawn.tolist()):
                original = pool[i]
                cid = f"~future{k}:{n}"
                cands.append(replace(original, id=cid, preferences=()))
                pairs.extend(
                    Pair(cid, p.slot, p.score) for p in pairs_of.get(original.id, [])
                )
            result.append(Batch(tuple(cands), tuple(pairs)))
        return result

    return forecast


def _room_prices(
    *,
    dimensions: tuple[str, ...],
    slots: Sequence[Slot],
    batch: Batch,
    samples: Sequence[Batch],
    weights: Weights,
) -> np.ndarray | None:
    """Mean dual price per (slot, dimension), slots in id order."""
    prices = []
    for sample in samples:
        problem = Problem(
            dimensions=dimensions,
            candidates=batch.candidates + sample.candidates,
            slots=tuple(slots),
            pairs=batch.pairs + sample.pairs,
            weights=weights,
        )
        relaxed = relaxation_solve(model_build(problem))
        if relaxed.capacity_duals is not None:
            prices.append(relaxed.capacity_duals)
    if not prices:
        return None
    return np.mean(prices, axis=0)


def match_online(
    *,
    dimensions: Sequence[str],
    slots: Sequence[Slot],
    batches: Sequence[Batch],
    forecast: Forecast | None = None,
    weights: Weights | None = None,
    assign_all: bool = False,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> OnlineResult:
    """Match batches in order; without a forecast each batch is matched
    myopically. With `assign_all`, a batch that cannot be placed in full on the
    remaining room is matched as well as it can be instead."""
    started = time.perf_counter()
    dims = tuple(dimensions)
    weights = weights or Weights()
    room = {s.id: {d: float(s.capacity[d]) for d in dims} for s in slots}
    sizes: dict[str, Mapping[str, float]] = {}
    chosen: list[Assignment] = []
    values: list[float] = []
    solutions: list[Solution] = []
    seen: list[Batch] = []
    for t, batch in enumerate(batches):
        seen.append(batch)
        current = tuple(Slot(sid, dict(room[sid])) for sid in sorted(room))
        for c in batch.candidates:
            sizes[c.id] = c.size
        problem = Problem(
            dimensions=dims,
            candidates=batch.candidates,
            slots=current,
            pairs=batch.pairs,
            assign_all=assign_all,
            weights=weights,
        )
        model = model_build(problem)
        true_coef = model.coef.copy()
        samples = forecast(t, seen) if forecast is not None else []
        prices = (
            _room_prices(
                dimensions=dims,
                slots=current,
                batch=batch,
                samples=samples,
                weights=weights,
            )
            if samples
            else None
        )
        if prices is not None:
            per_slot = prices.reshape(len(current), len(dims))
            cand_sizes = np.array(
                [
                    [float(sizes[model.candidate_ids[i]][d]) for d in dims]
                    for i in model.pc
                ]
            ).reshape(len(model.pc), len(dims))
            model.coef = model.coef - (cand_sizes * per_slot[model.ps]).sum(axis=1)
        solution = model_solve(model, mip_gap=mip_gap)
        if solution.status == "infeasible" and assign_all:
            model = model_build(replace(problem, assign_all=False))
            solution = model_solve(model, mip_gap=mip_gap)
        solutions.append(solution)
        index = {
            (model.candidate_ids[model.pc[p]], model.slot_ids[model.ps[p]]): p
            for p in range(len(model.pc))
        }
        for a in solution.assignments:
            chosen.append(a)
            values.append(float(true_coef[index[(a.candidate, a.slot)]]))
            for d in dims:
                room[a.slot][d] = max(
                    room[a.slot][d] - float(sizes[a.candidate][d]), 0.0
                )
    return OnlineResult(
        assignments=tuple(sorted(chosen, key=lambda a: (a.candidate, a.slot))),
        objective=math.fsum(values),
        batches=tuple(solutions),
        seconds=time.perf_counter() - started,
    )
