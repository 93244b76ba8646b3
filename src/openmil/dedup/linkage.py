"""Probabilistic record linkage (Fellegi–Sunter) with splink on DuckDB.

One table of comparison levels drives both engines: each level has the SQL
condition splink evaluates in DuckDB, and the same rule in Python for the
live check at registration, which scores a handful of candidates with the
trained model's weights instead of starting DuckDB.

Training (`train`) estimates u-probabilities by random sampling and the
m-probabilities by expectation maximisation on blocked pairs; the result
is a plain dict (`ModelParams`) stored in the database. Before any
training, `DEFAULT_PARAMS` — documented priors — are used.
"""

import contextlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

from openmil.dedup.features import FEATURE_COLUMNS

Rec = dict[str, Any]
Pred = Callable[[Rec, Rec], bool]


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    test: Pred
    m: float
    u: float
    null: bool = False


def _both(column: str) -> Pred:
    return lambda a, b: a.get(column) is not None and b.get(column) is not None


def _null(column: str) -> Level:
    return Level(
        "null",
        f'"{column}_l" IS NULL OR "{column}_r" IS NULL',
        lambda a, b: a.get(column) is None or b.get(column) is None,
        1.0,
        1.0,
        null=True,
    )


def _jw(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    return float(JaroWinkler.similarity(a, b))


def _name_levels(col: str) -> list[Level]:
    sk = f"{col}_sk"
    return [
        _null(col),
        Level(
            "exact",
            f'"{col}_l" = "{col}_r"',
            lambda a, b: a[col] == b[col],
            0.70,
            0.005,
        ),
        Level(
            "same skeleton",
            f'"{sk}_l" = "{sk}_r"',
            lambda a, b: a[sk] is not None and a[sk] == b[sk],
            0.15,
            0.003,
        ),
        Level(
            "jaro-winkler >= 0.92",
            f'jaro_winkler_similarity("{col}_l", "{col}_r") >= 0.92',
            lambda a, b: _jw(a[col], b[col]) >= 0.92,
            0.08,
            0.005,
        ),
        Level(
            "similar",
            f'jaro_winkler_similarity("{col}_l", "{col}_r") >= 0.8 '
            f'OR jaro_winkler_similarity("{sk}_l", "{sk}_r") >= 0.88',
            lambda a, b: _jw(a[col], b[col]) >= 0.8 or _jw(a[sk], b[sk]) >= 0.88,
            0.05,
            0.05,
        ),
        Level("else", "ELSE", lambda a, b: True, 0.02, 0.937),
    ]


def _dob_levels() -> list[Level]:
    def full(a: Rec, b: Rec) -> bool:
        return a["dob_full"] is not None and a["dob_full"] == b["dob_full"]

    def swap(a: Rec, b: Rec) -> bool:
        return (a["dob_swap"] is not None and a["dob_swap"] == b["dob_full"]) or (
            b["dob_swap"] is not None and b["dob_swap"] == a["dob_full"]
        )

    def typo(a: Rec, b: Rec) -> bool:
        return (
            a["dob_full"] is not None
            and b["dob_full"] is not None
            and DamerauLevenshtein.distance(a["dob_full"], b["dob_full"]) <= 1
        )

    return [
        _null("dob_y"),
        Level("exact", '"dob_full_l" = "dob_full_r"', full, 0.80, 0.0001),
        Level(
            "day and month swapped",
            '"dob_swap_l" = "dob_full_r" OR "dob_swap_r" = "dob_full_l"',
            swap,
            0.05,
            0.0001,
        ),
        Level(
            "one digit apart",
            'damerau_levenshtein("dob_full_l", "dob_full_r") <= 1',
            typo,
            0.04,
            0.003,
        ),
        Level(
            "same month",
            '"dob_ym_l" = "dob_ym_r"',
            lambda a, b: a["dob_ym"] is not None and a["dob_ym"] == b["dob_ym"],
            0.04,
            0.002,
        ),
        Level(
            "same year",
            '"dob_y_l" = "dob_y_r"',
            lambda a, b: a["dob_y"] == b["dob_y"],
            0.05,
            0.02,
        ),
        Level("else", "ELSE", lambda a, b: True, 0.02, 0.975),
    ]


def _country_levels() -> list[Level]:
    return [
        _null("country"),
        Level(
            "exact",
            '"country_l" = "country_r"',
            lambda a, b: a["country"] == b["country"],
            0.95,
            0.1,
        ),
        Level("else", "ELSE", lambda a, b: True, 0.05, 0.9),
    ]


def _phone_levels() -> list[Level]:
    return [
        _null("phone"),
        Level(
            "exact",
            '"phone_l" = "phone_r"',
            lambda a, b: a["phone"] == b["phone"],
            0.6,
            0.0001,
        ),
        Level(
            "one digit apart",
            'levenshtein("phone_l", "phone_r") <= 1',
            lambda a, b: Levenshtein.distance(a["phone"], b["phone"]) <= 1,
            0.05,
            0.0005,
        ),
        Level("else", "ELSE", lambda a, b: True, 0.35, 0.9994),
    ]


#: (output column, levels) in the order splink reports them.
COMPARISONS: list[tuple[str, list[Level]]] = [
    ("given", _name_levels("given")),
    ("family", _name_levels("family")),
    ("dob", _dob_levels()),
    ("country", _country_levels()),
    ("phone", _phone_levels()),
]
#: The prior: the chance that two records picked at random are one person.
DEFAULT_PRIOR = 1e-5

#: Pairs compared at all: everything else is taken as two people.
BLOCKING_RULES = (
    ("given_sk", "family_sk"),
    ("family_sk", "dob_y"),
    ("given_sk", "dob_y"),
    ("dob_full", "country"),
    ("dob_swap=dob_full",),
    ("phone",),
)


def _blocking_sql(rule: Sequence[str]) -> str:
    if rule == ("dob_swap=dob_full",):
        return "l.dob_swap = r.dob_full"
    return " AND ".join(f"l.{c} = r.{c}" for c in rule)


@dataclass
class ModelParams:
    """Trained (or prior) parameters: m and u of every level, and the prior."""

    prior: float
    levels: dict[str, list[tuple[float, float]]]
    trained: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "levels": {k: [list(p) for p in v] for k, v in self.levels.items()},
            "trained": self.trained,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ModelParams":
        return cls(
            prior=float(data["prior"]),
            levels={
                k: [(float(m), float(u)) for m, u in v]
                for k, v in data["levels"].items()
            },
            trained=bool(data.get("trained")),
        )


DEFAULT_PARAMS = ModelParams(
    prior=DEFAULT_PRIOR,
    levels={name: [(lv.m, lv.u) for lv in levels] for name, levels in COMPARISONS},
)


def match_weight(a: Rec, b: Rec, params: ModelParams) -> float:
    """log2 of the odds that the two records are one person (Python engine)."""
    weight = math.log2(params.prior / (1 - params.prior))
    for name, levels in COMPARISONS:
        for index, level in enumerate(levels):
            if level.test(a, b):
                if not level.null:
                    m, u = params.levels[name][index]
                    weight += math.log2(max(m, 1e-9) / max(u, 1e-9))
                break
    return weight


def probability(weight: float) -> float:
    odds = 2.0**weight
    return odds / (1 + odds)


# ---------------------------------------------------------------------------
# splink


def settings_dict(params: ModelParams) -> dict[str, Any]:
    comparisons = []
    for name, levels in COMPARISONS:
        comparison_levels = []
        for index, level in enumerate(levels):
            m, u = params.levels[name][index]
            entry: dict[str, Any] = {
                "sql_condition": level.sql,
                "label_for_charts": level.label,
            }
            if level.null:
                entry["is_null_level"] = True
            else:
                entry["m_probability"] = m
                entry["u_probability"] = u
            comparison_levels.append(entry)
        comparisons.append(
            {"output_column_name": name, "comparison_levels": comparison_levels}
        )
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": params.prior,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": _blocking_sql(rule)} for rule in BLOCKING_RULES
        ],
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": False,
    }


