"""A bound tighter than the LP's for household problems: the Lagrangian
relaxation of the candidates' rows, each slot's knapsack solved exactly.

Price each candidate's row at u_c (u_c >= 0; any sign when every candidate
must be placed). For every feasible integer x,

    coef @ x  <=  sum_c u_c  +  sum_s  max { sum_c (coef_cs - u_c) y_c :
                                             y in {0, 1}, sizes @ y <= capacity_s }

because each candidate's row holds. Each slot's maximum is a knapsack in
the problem's dimensions, solved exactly by dynamic programming over the
slot's room: households of the same size are interchangeable there, so for
each size only how many are taken is a choice (its k best). The LP allows
fractions of a household in a slot; the knapsacks do not, so the bound's
minimum over u (by subgradient steps from the LP's prices) can lie below
the LP bound. On the benchmark's S instances it closes about half of the
gap between the LP bound and the optimum.

Used only where the dynamic programme is small: integral sizes and
capacities in the dimensions that bind, at most `MAX_CELLS` cells per
slot, no fixed pair and no fairness floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The most cells a slot's table may have: room from minus to plus the
#: capacity in each binding dimension (2 capacity + 1, multiplied over them;
#: see `_slot_solve`). Each size the slot can take keeps one copy of the
#: table until the slot is solved, so this bounds the memory too.
MAX_CELLS = 160_000
#: ... and over all slots together.
MAX_TOTAL_CELLS = 3_200_000


@dataclass(frozen=True)
class _Group:
    pairs: np.ndarray  # the pairs of one slot whose candidates have one size
    size: np.ndarray  # that size in the slot's binding dimensions (integers)


@dataclass(frozen=True)
class _SlotKnapsack:
    shape: tuple[int, ...]  # capacity + 1 per binding dimension
    groups: tuple[_Group, ...]


@dataclass(frozen=True)
class Knapsacks:
    """Each slot's knapsack, with the pairs it can take grouped by size."""

    slots: tuple[_SlotKnapsack, ...]
    pc: np.ndarray
    n_candidates: int
    equality: bool  # every candidate must be placed: prices of any sign


def knapsacks_build(
    *,
    sizes: np.ndarray,
    capacity: np.ndarray,
    binding: np.ndarray,
    pc: np.ndarray,
    ps: np.ndarray,
    usable: np.ndarray,
    equality: bool,
) -> Knapsacks | None:
    """The slots' knapsacks, or None when the dynamic programme does not
    apply (a size or capacity that is not an integer where it binds) or is
    too large.

    sizes: candidates x dimensions; capacity and binding: slots x dimensions
    (binding says the dimension can be exceeded in that slot); pc, ps: each
    pair's candidate and slot; usable: the pairs that may be used."""
    n_s = capacity.shape[0]
    cap = np.where(binding, capacity, 0.0)
    if np.any(cap < 0) or np.any(cap != np.round(cap)):
        return None
    pair_sizes = np.where(binding[ps], sizes[pc], 0.0)
    if np.any(pair_sizes != np.round(pair_sizes)):
        return None
    cells = np.prod(np.where(binding, 2 * cap + 1, 1), axis=1)
    if np.any(cells > MAX_CELLS) or float(cells.sum()) > MAX_TOTAL_CELLS:
        return None
    slots = []
    for s in range(n_s):
        dims = np.flatnonzero(binding[s])
        # The largest room first: the cells of room below zero that the
        # flat table carries (see `_slot_solve`) are then fewest.
        dims = dims[np.argsort(-cap[s, dims], kind="stable")]
        mine = np.flatnonzero(usable & (ps == s))
        shape = tuple(int(cap[s, d]) + 1 for d in dims)
        groups: list[_Group] = []
        if len(mine):
            keys = pair_sizes[mine][:, dims].astype(np.int64)
            kinds, which = np.unique(keys, axis=0, return_inverse=True)
            which = which.reshape(-1)
            for k in range(len(kinds)):
                groups.append(_Group(mine[which == k], kinds[k]))
        slots.append(_SlotKnapsack(shape, tuple(groups)))
    return Knapsacks(tuple(slots), pc, int(sizes.shape[0]), equality)


