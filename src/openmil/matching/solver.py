"""Exact solution of a matching problem as a mixed-integer program (HiGHS).

Formulation, with x[c, s] in {0, 1} for each allowed, non-forbidden pair:

    maximise   sum  w(c, s) x[c, s]
    subject to sum_s x[c, s] <= 1        (= 1 when every candidate must be placed)
               sum_c size[c, d] x[c, s] <= capacity[s, d]   for each slot s, dim d
               sum_{c in g} (score[c, s] - floor) x[c, s] >= 0   (mean-score floor)
               sum_{c in g} x[c, s] >= ceil(share * |g|)          (share floor)
               x[c, s] = 1 for fixed pairs

with w = weights.score * score + weights.preference * rank bonus
+ weights.assigned.

The LP relaxation (0 <= x <= 1) is solved first; the bound reported is the
weak-duality bound of its duals (y @ row bounds + the positive reduced
costs), a proven upper bound equal to the LP value up to rounding, and when
its solution is integral it is the optimum. Large models (20,000 pairs or
more, nothing that must be placed) get the LP by pricing: each candidate's
best 3 pairs under room prices from a smoothed Lagrangian dual (L-BFGS),
then, round after round on the same HiGHS instance, every candidate's best
3 pairs of positive reduced cost, until none is left: that LP's optimum is
the whole LP's.

An integer solution within `mip_gap` of the bound is optimal within the
gap, so the engine looks for one without branching on the whole model:

1. round the LP solution;
2. keep the pairs the LP takes in full and solve the small integer program of
   the candidates it splits, on the room left ("fix and solve"), to within
   a quarter of (bound - target) of that program's optimum;
3. improve that answer neighbourhood by neighbourhood: free everyone placed
   in a few slots where the answer wastes most against the LP's prices
   (priced room left empty, reduced costs of the pairs used), plus the
   candidates left out or split there, keep the rest as they are, and solve
   that integer program exactly. When a pass finds nothing better, the
   households of one size, then of two sizes, are freed in every slot, one
   neighbourhood each (they are interchangeable in any slot's room, and
   exchanging them between far apart slots is a move no few slots'
   neighbourhood holds); if that finds nothing better either, the slots'
   neighbourhoods grow. An integer program already solved without gain is
   not solved again.
   Steps 2 and 3 use only the pairs an answer within the gap can contain
   (reduced-cost fixing: a pair whose reduced cost is below
   -(bound - target) is in none); fix and solve and step 3's first pass,
   of the smallest neighbourhoods, use only those whose reduced cost is not
   markedly negative, and step 3 then goes on with every pair within reach;
4. if the search stalls and the slots' knapsacks are small, the Lagrangian
   bound (`lagrange`: the candidates' rows priced, each slot's knapsack
   solved exactly) is tighter than the LP's: it may prove the answer (its
   steps stop as soon as it does), or lowers the target;
5. only if that still misses the gap, the whole integer program, started from
   the best answer so far and stopped as soon as an answer is within the gap
   of the bound (or within half the gap of HiGHS's own, tighter bound, which
   is then reported).

HiGHS is called through `highspy`, with one thread. Ids are sorted before
the model is built, every step takes its neighbourhoods in a fixed order and
HiGHS is deterministic, so the same problem (in any order) gives the same
answer unless a time limit cuts a step short.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import threading
import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import optimize, sparse

from openmil.matching import lagrange
from openmil.matching.problem import (
    Assignment,
    Problem,
    Solution,
    Status,
    problem_validate,
)

DEFAULT_MIP_GAP = 1e-3
_INTEGRAL = 1e-6
_INF = highspy.kHighsInf
# Neighbourhood search: slots per neighbourhood on the first pass, and the
# most it grows to before the whole integer program is solved instead.
_FIRST_SLOTS = 4
_MOST_SLOTS = 16
# The searches use pairs whose LP reduced cost is at least -_NEAR times the
# median pair value (see `_promising`).
_NEAR = 0.1
# Fix and solve stops within this share of (bound - target) of its own
# optimum: proving the last hundredths there is the neighbourhoods' work.
_FIX_GAP = 0.25
# Fewer cuts kept in HiGHS's LP and cut pool: on these knapsack rows its
# root cut loop is most of a small integer program's time. Presolve off: on
# the benchmark's S instances (12 seeds) it cut the hard seeds' time by up
# to 5x (the neighbourhoods' programs are small and already reduced) and
# left the others as they were.
_MIP_OPTIONS: dict[str, bool | float | str] = {
    "mip_lp_age_limit": 3,
    "mip_pool_soft_limit": 1000,
    "presolve": "off",
}
# The neighbourhoods' integer programs of a small model (under _PRICE_FROM
# pairs) start from the answer they improve and are small: HiGHS's primal
# heuristics (feasibility jump, RENS, RINS, root reduced cost) cost more
# there than they find. On the benchmark's S instances (12 seeds) turning
# them off there cut the total time by 40 %. On large models they pay for
# themselves (L seed 2: 29 s with them, 59 s without), and the whole integer
# program always keeps them.
_SUB_MIP_OPTIONS: dict[str, bool | float | str] = {
    **_MIP_OPTIONS,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_root_reduced_cost": False,
}
# Neighbourhoods of households of one size, or of two: at most this many of
# the pairs of sizes are tried when a pass stalls (the most common first),
# and none of more than _SIZE_MOST_PAIRS pairs.
_SIZE_PAIRS = 30
_SIZE_MOST_PAIRS = 5_000
# HiGHS's dual bound is within its feasibility tolerances: this much
# (relative) is added before it is reported.
_HIGHS_SLACK = 1e-7
# Subgradient steps of the Lagrangian bound (`lagrange`).
_LAGRANGE_ITERATIONS = 30
# Seconds a neighbourhood search may spend without a time limit, on models
# under _PRICE_FROM pairs (larger ones search until the search stalls).
_SEARCH_SECONDS = 120.0


@dataclass
class Model:
    """The problem as arrays: pair p joins candidate pc[p] to slot ps[p].

    Rows of `a` are the candidates (each at most one slot; exactly one with
    `assign_all`), then the capacity rows that can bind, then the fairness
    floors: row_lower <= a @ x <= row_upper.
    """

    problem: Problem
    candidate_ids: list[str]
    slot_ids: list[str]
    pc: np.ndarray
    ps: np.ndarray
    score: np.ndarray
    coef: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    a: sparse.csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    capacity_rows: np.ndarray  # row of a -> slot * n_dims + dim, or -1
    sizes: np.ndarray  # candidates x dimensions
    capacity: np.ndarray  # slots x dimensions
    infeasible: str = ""  # a reason found while building, before any solve


def model_build(problem: Problem) -> Model:
    """Validate the problem and turn it into a sparse constraint matrix."""
    problem_validate(problem)
    dims = problem.dimensions
    n_dims = len(dims)
    candidates = sorted(problem.candidates, key=lambda c: c.id)
    slots = sorted(problem.slots, key=lambda s: s.id)
    candidate_ids = [c.id for c in candidates]
    slot_ids = [s.id for s in slots]
    c_index = {cid: i for i, cid in enumerate(candidate_ids)}
    s_index = {sid: j for j, sid in enumerate(slot_ids)}
    n_c, n_s = len(candidates), len(slots)
    sizes = np.array(
        [[float(c.size[d]) for d in dims] for c in candidates], dtype=float
    ).reshape(n_c, n_dims)
    caps = np.array(
        [[float(s.capacity[d]) for d in dims] for s in slots], dtype=float
    ).reshape(n_s, n_dims)

    kept = problem.pairs
    if problem.forbidden:
        forbidden = set(problem.forbidden)
        kept = tuple(p for p in kept if (p.candidate, p.slot) not in forbidden)
    pc = np.fromiter((c_index[p.candidate] for p in kept), np.int64, len(kept))
    ps = np.fromiter((s_index[p.slot] for p in kept), np.int64, len(kept))
    score = np.fromiter((p.score for p in kept), float, len(kept))
    order = np.lexsort((ps, pc))
    pc, ps, score = pc[order], ps[order], score[order]
    n_p = len(pc)

    bonus = np.zeros(n_p)
    ranks = {
        c_index[c.id]: {s_index[sid]: r for r, sid in enumerate(c.preferences)}
        for c in candidates
        if c.preferences
    }
    if ranks:
        for p in range(n_p):
            ranked = ranks.get(int(pc[p]))
            if ranked is not None and int(ps[p]) in ranked:
                k = len(ranked)
                bonus[p] = (k - ranked[int(ps[p])]) / k
    w = problem.weights
    coef = w.score * score + w.preference * bonus + w.assigned

    lower = np.zeros(n_p)
    upper = np.ones(n_p)
    # A pair that cannot fit an empty slot is never usable.
    upper[(sizes[pc] > caps[ps] + 1e-9).any(axis=1)] = 0.0
    if problem.fixed:
        key = pc * max(n_s, 1) + ps  # sorted, as the pairs are
        for cid, sid in problem.fixed:
            p = int(np.searchsorted(key, c_index[cid] * max(n_s, 1) + s_index[sid]))
            lower[p] = 1.0
    upper = np.maximum(upper, lower)  # an oversize fixed pair is infeasible

    infeasible = ""
    if problem.assign_all:
        usable = np.zeros(n_c, dtype=bool)
        usable[pc[upper > 0]] = True
        missing = np.flatnonzero(~usable)
        if len(missing):
            infeasible = (
                f"candidate {candidate_ids[missing[0]]!r} has no allowed slot "
                "that can take it, so not everyone can be assigned."
            )

    # Triplets (row, column, value) of every row, in row blocks.
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    pair_ids = np.arange(n_p)
    rows.append(pc)
    cols.append(pair_ids)
    vals.append(np.ones(n_p))
    row_lower = [np.full(n_c, 1.0 if problem.assign_all else -_INF)]
    row_upper = [np.ones(n_c)]
    capacity_rows = [np.full(n_c, -1)]
    n_rows = n_c

    # Capacity rows: one per slot and dimension, kept only if it can bind.
    values = sizes[pc].reshape(-1)
    row_ids = (ps[:, None] * n_dims + np.arange(n_dims)[None, :]).reshape(-1)
    col_ids = np.repeat(pair_ids, n_dims)
    nz = values > 0
    values, row_ids, col_ids = values[nz], row_ids[nz], col_ids[nz]
    demand = np.bincount(row_ids, weights=values, minlength=n_s * n_dims)
    flat_caps = caps.reshape(-1)
    binding = np.flatnonzero(demand > flat_caps + 1e-9)
    new_row = np.full(n_s * n_dims, -1)
    new_row[binding] = np.arange(len(binding))
    keep = new_row[row_ids] >= 0
    rows.append(n_rows + new_row[row_ids[keep]])
    cols.append(col_ids[keep])
    vals.append(values[keep])
    row_lower.append(np.full(len(binding), -_INF))
    row_upper.append(flat_caps[binding])
    capacity_rows.append(binding)
    n_rows += len(binding)

    if problem.fairness:
        groups = np.array([c.group for c in candidates], dtype=object)
        for floor in problem.fairness:
            member = np.flatnonzero(groups[pc] == floor.group)
            rows.append(np.full(len(member), n_rows))
            cols.append(member)
            if floor.measure == "mean_score":
                vals.append(score[member] - floor.at_least)
                row_lower.append(np.zeros(1))
            else:
                vals.append(np.ones(len(member)))
                size = int(np.count_nonzero(groups == floor.group))
                need = math.ceil(floor.at_least * size - 1e-9)
                row_lower.append(np.array([need], dtype=float))
            row_upper.append(np.full(1, _INF))
            capacity_rows.append(np.full(1, -1))
            n_rows += 1

    a = sparse.csc_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_p),
    )
    a.sum_duplicates()
    a.sort_indices()
    return Model(
        problem=problem,
        candidate_ids=candidate_ids,
        slot_ids=slot_ids,
        pc=pc,
        ps=ps,
        score=score,
        coef=coef,
        lower=lower,
        upper=upper,
        a=a,
        row_lower=np.concatenate(row_lower),
        row_upper=np.concatenate(row_upper),
        capacity_rows=np.concatenate(capacity_rows),
        sizes=sizes,
        capacity=caps,
        infeasible=infeasible,
    )


_banner_lock = threading.Lock()
_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance. The first one made in a process prints
    HiGHS's banner on standard output, whatever its options, which would spoil
    the JSON that `openmil match solve` writes there: it goes to /dev/null."""
    global _banner_shown
    with _banner_lock:
        if _banner_shown:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "wb") as devnull:
                    os.dup2(devnull.fileno(), 1)
                    h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _banner_shown = True
    h.setOptionValue("output_flag", False)
    # One thread: HiGHS's second worker costs CPU time on these models
    # without saving wall time on a shared 2-core machine, and every instance
    # in a process must ask for the same number of threads.
    h.setOptionValue("threads", 1)
    return h


