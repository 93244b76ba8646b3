"""Probe: the S or M tier solved by HiGHS (the engine) and by OR-Tools CP-SAT.

    .venv/bin/python bench/matching/cpsat_probe.py S 1

Both get the same instance and predicted scores; CP-SAT gets the scores
scaled to integers (× 100,000), 2 workers and a relative gap of 0.1 %. The
seconds include building each model. Not part of the engine: see README.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import TIERS, generate  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from bench import predictors, problem_of  # noqa: E402
from openmil.matching import solve  # noqa: E402

SCALE = 100_000


def main(tier: str, seed: int) -> None:
    inst = generate(TIERS[tier], seed)
    scores = predictors(inst)["gbm"]
    started = time.perf_counter()
    solution = solve(problem_of(inst, scores))
    seconds = time.perf_counter() - started
    print(
        f"highs {solution.status} {seconds:.2f} s objective {solution.objective:.4f}"
        f" bound {solution.bound:.4f}"
    )
    started = time.perf_counter()
    model = cp_model.CpModel()
    n = len(inst.pc)
    x = [model.new_bool_var(f"x{p}") for p in range(n)]
    by_c: dict[int, list[int]] = {}
    by_s: dict[int, list[int]] = {}
    for p in range(n):
        by_c.setdefault(int(inst.pc[p]), []).append(p)
        by_s.setdefault(int(inst.ps[p]), []).append(p)
    for pairs in by_c.values():
        model.add_at_most_one([x[p] for p in pairs])
    for s, pairs in by_s.items():
        for d in range(inst.sizes.shape[1]):
            terms = [
                int(inst.sizes[inst.pc[p], d]) * x[p]
                for p in pairs
                if inst.sizes[inst.pc[p], d]
            ]
            model.add(sum(terms) <= int(inst.capacity[s, d]))
    coef = np.round(scores * SCALE).astype(int)
    model.maximize(sum(int(coef[p]) * x[p] for p in range(n)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.relative_gap_limit = 0.001
    solver.parameters.max_time_in_seconds = 120
    status = solver.solve(model)
    seconds = time.perf_counter() - started
    chosen = [p for p in range(n) if solver.value(x[p])]
    objective = float(scores[chosen].sum())
    print(
        f"cpsat {solver.status_name(status)} {seconds:.2f} s objective {objective:.4f}"
        f" gap to HiGHS's LP bound {(solution.bound - objective) / solution.bound:.4%}"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
