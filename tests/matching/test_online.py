"""Online matching: batches use up shared room; prices keep some for later."""

from openmil.matching import (
    Batch,
    Candidate,
    Pair,
    Slot,
    history_forecast,
    match_online,
)


def batch(*entries) -> Batch:
    return Batch(
        candidates=tuple(Candidate(c, {"people": 1}) for c, _ in entries),
        pairs=tuple(
            Pair(c, s, score) for c, pairs in entries for s, score in pairs.items()
        ),
    )


def test_room_is_never_used_twice():
    slots = [Slot("s1", {"people": 2}), Slot("s2", {"people": 1})]
    batches = [
        batch(("a", {"s1": 0.5, "s2": 0.4}), ("b", {"s1": 0.5})),
        batch(("c", {"s1": 0.9, "s2": 0.2}), ("d", {"s2": 0.8})),
    ]
    result = match_online(dimensions=["people"], slots=slots, batches=batches)
    used = {"s1": 0, "s2": 0}
    for a in result.assignments:
        used[a.slot] += 1
    assert used["s1"] <= 2 and used["s2"] <= 1


def test_dual_prices_keep_a_scarce_slot_for_the_candidate_who_needs_it():
    # Week 1: "early" fits "rare" slightly better than "common". Later
    # arrivals only fit "rare". Myopic matching takes "rare"; priced matching
    # leaves it for the later candidate.
    slots = [Slot("common", {"people": 5}), Slot("rare", {"people": 1})]
    week = [
        batch(("early", {"common": 0.5, "rare": 0.6})),
        batch(("late", {"rare": 0.9})),
    ]
    myopic = match_online(dimensions=["people"], slots=slots, batches=week)
    assert {a.candidate: a.slot for a in myopic.assignments} == {"early": "rare"}

    def forecast(t, seen):
        return [week[1]] if t == 0 else []

    priced = match_online(
        dimensions=["people"], slots=slots, batches=week, forecast=forecast
    )
    assert {a.candidate: a.slot for a in priced.assignments} == {
        "early": "common",
        "late": "rare",
    }
    assert priced.objective > myopic.objective


def test_history_forecast_runs_and_is_deterministic():
    slots = [Slot(f"s{j}", {"people": 3}) for j in range(3)]
    batches = [
        batch(
            *(
                (f"w{t}c{i}", {f"s{j}": (i + j + t) % 5 / 5 for j in range(3)})
                for i in range(3)
            )
        )
        for t in range(4)
    ]
    runs = [
        match_online(
            dimensions=["people"],
            slots=slots,
            batches=batches,
            forecast=history_forecast(horizon=4, samples=2, seed=1),
        )
        for _ in range(2)
    ]
    assert runs[0].assignments == runs[1].assignments
    assert len(runs[0].assignments) <= 9