def _run(h: highspy.Highs) -> None:
    """Run HiGHS. HiGHS's thread pool is per process: if another caller
    started it with more threads, asking for one is refused before
    anything is solved, and the run is repeated with HiGHS's default."""
    status = h.run()
    if (
        status == highspy.HighsStatus.kError
        and h.getModelStatus() == highspy.HighsModelStatus.kNotset
    ):
        h.setOptionValue("threads", 0)
        h.run()


@dataclass
class _Run:
    """What one HiGHS call returned."""

    status: str  # optimal, infeasible, time_limit, target, error
    x: np.ndarray | None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None
    # An integer program's proven bound (HiGHS's dual bound), if finite.
    bound: float | None = None


def _highs_model(
    model: Model,
    *,
    integer: bool,
    options: dict[str, bool | float | str],
    start: np.ndarray | None = None,
) -> _Run:
    """`_highs` on the whole model."""
    return _highs(
        coef=model.coef,
        lower=model.lower,
        upper=model.upper,
        a=model.a,
        row_lower=model.row_lower,
        row_upper=model.row_upper,
        integer=integer,
        options=options,
        start=start,
    )


def _highs(
    *,
    coef: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    a: sparse.csc_array,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    integer: bool,
    options: dict[str, bool | float | str],
    start: np.ndarray | None = None,
) -> _Run:
    """Maximise coef @ x over row_lower <= a @ x <= row_upper, lower <= x <=
    upper, with x integer if asked; `start` is a feasible integer point."""
    h = _new_highs()
    for key, value in options.items():
        h.setOptionValue(key, value)
    lp = highspy.HighsLp()
    lp.num_col_ = a.shape[1]
    lp.num_row_ = a.shape[0]
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = coef
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = a.shape[1]
    lp.a_matrix_.num_row_ = a.shape[0]
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * a.shape[1]
    h.passModel(lp)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start.astype(float)
        solution.value_valid = True
        h.setSolution(solution)
    _run(h)
    model_status = h.getModelStatus()
    status = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kObjectiveTarget: "target",
    }.get(model_status, "error")
    result = h.getSolution()
    if not result.value_valid:
        return _Run(status, None)
    x = np.asarray(result.col_value)
    if not integer:
        return _Run(status, x, np.asarray(result.row_dual), np.asarray(result.col_dual))
    dual_bound = float(h.getInfo().mip_dual_bound)
    return _Run(
        status, np.round(x), bound=dual_bound if math.isfinite(dual_bound) else None
    )


