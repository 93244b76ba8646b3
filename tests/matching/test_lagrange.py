"""The Lagrangian bound: each slot's knapsack exact, every L(u) an upper
bound, and the solver's use of it."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openmil.matching import Candidate, FairnessFloor, Problem, lagrange, solve
from openmil.matching.lagrange import (
    _slot_solve,
    knapsacks_build,
    lagrangian_bound,
    lagrangian_value,
)
from openmil.matching.solver import (
    _knapsack_bound,
    _knapsacks_of,
    _round,
    _value,
    model_build,
    relaxation_solve,
)
from tests.matching.test_solver import brute_force, feasible, households, placed


@st.composite
def knapsack(draw):
    """Up to 9 items in one to three dimensions of unequal room (the
    dynamic programme orders them by room)."""
    n = draw(st.integers(1, 9))
    n_dims = draw(st.integers(1, 3))
    most_size = [3, 2, 1][:n_dims]
    sizes = np.array([[draw(st.integers(0, w)) for w in most_size] for _ in range(n)])
    capacity = np.array([[draw(st.integers(0, r)) for r in [6, 4, 7][:n_dims]]])
    profit = np.array([draw(st.floats(-1, 1, allow_nan=False)) for _ in range(n)])
    return sizes, capacity, profit


@settings(max_examples=150, deadline=None)
@given(knapsack())
def test_a_slots_knapsack_is_solved_exactly(case):
    sizes, capacity, profit = case
    n = len(profit)
    built = knapsacks_build(
        sizes=sizes.astype(float),
        capacity=capacity.astype(float),
        binding=np.ones_like(capacity, dtype=bool),
        pc=np.arange(n),
        ps=np.zeros(n, dtype=np.int64),
        usable=np.ones(n, dtype=bool),
        equality=False,
    )
    assert built is not None
    value, taken = _slot_solve(built.slots[0], profit)
    best = max(
        sum(profit[list(subset)])
        for r in range(n + 1)
        for subset in itertools.combinations(range(n), r)
        if np.all(sizes[list(subset)].sum(axis=0) <= capacity[0])
    )
    assert math.isclose(value, best, abs_tol=1e-9)
    chosen = np.concatenate(taken) if taken else np.array([], dtype=int)
    assert len(set(chosen.tolist())) == len(chosen)  # each item once
    assert np.all(sizes[chosen].sum(axis=0) <= capacity[0])
    assert math.isclose(float(profit[chosen].sum()), value, abs_tol=1e-9)


def small_households(seed: int, assign_all: bool = False) -> Problem:
    problem = households(seed, n_c=6, n_s=3)
    return Problem(
        problem.dimensions,
        problem.candidates,
        problem.slots,
        problem.pairs,
        assign_all=assign_all,
    )


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 10_000),
    st.booleans(),
    st.lists(st.floats(-1, 2, allow_nan=False), min_size=6, max_size=6),
)
def test_every_lagrangian_value_bounds_the_optimum(seed, assign_all, prices):
    problem = small_households(seed, assign_all)
    model = model_build(problem)
    best = brute_force(problem)
    built = _knapsacks_of(model)
    assert built is not None and built.equality == assign_all
    u = np.array(prices)
    if not assign_all:
        u = np.maximum(u, 0.0)  # the rows are "at most one": prices >= 0
    value, _count = lagrangian_value(built, model.coef, u)
    if best is not None:
        assert value >= best - 1e-9


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_the_bound_lies_between_the_optimum_and_the_lp_bound(seed):
    problem = small_households(seed)
    model = model_build(problem)
    relaxed = relaxation_solve(model)
    best = brute_force(problem)
    bound = _knapsack_bound(model, relaxed, lower=0.0)
    assert bound is not None
    assert bound >= best - 1e-9
    # The first step is at the LP's prices, where the knapsacks can only
    # lose against the LP: the bound is never above the LP's.
    assert bound <= relaxed.bound + 1e-6


def test_the_bound_closes_part_of_the_gap_on_split_households():
    model = model_build(households(2, n_c=120, n_s=8))
    relaxed = relaxation_solve(model)
    answer = _round(model, relaxed.x)
    assert answer is not None
    bound = _knapsack_bound(model, relaxed, lower=_value(model, answer))
    assert bound is not None
    assert bound < relaxed.bound - 1e-3  # tighter than the LP
    solution = solve(households(2, n_c=120, n_s=8), mip_gap=1e-4)
    assert solution.status == "optimal"
    assert solution.objective <= bound + 1e-9
    # The reported bound is the least proven one, so the gap is true.
    assert solution.bound <= bound
    assert solution.bound >= solution.objective
    assert solution.gap <= 1e-4


def test_the_bound_is_not_used_where_it_does_not_apply():
    base = households(1, n_c=20, n_s=3)
    cases = {
        "fractional sizes": Problem(
            base.dimensions,
            tuple(
                Candidate(c.id, {**c.size, "adults": c.size["adults"] + 0.5})
                for c in base.candidates
            ),
            base.slots,
            base.pairs,
        ),
        "a fixed pair": Problem(
            base.dimensions,
            base.candidates,
            base.slots,
            base.pairs,
            fixed=((base.pairs[0].candidate, base.pairs[0].slot),),
        ),
        "a fairness floor": Problem(
            base.dimensions,
            tuple(Candidate(c.id, c.size, group="a") for c in base.candidates),
            base.slots,
            base.pairs,
            fairness=(FairnessFloor("a", "assigned_share", 0.1),),
        ),
        # Two slots sharing 300 households: millions of cells each.
        "too much room": households(1, n_c=300, n_s=2),
    }
    for name, problem in cases.items():
        model = model_build(problem)
        relaxed = relaxation_solve(model)
        assert _knapsack_bound(model, relaxed, lower=0.0) is None, name


def test_a_bound_below_a_known_answer_stops_the_steps_at_once():
    model = model_build(households(0, n_c=40, n_s=4))
    relaxed = relaxation_solve(model)
    answer = solve(households(0, n_c=40, n_s=4), mip_gap=0.0)
    assert answer.status == "optimal"
    # Given the optimum as the known answer, the steps stop as soon as a
    # value proves it, and the bound never falls below it.
    bound = _knapsack_bound(model, relaxed, lower=answer.objective)
    assert bound is not None and bound >= answer.objective - 1e-9
    assert feasible(households(0, n_c=40, n_s=4), placed(answer))


def test_the_bound_is_deterministic():
    model = model_build(households(3, n_c=120, n_s=8))
    relaxed = relaxation_solve(model)
    knapsacks = _knapsacks_of(model)
    assert knapsacks is not None
    first, second = (
        lagrangian_bound(
            knapsacks,
            model.coef,
            relaxed.candidate_duals,
            lower=relaxed.value * 0.99,
            iterations=10,
        )
        for _ in range(2)
    )
    assert first == second


def test_the_steps_stop_at_the_first_bound_that_is_enough():
    model = model_build(households(3, n_c=120, n_s=8))
    relaxed = relaxation_solve(model)
    knapsacks = _knapsacks_of(model)
    assert knapsacks is not None
    start = relaxed.candidate_duals
    first, _count = lagrangian_value(knapsacks, model.coef, start)

    def bound(enough: float) -> float:
        return lagrangian_bound(
            knapsacks,
            model.coef,
            start,
            lower=relaxed.value * 0.99,
            iterations=10,
            enough=enough,
        )

    # Anything is enough: the first value is returned (with its allowance
    # for rounding); nothing is: all ten steps, and a tighter bound.
    assert bound(math.inf) == pytest.approx(first, abs=1e-6)
    full = bound(-math.inf)
    assert full < first - 1e-6
    # Enough is a little above the ten steps' bound: they stop at or below it.
    stopped = bound(full + 1e-3)
    assert full <= stopped <= full + 1e-3


def test_the_solver_asks_the_bound_only_for_what_proves_its_answer(monkeypatch):
    from openmil.matching import solver

    asked = []
    real = lagrange.lagrangian_bound

    def spy(*args, **kwargs):
        asked.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(lagrange, "lagrangian_bound", spy)
    model = model_build(households(2, n_c=120, n_s=8))
    relaxed = relaxation_solve(model)
    answer = _round(model, relaxed.x)
    assert answer is not None
    lower = _value(model, answer)
    solver._knapsack_bound(model, relaxed, lower, 1e-3)
    # The largest bound b with b - 0.1 % of b <= the answer's value.
    assert asked[0]["enough"] == pytest.approx(lower / (1 - 1e-3))
    # A gap of 100 % (a file may ask for it): no early stop, and no error.
    assert solver._knapsack_bound(model, relaxed, lower, 1.0) is not None
    assert asked[1]["enough"] == -math.inf
