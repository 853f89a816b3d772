"""The full-text index on each database, and the queries search runs on it.

Both databases index the same thing, the stems of `jpoa.search.text`, so they
match alike; only ranking differs (BM25 on SQLite, ``ts_rank`` on PostgreSQL). A
document's title stems weigh more than those of its text.

SQLite: an FTS5 table whose content is `Document` (external content), kept in step
by triggers. PostgreSQL: a stored generated ``tsvector`` column with a GIN index,
built with the 'simple' configuration (no stemming nor stop words of its own).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from .models import FACET_COLUMNS, Facet, needle

DOCUMENTS = "search_document"
FTS = "search_document_fts"

# SQLite's full-text index (migration 0004) holds the stems and, beside them, the facet
# values: a filter ("country KZ") is then a phrase that the index intersects with the
# words' matches, so only the documents under the filters are scored and read. The facet
# columns weigh nothing in the ranking, and the words are looked for in the stems only.
TEXT_COLUMNS = ("title_stems", "body_stems")
RANK_WEIGHTS = ", ".join(["10.0", "1.0"] + ["0.0"] * len(FACET_COLUMNS))


# -- queries ----------------------------------------------------------------------------


@dataclass
class Match:
    """How one database says "the documents matching these terms", and their score."""

    source: str  # FROM and WHERE of the matches, their documents joined as `d`
    id: str  # a match's document id
    score: str  # a match's score (only valid with `source`)
    order: str  # ORDER BY of the scores, best first
    params: list
    best_first: Callable[[float, int], tuple]  # the same order, as a sort key of (score, id)


def _match(terms: list[str], filters: list[tuple[str, str]]) -> Match:
    """The documents with every term, under the filters' values too on SQLite."""
    if connection.vendor == "postgresql":
        # Terms are letters and digits only (`text.query_terms`), so quoting is safe.
        return Match(
            source=f"{DOCUMENTS} d, CAST(%s AS tsquery) q WHERE d.search_vector @@ q",
            id="d.id",
            score="ts_rank(d.search_vector, q)",
            order="score DESC, id",
            params=[" & ".join(f"'{t}'" for t in terms)],
            best_first=lambda score, id_: (-score, id_),
        )
    query = words_query(terms)
    for name, value in filters:
        query += f" AND {FACET_COLUMNS[name]} : {_phrase(value)}"
    # CROSS JOIN keeps the full-text index the outer loop: SQLite would otherwise be free
    # to read the documents first and probe the index once for each.
    return Match(
        source=f"{FTS} CROSS JOIN {DOCUMENTS} d ON d.id = {FTS}.rowid WHERE {FTS} MATCH %s",
        id=f"{FTS}.rowid",
        score=f"bm25({FTS}, {RANK_WEIGHTS})",
        order="score, id",
        params=[query],
        best_first=lambda score, id_: (score, id_),
    )


def words_query(terms: list[str]) -> str:
    """FTS5's query for the documents with every term in their stems."""
    return f"{{{' '.join(TEXT_COLUMNS)}}} : ({' '.join(_phrase(t) for t in terms)})"


def _phrase(value: str) -> str:
    """VALUE as an FTS5 phrase, which the tokenizer splits into words as it did the column.

    The phrase narrows the matches; the exact condition of `_filters` decides (a phrase
    ignores case and punctuation). A value with no word in it is an empty phrase, which
    matches nothing.
    """
    return '"' + value.replace('"', '""') + '"'


def _filters(filters: list[tuple[str, str]]) -> tuple[str, list]:
    """The condition on the document `d` that keeps those with every filter's value."""
    sql, params = "", []
    position = "strpos" if connection.vendor == "postgresql" else "instr"
    for name, value in filters:
        column = FACET_COLUMNS[name]
        if name == Facet.KIND:
            sql, params = f"{sql} AND d.{column} = %s", [*params, value]
        elif (found := needle(value)) is None:
            return " AND FALSE", []
        else:
            sql, params = f"{sql} AND {position}(d.{column}, %s) > 0", [*params, found]
    return sql, params


DOCUMENT_COLUMNS = (
    "kind",
    "object_id",
    "title_en",
    "title_ru",
    "text_en",
    "text_ru",
    "url_en",
    "url_ru",
)


def search_page(
    terms: list[str], filters: list[tuple[str, str]], limit: int, offset: int
) -> tuple[list[tuple[str, str, int]], list[int]]:
    """The facet counts of the matching documents under the filters, and the ids of one
    page of them, best first: in one pass over the matches.

    Counts are (facet, value, number of documents). The matches' ids, scores and facet
    columns are read once; each facet column is then grouped on its own, so that the
    database returns a few hundred lists of values with their counts however many
    documents match (the pillars of 100,000 activities come in some fifteen
    combinations); each list's count is added to each of its values here: exact. The
    page is ranked on ids and scores alone; its documents are read whole by `documents`
    (sorting tens of thousands of rows with their texts is what is slow).
    """
    match = _match(terms, filters)
    where, params = _filters(filters)
    columns = ", ".join(f"d.{column}" for column in FACET_COLUMNS.values())
    groups = " UNION ALL ".join(
        f"SELECT '{name}', {column}, COUNT(*), NULL FROM matches GROUP BY {column}"
        for name, column in FACET_COLUMNS.items()
    )
    sql = (
        f"WITH matches AS MATERIALIZED (SELECT {match.id} AS id, {match.score} AS score, "
        f"{columns} FROM {match.source}{where}) "
        "SELECT '', '', id, score FROM "
        f"(SELECT id, score FROM matches ORDER BY {match.order} LIMIT %s OFFSET %s) page "
        f"UNION ALL {groups}"
    )
    counts: dict[tuple[str, str], int] = {}
    page = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*match.params, *params, limit, offset])
        for name, values, number, score in cursor.fetchall():
            if not name:
                page.append((score, number))
                continue
            for value in values.split():
                counts[name, value] = counts.get((name, value), 0) + number
    page.sort(key=lambda found: match.best_first(*found))
    return [(name, value, n) for (name, value), n in counts.items()], [i for _s, i in page]


def documents(ids: list[int]) -> list[dict]:
    """The documents with these ids, in this order (as dicts of DOCUMENT_COLUMNS)."""
    if not ids:
        return []
    columns = ", ".join(("id", *DOCUMENT_COLUMNS))
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {DOCUMENTS} WHERE id IN ({marks})", ids)
        names = [c[0] for c in cursor.description]
        found = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    return [found[i] for i in ids if i in found]