def _slot_solve(
    slot: _SlotKnapsack, profit: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """The best value of the slot's knapsack under `profit`, and the pairs
    taken. For each size, taking k means taking its k most profitable.

    The table best[r] (the most the sizes so far give in room r) is kept
    flat, inside a larger array whose cells of room below zero (down to
    minus the whole room in each dimension) hold -inf: "k more of this
    size" is then the same flat array read a fixed offset back, one slice,
    whatever the room. The cells outside the table that a step writes to
    are set back to -inf after each size."""
    shape = slot.shape
    extra = 0.0  # households that use no binding dimension here
    taken: list[np.ndarray] = []
    stages: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
    wide = tuple(2 * n - 1 for n in shape)
    inside = tuple(slice(n - 1, None) for n in shape)
    table = np.full(wide, -np.inf)
    table[inside] = 0.0
    table = table.reshape(-1)
    steps = np.array([math.prod(wide[d + 1 :]) for d in range(len(wide))], np.int64)
    first = int(sum((n - 1) * step for n, step in zip(shape, steps, strict=True)))
    last = int(sum((2 * n - 2) * step for n, step in zip(shape, steps, strict=True)))
    span = slice(first, last + 1)
    outside = np.flatnonzero(np.isneginf(table[span])) + first
    for group in slot.groups:
        gain = profit[group.pairs]
        positive = gain > 0
        if not positive.any():
            continue
        order = np.argsort(-gain[positive], kind="stable")
        items = group.pairs[positive][order]
        sums = np.cumsum(gain[positive][order])
        size = group.size
        if not size.any():
            extra += float(sums[-1])
            taken.append(items)
            continue
        most = len(items)
        for d, w in enumerate(size.tolist()):
            if w > 0:
                most = min(most, (shape[d] - 1) // w)
        if most == 0:
            continue
        offset = int(size @ steps)
        new = table.copy()
        target = new[span]
        for k in range(1, most + 1):
            back = k * offset
            np.maximum(
                target, table[first - back : last + 1 - back] + sums[k - 1], out=target
            )
        new[outside] = -np.inf
        stages.append((table, items, sums[:most], offset))
        table = new
    value = float(table[last]) if shape else 0.0
    # Back from the full room: which k of each size gave the value.
    at = last
    for previous, items, sums, offset in reversed(stages):
        here = table[at]
        for k in range(len(sums) + 1):
            gained = 0.0 if k == 0 else float(sums[k - 1])
            if previous[at - k * offset] + gained == here:
                if k:
                    taken.append(items[:k])
                at -= k * offset
                break
        table = previous
    return value + extra, taken


def lagrangian_value(
    knapsacks: Knapsacks, coef: np.ndarray, u: np.ndarray
) -> tuple[float, np.ndarray]:
    """L(u), an upper bound on every feasible answer's value, and how many
    slots' knapsacks take each candidate (the subgradient is 1 - that)."""
    profit = coef - u[knapsacks.pc]
    total = math.fsum(u.tolist())
    values = []
    count = np.zeros(knapsacks.n_candidates)
    for slot in knapsacks.slots:
        value, taken = _slot_solve(slot, profit)
        values.append(value)
        for items in taken:
            np.add.at(count, knapsacks.pc[items], 1.0)
    return total + math.fsum(values), count


def lagrangian_bound(
    knapsacks: Knapsacks,
    coef: np.ndarray,
    start: np.ndarray,
    *,
    lower: float,
    iterations: int,
    enough: float = -math.inf,
) -> float:
    """The least L(u) found by `iterations` projected subgradient steps from
    the prices `start` (Polyak's step towards `lower`, a known answer's
    value, halved after three steps without progress), or the first that is
    at most `enough` (a bound that already proves what the caller needs).
    Any L(u) is a valid bound, so stopping early only makes it less tight.
    Deterministic."""
    u = start.astype(float).copy()
    if not knapsacks.equality:
        u = np.maximum(u, 0.0)
    best = math.inf
    factor, stalled = 1.0, 0
    for _ in range(iterations):
        value, count = lagrangian_value(knapsacks, coef, u)
        if value < best - 1e-12 * max(1.0, abs(value)):
            best, stalled = value, 0
            if _rounded_up(best) <= enough:
                break
        else:
            stalled += 1
            if stalled >= 3:
                factor, stalled = factor / 2, 0
        step = 1.0 - count
        if not knapsacks.equality:
            step = np.where((u <= 0) & (step > 0), 0.0, step)
        norm = float(step @ step)
        if norm == 0.0 or value <= lower:
            break  # every row holds with equality, or the answer is proven
        u = u - factor * (value - lower) / norm * step
        if not knapsacks.equality:
            u = np.maximum(u, 0.0)
    return _rounded_up(best)


def _rounded_up(value: float) -> float:
    """`value` plus an allowance for the rounding of the sums of floats
    that gave it."""
    return value + 1e-9 * max(1.0, abs(value))
