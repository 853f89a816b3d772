"""SQLite: the full-text index follows an update of a document only when its stems change.

Publishing an edition moves the documents of unchanged activities to the new edition's
entries; the trigger fired on any column re-wrote their stems into the index each time.
"""

from django.db import migrations

from jpoa.search.migrations._fts_v1 import (
    ANY_COLUMN_TRIGGER,
    FTS,
    STEMS_UPDATE_TRIGGER,
    on_sqlite,
)

DROP = f"DROP TRIGGER IF EXISTS {FTS}_update"


class Migration(migrations.Migration):
    dependencies = [("search", "0002_facets_on_the_document")]

    operations = [
        migrations.RunPython(
            on_sqlite([DROP, STEMS_UPDATE_TRIGGER]), on_sqlite([DROP, ANY_COLUMN_TRIGGER])
        ),
    ]
