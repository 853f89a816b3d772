"""SQLite: a search document is written and deleted, never changed.

Each server process keeps the facet values of every document by its id
(`jpoa.search.memory`); that holds only while a document's indexed columns never change.
Nothing in jpoa changes them (the index replaces a record's document), and the
database now refuses it, in place of the trigger that followed such a change in the
full-text index. Other columns (the record id) may still change.
"""

from importlib import import_module

from django.db import migrations

from jpoa.search.migrations._fts_v1 import on_sqlite

FTS = "search_document_fts"
INDEXED = "title_stems, body_stems, kind, pillars, countries, languages, years"
REFUSE = f"""CREATE TRIGGER search_document_unchanged BEFORE UPDATE OF {INDEXED}
    ON search_document BEGIN
        SELECT RAISE(ABORT, 'a search document is replaced, not changed');
    END"""


# Back to 0004: its trigger that follows a change in the full-text index.
FOLLOW = import_module("jpoa.search.migrations.0004_facets_in_the_full_text_index").CREATE[3]


class Migration(migrations.Migration):
    dependencies = [("search", "0004_facets_in_the_full_text_index")]

    operations = [
        migrations.RunPython(
            on_sqlite([f"DROP TRIGGER IF EXISTS {FTS}_update", REFUSE]),
            on_sqlite(["DROP TRIGGER IF EXISTS search_document_unchanged", FOLLOW]),
            elidable=False,
        ),
    ]
