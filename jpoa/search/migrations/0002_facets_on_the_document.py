"""A document's facet values move into columns of the document (pillars, countries ...).

Counting the facets of the matches then reads a few short columns of each matching
document instead of about five rows of `search_facet` each. The columns are filled
from the rows they replace, so the index stays whole without a rebuild.
"""

from django.db import migrations, models

from jpoa.search.migrations._fts_v1 import ANY_COLUMN_TRIGGER, DOCUMENTS, FTS

COLUMNS = {"pillar": "pillars", "country": "countries", "language": "languages", "year": "years"}

# Added with SQL of our own: to add a NOT NULL column Django rebuilds the table on
# SQLite, and dropping the old table would drop the full-text index's triggers with it.
ADD_COLUMNS = [
    f"ALTER TABLE {DOCUMENTS} ADD COLUMN {column} text NOT NULL DEFAULT ''"
    for column in COLUMNS.values()
]
DROP_COLUMNS = [f"ALTER TABLE {DOCUMENTS} DROP COLUMN {column}" for column in COLUMNS.values()]


def fill_columns(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    join = "group_concat(value, ' ')"  # in the order of the rows, sorted below
    if vendor == "postgresql":
        join = "string_agg(value, ' ' ORDER BY value)"
    if vendor == "sqlite":
        # The update would re-index every document's stems, which do not change.
        schema_editor.execute(f"DROP TRIGGER {FTS}_update")
    values = ", ".join(f"{join} FILTER (WHERE name = '{n}') AS {c}" for n, c in COLUMNS.items())
    assign = ", ".join(f"{c} = coalesce(' ' || f.{c} || ' ', '')" for c in COLUMNS.values())
    schema_editor.execute(
        f"UPDATE {DOCUMENTS} SET {assign} FROM (SELECT document_id, {values} FROM "
        "(SELECT * FROM search_facet ORDER BY document_id, name, value) rows "
        f"GROUP BY document_id) f WHERE f.document_id = {DOCUMENTS}.id"
    )
    if vendor == "sqlite":
        schema_editor.execute(ANY_COLUMN_TRIGGER)


def fill_facet_rows(apps, schema_editor) -> None:
    """Back: a row of `search_facet` for each value, as the index had them."""
    connection = schema_editor.connection
    columns = ", ".join(COLUMNS.values())
    with connection.cursor() as read, connection.cursor() as write:
        read.execute(f"SELECT id, kind, {columns} FROM {DOCUMENTS}")
        while rows := read.fetchmany(2000):
            write.executemany(
                "INSERT INTO search_facet (document_id, name, value) VALUES (%s, %s, %s)",
                [
                    (row[0], name, value)
                    for row in rows
                    for name, values in zip(["kind", *COLUMNS], row[1:], strict=True)
                    for value in values.split()
                ],
            )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD_COLUMNS, DROP_COLUMNS)],
            state_operations=[
                migrations.AddField(
                    model_name="document",
                    name=column,
                    field=models.TextField(default="", verbose_name=column),
                )
                for column in COLUMNS.values()
            ],
        ),
        migrations.RunPython(fill_columns, fill_facet_rows, elidable=False),
        migrations.DeleteModel(name="Facet"),
    ]
