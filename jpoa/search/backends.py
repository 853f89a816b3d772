"""The full-text index on each database, and the two queries search runs on it.

Both databases index the same thing, the stems of `jpoa.search.text`, so they
match alike; only ranking differs (BM25 on SQLite, ``ts_rank`` on PostgreSQL). A
document's title stems weigh more than those of its text.

SQLite: an FTS5 table whose content is `Document` (external content), kept in step
by triggers. PostgreSQL: a stored generated ``tsvector`` column with a GIN index,
built with the 'simple' configuration (no stemming nor stop words of its own).
"""

from dataclasses import dataclass

from django.db import connection

DOCUMENTS = "search_document"
FACETS = "search_facet"
FTS = "search_document_fts"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        title_stems, body_stems, content='{DOCUMENTS}', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0")""",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS}(rowid, title_stems, body_stems)
        VALUES (new.id, new.title_stems, new.body_stems);
    END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_stems, body_stems)
        VALUES ('delete', old.id, old.title_stems, old.body_stems);
    END""",
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_stems, body_stems)
        VALUES ('delete', old.id, old.title_stems, old.body_stems);
        INSERT INTO {FTS}(rowid, title_stems, body_stems)
        VALUES (new.id, new.title_stems, new.body_stems);
    END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRESQL_CREATE = [
    f"""ALTER TABLE {DOCUMENTS} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_stems), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_stems), 'D')) STORED""",
    f"CREATE INDEX search_document_vector ON {DOCUMENTS} USING gin (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS search_document_vector",
    f"ALTER TABLE {DOCUMENTS} DROP COLUMN IF EXISTS search_vector",
]


def create_index(apps, schema_editor) -> None:
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def drop_index(apps, schema_editor) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


# -- queries ----------------------------------------------------------------------------


@dataclass
class Match:
    """How one database says "the documents matching these terms", and their score."""

    documents: str  # SQL selecting the ids of the matching documents (as `id`)
    ranked: str  # SQL selecting `id` and `score` of the matching documents
    order: str  # ORDER BY of `ranked`, best first
    param: str


def _match(terms: list[str]) -> Match:
    if connection.vendor == "postgresql":
        # Terms are letters and digits only (`text.query_terms`), so quoting is safe.
        query = " & ".join(f"'{t}'" for t in terms)
        return Match(
            documents=f"SELECT id FROM {DOCUMENTS} WHERE search_vector @@ %s::tsquery",
            ranked=f"SELECT id, ts_rank(search_vector, q) AS score FROM {DOCUMENTS}, "
            "CAST(%s AS tsquery) q WHERE search_vector @@ q",
            order="score DESC, id",
            param=query,
        )
    query = " ".join(f'"{t}"' for t in terms)
    return Match(
        documents=f"SELECT rowid AS id FROM {FTS} WHERE {FTS} MATCH %s",
        ranked=f"SELECT rowid AS id, bm25({FTS}, 10.0, 1.0) AS score FROM {FTS} "
        f"WHERE {FTS} MATCH %s",
        order="score, id",
        param=query,
    )


def _filters(column: str, filters: list[tuple[str, str]]) -> tuple[str, list]:
    sql = "".join(
        f" AND {column} IN (SELECT document_id FROM {FACETS} WHERE name = %s AND value = %s)"
        for _ in filters
    )
    return sql, [v for pair in filters for v in pair]


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


def ranked_documents(
    terms: list[str], filters: list[tuple[str, str]], limit: int, offset: int
) -> list[dict]:
    """One page of the matching documents, best first (as dicts of DOCUMENT_COLUMNS).

    The matches are ranked on their ids and scores alone; only the page's documents are
    then read whole (sorting tens of thousands of rows with their texts is what is slow).
    """
    match = _match(terms)
    where, params = _filters("id", filters)
    columns = ", ".join(f"d.{c}" for c in ("id", *DOCUMENT_COLUMNS))
    # The matches are materialised before the filters apply: given a filter on rowid,
    # SQLite would otherwise probe the full-text index once per filtered document.
    sql = (
        f"WITH matches AS MATERIALIZED ({match.ranked}) "
        f"SELECT {columns} FROM (SELECT id, score FROM matches WHERE TRUE{where} "
        f"ORDER BY {match.order} LIMIT %s OFFSET %s) page JOIN {DOCUMENTS} d ON d.id = page.id "
        f"ORDER BY {match.order.replace('score', 'page.score').replace(', id', ', page.id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match.param, *params, limit, offset])
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def facet_counts(terms: list[str], filters: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(facet, value, number of matching documents) under the filters."""
    match = _match(terms)
    where, params = _filters("f.document_id", filters)
    sql = (
        f"SELECT f.name, f.value, COUNT(*) FROM {FACETS} f "
        f"WHERE f.document_id IN ({match.documents}){where} GROUP BY f.name, f.value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match.param, *params])
        return cursor.fetchall()
