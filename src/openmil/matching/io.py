"""The JSON file format of `openmil match solve`; see docs/matching.md."""

from __future__ import annotations

import json
from typing import Any

from openmil.matching.problem import (
    FAIRNESS_MEASURES,
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

_TOP_LEVEL = {
    "dimensions",
    "candidates",
    "slots",
    "pairs",
    "assign_all",
    "weights",
    "fairness",
    "fixed",
    "forbidden",
    "options",
}


def _list(data: dict[str, Any], key: str, *, required: bool = True) -> list[Any]:
    if key not in data:
        if required:
            raise MatchingInputError(f"{key}: missing.")
        return []
    value = data[key]
    if not isinstance(value, list):
        raise MatchingInputError(f"{key}: must be a list.")
    return value


def _object(entry: object, owner: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise MatchingInputError(f"{owner}: must be an object.")
    for key in keys:
        if key not in entry:
            raise MatchingInputError(f"{owner}: {key!r} missing.")
    return entry


def _id(entry: dict[str, Any], key: str, owner: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value:
        raise MatchingInputError(f"{owner}: {key!r} must be a non-empty text.")
    return value


def _pair_list(data: dict[str, Any], key: str) -> tuple[tuple[str, str], ...]:
    result = []
    for i, entry in enumerate(_list(data, key, required=False)):
        owner = f"{key}[{i}]"
        entry = _object(entry, owner, {"candidate", "slot"})
        result.append((_id(entry, "candidate", owner), _id(entry, "slot", owner)))
    return tuple(result)


def problem_from_dict(data: object) -> tuple[Problem, dict[str, Any]]:
    """Parse and validate a problem file's content; returns it and its options.

    Raises MatchingInputError naming the offending entry.
    """
    if not isinstance(data, dict):
        raise MatchingInputError("The file must hold a JSON object.")
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise MatchingInputError(f"{unknown[0]}: unknown field.")
    dims = _list(data, "dimensions")
    for i, dim in enumerate(dims):
        if not isinstance(dim, str) or not dim:
            raise MatchingInputError(f"dimensions[{i}]: must be a non-empty text.")

    candidates = []
    for i, entry in enumerate(_list(data, "candidates")):
        owner = f"candidates[{i}]"
        entry = _object(entry, owner, {"id", "size"})
        cid = _id(entry, "id", owner)
        group = entry.get("group")
        if group is not None and not isinstance(group, str):
            raise MatchingInputError(f"candidate {cid!r}: group must be a text.")
        prefs = entry.get("preferences", [])
        if not isinstance(prefs, list) or not all(isinstance(s, str) for s in prefs):
            raise MatchingInputError(
                f"candidate {cid!r}: preferences must be a list of slot ids."
            )
        candidates.append(
            Candidate(id=cid, size=entry["size"], group=group, preferences=tuple(prefs))
        )

    slots = []
    for i, entry in enumerate(_list(data, "slots")):
        owner = f"slots[{i}]"
        entry = _object(entry, owner, {"id", "capacity"})
        slots.append(Slot(id=_id(entry, "id", owner), capacity=entry["capacity"]))

    pairs = []
    for i, entry in enumerate(_list(data, "pairs")):
        owner = f"pairs[{i}]"
        entry = _object(entry, owner, {"candidate", "slot", "score"})
        pairs.append(
            Pair(
                candidate=_id(entry, "candidate", owner),
                slot=_id(entry, "slot", owner),
                score=entry["score"],
            )
        )

    assign_all = data.get("assign_all", False)
    if not isinstance(assign_all, bool):
        raise MatchingInputError("assign_all: must be true or false.")

    weights_data = data.get("weights", {})
    if not isinstance(weights_data, dict):
        raise MatchingInputError("weights: must be an object.")
    extra = sorted(set(weights_data) - {"score", "preference", "assigned"})
    if extra:
        raise MatchingInputError(f"weights: unknown weight {extra[0]!r}.")
    weights = Weights(**weights_data)

    fairness = []
    for i, entry in enumerate(_list(data, "fairness", required=False)):
        owner = f"fairness[{i}]"
        entry = _object(entry, owner, {"group", "measure", "at_least"})
        if entry["measure"] not in FAIRNESS_MEASURES:
            raise MatchingInputError(
                f"{owner}: measure must be one of {', '.join(FAIRNESS_MEASURES)}."
            )
        fairness.append(
            FairnessFloor(
                group=_id(entry, "group", owner),
                measure=entry["measure"],
                at_least=entry["at_least"],
            )
        )

    options = data.get("options", {})
    if not isinstance(options, dict):
        raise MatchingInputError("options: must be an object.")
    extra = sorted(set(options) - {"time_limit", "mip_gap"})
    if extra:
        raise MatchingInputError(f"options: unknown option {extra[0]!r}.")
    for key, value in options.items():
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not value > 0
        ):
            raise MatchingInputError(f"options: {key} must be a positive number.")

    problem = Problem(
        dimensions=tuple(dims),
        candidates=tuple(candidates),
        slots=tuple(slots),
        pairs=tuple(pairs),
        assign_all=assign_all,
        weights=weights,
        fairness=tuple(fairness),
        fixed=_pair_list(data, "fixed"),
        forbidden=_pair_list(data, "forbidden"),
    )
    problem_validate(problem)
    return problem, options


def solution_to_json(solution: Solution) -> str:
    """The result file: one field per line, one assignment per line."""
    data = solution_to_dict(solution)
    assignments = data.pop("assignments")
    lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items()]
    items = ",\n  ".join(json.dumps(a) for a in assignments)
    lines.append(f' "assignments": [\n  {items}\n ]' if items else ' "assignments": []')
    return "{\n" + ",\n".join(lines) + "\n}\n"


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    result: dict[str, Any] = {
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "seconds": round(solution.seconds, 3),
        "assignments": [
            {"candidate": a.candidate, "slot": a.slot} for a in solution.assignments
        ],
    }
    if solution.message:
        result["message"] = solution.message
    return result
