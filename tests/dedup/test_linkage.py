"""The linkage model: features across scripts, and its quality on a
generated set with known duplicates."""

import datetime as dt

import pytest

from openmil.dedup import linkage
from openmil.dedup.features import features, latin, skeleton
from openmil.dedup.synthetic import generate


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("محمد", "Mohammad"),
        ("Мухаммад", "Muhammad"),
        ("يوسف", "Youssef"),
        ("Юсуф", "Yusuf"),
        ("الحلبي", "Al-Halabi"),
        ("فاطمة", "Fatima"),
        ("حداد", "Haddad"),
    ],
)
def test_names_in_arabic_cyrillic_and_latin_share_a_skeleton(a, b):
    assert skeleton(latin(a)) == skeleton(latin(b))


def test_features_prefer_the_latin_name_for_a_name_in_another_script():
    record = features(
        {
            "given_name": "رنا",
            "family_name": "حداد",
            "name_latin": "Rana Haddad",
            "birth_date": dt.date(1991, 3, 4),
            "phone": "+351 912-345-678",
        }
    )
    assert (record["given"], record["family"]) == ("rana", "haddad")
    assert record["dob_full"] == "1991-03-04"
    assert record["dob_swap"] == "1991-04-03"
    assert record["phone"] == "351912345678"[-9:]


def test_a_partial_date_of_birth_is_compared_only_as_far_as_it_is_known():
    record = features(
        {
            "given_name": "A",
            "birth_date": dt.date(1980, 6, 1),
            "birth_date_precision": "year",
        }
    )
    assert (record["dob_full"], record["dob_ym"], record["dob_y"]) == (
        None,
        None,
        "1980",
    )


def _quality(n: int, seed: int) -> tuple[float, float, linkage.ModelParams]:
    data = generate(n, seed=seed)
    records = []
    for raw in data.records:
        record = features(raw)
        record["unique_id"] = raw["id"]
        records.append(record)
    params = linkage.train(records)
    found = {
        (min(a, b), max(a, b)) for a, b, _p, _w in linkage.predict(records, params)
    }
    true_positives = len(found & data.true_pairs)
    return (
        true_positives / max(1, len(found)),
        true_positives / len(data.true_pairs),
        params,
    )


def test_precision_and_recall_on_a_generated_set_with_known_duplicates():
    """3,000 people, 300 planted duplicates (scripts, transliterations,
    typos, swapped day and month, year-only dates, phones) and 300
    look-alike relatives."""
    precision, recall, params = _quality(3000, seed=11)
    assert params.trained
    assert precision >= 0.98, precision
    assert recall >= 0.95, recall


def test_the_python_scores_agree_with_splink():
    data = generate(1500, seed=3)
    records = []
    for raw in data.records:
        record = features(raw)
        record["unique_id"] = raw["id"]
        records.append(record)
    params = linkage.train(records)
    by_id = {r["unique_id"]: r for r in records}
    pairs = linkage.predict(records, params, threshold=0.01)
    assert pairs
    for a, b, _p, weight in pairs[:200]:
        assert linkage.match_weight(by_id[a], by_id[b], params) == pytest.approx(
            weight, abs=0.01
        )


def test_parameters_survive_a_round_trip_through_json():
    again = linkage.ModelParams.from_json(linkage.DEFAULT_PARAMS.to_json())
    assert again == linkage.DEFAULT_PARAMS