@dataclass
class Relaxation:
    status: Status
    value: float | None
    x: np.ndarray | None
    capacity_duals: np.ndarray | None  # per slot * n_dims + dim, >= 0
    reduced_costs: np.ndarray | None = None  # per pair; <= 0 where x is 0
    # A proven upper bound from the duals (weak duality): at least `value`.
    bound: float | None = None
    candidate_duals: np.ndarray | None = None  # the candidates' rows' prices


#: Pricing (column generation) starts from each candidate's best pairs and
#: is used when the model has at least this many pairs and leaving every pair
#: out is feasible (no `assign_all`, no share floor).
_PRICE_FROM = 20_000
_PRICE_FIRST = 3  # pairs per candidate in the first restricted LP
_PRICE_ADD = 3  # most pairs added per candidate and round
# The first restricted LP is solved by interior point (then crossover, for a
# basis the later rounds start from) from this many pairs on.
_PRICE_IPM_FROM = 30_000
# Smoothed Lagrangian dual that picks the first pairs: its temperature, as a
# share of the median pair value, and its L-BFGS iterations.
_SMOOTH_TEMPERATURE = 0.02
_SMOOTH_ITERATIONS = 60
_PRICE_TOLERANCE = 1e-7  # HiGHS's dual feasibility tolerance
_PRICE_ROUNDS = 200


def _lp_options(h: highspy.Highs, time_limit: float | None) -> None:
    if time_limit is not None:
        h.setOptionValue("time_limit", max(time_limit, 0.01))


def _dual_bound(model: Model, row_dual: np.ndarray) -> tuple[float, np.ndarray]:
    """Weak duality: for row prices y of the right signs (clipped to them),
    every feasible x has coef @ x = y @ (a @ x) + rc @ x, at most
    sum_i y_i * (row_upper_i if y_i > 0 else row_lower_i) plus, per pair,
    rc_p * (upper_p if rc_p > 0 else lower_p), with rc = coef - a.T @ y.
    Returns that bound and rc."""
    y = np.asarray(row_dual, dtype=float).copy()
    y[(y > 0) & ~np.isfinite(model.row_upper)] = 0.0
    y[(y < 0) & ~np.isfinite(model.row_lower)] = 0.0
    rc = model.coef - model.a.T @ y
    row_part = np.where(
        y > 0, y * np.where(y > 0, model.row_upper, 0.0), 0.0
    ) + np.where(y < 0, y * np.where(y < 0, model.row_lower, 0.0), 0.0)
    col_part = np.where(rc > 0, rc * model.upper, rc * model.lower)
    return math.fsum(row_part.tolist()) + math.fsum(col_part.tolist()), rc


