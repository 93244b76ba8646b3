"""Full-text search of good practices: one function per database.

PostgreSQL: each language version keeps a weighted `tsvector` built with the
text-search configuration of its language (title A, summary B, the rest C),
GIN-indexed; a query is parsed with every configuration in use and ranked
with `ts_rank`. SQLite: an FTS5 table (`network_practice_fts`, Porter
stemming over unicode61 without diacritics) kept in step by the services,
ranked with bm25. Both give the practices matching every word, best first.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q

from openmil.network.models import SEARCH_CONFIGS, PracticeVersion

FTS_TABLE = "network_practice_fts"
_WORD = re.compile(r"\w+", re.UNICODE)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _body(version: PracticeVersion) -> str:
    return "\n".join(
        [version.problem, version.what_was_done, version.resources, version.results]
    )


def index_version(version: PracticeVersion) -> None:
    """Bring the search index of one language version up to date."""
    if is_postgresql():
        config = SEARCH_CONFIGS.get(version.language, "simple")
        vector = (
            SearchVector("title", weight="A", config=config)
            + SearchVector("summary", weight="B", config=config)
            + SearchVector("problem", weight="C", config=config)
            + SearchVector("what_was_done", weight="C", config=config)
            + SearchVector("resources", weight="D", config=config)
            + SearchVector("results", weight="C", config=config)
        )
        PracticeVersion.objects.filter(pk=version.pk).update(search_vector=vector)
        return
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [version.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            [version.pk, version.title, version.summary, _body(version)],
        )


def unindex_versions(version_ids: list[int]) -> None:
    if connection.vendor != "sqlite" or not version_ids:
        return
    with connection.cursor() as cursor:
        for pk in version_ids:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])  # noqa: S608


def ranked_version_ids(
    query: str, *, version_ids: list[int]
) -> list[tuple[int, float]]:
    """(version id, rank) of the versions among `version_ids` matching every
    word of `query`, best first."""
    words = _WORD.findall(query)
    if not words or not version_ids:
        return []
    if is_postgresql():
        languages = PracticeVersion.objects.values_list("language", flat=True)
        configs = sorted(
            {SEARCH_CONFIGS.get(lang, "simple") for lang in languages.distinct()}
            | {"simple"}
        )
        search = SearchQuery(query, config="simple", search_type="websearch")
        for config in configs:
            if config != "simple":
                search = search | SearchQuery(
                    query, config=config, search_type="websearch"
                )
        rows = (
            PracticeVersion.objects.filter(pk__in=version_ids)
            .filter(Q(search_vector=search))
            .annotate(rank=SearchRank(F("search_vector"), search))
            .order_by("-rank", "pk")
            .values_list("pk", "rank")
        )
        return [(pk, float(rank)) for pk, rank in rows]
    match = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
    placeholders = ",".join(["%s"] * len(version_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, bm25({FTS_TABLE}, 10.0, 4.0, 1.0) AS score "  # noqa: S608
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"AND rowid IN ({placeholders}) ORDER BY score, rowid",
            [match, *version_ids],
        )
        # bm25 is lower for better matches; the rank is its opposite.
        return [(pk, -score) for pk, score in cursor.fetchall()]
