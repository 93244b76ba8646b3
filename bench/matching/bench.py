"""Matching benchmark: the engine against the published refugee-matching
methods on generated instances with a known true outcome probability.

    bench/matching/run                      # every tier, 5 seeds
    bench/matching/run --tiers S,M --seeds 2

Each tier runs in its own process so that its peak memory is its own.
See bench/matching/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from generate import GROUPS, TIERS, Instance, generate, pair_features

from openmil.matching import (
    Batch,
    Candidate,
    Pair,
    Problem,
    Slot,
    history_forecast,
    match_online,
    solve,
)

HERE = Path(__file__).resolve().parent
#: The baselines' integer programs (GeoMatch-style, Annie-style) get this
#: long: their answer is the best found in it. The engine's own solve has no
#: time limit.
BASELINE_SECONDS = 300.0


def predictors(inst: Instance) -> dict[str, np.ndarray]:
    """Predicted probability per allowed pair: GeoMatch-style gradient boosting
    and Annie-style L1-penalised logistic regression, trained on history."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    features, outcomes = inst.history
    pairs = pair_features(inst.x[inst.pc], inst.z[inst.ps], inst.group[inst.pc])
    gbm = HistGradientBoostingClassifier(max_iter=200, random_state=0)
    gbm.fit(features, outcomes)
    lasso = LogisticRegression(
        l1_ratio=1.0, C=0.1, solver="saga", max_iter=500, random_state=0
    )
    lasso.fit(features, outcomes)
    return {
        "gbm": gbm.predict_proba(pairs)[:, 1],
        "lasso": lasso.predict_proba(pairs)[:, 1],
    }


def problem_of(
    inst: Instance, scores: np.ndarray, *, dims: tuple[str, ...] | None = None
) -> Problem:
    tier = inst.tier
    if dims is None:
        dims, sizes, caps = tier.dimensions, inst.sizes, inst.capacity
    else:  # everything in one dimension: the people in the household
        sizes, caps = (
            inst.sizes.sum(1, keepdims=True),
            inst.capacity.sum(1, keepdims=True),
        )
    cands = tuple(
        Candidate(f"c{i:06d}", dict(zip(dims, sizes[i].tolist(), strict=True)))
        for i in range(tier.candidates)
    )
    slots = tuple(
        Slot(f"s{j:05d}", dict(zip(dims, caps[j].tolist(), strict=True)))
        for j in range(tier.slots)
    )
    pairs = tuple(
        Pair(f"c{c:06d}", f"s{s:05d}", v)
        for c, s, v in zip(
            inst.pc.tolist(), inst.ps.tolist(), scores.tolist(), strict=True
        )
    )
    return Problem(dims, cands, slots, pairs)


def chosen_pairs(inst: Instance, assignments) -> np.ndarray:
    index = {
        (int(c), int(s)): p
        for p, (c, s) in enumerate(zip(inst.pc, inst.ps, strict=True))
    }
    return np.array(
        [index[(int(a.candidate[1:]), int(a.slot[1:]))] for a in assignments], dtype=int
    )


def heuristic(inst: Instance, order: np.ndarray) -> np.ndarray:
    """Take pairs in `order` while the candidate is free and the slot has room."""
    room = inst.capacity.copy()
    free = np.ones(inst.tier.candidates, dtype=bool)
    chosen = []
    for p in order.tolist():
        c, s = inst.pc[p], inst.ps[p]
        if free[c] and np.all(inst.sizes[c] <= room[s]):
            room[s] -= inst.sizes[c]
            free[c] = False
            chosen.append(p)
    return np.array(chosen, dtype=int)


def evaluate(inst: Instance, chosen: np.ndarray) -> dict[str, float]:
    used = np.zeros_like(inst.capacity)
    np.add.at(used, inst.ps[chosen], inst.sizes[inst.pc[chosen]])
    violations = int(np.sum(used > inst.capacity + 1e-9))
    means = []
    for g in range(len(GROUPS)):
        mine = chosen[inst.group[inst.pc[chosen]] == g]
        if len(mine):
            means.append(float(inst.p_true[mine].mean()))
    return {
        "true": float(inst.p_true[chosen].sum()),
        "placed": len(chosen) / inst.tier.candidates,
        "fair_gap": max(means) - min(means) if means else 0.0,
        "violations": violations,
    }