def _table(records: Iterable[Rec]) -> Any:
    import pyarrow as pa

    columns: dict[str, list[Any]] = {
        "unique_id": [],
        **{c: [] for c in FEATURE_COLUMNS},
    }
    for record in records:
        for key, values in columns.items():
            values.append(record.get(key))
    schema = pa.schema(
        [("unique_id", pa.int64())] + [(c, pa.string()) for c in FEATURE_COLUMNS]
    )
    return pa.table(columns, schema=schema)


def _linker(records: Iterable[Rec], params: ModelParams) -> Any:
    import logging

    from splink import DuckDBAPI, Linker

    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.WARNING)
    db_api = DuckDBAPI()
    frame = db_api.register(_table(records))
    return Linker(frame, settings_dict(params), log_level=logging.WARNING)


def _params_from_linker(linker: Any, fallback: ModelParams) -> ModelParams:
    data = linker.misc.save_model_to_json()
    levels: dict[str, list[tuple[float, float]]] = {}
    for comparison, (name, own) in zip(data["comparisons"], COMPARISONS, strict=True):
        pairs = []
        for index, level in enumerate(comparison["comparison_levels"]):
            m0, u0 = fallback.levels[name][index]
            if own[index].null:
                pairs.append((1.0, 1.0))
                continue
            m = level.get("m_probability")
            u = level.get("u_probability")
            pairs.append((float(m) if m else m0, float(u) if u else u0))
        levels[name] = pairs
    return ModelParams(
        prior=float(data["probability_two_random_records_match"]),
        levels=levels,
        trained=True,
    )


