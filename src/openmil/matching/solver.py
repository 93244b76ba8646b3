"""Exact solution of a matching problem as a mixed-integer program (HiGHS).

Formulation, with x[c, s] in {0, 1} for each allowed, non-forbidden pair:

    maximise   sum  w(c, s) x[c, s]
    subject to sum_s x[c, s] <= 1        (= 1 when every candidate must be placed)
               sum_c size[c, d] x[c, s] <= capacity[s, d]   for each slot s, dim d
               sum_{c in g} (score[c, s] - floor) x[c, s] >= 0   (mean-score floor)
               sum_{c in g} x[c, s] >= ceil(share * |g|)          (share floor)
               x[c, s] = 1 for fixed pairs

with w = weights.score * score + weights.preference * rank bonus
+ weights.assigned. The LP relaxation (0 <= x <= 1) is solved first: its value
is the reported bound, and when its solution is already integral it is the
optimum. Otherwise `scipy.optimize.milp` finishes the job.

Ids are sorted before the model is built, so the same problem (in any order)
gives the same model and HiGHS, which is deterministic, the same answer.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from openmil.matching.problem import (
    Assignment,
    Problem,
    Solution,
    Status,
    problem_validate,
)

DEFAULT_MIP_GAP = 1e-3
_INTEGRAL = 1e-6


@dataclass
class Model:
    """The problem as arrays: pair p joins candidate pc[p] to slot ps[p]."""

    problem: Problem
    candidate_ids: list[str]
    slot_ids: list[str]
    pc: np.ndarray
    ps: np.ndarray
    score: np.ndarray
    coef: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    a_ub: sparse.csr_array
    b_ub: np.ndarray
    a_eq: sparse.csr_array | None
    b_eq: np.ndarray | None
    capacity_rows: np.ndarray  # row of A_ub -> slot * n_dims + dim, or -1
    infeasible: str = ""  # a reason found while building, before any solve


def model_build(problem: Problem) -> Model:
    """Validate the problem and turn it into sparse constraint matrices."""
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

    forbidden = set(problem.forbidden)
    kept = [p for p in problem.pairs if (p.candidate, p.slot) not in forbidden]
    pc = np.fromiter((c_index[p.candidate] for p in kept), dtype=np.int64)
    ps = np.fromiter((s_index[p.slot] for p in kept), dtype=np.int64)
    score = np.fromiter((float(p.score) for p in kept), dtype=float)
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
    pair_of = {(int(pc[p]), int(ps[p])): p for p in range(n_p)} if problem.fixed else {}
    for cid, sid in problem.fixed:
        lower[pair_of[(c_index[cid], s_index[sid])]] = 1.0
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

    rows: list[sparse.csr_array] = []
    rhs: list[np.ndarray] = []
    capacity_rows: list[np.ndarray] = []
    cols = np.arange(n_p)
    cand = sparse.csr_array((np.ones(n_p), (pc, cols)), shape=(n_c, n_p))
    a_eq: sparse.csr_array | None = None
    b_eq: np.ndarray | None = None
    if problem.assign_all:
        a_eq, b_eq = cand, np.ones(n_c)
    else:
        rows.append(cand)
        rhs.append(np.ones(n_c))
        capacity_rows.append(np.full(n_c, -1))

    # Capacity rows: one per slot and dimension, kept only if it can bind.
    values = sizes[pc].reshape(-1)
    row_ids = (ps[:, None] * n_dims + np.arange(n_dims)[None, :]).reshape(-1)
    col_ids = np.repeat(cols, n_dims)
    nz = values > 0
    values, row_ids, col_ids = values[nz], row_ids[nz], col_ids[nz]
    demand = np.bincount(row_ids, weights=values, minlength=n_s * n_dims)
    flat_caps = caps.reshape(-1)
    binding = np.flatnonzero(demand > flat_caps + 1e-9)
    new_row = np.full(n_s * n_dims, -1)
    new_row[binding] = np.arange(len(binding))
    keep = new_row[row_ids] >= 0
    rows.append(
        sparse.csr_array(
            (values[keep], (new_row[row_ids[keep]], col_ids[keep])),
            shape=(len(binding), n_p),
        )
    )
    rhs.append(flat_caps[binding])
    capacity_rows.append(binding)

    groups = {c_index[c.id]: c.group for c in candidates}
    pair_group = np.array([groups[int(i)] for i in pc], dtype=object)
    for floor in problem.fairness:
        member = pair_group == floor.group
        if floor.measure == "mean_score":
            row = np.where(member, floor.at_least - score, 0.0)
            rhs.append(np.zeros(1))
        else:
            row = np.where(member, -1.0, 0.0)
            size = sum(1 for c in candidates if c.group == floor.group)
            rhs.append(np.array([-math.ceil(floor.at_least * size - 1e-9)], float))
        rows.append(sparse.csr_array(row.reshape(1, -1)))
        capacity_rows.append(np.full(1, -1))

    a_ub = sparse.vstack(rows, format="csr")
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
        a_ub=sparse.csr_array(a_ub),
        b_ub=np.concatenate(rhs),
        a_eq=a_eq,
        b_eq=b_eq,
        capacity_rows=np.concatenate(capacity_rows),
        infeasible=infeasible,
    )


@dataclass
class Relaxation:
    status: Status
    value: float | None
    x: np.ndarray | None
    capacity_duals: np.ndarray | None  # per slot * n_dims + dim, >= 0


def relaxation_solve(model: Model, *, time_limit: float | None = None) -> Relaxation:
    """Solve the LP relaxation; duals are the value of one more unit of room."""
    n_dims = len(model.problem.dimensions)
    options: dict[str, object] = {"presolve": True}
    if time_limit is not None:
        options["time_limit"] = max(time_limit, 0.01)
    res = linprog(
        -model.coef,
        A_ub=model.a_ub,
        b_ub=model.b_ub,
        A_eq=model.a_eq,
        b_eq=model.b_eq,
        bounds=np.column_stack([model.lower, model.upper]),
        method="highs",
        options=options,
    )
    if res.status == 2:
        return Relaxation("infeasible", None, None, None)
    if res.status != 0:
        status: Status = "time_limit" if res.status == 1 else "error"
        return Relaxation(status, None, None, None)
    duals = np.zeros(len(model.slot_ids) * n_dims)
    marginals = -np.asarray(res.ineqlin.marginals)
    is_cap = model.capacity_rows >= 0
    duals[model.capacity_rows[is_cap]] = np.maximum(marginals[is_cap], 0.0)
    return Relaxation("optimal", float(-res.fun), np.asarray(res.x), duals)


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
        if np.any(model.b_ub < -1e-9):  # a share floor with nobody to place
            return done("infeasible", message=_infeasible_message(problem))
        return done("optimal", np.array([], dtype=np.int64), 0.0)

    relaxed = relaxation_solve(model, time_limit=time_limit)
    if relaxed.status == "infeasible":
        return done("infeasible", message=_infeasible_message(problem))
    if relaxed.status == "error":
        return done("error", message="The LP relaxation could not be solved.")
    bound = relaxed.value
    if relaxed.x is not None:
        x = relaxed.x
        if np.all(np.minimum(np.abs(x), np.abs(1 - x)) <= _INTEGRAL):
            return done("optimal", np.flatnonzero(x > 0.5), bound)

        if bound is not None:
            for heuristic in (_round, _fix_and_solve):
                left = None if time_limit is None else time_limit - _since(t0)
                found = heuristic(model, x, bound, mip_gap, left)
                if found is not None:
                    gap = _gap(math.fsum(model.coef[found].tolist()), bound)
                    if gap is not None and gap <= mip_gap:
                        return done("optimal", found, bound)

    options: dict[str, object] = {"mip_rel_gap": mip_gap, "presolve": True}
    if time_limit is not None:
        remaining = time_limit - _since(t0)
        options["time_limit"] = max(remaining, 0.01)
    constraints = [LinearConstraint(model.a_ub, -np.inf, model.b_ub)]
    if model.a_eq is not None and model.b_eq is not None:
        constraints.append(LinearConstraint(model.a_eq, model.b_eq, model.b_eq))
    res = milp(
        -model.coef,
        integrality=np.ones(len(model.coef)),
        bounds=Bounds(model.lower, model.upper),
        constraints=constraints,
        options=options,
    )
    chosen = np.flatnonzero(res.x > 0.5) if res.x is not None else None
    if res.status == 0 and chosen is not None:
        return done("optimal", chosen, bound)
    if res.status == 1:
        return done("time_limit", chosen, bound, message="Stopped at the time limit.")
    if res.status == 2:
        return done("infeasible", message=_infeasible_message(problem))
    return done("error", message=f"The solver stopped: {res.message}")


def _round(
    model: Model,
    x: np.ndarray,
    bound: float,
    mip_gap: float,
    time_limit: float | None,
) -> np.ndarray | None:
    """A feasible integer solution near the LP optimum, or None.

    Keeps the pairs the LP chose in full, then adds pairs in order of LP
    value and objective coefficient while they fit; returns None if the
    result breaks a constraint (assign-all or a fairness floor, say).
    """
    taken = x >= 1 - _INTEGRAL
    free = model.b_ub - model.a_ub @ taken.astype(float)
    placed = np.zeros(len(model.candidate_ids), dtype=bool)
    placed[model.pc[taken]] = True
    order = np.lexsort((np.arange(len(x)), -model.coef, -np.round(x, 6)))
    a_csc = sparse.csc_array(model.a_ub)
    for p in order.tolist():
        if taken[p] or placed[model.pc[p]] or model.upper[p] == 0:
            continue
        if model.coef[p] <= 0 and model.a_eq is None:
            continue
        start, end = a_csc.indptr[p], a_csc.indptr[p + 1]
        rows, vals = a_csc.indices[start:end], a_csc.data[start:end]
        if np.all(vals <= free[rows] + 1e-9):
            free[rows] -= vals
            taken[p] = True
            placed[model.pc[p]] = True
    if np.any(free < -1e-9):
        return None
    if (
        model.a_eq is not None
        and model.b_eq is not None
        and not np.allclose(model.a_eq @ taken.astype(float), model.b_eq)
    ):
        return None
    return np.flatnonzero(taken)


def _fix_and_solve(
    model: Model,
    x: np.ndarray,
    bound: float,
    mip_gap: float,
    time_limit: float | None,
) -> np.ndarray | None:
    """Keep the candidates the LP placed integrally where it placed them and
    solve the small integer program of the rest on the room left."""
    fractional = np.minimum(x, 1 - x) > _INTEGRAL
    loose = np.zeros(len(model.candidate_ids), dtype=bool)
    loose[model.pc[fractional]] = True
    in_sub = loose[model.pc] & (model.upper > 0)
    fixed = ~loose[model.pc] & (x >= 1 - _INTEGRAL)
    if not in_sub.any():
        return None
    cols = np.flatnonzero(in_sub)
    x_fixed = fixed.astype(float)
    a_ub = model.a_ub[:, cols]
    b_ub = model.b_ub - model.a_ub @ x_fixed
    constraints = [LinearConstraint(a_ub, -np.inf, b_ub)]
    if model.a_eq is not None and model.b_eq is not None:
        b_eq = model.b_eq - model.a_eq @ x_fixed
        constraints.append(LinearConstraint(model.a_eq[:, cols], b_eq, b_eq))
    fixed_value = math.fsum(model.coef[fixed].tolist())
    # The gap allowed on the whole, spent on the part solved here.
    rest = max(abs(bound - fixed_value), 1e-9)
    sub_gap = max(0.9 * mip_gap * abs(bound) - max(bound - fixed_value - rest, 0), 0)
    res = milp(
        -model.coef[cols],
        integrality=np.ones(len(cols)),
        bounds=Bounds(model.lower[cols], model.upper[cols]),
        constraints=constraints,
        options={
            "mip_rel_gap": min(sub_gap / rest, 0.5),
            "time_limit": max(min(time_limit or 30.0, 30.0) / 2, 0.01),
        },
    )
    if res.x is None:
        return None
    chosen = np.zeros(len(x), dtype=bool)
    chosen[fixed] = True
    chosen[cols[res.x > 0.5]] = True
    return np.flatnonzero(chosen)


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
