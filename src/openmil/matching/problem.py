"""The matching problem and its solution, as plain data, and their validation.

A problem assigns candidates (people or households) to slots (vacancies,
training seats, places, mentors) along sparse allowed pairs, each with a score.
Nothing here imports Django: the engine runs from the command line, from a
background task or from a benchmark alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["optimal", "infeasible", "time_limit", "error"]
FairnessMeasure = Literal["mean_score", "assigned_share"]
FAIRNESS_MEASURES: tuple[str, ...] = ("mean_score", "assigned_share")


class MatchingInputError(ValueError):
    """A problem that cannot be solved as given; the message names the entry."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person or household needing one slot; `size` uses every dimension."""

    id: str
    size: Mapping[str, float]
    group: str | None = None
    preferences: tuple[str, ...] = ()  # slot ids, most wanted first


@dataclass(frozen=True, slots=True)
class Slot:
    """An opportunity able to take candidates up to `capacity` per dimension."""

    id: str
    capacity: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Pair:
    """An allowed candidate–slot pair; a pair not listed is incompatible."""

    candidate: str
    slot: str
    score: float


@dataclass(frozen=True, slots=True)
class FairnessFloor:
    """A group's mean score among its assigned members, or its assigned share,
    must be at least `at_least`."""

    group: str
    measure: FairnessMeasure
    at_least: float


@dataclass(frozen=True, slots=True)
class Weights:
    """Objective weights: score of each assigned pair, a bonus per ranked
    preference met (1 for a first choice down to 1/k for the k-th of k), and a
    bonus per candidate assigned."""

    score: float = 1.0
    preference: float = 0.0
    assigned: float = 0.0


@dataclass(frozen=True, slots=True)
class Problem:
    dimensions: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    slots: tuple[Slot, ...]
    pairs: tuple[Pair, ...]
    assign_all: bool = False
    weights: Weights = field(default_factory=Weights)
    fairness: tuple[FairnessFloor, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()  # (candidate, slot) that must hold
    forbidden: tuple[tuple[str, str], ...] = ()  # (candidate, slot) never used


@dataclass(frozen=True, slots=True)
class Assignment:
    candidate: str
    slot: str


@dataclass(frozen=True, slots=True)
class Solution:
    """`bound` is the LP relaxation value, an upper bound on `objective`;
    `gap` is (bound - objective) / |bound|. Assignments are sorted by
    candidate id."""

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    assignments: tuple[Assignment, ...] = ()
    message: str = ""


def _finite_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _check_amounts(
    *, owner: str, what: str, amounts: object, dimensions: tuple[str, ...]
) -> None:
    if not isinstance(amounts, Mapping):
        raise MatchingInputError(f"{owner}: {what} must map dimensions to numbers.")
    for dim in dimensions:
        if dim not in amounts:
            raise MatchingInputError(
                f"{owner}: {what} has no value for dimension {dim!r}."
            )
        value = amounts[dim]
        if not _finite_number(value):
            raise MatchingInputError(
                f"{owner}: {what} for {dim!r} is not a finite number: {value!r}."
            )
        if value < 0:
            raise MatchingInputError(
                f"{owner}: {what} for {dim!r} is negative: {value!r}."
            )
    for dim in amounts:
        if dim not in dimensions:
            raise MatchingInputError(f"{owner}: {what} has unknown dimension {dim!r}.")


def _check_pair_ids(
    *,
    owner: str,
    candidate: str,
    slot: str,
    candidate_ids: set[str],
    slot_ids: set[str],
) -> None:
    if candidate not in candidate_ids:
        raise MatchingInputError(f"{owner}: unknown candidate {candidate!r}.")
    if slot not in slot_ids:
        raise MatchingInputError(f"{owner}: unknown slot {slot!r}.")


def problem_validate(problem: Problem) -> None:
    """Raise MatchingInputError naming the first offending entry, if any."""
    dims = problem.dimensions
    if not dims:
        raise MatchingInputError("dimensions: at least one dimension is needed.")
    if len(set(dims)) != len(dims):
        raise MatchingInputError("dimensions: a dimension is listed twice.")
    candidate_ids: set[str] = set()
    for c in problem.candidates:
        owner = f"candidate {c.id!r}"
        if not isinstance(c.id, str) or not c.id:
            raise MatchingInputError(f"candidate {c.id!r}: id must be a text.")
        if c.id in candidate_ids:
            raise MatchingInputError(f"{owner}: duplicate candidate id.")
        candidate_ids.add(c.id)
        _check_amounts(owner=owner, what="size", amounts=c.size, dimensions=dims)
    slot_ids: set[str] = set()
    for s in problem.slots:
        owner = f"slot {s.id!r}"
        if not isinstance(s.id, str) or not s.id:
            raise MatchingInputError(f"slot {s.id!r}: id must be a text.")
        if s.id in slot_ids:
            raise MatchingInputError(f"{owner}: duplicate slot id.")
        slot_ids.add(s.id)
        _check_amounts(
            owner=owner, what="capacity", amounts=s.capacity, dimensions=dims
        )
    for c in problem.candidates:
        seen: set[str] = set()
        for slot in c.preferences:
            if slot not in slot_ids:
                raise MatchingInputError(
                    f"candidate {c.id!r}: preference for unknown slot {slot!r}."
                )
            if slot in seen:
                raise MatchingInputError(
                    f"candidate {c.id!r}: slot {slot!r} ranked twice."
                )
            seen.add(slot)
    pair_keys: set[tuple[str, str]] = set()
    for p in problem.pairs:
        owner = f"pair ({p.candidate!r}, {p.slot!r})"
        _check_pair_ids(
            owner=owner,
            candidate=p.candidate,
            slot=p.slot,
            candidate_ids=candidate_ids,
            slot_ids=slot_ids,
        )
        if not _finite_number(p.score):
            raise MatchingInputError(
                f"{owner}: score is not a finite number: {p.score!r}."
            )
        key = (p.candidate, p.slot)
        if key in pair_keys:
            raise MatchingInputError(f"{owner}: duplicate pair.")
        pair_keys.add(key)
    for kind, entries in (("fixed", problem.fixed), ("forbidden", problem.forbidden)):
        for candidate, slot in entries:
            owner = f"{kind} pair ({candidate!r}, {slot!r})"
            _check_pair_ids(
                owner=owner,
                candidate=candidate,
                slot=slot,
                candidate_ids=candidate_ids,
                slot_ids=slot_ids,
            )
            if kind == "fixed" and (candidate, slot) not in pair_keys:
                raise MatchingInputError(f"{owner}: not an allowed pair.")
    clash = set(problem.fixed) & set(problem.forbidden)
    if clash:
        candidate, slot = sorted(clash)[0]
        raise MatchingInputError(
            f"fixed pair ({candidate!r}, {slot!r}): also listed as forbidden."
        )
    groups = {c.group for c in problem.candidates if c.group is not None}
    for floor in problem.fairness:
        owner = f"fairness floor for group {floor.group!r}"
        if floor.group not in groups:
            raise MatchingInputError(f"{owner}: no candidate has this group.")
        if floor.measure not in FAIRNESS_MEASURES:
            raise MatchingInputError(
                f"{owner}: measure must be one of {', '.join(FAIRNESS_MEASURES)}."
            )
        if not _finite_number(floor.at_least):
            raise MatchingInputError(f"{owner}: at_least is not a finite number.")
    for name in ("score", "preference", "assigned"):
        if not _finite_number(getattr(problem.weights, name)):
            raise MatchingInputError(f"weights: {name} is not a finite number.")
