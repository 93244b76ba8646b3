"""Optimal, fair matching of people to opportunities under capacities.

Pure Python on NumPy/SciPy and HiGHS (highspy); no Django import, so the engine runs the
same from the command line, a background task or the benchmark. See
docs/matching.md.
"""

from openmil.matching.io import (
    problem_from_dict,
    solution_to_dict,
    solution_to_json,
)
from openmil.matching.online import (
    Batch,
    Forecast,
    OnlineResult,
    history_forecast,
    match_online,
)
from openmil.matching.problem import (
    Assignment,
    Candidate,
    FairnessFloor,
    MatchingInputError,
    Pair,
    Problem,
    Slot,
    Solution,
    Weights,
    problem_validate,
)
from openmil.matching.solver import solve

__all__ = [
    "Assignment",
    "Batch",
    "Candidate",
    "FairnessFloor",
    "Forecast",
    "MatchingInputError",
    "OnlineResult",
    "Pair",
    "Problem",
    "Slot",
    "Solution",
    "Weights",
    "history_forecast",
    "match_online",
    "problem_from_dict",
    "problem_validate",
    "solution_to_dict",
    "solution_to_json",
    "solve",
]
