"""Generated matching instances with a known true outcome probability.

Each candidate (household or person) has features x and a group; each slot
(place or opportunity) has features z. The true probability of a good outcome
(employment) for the pair is logistic in x, z and their interaction x' B z, plus
a fixed pair effect no model can see. A history of past random placements with
Bernoulli outcomes is drawn from the same model, for the predictors to learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_X, N_Z = 4, 3
GROUPS = ("g1", "g2", "g3")


@dataclass
class Tier:
    name: str
    candidates: int
    slots: int
    pairs_per_candidate: int | None  # None: every slot is allowed
    dimensions: tuple[str, ...]
    households: bool


TIERS = {
    "S": Tier("S", 330, 21, None, ("children", "adults", "seniors"), True),
    "M": Tier("M", 3000, 50, None, ("children", "adults", "seniors"), True),
    "L": Tier("L", 20000, 400, 40, ("children", "adults", "seniors"), True),
    "J": Tier("J", 10000, 2000, 50, ("seats",), False),
}


@dataclass
class Instance:
    tier: Tier
    x: np.ndarray  # candidates x N_X
    group: np.ndarray  # candidate -> group index
    sizes: np.ndarray  # candidates x dims
    z: np.ndarray  # slots x N_Z
    capacity: np.ndarray  # slots x dims
    pc: np.ndarray  # allowed pair -> candidate
    ps: np.ndarray  # allowed pair -> slot
    p_true: np.ndarray  # per allowed pair
    history: tuple[np.ndarray, np.ndarray]  # features, outcomes


class Truth:
    def __init__(self, rng: np.random.Generator) -> None:
        self.a = -1.0
        self.beta = rng.normal(0, 0.5, N_X)
        self.gamma = rng.normal(0, 0.5, N_Z)
        self.b = rng.normal(0, 0.6, (N_X, N_Z))
        self.group_shift = np.array([0.0, -0.4, -0.8])

    def logit(
        self, x: np.ndarray, z: np.ndarray, group: np.ndarray, noise: np.ndarray
    ) -> np.ndarray:
        inter = np.einsum("pi,ij,pj->p", x, self.b, z)
        return (
            self.a
            + x @ self.beta
            + z @ self.gamma
            + inter
            + self.group_shift[group]
            + noise
        )


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


def pair_features(x: np.ndarray, z: np.ndarray, group: np.ndarray) -> np.ndarray:
    return np.column_stack([x, z, np.eye(len(GROUPS))[group]])


def generate(tier: Tier, seed: int, *, history: int = 30000) -> Instance:
    rng = np.random.default_rng([seed, ord(tier.name[0])])
    truth = Truth(rng)
    n, m = tier.candidates, tier.slots
    group = rng.integers(0, len(GROUPS), n)
    x = rng.normal(0, 1, (n, N_X)) - 0.3 * group[:, None]
    z = rng.normal(0, 1, (m, N_Z))
    if tier.households:
        sizes = np.column_stack(
            [
                rng.poisson(1.1, n),
                1 + rng.binomial(1, 0.55, n),
                rng.binomial(1, 0.12, n),
            ]
        ).astype(float)
    else:
        sizes = np.ones((n, 1))
    share = rng.dirichlet(np.full(m, 4.0), size=len(tier.dimensions)).T
    # Households: capacity equal to demand in each dimension; jobs: fewer
    # seats than people.
    total = sizes.sum(axis=0) if tier.households else np.array([0.8 * n])
    capacity = np.maximum(np.round(share * total), 1.0)
    if tier.pairs_per_candidate is None:
        pc = np.repeat(np.arange(n), m)
        ps = np.tile(np.arange(m), n)
        # A few places cannot take some households (compatibility).
        keep = rng.random(len(pc)) > 0.05
        pc, ps = pc[keep], ps[keep]
    else:
        k = tier.pairs_per_candidate
        # Each candidate is compatible with k distinct slots, favouring nearby.
        ps = np.argsort(rng.random((n, m)) ** 2 * np.arange(1, m + 1), axis=1)[:, :k]
        ps = np.sort(ps, axis=1).reshape(-1)
        pc = np.repeat(np.arange(n), k)
    noise = rng.normal(0, 0.3, len(pc))
    p_true = _sigmoid(truth.logit(x[pc], z[ps], group[pc], noise))
    # History: past placements at random, from a population like this one.
    hn = history
    hg = rng.integers(0, len(GROUPS), hn)
    hx = rng.normal(0, 1, (hn, N_X)) - 0.3 * hg[:, None]
    hz = z[rng.integers(0, m, hn)]
    hp = _sigmoid(truth.logit(hx, hz, hg, rng.normal(0, 0.3, hn)))
    outcomes = (rng.random(hn) < hp).astype(int)
    return Instance(
        tier=tier,
        x=x,
        group=group,
        sizes=sizes,
        z=z,
        capacity=capacity,
        pc=pc,
        ps=ps,
        p_true=p_true,
        history=(pair_features(hx, hz, hg), outcomes),
    )
