"""Score components from plain data (no database)."""

import datetime as dt

from openmil.placements.outcome import outcome_fit, reliability
from openmil.placements.scores import (
    MenteeFacts,
    MentorFacts,
    OpportunityFacts,
    PersonFacts,
    isco_proximity,
    mentor_score,
    opportunity_score,
)

TODAY = dt.date(2026, 6, 1)


def _components(score):
    return {c.name: c.value for c in score.components}


def test_isco_proximity_follows_the_hierarchy():
    assert isco_proximity("5120", "5120") == 1.0
    assert isco_proximity("5120", "5123") == 0.75
    assert isco_proximity("5120", "5131") == 0.5
    assert isco_proximity("5120", "5311") == 0.25
    assert isco_proximity("5120", "9412") == 0.0
    assert isco_proximity("", "9412") == 0.0


def test_a_cook_scores_higher_for_a_cook_job_than_for_a_warehouse():
    cook = PersonFacts(id=1, occupations=("5120",), cefr={"pt": 3})
    kitchen = OpportunityFacts(id=1, kind="vacancy", isco="5120")
    warehouse = OpportunityFacts(id=2, kind="vacancy", isco="9333")
    high, low = (opportunity_score(cook, o, today=TODAY) for o in (kitchen, warehouse))
    assert _components(high)["occupation"] == 1.0
    assert _components(low)["occupation"] == 0.0
    assert high.total > low.total


def test_a_wanted_occupation_counts_a_little_less_than_a_held_one():
    wants = PersonFacts(id=1, wanted_occupations=("5120",))
    opp = OpportunityFacts(id=1, kind="vacancy", isco="5120")
    assert _components(opportunity_score(wants, opp, today=TODAY))["occupation"] == 0.9


def test_cefr_gap_lowers_the_score_and_a_wide_gap_is_unmet():
    opp = OpportunityFacts(id=1, kind="vacancy", language="pt", min_cefr=3)
    at = opportunity_score(PersonFacts(id=1, cefr={"pt": 3}), opp, today=TODAY)
    one_short = opportunity_score(PersonFacts(id=1, cefr={"pt": 2}), opp, today=TODAY)
    two_short = opportunity_score(PersonFacts(id=1, cefr={"pt": 1}), opp, today=TODAY)
    none = opportunity_score(PersonFacts(id=1), opp, today=TODAY)
    assert _components(at)["language"] == 1.0 and at.feasible
    assert _components(one_short)["language"] == 0.5 and one_short.feasible
    assert two_short.unmet == ("language:pt:1<3",)
    assert none.unmet == ("language:pt:none<3",)


def test_dates_place_and_preference():
    person = PersonFacts(
        id=1,
        places=("lisboa",),
        kinds=("training",),
        available_from=dt.date(2026, 9, 1),
    )
    ended = OpportunityFacts(id=1, kind="vacancy", ends_on=dt.date(2026, 5, 1))
    too_soon = OpportunityFacts(
        id=2, kind="vacancy", starts_on=TODAY, ends_on=dt.date(2026, 8, 1)
    )
    fits = OpportunityFacts(id=3, kind="training", place="Lisboa")
    elsewhere = OpportunityFacts(id=4, kind="vacancy", place="Porto")
    assert opportunity_score(person, ended, today=TODAY).unmet == ("dates:ended",)
    assert opportunity_score(person, too_soon, today=TODAY).unmet == (
        "dates:unavailable",
    )
    good = _components(opportunity_score(person, fits, today=TODAY))
    bad = _components(opportunity_score(person, elsewhere, today=TODAY))
    assert (good["place"], good["preference"]) == (1.0, 1.0)
    assert (bad["place"], bad["preference"]) == (0.0, 0.0)


def test_score_is_the_weighted_mean_of_its_components():
    score = opportunity_score(
        PersonFacts(id=1, occupations=("5120",)),
        OpportunityFacts(id=1, kind="vacancy", isco="5120", place="Lisboa"),
        today=TODAY,
    )
    total = sum(c.value * c.weight for c in score.components) / sum(
        c.weight for c in score.components
    )
    assert abs(score.total - total) < 1e-12
    data = score.as_json()
    assert [c["name"] for c in data["components"]] == [
        "occupation",
        "language",
        "place",
        "dates",
        "preference",
    ]


def test_mentor_score_components():
    mentee = MenteeFacts(
        id=1,
        languages=("ar", "pt"),
        interests=("football", "cooking"),
        wants_gender="female",
        availability=("sat-am",),
        lat=38.72,
        lon=-9.14,
    )
    near = MentorFacts(
        id=1,
        languages=("pt",),
        interests=("cooking",),
        gender="female",
        availability=("sat-am", "sun-pm"),
        lat=38.73,
        lon=-9.15,
    )
    far = MentorFacts(id=2, languages=("pt",), gender="female", lat=41.15, lon=-8.61)
    man = MentorFacts(id=3, languages=("pt",), gender="male")
    mute = MentorFacts(id=4, languages=("de",), gender="female")
    good = mentor_score(mentee, near)
    parts = _components(good)
    assert good.feasible
    assert parts["languages"] == 1.0 and parts["interests"] == 0.5
    assert parts["gender"] == 1.0 and parts["availability"] == 1.0
    assert parts["distance"] > 0.9
    assert _components(mentor_score(mentee, far))["distance"] == 0.0
    assert mentor_score(mentee, man).unmet == ("mentor:gender",)
    assert "mentor:no_shared_language" in mentor_score(mentee, mute).unmet
    assert good.total > mentor_score(mentee, far).total


def test_outcome_model_needs_history_and_reports_calibration():
    assert outcome_fit([[0.5] * 5] * 10, [0, 1] * 5) is None
    rows, labels = [], []
    for i in range(120):
        occupation = (i % 10) / 10
        rows.append([occupation, 1.0, 0.5, 1.0, 0.5])
        labels.append(int(occupation >= 0.5))
    model = outcome_fit(rows, labels)
    assert model is not None
    cal = model.calibration
    assert cal["n"] == 120 and cal["positives"] == 60
    assert cal["brier"] < cal["brier_baseline"]
    assert sum(b["count"] for b in cal["bins"]) == 120
    low, high = model.predict([[0.1, 1, 0.5, 1, 0.5], [0.9, 1, 0.5, 1, 0.5]])
    assert low < 0.2 < 0.8 < high


def test_reliability_bins():
    import numpy as np

    bins = reliability(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.7, 0.3]), 2)
    assert bins[0]["count"] == 2 and bins[0]["observed"] == 0.0
    assert bins[1]["count"] == 2 and bins[1]["observed"] == 1.0