def train(records: Sequence[Rec], *, seed: int = 1) -> ModelParams:
    """Estimate the model's parameters on the records themselves.

    The prior from deterministic rules, u by random sampling, m by
    expectation maximisation on two blockings (each leaves free the
    comparisons it does not block on). A failed or degenerate estimation
    falls back to the documented priors for the parameters it could not
    estimate.
    """
    from splink import block_on

    linker = _linker(records, DEFAULT_PARAMS)
    training = linker.training
    # A failure keeps the default prior.
    with contextlib.suppress(Exception):
        training.estimate_probability_two_random_records_match(
            [
                block_on("given_sk", "family_sk", "dob_full"),
                block_on("phone", "family_sk"),
            ],
            recall=0.7,
        )
    max_pairs = min(2_000_000, max(10_000, len(records) * 20))
    training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in (block_on("dob_full"), block_on("given_sk", "family_sk")):
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception:  # noqa: BLE001, S112 - too few pairs: keep priors
            continue
    return _params_from_linker(linker, DEFAULT_PARAMS)


def predict(
    records: Sequence[Rec], params: ModelParams, *, threshold: float = 0.9
) -> list[tuple[int, int, float, float]]:
    """Pairs of records (id, id, probability, weight) above `threshold`."""
    linker = _linker(records, params)
    result = linker.inference.predict(threshold_match_probability=threshold)
    table = result.as_pyarrow_table() if hasattr(result, "as_pyarrow_table") else None
    rows: list[tuple[int, int, float, float]] = []
    if table is not None:
        data = table.to_pydict()
        for left, right, p, w in zip(
            data["unique_id_l"],
            data["unique_id_r"],
            data["match_probability"],
            data["match_weight"],
            strict=True,
        ):
            rows.append((int(left), int(right), float(p), float(w)))
    else:
        for row in result.as_record_dict():
            rows.append(
                (
                    int(row["unique_id_l"]),
                    int(row["unique_id_r"]),
                    float(row["match_probability"]),
                    float(row["match_weight"]),
                )
            )
    return rows
