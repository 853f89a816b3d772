"""SQLite: the full-text index follows an update of a document only when its stems change.

Publishing an edition moves the documents of unchanged activities to the new edition's
entries; the trigger fired on any column re-wrote their stems into the index each time.
"""

from django.db import migrations

from jpoa.search.migrations._fts_v1 import ANY_COLUMN_TRIGGER, FTS, STEMS_UPDATE_TRIGGER


def _replace_trigger(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_update")
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_facets_on_the_document")]

    operations = [
        migrations.RunPython(
            _replace_trigger(STEMS_UPDATE_TRIGGER), _replace_trigger(ANY_COLUMN_TRIGGER)
        ),
    ]