def _best_per_candidate(
    model: Model, score: np.ndarray, eligible: np.ndarray, k: int
) -> np.ndarray:
    """Indices of each candidate's k highest-`score` eligible pairs (ties by
    pair index), sorted."""
    idx = np.flatnonzero(eligible)
    if len(idx) == 0:
        return idx
    order = idx[np.lexsort((idx, -score[idx], model.pc[idx]))]
    owner = model.pc[order]
    first = np.r_[True, owner[1:] != owner[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    return np.sort(order[np.arange(len(order)) - start < k])


def _priceable(model: Model) -> bool:
    """Column generation needs a feasible first restricted LP: true when no
    row needs anything placed (x = 0, plus the fixed pairs, fits)."""
    return len(model.coef) >= _PRICE_FROM and not np.any(model.row_lower > 1e-9)


def relaxation_solve(model: Model, *, time_limit: float | None = None) -> Relaxation:
    """Solve the LP relaxation; duals are the value of one more unit of room.

    Large models are solved by pricing: the LP of each candidate's best few
    pairs, then, round after round, the pairs whose reduced cost under the
    current duals is positive are added to the same HiGHS instance (its basis
    kept) until none is: that LP's optimum is the whole LP's."""
    started = time.perf_counter()
    run: _Run | None = None
    if _priceable(model):
        run = _priced_lp(model, time_limit=time_limit)
        if run is not None and run.status == "time_limit":
            return Relaxation("time_limit", None, None, None)
    if run is None:
        options: dict[str, bool | float | str] = {}
        if time_limit is not None:
            options["time_limit"] = max(time_limit - _since(started), 0.01)
        run = _highs_model(model, integer=False, options=options)
    return _relaxation_of(model, run)


def _relaxation_of(model: Model, run: _Run) -> Relaxation:
    n_dims = len(model.problem.dimensions)
    if run.status == "infeasible":
        return Relaxation("infeasible", None, None, None)
    if run.status != "optimal" or run.x is None or run.row_dual is None:
        status: Status = "time_limit" if run.status == "time_limit" else "error"
        return Relaxation(status, None, None, None)
    x = np.clip(run.x, model.lower, model.upper)
    duals = np.zeros(len(model.slot_ids) * n_dims)
    is_cap = model.capacity_rows >= 0
    duals[model.capacity_rows[is_cap]] = np.maximum(run.row_dual[is_cap], 0.0)
    value = math.fsum((model.coef * x).tolist())
    proven, rc = _dual_bound(model, run.row_dual)
    prices = np.asarray(run.row_dual[: len(model.candidate_ids)], dtype=float)
    return Relaxation("optimal", value, x, duals, rc, max(proven, value), prices)


def _room_prices(model: Model) -> np.ndarray:
    """Row prices that make each candidate's best pairs under them a good
    first guess of the LP's support: the capacity rows' prices minimise a
    smoothed Lagrangian dual (the candidates' rows kept, the capacity rows
    priced; every other row at 0), by L-BFGS from 0.

        f(y) = y @ cap + sum_c t * log(1 + sum_{p of c} exp(rc_p / t)),
        rc = coef - size * y (of the pair's slot)

    is the Lagrangian dual with each candidate's max(0, best rc) smoothed at
    temperature t. Only the pricing's starting point depends on it."""
    prices = np.zeros(model.a.shape[0])
    rows = np.flatnonzero(model.capacity_rows >= 0)
    usable = np.flatnonzero(model.upper > 0)
    if len(rows) == 0 or len(usable) == 0:
        return prices
    size = sparse.csr_array(model.a[:, usable][rows, :])  # rows x pairs
    size_t = sparse.csr_array(size.T)
    cap = model.row_upper[rows]
    value = model.coef[usable]
    owner = model.pc[usable]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    counts = np.diff(np.r_[starts, len(owner)])
    t = _SMOOTH_TEMPERATURE * max(float(np.median(np.abs(value))), 1e-9)

    def dual(y: np.ndarray) -> tuple[float, np.ndarray]:
        rc = value - size_t @ y
        top = np.maximum(np.maximum.reduceat(rc, starts), 0.0)
        e = np.exp((rc - np.repeat(top, counts)) / t)
        total = np.add.reduceat(e, starts) + np.exp(-top / t)
        f = float(y @ cap) + float(np.sum(top + t * np.log(total)))
        share = e / np.repeat(total, counts)
        return f, cap - size @ share

    found = optimize.minimize(
        dual,
        np.zeros(len(rows)),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)] * len(rows),
        options={"maxiter": _SMOOTH_ITERATIONS},
    )
    prices[rows] = np.maximum(found.x, 0.0)
    return prices


def _priced_lp(model: Model, *, time_limit: float | None) -> _Run | None:
    """The LP by column generation on one HiGHS instance; None when the
    restricted LP cannot be solved (the caller then solves the whole LP)."""
    started = time.perf_counter()
    usable = model.upper > 0
    first = model.coef - model.a.T @ _room_prices(model)
    cols = _best_per_candidate(model, first, usable, _PRICE_FIRST)
    cols = np.union1d(cols, np.flatnonzero(model.lower > 0))
    if len(cols) == 0:  # no pair can be used: the whole LP is as small
        return None
    a = model.a
    sub = a[:, cols]
    h = _new_highs()
    _lp_options(h, time_limit)
    lp = highspy.HighsLp()
    lp.num_col_ = len(cols)
    lp.num_row_ = a.shape[0]
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = model.coef[cols]
    lp.col_lower_ = model.lower[cols]
    lp.col_upper_ = model.upper[cols]
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = len(cols)
    lp.a_matrix_.num_row_ = a.shape[0]
    lp.a_matrix_.start_ = sub.indptr
    lp.a_matrix_.index_ = sub.indices
    lp.a_matrix_.value_ = sub.data
    h.passModel(lp)
    if len(cols) >= _PRICE_IPM_FROM:
        h.setOptionValue("solver", "ipm")
    inside = np.zeros(len(model.coef), dtype=bool)
    inside[cols] = True
    for _ in range(_PRICE_ROUNDS):
        _run(h)
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            return _Run("time_limit", None)
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        result = h.getSolution()
        y = np.asarray(result.row_dual)
        rc = model.coef - a.T @ y
        entering = usable & ~inside & (rc > _PRICE_TOLERANCE)
        if not entering.any():
            x = np.zeros(len(model.coef))
            x[cols] = np.asarray(result.col_value)
            return _Run("optimal", x, y, rc)
        new = _best_per_candidate(model, rc, entering, _PRICE_ADD)
        block = a[:, new]
        h.addCols(
            len(new),
            model.coef[new],
            model.lower[new],
            model.upper[new],
            block.nnz,
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            block.data.astype(float),
        )
        cols = np.concatenate([cols, new])
        inside[new] = True
        h.setOptionValue("solver", "simplex")
        if time_limit is not None:
            left = time_limit - _since(started)
            if left <= 0:
                return _Run("time_limit", None)
            h.setOptionValue("time_limit", max(left, 0.01))
    return None


def _since(t0: float) -> float:
    return time.perf_counter() - t0


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    diff = max(bound - objective, 0.0)
    if diff <= 1e-12:
        return 0.0
    return diff / max(abs(bound), 1e-12)


