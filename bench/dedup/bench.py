"""Duplicate detection benchmark: the splink model on generated people with
planted duplicates (transliterations between Arabic, Cyrillic and Latin
scripts, typos, swapped day and month, year-only dates, phones) and
look-alike relatives.

    bench/dedup/run                       # 100,000 records
    bench/dedup/run --records 1000000

Prints the time of feature preparation, training (EM) and prediction,
precision and recall against the planted truth, the number of compared
pairs and the peak resident memory, and writes JSON to --out. See
bench/dedup/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_PRECISION = 0.98
TARGET_RECALL = 0.95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--out", type=Path, default=HERE / "latest.json")
    args = parser.parse_args()

    from openmil.dedup import linkage
    from openmil.dedup.features import features
    from openmil.dedup.synthetic import generate

    started = time.perf_counter()
    # Originals plus 10 % duplicates and 10 % relatives make --records.
    data = generate(round(args.records / 1.2), seed=args.seed)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    records = []
    for raw in data.records:
        record = features(raw)
        record["unique_id"] = raw["id"]
        records.append(record)
    prepared = time.perf_counter() - started

    started = time.perf_counter()
    params = linkage.train(records, seed=args.seed)
    trained = time.perf_counter() - started

    started = time.perf_counter()
    pairs = linkage.predict(records, params, threshold=args.threshold)
    predicted = time.perf_counter() - started

    found = {(min(a, b), max(a, b)) for a, b, _p, _w in pairs}
    hits = len(found & data.true_pairs)
    precision = hits / max(1, len(found))
    recall = hits / max(1, len(data.true_pairs))
    result = {
        "records": len(records),
        "planted_duplicates": len(data.true_pairs),
        "pairs_found": len(found),
        "threshold": args.threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "generate_s": round(generated, 1),
        "features_s": round(prepared, 1),
        "train_s": round(trained, 1),
        "predict_s": round(predicted, 1),
        "total_s": round(prepared + trained + predicted, 1),
        "trained": params.trained,
        "prior": params.prior,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "targets": {"precision": TARGET_PRECISION, "recall": TARGET_RECALL},
        "date": dt.date.today().isoformat(),  # noqa: DTZ011
    }
    result["meets_targets"] = precision >= TARGET_PRECISION and recall >= TARGET_RECALL
    print(json.dumps(result, indent=2))
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent / "src"))
    raise SystemExit(main())