def run_static(tier_name: str, seed: int) -> dict:
    inst = generate(TIERS[tier_name], seed)
    rng = np.random.default_rng(seed)
    scores = predictors(inst)
    rows: dict[str, dict] = {}
    n_p = len(inst.pc)
    rows["random"] = evaluate(inst, heuristic(inst, rng.permutation(n_p)))
    # Arrival order = candidate index; each takes the first slot with room.
    rows["fcfs"] = evaluate(inst, heuristic(inst, np.lexsort((inst.ps, inst.pc))))
    rows["greedy"] = evaluate(
        inst, heuristic(inst, np.argsort(-scores["gbm"], kind="stable"))
    )
    if len(inst.tier.dimensions) > 1:
        geo = solve(
            problem_of(inst, scores["gbm"], dims=("people",)),
            time_limit=BASELINE_SECONDS,
        )
        rows["geomatch"] = evaluate(inst, chosen_pairs(inst, geo.assignments))
    annie = solve(problem_of(inst, scores["lasso"]), time_limit=BASELINE_SECONDS)
    rows["annie"] = evaluate(inst, chosen_pairs(inst, annie.assignments))
    problem = problem_of(inst, scores["gbm"])
    started, cpu = time.perf_counter(), time.process_time()
    solution = solve(problem)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows["openmil"] = evaluate(inst, chosen_pairs(inst, solution.assignments))
    rows["openmil"].update(
        status=solution.status,
        gap=solution.gap,
        ratio_lp=solution.objective / solution.bound,
        seconds=seconds,
        cpu=cpu,
        load=os.getloadavg()[0],
    )
    return rows


def run_online(seed: int, weeks: int = 52) -> dict:
    inst = generate(TIERS["M"], seed)
    scores = predictors(inst)["gbm"]
    problem = problem_of(inst, scores)
    by_candidate: dict[str, list[Pair]] = {}
    for p in problem.pairs:
        by_candidate.setdefault(p.candidate, []).append(p)
    chunks = np.array_split(np.arange(len(problem.candidates)), weeks)
    batches = [
        Batch(
            tuple(problem.candidates[i] for i in chunk),
            tuple(p for i in chunk for p in by_candidate[problem.candidates[i].id]),
        )
        for chunk in chunks
    ]
    hindsight = solve(problem)
    rows: dict[str, dict] = {}
    for name, forecast in (
        ("myopic", None),
        ("dual", history_forecast(horizon=weeks, samples=1, seed=seed)),
    ):
        cpu = time.process_time()
        result = match_online(
            dimensions=problem.dimensions,
            slots=problem.slots,
            batches=batches,
            forecast=forecast,
        )
        cpu = time.process_time() - cpu
        rows[name] = evaluate(inst, chosen_pairs(inst, result.assignments))
        rows[name].update(
            ratio_hindsight=result.objective / hindsight.objective,
            seconds=result.seconds,
            cpu=cpu,
            load=os.getloadavg()[0],
        )
    rows["hindsight"] = evaluate(inst, chosen_pairs(inst, hindsight.assignments))
    return rows


def worker(tier: str, seeds: int) -> None:
    runs = []
    for seed in range(seeds):
        runs.append(run_online(seed) if tier == "online" else run_static(tier, seed))
        print(f"  {tier} seed {seed} done", file=sys.stderr, flush=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tier": tier, "runs": runs, "peak_mib": peak_mib}))


def summarise(result: dict) -> list[str]:
    runs, tier = result["runs"], result["tier"]
    lines = []
    for method in runs[0]:
        vals = [r[method] for r in runs]
        true = statistics.mean(v["true"] for v in vals)
        fair = statistics.mean(v["fair_gap"] for v in vals)
        placed = statistics.mean(v["placed"] for v in vals)
        viol = max(v["violations"] for v in vals)
        extra = ""
        if "seconds" in vals[0]:
            secs = [v["seconds"] for v in vals]
            cpus = [v["cpu"] for v in vals]
            loads = [v["load"] for v in vals]
            extra += f" | {statistics.median(secs):.2f} | {max(secs):.2f}"
            extra += f" | {statistics.median(cpus):.2f} | {max(loads):.1f}"
        else:
            extra += " | | | | "
        if "ratio_lp" in vals[0]:
            extra += f" | {min(v['ratio_lp'] for v in vals):.5f}"
            extra += f" | {max(v['gap'] for v in vals) * 100:.3f}%"
        elif "ratio_hindsight" in vals[0]:
            extra += f" | {min(v['ratio_hindsight'] for v in vals):.4f} (hindsight) |"
        else:
            extra += " | |"
        lines.append(
            f"| {tier} | {method} | {true:.1f} | {placed:.3f} | {fair:.3f} | {viol}"
            f"{extra} | {result['peak_mib']:.0f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="S,M,J,online,L")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(HERE / "results.json"))
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.seeds)
        return
    results = []
    for tier in args.tiers.split(","):
        print(f"tier {tier} ...", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, __file__, "--worker", tier, "--seeds", str(args.seeds)],
            capture_output=False,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        # Written after every tier, so a long run keeps what it measured.
        Path(args.out).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(
        "| tier | method | true outcome (mean) | placed | fairness gap | capacity"
        " violations | median s | max s | median CPU s | load (max) | ratio to bound"
        " (min) | gap (max) | peak MiB |"
    )
    print("|" + "---|" * 13)
    for result in results:
        for line in summarise(result):
            print(line)


if __name__ == "__main__":
    main()