def solve(
    problem: Problem,
    *,
    time_limit: float | None = None,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> Solution:
    """Solve exactly; raises MatchingInputError if the problem is invalid."""
    started = time.perf_counter()
    model = model_build(problem)
    return model_solve(model, time_limit=time_limit, mip_gap=mip_gap, started=started)


def model_solve(
    model: Model,
    *,
    time_limit: float | None = None,
    mip_gap: float = DEFAULT_MIP_GAP,
    started: float | None = None,
) -> Solution:
    """Solve a built model, whose `coef` a caller may have adjusted."""
    problem = model.problem
    t0 = time.perf_counter() if started is None else started

    def left() -> float | None:
        return None if time_limit is None else max(time_limit - _since(t0), 0.01)

    def done(
        status: Status,
        chosen: np.ndarray | None = None,
        bound: float | None = None,
        message: str = "",
    ) -> Solution:
        objective = None
        assignments: tuple[Assignment, ...] = ()
        if chosen is not None:
            objective = math.fsum(model.coef[chosen].tolist())
            assignments = tuple(
                Assignment(
                    model.candidate_ids[model.pc[p]], model.slot_ids[model.ps[p]]
                )
                for p in chosen
            )
        return Solution(
            status=status,
            objective=objective,
            bound=bound,
            gap=_gap(objective, bound),
            seconds=time.perf_counter() - t0,
            assignments=assignments,
            message=message,
        )

    if model.infeasible:
        return done("infeasible", message=model.infeasible)
    if len(model.coef) == 0:
        if np.any(model.row_lower > 1e-9):  # a share floor with nobody to place
            return done("infeasible", message=_infeasible_message(problem))
        return done("optimal", np.array([], dtype=np.int64), 0.0)

    if _is_network(model):
        solved = _flow_solve(model)
        if solved is None:
            return done("infeasible", message=_infeasible_message(problem))
        picked, flow_bound = solved
        value = math.fsum(model.coef[picked].tolist())
        flow_bound = max(flow_bound, value)
        if (_gap(value, flow_bound) or 0.0) <= _FLOW_GAP:
            return done("optimal", picked, flow_bound)
        # A sum so small that rounding's allowance shows (an optimum near
        # zero): the LP below gives the exact bound, and its integral answer.

    relaxed = relaxation_solve(model, time_limit=left())
    if relaxed.status == "infeasible":
        return done("infeasible", message=_infeasible_message(problem))
    if relaxed.status == "time_limit":
        return done("time_limit", message="Stopped at the time limit.")
    if relaxed.status == "error" or relaxed.x is None or relaxed.value is None:
        return done("error", message="The LP relaxation could not be solved.")
    bound = relaxed.value if relaxed.bound is None else relaxed.bound
    x = relaxed.x
    if np.all(np.minimum(np.abs(x), np.abs(1 - x)) <= _INTEGRAL):
        return done("optimal", np.flatnonzero(x > 0.5), bound)

    target = bound - mip_gap * abs(bound)
    reach = _within_reach(model, relaxed, bound, target)
    allowed = _promising(model, relaxed, reach)
    best = _round(model, x)
    if best is None or _value(model, best) < target:
        found = _fix_and_solve(
            model, x, best, allowed, bound=bound, target=target, time_limit=left()
        )
        if found is not None and (
            best is None or _value(model, found) > _value(model, best)
        ):
            best = found
    if time_limit is not None:
        seconds = 0.5 * (left() or 0.0)
    elif len(model.coef) >= _PRICE_FROM:
        # The whole integer program of a large model would take far longer
        # than the search: without a time limit the search runs until it
        # stalls, which also keeps the answer independent of the machine.
        seconds = math.inf
    else:
        seconds = _SEARCH_SECONDS
    deadline = time.perf_counter() + seconds
    # One pass of the smallest neighbourhoods on the promising pairs, then
    # every pair within reach in neighbourhoods that grow when a pass stalls.
    for pairs, most, repeat in (
        (allowed, _FIRST_SLOTS, False),
        (reach, _MOST_SLOTS, True),
    ):
        if best is None or _value(model, best) >= target:
            break
        best = _neighbourhood_search(
            model,
            x,
            best,
            pairs,
            target,
            deadline=deadline,
            relaxed=relaxed,
            most=most,
            repeat=repeat,
        )
    if best is not None and _value(model, best) < target:
        # Where the slots' knapsacks are small, the Lagrangian bound may
        # prove the answer, or lower the target of the integer program.
        tighter = _knapsack_bound(model, relaxed, _value(model, best), mip_gap)
        if tighter is not None and tighter < bound:
            bound = max(tighter, _value(model, best))
            target = bound - mip_gap * abs(bound)
    if best is not None and _value(model, best) >= target:
        return done("optimal", np.flatnonzero(best), bound)

    options: dict[str, bool | float | str] = {
        **_MIP_OPTIONS,
        "mip_rel_gap": mip_gap / 2,
        "objective_target": target,
    }
    remaining = left()
    if remaining is not None:
        options["time_limit"] = remaining
    run = _highs_model(model, integer=True, options=options, start=best)
    if run.bound is not None:  # HiGHS's search may have proven a lower one
        bound = min(bound, run.bound + _HIGHS_SLACK * max(1.0, abs(run.bound)))
    chosen = np.flatnonzero(run.x > 0.5) if run.x is not None else None
    if run.status in ("optimal", "target") and chosen is not None:
        return done("optimal", chosen, bound)
    if run.status == "time_limit":
        if chosen is None and best is not None:
            chosen = np.flatnonzero(best)
        return done("time_limit", chosen, bound, message="Stopped at the time limit.")
    if run.status == "infeasible":
        return done("infeasible", message=_infeasible_message(problem))
    return done("error", message="The solver stopped without an answer.")


#: Scores become integer costs for the network-flow path: coef * _COST_SCALE,
#: rounded. The rounding moves any assignment's value by at most half a unit
#: per candidate, which the reported bound allows for.
_COST_SCALE = 1_000_000
#: The most the flow's bound may stand above its answer, relatively, before
#: the LP is asked for the exact bound instead.
_FLOW_GAP = 1e-6


def _knapsacks_of(model: Model) -> lagrange.Knapsacks | None:
    """The slots' knapsacks of `lagrange`, or None where they do not apply:
    a fixed pair, a fairness floor, or knapsacks too large or not in
    integers."""
    n_c = len(model.candidate_ids)
    if np.any(model.lower > 0) or np.any(model.capacity_rows[n_c:] < 0):
        return None
    binding = np.zeros(model.capacity.shape, dtype=bool)
    binding.reshape(-1)[model.capacity_rows[n_c:]] = True
    return lagrange.knapsacks_build(
        sizes=model.sizes,
        capacity=model.capacity,
        binding=binding,
        pc=model.pc,
        ps=model.ps,
        usable=model.upper > 0,
        equality=model.problem.assign_all,
    )


def _knapsack_bound(
    model: Model, relaxed: Relaxation, lower: float, mip_gap: float = 0.0
) -> float | None:
    """The Lagrangian bound of `lagrange` (each slot's knapsack solved
    exactly), from the LP's prices of the candidates' rows; None where it
    does not apply. It stops as soon as it proves an answer worth `lower`
    within `mip_gap`."""
    knapsacks = _knapsacks_of(model)
    if knapsacks is None or relaxed.candidate_duals is None:
        return None
    # The largest bound b with b - mip_gap * |b| <= lower (a gap of 100 %
    # or more, which a file may ask for: no early stop, the steps all run).
    if mip_gap >= 1:
        enough = -math.inf
    elif lower >= 0:
        enough = lower / (1 - mip_gap)
    else:
        enough = lower / (1 + mip_gap)
    return lagrange.lagrangian_bound(
        knapsacks,
        model.coef,
        relaxed.candidate_duals,
        lower=lower,
        iterations=_LAGRANGE_ITERATIONS,
        enough=enough,
    )


def _is_network(model: Model) -> bool:
    """True when the constraint matrix is that of a bipartite graph: each
    pair sits in its candidate's row and at most one capacity row, with
    coefficient 1, and nothing else binds (no fairness floor, no fixed
    pair). Such a matrix is totally unimodular: the LP optimum is integral
    and a min-cost flow finds it far faster than the simplex."""
    problem = model.problem
    if problem.fairness or problem.fixed:
        return False
    a = model.a
    if np.any(np.diff(a.indptr) > 2):
        return False
    on_capacity = a.indices >= len(model.candidate_ids)
    return bool(np.all(a.data[on_capacity] == 1.0))


def _flow_solve(model: Model) -> tuple[np.ndarray, float] | None:
    """The optimum of a network-structured model by min-cost flow (OR-Tools
    network simplex, deterministic): the chosen pairs and an upper bound on
    the LP relaxation. None when no flow places everyone (`assign_all`).

    Nodes: each candidate (supply 1), each binding capacity row, and a sink
    taking every unit. A pair is an arc from its candidate to its capacity
    row, or straight to the sink when none of its slot's rows can bind; each
    row drains to the sink up to its capacity; without `assign_all` an arc
    of cost 0 lets a candidate stay unplaced.
    """
    from ortools.graph.python import min_cost_flow

    n_c = len(model.candidate_ids)
    a = model.a
    usable = np.flatnonzero(model.upper > 0)
    counts = np.diff(a.indptr)
    # The capacity row of each pair, or -1: a column's last entry is its
    # capacity row when it has two (indices are sorted within a column).
    last = a.indices[a.indptr[1:] - 1]
    row = np.where(counts == 2, last, -1)
    n_rows = len(model.row_upper) - n_c
    sink = n_c + n_rows
    heads = np.where(row[usable] >= 0, row[usable], sink)
    tails = model.pc[usable]
    costs = -np.rint(model.coef[usable] * _COST_SCALE).astype(np.int64)
    capacity_rows = np.arange(n_c, n_c + n_rows)
    caps = np.floor(model.row_upper[n_c:] + 1e-9).astype(np.int64)
    all_tails = [tails, capacity_rows]
    all_heads = [heads, np.full(n_rows, sink)]
    all_caps = [np.ones(len(usable), np.int64), np.maximum(caps, 0)]
    all_costs = [costs, np.zeros(n_rows, np.int64)]
    if not model.problem.assign_all:
        all_tails.append(np.arange(n_c))
        all_heads.append(np.full(n_c, sink))
        all_caps.append(np.ones(n_c, np.int64))
        all_costs.append(np.zeros(n_c, np.int64))
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(all_tails).astype(np.int32),
        np.concatenate(all_heads).astype(np.int32),
        np.concatenate(all_caps),
        np.concatenate(all_costs),
    )
    flow.set_nodes_supplies(
        np.arange(sink + 1, dtype=np.int32),
        np.concatenate([np.ones(n_c), np.zeros(n_rows), [-n_c]]).astype(np.int64),
    )
    if flow.solve() != flow.OPTIMAL:
        return None
    carried = flow.flows(np.arange(len(usable), dtype=np.int32))
    chosen = usable[carried > 0]
    # Any assignment's true value exceeds its rounded value by at most, per
    # candidate, the largest amount rounding took off one of its pairs: the
    # flow's optimum plus that is a bound on the true optimum (equal to the
    # answer's value when every score is a whole number of cost units).
    lost = np.maximum(model.coef[usable] + costs / _COST_SCALE, 0.0)
    most = np.zeros(n_c)
    np.maximum.at(most, tails, lost)
    bound = -flow.optimal_cost() / _COST_SCALE + math.fsum(most.tolist())
    return chosen.astype(np.int64), bound


