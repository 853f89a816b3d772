"""The full-text index as migrations 0001 to 0003 made it: stems only, two columns.

Frozen here so that those migrations keep doing what they did whatever
`jpoa.search.backends` says today (migration 0004 moves the index to its current form).
The loader skips modules whose names begin with an underscore. `on_sqlite` is shared
by the migrations that change SQLite's index alone.
"""

DOCUMENTS = "search_document"
FTS = "search_document_fts"

STEMS_UPDATE_TRIGGER = f"""CREATE TRIGGER {FTS}_update
    AFTER UPDATE OF title_stems, body_stems ON {DOCUMENTS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_stems, body_stems)
        VALUES ('delete', old.id, old.title_stems, old.body_stems);
        INSERT INTO {FTS}(rowid, title_stems, body_stems)
        VALUES (new.id, new.title_stems, new.body_stems);
    END"""
ANY_COLUMN_TRIGGER = f"""CREATE TRIGGER {FTS}_update AFTER UPDATE ON {DOCUMENTS} BEGIN
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
    ANY_COLUMN_TRIGGER,
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


def on_sqlite(statements: list[str]):
    """A RunPython function that runs STATEMENTS on SQLite and does nothing elsewhere."""

    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run
