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

from .models import FACET_COLUMNS, Facet, needle

DOCUMENTS = "search_document"
FTS = "search_document_fts"

# Only a change of the stems touches the full-text index: publishing moves the documents
# of unchanged activities to new entries (`object_id`) by the hundred thousand.
SQLITE_UPDATE_TRIGGER = f"""CREATE TRIGGER {FTS}_update
    AFTER UPDATE OF title_stems, body_stems ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_stems, body_stems)
        VALUES ('delete', old.id, old.title_stems, old.body_stems);
        INSERT INTO {FTS}(rowid, title_stems, body_stems)
        VALUES (new.id, new.title_stems, new.body_stems);
    END"""
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
    SQLITE_UPDATE_TRIGGER,
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

    source: str  # FROM and WHERE of the matches (their documents as `d` when joined)
    id: str  # a match's document id
    score: str  # a match's score (only valid with `source`)
    order: str  # ORDER BY of the scores, best first
    param: str


def _match(terms: list[str], *, documents: bool) -> Match:
    """The matches; DOCUMENTS: with their documents' columns as `d`."""
    if connection.vendor == "postgresql":
        # Terms are letters and digits only (`text.query_terms`), so quoting is safe.
        return Match(
            source=f"{DOCUMENTS} d, CAST(%s AS tsquery) q WHERE d.search_vector @@ q",
            id="d.id",
            score="ts_rank(d.search_vector, q)",
            order="score DESC, id",
            param=" & ".join(f"'{t}'" for t in terms),
        )
    # CROSS JOIN keeps the full-text index the outer loop: SQLite would otherwise be free
    # to read the documents first and probe the index once for each.
    join = f" CROSS JOIN {DOCUMENTS} d ON d.id = {FTS}.rowid" if documents else ""
    return Match(
        source=f"{FTS}{join} WHERE {FTS} MATCH %s",
        id=f"{FTS}.rowid",
        score=f"bm25({FTS}, 10.0, 1.0)",
        order="score, id",
        param=" ".join(f'"{t}"' for t in terms),
    )


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


def ranked_documents(
    terms: list[str], filters: list[tuple[str, str]], limit: int, offset: int
) -> list[dict]:
    """One page of the matching documents, best first (as dicts of DOCUMENT_COLUMNS).

    The matches are ranked on their ids and scores alone; only the page's documents are
    then read whole (sorting tens of thousands of rows with their texts is what is slow).
    """
    match = _match(terms, documents=bool(filters))
    where, params = _filters(filters)
    columns = ", ".join(f"d.{c}" for c in ("id", *DOCUMENT_COLUMNS))
    page_order = match.order.replace("score", "page.score").replace(", id", ", page.id")
    sql = (
        f"SELECT {columns} FROM (SELECT {match.id} AS id, {match.score} AS score "
        f"FROM {match.source}{where} ORDER BY {match.order} LIMIT %s OFFSET %s) page "
        f"JOIN {DOCUMENTS} d ON d.id = page.id ORDER BY {page_order}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match.param, *params, limit, offset])
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def facet_counts(terms: list[str], filters: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(facet, value, number of matching documents) under the filters.

    The matches' facet columns are read once; each column is then grouped on its own, so
    that the database returns a few hundred lists of values with their counts however
    many documents match (the pillars of 100,000 activities come in some fifteen
    combinations). Each list's count is added to each of its values here: exact.
    """
    match = _match(terms, documents=True)
    where, params = _filters(filters)
    columns = ", ".join(f"d.{column}" for column in FACET_COLUMNS.values())
    groups = " UNION ALL ".join(
        f"SELECT '{name}', {column}, COUNT(*) FROM matches GROUP BY {column}"
        for name, column in FACET_COLUMNS.items()
    )
    sql = f"WITH matches AS MATERIALIZED (SELECT {columns} FROM {match.source}{where}) {groups}"
    counts: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [match.param, *params])
        for name, values, count in cursor.fetchall():
            for value in values.split():
                counts[name, value] = counts.get((name, value), 0) + count
    return [(name, value, count) for (name, value), count in counts.items()]