def _within_reach(
    model: Model, relaxed: Relaxation, bound: float, target: float
) -> np.ndarray:
    """The usable pairs that an answer worth at least `target` can contain.

    Reduced-cost fixing: with the LP's row prices y and rc = coef - a.T @ y,
    every feasible x has coef @ x <= bound + sum over pairs with rc < 0 of
    rc_p * (x_p - lower_p) (the bound of `_dual_bound`, whose other terms
    only lose), so a pair with lower bound 0 and rc_p < target - bound is in
    no answer worth `target`. The searches below look for such an answer
    among the other pairs only."""
    usable = model.upper > 0
    rc = relaxed.reduced_costs
    if rc is None:
        return usable
    slack = 1e-9 * max(abs(bound), 1.0)
    return usable & ((rc >= target - bound - slack) | (model.lower > 0))


def _promising(model: Model, relaxed: Relaxation, reach: np.ndarray) -> np.ndarray:
    """The pairs the searches below may use: those within reach whose
    reduced cost is at least -_NEAR times the median pair value. An answer
    within the gap loses little against the bound, so it has few pairs with
    a markedly negative reduced cost; leaving those out makes the small
    integer programs far smaller. A heuristic choice only: the answer is
    still checked against the bound, and the fallback uses every pair."""
    rc = relaxed.reduced_costs
    if rc is None or not reach.any():
        return reach
    scale = float(np.median(np.abs(model.coef[reach])))
    return reach & (rc >= -_NEAR * scale)


