"""SQLite: the full-text index holds the facet values beside the stems.

A search under filters ("border" in Kazakhstan) then has the index intersect the words'
matches with the filters' values, and scores and reads only the documents under the
filters: at a million activities, a third of those the words alone match. PostgreSQL's
index is unchanged (its filters stay conditions on the matches).
"""

from django.db import migrations

from jpoa.search.migrations import _fts_v1
from jpoa.search.migrations._fts_v1 import on_sqlite

DOCUMENTS = "search_document"
FTS = "search_document_fts"
COLUMNS = ("title_stems", "body_stems", "kind", "pillars", "countries", "languages", "years")


def _values(row: str) -> str:
    return ", ".join(f"{row}.{column}" for column in COLUMNS)


_LIST = ", ".join(COLUMNS)
_DELETE = f"INSERT INTO {FTS}({FTS}, rowid, {_LIST}) VALUES ('delete', old.id, {_values('old')});"
_INSERT = f"INSERT INTO {FTS}(rowid, {_LIST}) VALUES (new.id, {_values('new')});"
CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        {_LIST}, content='{DOCUMENTS}', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0")""",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON {DOCUMENTS} BEGIN {_INSERT} END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON {DOCUMENTS} BEGIN {_DELETE} END",
    # Only a change of what the index holds touches it: publishing moves the documents
    # of unchanged activities to new entries (`object_id`) by the hundred thousand.
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE OF {_LIST} ON {DOCUMENTS} BEGIN
        {_DELETE} {_INSERT} END""",
]
REBUILD = f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"


class Migration(migrations.Migration):
    dependencies = [("search", "0003_update_trigger_on_stems_only")]

    operations = [
        migrations.RunPython(
            on_sqlite([*_fts_v1.SQLITE_DROP, *CREATE, REBUILD]),
            on_sqlite(
                [
                    *_fts_v1.SQLITE_DROP,
                    *_fts_v1.SQLITE_CREATE[:3],
                    _fts_v1.STEMS_UPDATE_TRIGGER,
                    REBUILD,
                ]
            ),
            elidable=False,
        ),
    ]
