"""Validation: every bad entry is refused with a message that names it."""

import json
import math
import subprocess
import sys

import pytest

from openmil.matching import (
    Candidate,
    MatchingInputError,
    Pair,
    Problem,
    Slot,
    problem_from_dict,
    solve,
)


def base() -> dict:
    return {
        "dimensions": ["people"],
        "candidates": [
            {"id": "c1", "size": {"people": 3}, "group": "a"},
            {"id": "c2", "size": {"people": 1}, "group": "b"},
        ],
        "slots": [{"id": "s1", "capacity": {"people": 10}}],
        "pairs": [
            {"candidate": "c1", "slot": "s1", "score": 0.41},
            {"candidate": "c2", "slot": "s1", "score": 0.2},
        ],
    }


def refused(data: dict) -> str:
    with pytest.raises(MatchingInputError) as info:
        problem_from_dict(data)
    return str(info.value)


def test_a_valid_file_parses():
    problem, options = problem_from_dict(base())
    assert len(problem.candidates) == 2
    assert options == {}


def test_unknown_candidate_in_a_pair_is_named():
    data = base()
    data["pairs"].append({"candidate": "c9", "slot": "s1", "score": 0.1})
    assert refused(data) == "pair ('c9', 's1'): unknown candidate 'c9'."


def test_unknown_slot_in_a_pair_is_named():
    data = base()
    data["pairs"][0]["slot"] = "nowhere"
    assert "unknown slot 'nowhere'" in refused(data)


def test_negative_capacity_is_named():
    data = base()
    data["slots"][0]["capacity"]["people"] = -2
    assert refused(data) == "slot 's1': capacity for 'people' is negative: -2."


def test_missing_dimension_is_named():
    data = base()
    data["dimensions"].append("adults")
    assert refused(data) == "candidate 'c1': size has no value for dimension 'adults'."


def test_undeclared_dimension_is_named():
    data = base()
    data["slots"][0]["capacity"]["rooms"] = 2
    assert "unknown dimension 'rooms'" in refused(data)


def test_duplicate_pair_is_named():
    data = base()
    data["pairs"].append({"candidate": "c1", "slot": "s1", "score": 0.3})
    assert refused(data) == "pair ('c1', 's1'): duplicate pair."


@pytest.mark.parametrize("score", ["high", None, True, math.nan, math.inf])
def test_non_numeric_score_is_named(score):
    data = base()
    data["pairs"][1]["score"] = score
    assert refused(data).startswith("pair ('c2', 's1'): score is not a finite number")


def test_duplicate_ids_are_named():
    data = base()
    data["candidates"][1]["id"] = "c1"
    assert refused(data) == "candidate 'c1': duplicate candidate id."
    data = base()
    data["slots"].append({"id": "s1", "capacity": {"people": 1}})
    assert refused(data) == "slot 's1': duplicate slot id."


def test_missing_field_is_named():
    data = base()
    del data["candidates"][0]["size"]
    assert refused(data) == "candidates[0]: 'size' missing."


def test_unknown_field_is_refused():
    data = base()
    data["assign_everyone"] = True
    assert refused(data) == "assign_everyone: unknown field."


def test_fixed_pair_must_be_allowed_and_not_forbidden():
    data = base()
    data["slots"].append({"id": "s2", "capacity": {"people": 1}})
    data["fixed"] = [{"candidate": "c2", "slot": "s2"}]
    assert refused(data) == "fixed pair ('c2', 's2'): not an allowed pair."
    data["fixed"] = [{"candidate": "c2", "slot": "s1"}]
    data["forbidden"] = [{"candidate": "c2", "slot": "s1"}]
    assert "also listed as forbidden" in refused(data)


def test_fairness_floor_needs_a_known_group_and_measure():
    data = base()
    data["fairness"] = [{"group": "z", "measure": "mean_score", "at_least": 0.1}]
    assert "group 'z'" in refused(data)
    data["fairness"] = [{"group": "a", "measure": "median", "at_least": 0.1}]
    assert "measure must be one of" in refused(data)


def test_preference_for_unknown_slot_is_named():
    data = base()
    data["candidates"][0]["preferences"] = ["s1", "s7"]
    assert refused(data) == "candidate 'c1': preference for unknown slot 's7'."


def test_solve_validates_problems_built_in_code():
    problem = Problem(
        dimensions=("people",),
        candidates=(Candidate("c1", {"people": 1}),),
        slots=(Slot("s1", {"people": 1}),),
        pairs=(Pair("c1", "s1", float("nan")),),
    )
    with pytest.raises(MatchingInputError, match="score is not a finite number"):
        solve(problem)


def test_the_engine_imports_no_django():
    code = (
        "import sys, openmil.matching;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run(  # noqa: S603 - this Python, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.replace("'", '"')) == []