def _waste(
    model: Model, relaxed: Relaxation, x: np.ndarray, best: np.ndarray
) -> np.ndarray:
    """Per slot, what `best` loses there against the LP bound: the priced
    room it leaves empty and the reduced costs of its pairs there (without
    prices, what the slot's pairs are worth in the LP less in `best`)."""
    n_s = len(model.slot_ids)
    rc = relaxed.reduced_costs
    if rc is None or relaxed.capacity_duals is None:
        return np.bincount(model.ps, weights=model.coef * (x - best), minlength=n_s)
    activity = model.a @ best
    rows = np.flatnonzero(model.capacity_rows >= 0)
    keys = model.capacity_rows[rows]
    n_dims = len(model.problem.dimensions)
    empty = relaxed.capacity_duals[keys] * (model.row_upper[rows] - activity[rows])
    waste = np.bincount(keys // n_dims, weights=empty, minlength=n_s)
    lost = np.where(best > 0.5, np.maximum(-rc, 0.0), np.maximum(rc, 0.0))
    return waste + np.bincount(model.ps, weights=lost, minlength=n_s)


def _value(model: Model, chosen: np.ndarray) -> float:
    return math.fsum(model.coef[chosen > 0.5].tolist())


def _feasible(model: Model, chosen: np.ndarray) -> bool:
    activity = model.a @ chosen
    return bool(
        np.all(activity <= model.row_upper + 1e-9)
        and np.all(activity >= model.row_lower - 1e-9)
        and np.all(chosen >= model.lower)
        and np.all(chosen <= model.upper)
    )


def _round(model: Model, x: np.ndarray) -> np.ndarray | None:
    """A feasible integer solution near the LP optimum, or None.

    Keeps the pairs the LP chose in full, then adds pairs in order of LP
    value and objective coefficient while they fit; returns None if the
    result breaks a constraint (assign-all or a fairness floor, say).
    """
    taken = (x >= 1 - _INTEGRAL).astype(float)
    free = model.row_upper - model.a @ taken
    order = np.lexsort((np.arange(len(x)), -model.coef, -np.round(x, 6)))
    placed = np.zeros(len(model.candidate_ids), dtype=bool)
    placed[model.pc[taken > 0]] = True
    useful = (model.upper > 0) & (taken == 0) & (model.coef > 0)
    if model.problem.assign_all:
        useful = (model.upper > 0) & (taken == 0)
    a = model.a
    for p in order[useful[order]].tolist():
        if placed[model.pc[p]]:
            continue
        rows = a.indices[a.indptr[p] : a.indptr[p + 1]]
        vals = a.data[a.indptr[p] : a.indptr[p + 1]]
        if np.all(vals <= free[rows] + 1e-9):
            free[rows] -= vals
            taken[p] = 1.0
            placed[model.pc[p]] = True
    return taken if _feasible(model, taken) else None


def _sub_solve(
    model: Model,
    base: np.ndarray,
    free: np.ndarray,
    *,
    target: float,
    time_limit: float | None,
    start: bool,
    seen: set[bytes] | None = None,
    abs_gap: float | None = None,
) -> np.ndarray | None:
    """Keep `base` outside the pairs `free` and solve the integer program of
    those pairs on what is left; `start` says `base` is feasible (and is
    given to HiGHS as its first answer). None if no answer was found.

    `seen` holds the integer programs already solved without gain: one
    solved again (same pairs, same room left, same start and target) would
    give the same answer, so it is skipped (None)."""
    fixed = base.copy()
    fixed[free] = 0.0
    activity = model.a @ fixed
    sub = model.a[:, free]
    rows = np.unique(sub.indices)
    remap = np.full(model.a.shape[0], -1)
    remap[rows] = np.arange(len(rows))
    sub = sparse.csc_array(
        (sub.data, remap[sub.indices], sub.indptr), shape=(len(rows), len(free))
    )
    outside = _value(model, fixed)
    key = b""
    if seen is not None:
        key = b"|".join(
            (
                free.tobytes(),
                rows.tobytes(),
                activity[rows].tobytes(),
                base[free].tobytes(),
                np.float64(outside).tobytes(),
            )
        )
        if key in seen:
            return None
    small = len(model.coef) < _PRICE_FROM
    options: dict[str, bool | float | str] = {
        **(_SUB_MIP_OPTIONS if small else _MIP_OPTIONS),
        "mip_rel_gap": 1e-4,
        "objective_target": target - outside,
    }
    if abs_gap is not None:
        options["mip_abs_gap"] = abs_gap
    if time_limit is not None:
        options["time_limit"] = max(time_limit, 0.01)
    run = _highs(
        coef=model.coef[free],
        lower=model.lower[free],
        upper=model.upper[free],
        a=sub,
        row_lower=model.row_lower[rows] - activity[rows],
        row_upper=model.row_upper[rows] - activity[rows],
        integer=True,
        options=options,
        start=base[free] if start else None,
    )
    if run.x is None:
        return None
    fixed[free] = run.x
    if not _feasible(model, fixed):
        return None
    no_gain = _value(model, fixed) <= _value(model, base) + 1e-9
    if seen is not None and run.status != "time_limit" and no_gain:
        seen.add(key)
    return fixed


def _fix_and_solve(
    model: Model,
    x: np.ndarray,
    rounded: np.ndarray | None,
    allowed: np.ndarray,
    *,
    bound: float,
    target: float,
    time_limit: float | None,
) -> np.ndarray | None:
    """Keep the candidates the LP placed in full where it placed them and
    solve the small integer program of the candidates it split (and of those
    the rounding left out) on the room left."""
    fractional = np.minimum(x, 1 - x) > _INTEGRAL
    loose = np.zeros(len(model.candidate_ids), dtype=bool)
    loose[model.pc[fractional]] = True
    base = (x >= 1 - _INTEGRAL).astype(float) if rounded is None else rounded
    placed = np.zeros(len(model.candidate_ids), dtype=bool)
    placed[model.pc[base > 0]] = True
    loose |= ~placed
    free = np.flatnonzero(loose[model.pc] & (allowed | (base > 0.5)))
    if len(free) == 0:
        return None
    return _sub_solve(
        model,
        base,
        free,
        target=target,
        time_limit=None if time_limit is None else time_limit / 2,
        start=rounded is not None,
        abs_gap=_FIX_GAP * (bound - target),
    )


def _neighbourhood_search(
    model: Model,
    x: np.ndarray,
    best: np.ndarray,
    allowed: np.ndarray,
    target: float,
    *,
    deadline: float,
    relaxed: Relaxation,
    most: int = _MOST_SLOTS,
    repeat: bool = True,
) -> np.ndarray:
    """Improve `best` (feasible) until it is within the target or time is up.

    A neighbourhood is a few slots: the one where `best` falls furthest short
    of the LP, and the slots sharing most candidates with it in the LP
    solution or in `best`. Everyone placed there, everyone left out who could
    go there and everyone the LP puts there is freed; the rest stays.
    """
    n_c, n_s = len(model.candidate_ids), len(model.slot_ids)
    support = (x > _INTEGRAL) | (best > 0.5)
    touch = sparse.csr_array(
        (np.ones(int(support.sum())), (model.pc[support], model.ps[support])),
        shape=(n_c, n_s),
    )
    shared = sparse.csr_array(touch.T @ touch)  # candidates two slots share
    shared.sort_indices()
    lp_touch = sparse.csr_array(
        (
            np.ones(int((x > _INTEGRAL).sum())),
            (model.pc[x > _INTEGRAL], model.ps[x > _INTEGRAL]),
        ),
        shape=(n_c, n_s),
    )
    seen: set[bytes] = set()
    kinds = _size_classes(model)
    size = _FIRST_SLOTS
    while size <= min(most, n_s):
        improved = False
        value = _value(model, best)
        loss = _waste(model, relaxed, x, best)
        anchors = [
            s for s in np.argsort(-loss, kind="stable").tolist() if loss[s] > 1e-9
        ]
        for anchor in anchors:
            if value >= target or time.perf_counter() > deadline:
                return best
            row = slice(shared.indptr[anchor], shared.indptr[anchor + 1])
            linked, weight = shared.indices[row], shared.data[row]
            weight = np.where(linked == anchor, -1.0, weight)
            # Most shared first; ties by slot index, as `linked` is sorted.
            near = linked[np.argsort(-weight, kind="stable")][: size - 1]
            near = near[near != anchor]
            slots = np.zeros(n_s, dtype=bool)
            slots[anchor] = True
            slots[near] = True
            in_slots = slots[model.ps]
            placed = np.zeros(n_c, dtype=bool)
            placed[model.pc[best > 0.5]] = True
            freed = np.zeros(n_c, dtype=bool)
            freed[model.pc[(best > 0.5) & in_slots]] = True
            freed[model.pc[in_slots & ~placed[model.pc]]] = True
            freed |= lp_touch[:, np.flatnonzero(slots)].sum(axis=1) > 0
            free = np.flatnonzero(
                freed[model.pc] & ((allowed & in_slots) | (best > 0.5))
            )
            found = _better(model, best, free, target, deadline, seen)
            if found is not None:
                best, value, improved = found, _value(model, found), True
        if not improved:
            # Households of one size are interchangeable in every slot's
            # room: exchanges between slots of households of one size (or
            # of two), which a few slots' neighbourhood may not hold.
            found = _size_pass(model, best, allowed, target, deadline, seen, kinds)
            improved = _value(model, found) > value + 1e-9
            best = found
        if not improved or not repeat:
            size *= 2
    return best


def _size_classes(model: Model) -> list[np.ndarray]:
    """Neighbourhoods by household size (candidates as a boolean mask):
    each size on its own, the most common first, then the _SIZE_PAIRS
    pairs of sizes with the most households of both. No neighbourhood when
    everyone has the same size (it would be the whole problem)."""
    _, kind = np.unique(model.sizes, axis=0, return_inverse=True)
    kind = kind.reshape(-1)
    counts = np.bincount(kind)
    if len(counts) < 2:
        return []
    order = np.argsort(-counts, kind="stable").tolist()
    pairs = sorted(
        itertools.combinations(order, 2),
        key=lambda two: -int(counts[two[0]]) * int(counts[two[1]]),
    )
    groups = [(k,) for k in order] + pairs[:_SIZE_PAIRS]
    return [np.isin(kind, group) for group in groups]


def _size_pass(
    model: Model,
    best: np.ndarray,
    allowed: np.ndarray,
    target: float,
    deadline: float,
    seen: set[bytes],
    kinds: list[np.ndarray],
) -> np.ndarray:
    """One pass over the neighbourhoods of `_size_classes`: everyone of
    those sizes is freed, on the pairs `allowed` and where they are."""
    value = _value(model, best)
    for members in kinds:
        if value >= target or time.perf_counter() > deadline:
            break
        free = np.flatnonzero(members[model.pc] & (allowed | (best > 0.5)))
        if len(free) > _SIZE_MOST_PAIRS:
            continue
        found = _better(model, best, free, target, deadline, seen)
        if found is not None:
            best, value = found, _value(model, found)
    return best


def _better(
    model: Model,
    best: np.ndarray,
    free: np.ndarray,
    target: float,
    deadline: float,
    seen: set[bytes],
) -> np.ndarray | None:
    """`_sub_solve` of a neighbourhood of `best` (feasible): its answer if
    it is better than `best`, else None."""
    found = _sub_solve(
        model,
        best,
        free,
        target=target,
        time_limit=max(deadline - time.perf_counter(), 0.01),
        start=True,
        seen=seen,
    )
    if found is None or _value(model, found) <= _value(model, best) + 1e-9:
        return None
    return found


def _infeasible_message(problem: Problem) -> str:
    parts = []
    if problem.assign_all:
        parts.append("every candidate must be assigned")
    if problem.fixed:
        parts.append("fixed pairs must hold")
    if problem.fairness:
        parts.append("fairness floors must be met")
    reason = ", ".join(parts) if parts else "the constraints"
    return f"No assignment fits the capacities when {reason}."
