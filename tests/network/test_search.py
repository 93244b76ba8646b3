"""Search relevance on a small fixed corpus in English and French.

Runs on the database of the test run: SQLite (FTS5) by default, PostgreSQL
(tsvector + GIN) with DATABASE_URL.
"""

import pytest

from openmil.network.selectors import practice_search
from tests.network.factories import practice_make, version_add


@pytest.fixture
def corpus(lab_a, lab_b):
    kitchen = practice_make(
        lab=lab_a,
        title="Cooking together: a community kitchen",
        summary="Newcomers and long-term unemployed locals cook together every "
        "week and run a small catering business.",
        what_was_done="A shared kitchen rented from the parish.",
    )
    mentors = practice_make(
        lab=lab_a,
        title="Mentoring pairs for job seekers",
        summary="Volunteer mentors meet job seekers every week to prepare interviews.",
        pillar="intercultural",
    )
    housing = practice_make(
        lab=lab_b,
        language="fr",
        title="Logement partagé entre étudiants et réfugiés",
        summary="Des étudiants hébergent des réfugiés dans des logements "
        "partagés ; la colocation aide à apprendre la langue.",
        pillar="intercultural",
        countries=["FR", "IT"],
    )
    cafes = practice_make(
        lab=lab_b,
        language="fr",
        title="Cafés linguistiques dans les bibliothèques",
        summary="Des bénévoles animent des conversations en français.",
        problem="Les réfugiés arrivés récemment parlent peu avec les habitants.",
        pillar="language",
        countries=["FR"],
    )
    # The kitchen in French too: one practice, two versions.
    version_add(
        kitchen,
        language="fr",
        title="Cuisiner ensemble : une cuisine communautaire",
        summary="Des nouveaux arrivants et des chômeurs de longue durée cuisinent "
        "ensemble chaque semaine.",
    )
    return {"kitchen": kitchen, "mentors": mentors, "housing": housing, "cafes": cafes}


def titles(user, query, **filters):
    return [
        hit.practice.pk for hit in practice_search(user=user, query=query, **filters)
    ]


def test_an_english_word_finds_its_inflected_forms(corpus, coordinator):
    assert titles(coordinator, "cooking") == [corpus["kitchen"].pk]
    assert titles(coordinator, "mentor") == [corpus["mentors"].pk]


def test_a_french_word_finds_french_practices(corpus, coordinator):
    assert titles(coordinator, "logements") == [corpus["housing"].pk]
    assert titles(coordinator, "bénévoles") == [corpus["cafes"].pk]


def test_a_match_in_the_title_ranks_above_a_match_in_the_body(corpus, coordinator):
    assert titles(coordinator, "réfugiés") == [corpus["housing"].pk, corpus["cafes"].pk]


def test_every_word_must_match(corpus, coordinator):
    assert titles(coordinator, "cuisine communautaire") == [corpus["kitchen"].pk]
    assert titles(coordinator, "cuisine bibliothèques") == []
    assert titles(coordinator, "bicycle") == []


def test_a_practice_found_in_two_languages_is_listed_once(corpus, coordinator):
    hits = practice_search(user=coordinator, query="ensemble together")
    assert hits == [] or len({h.practice.pk for h in hits}) == len(hits)
    hits = practice_search(user=coordinator, query="cuisiner")
    assert [(h.practice.pk, h.version.language) for h in hits] == [
        (corpus["kitchen"].pk, "fr")
    ]


def test_filters_narrow_the_search(corpus, coordinator):
    assert titles(coordinator, "réfugiés", pillar="language") == [corpus["cafes"].pk]
    assert titles(coordinator, "", country="IT") == [corpus["housing"].pk]
    assert set(titles(coordinator, "", language="fr")) == {
        corpus["kitchen"].pk,
        corpus["housing"].pk,
        corpus["cafes"].pk,
    }


def test_punctuation_and_operators_in_a_query_do_not_break_it(corpus, coordinator):
    for query in ['"', "cook*", "AND OR NOT", "kitchen)(", "-", "'; DROP"]:
        practice_search(user=coordinator, query=query)
