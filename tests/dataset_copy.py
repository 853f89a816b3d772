"""The default data set loaded once per test database, and copied in for each test.

Loading it as `jpoa init` does takes a quarter of a second (every record validated,
the search index built), and some five hundred tests ask for it. The first test that
does loads it for real; its rows are then kept aside, in tables of the same columns,
and the tables emptied again. A test that runs in a transaction rolled back after it
gets the rows copied in by one `INSERT ... SELECT` a table: the same rows, with the
same ids, that the load wrote (on SQLite the search triggers fill the full-text index
as they do for any new document; on PostgreSQL the generated search column is
computed anew). A transactional test, whose tables are flushed after it, loads the
data set for real, as before.
"""

import copy

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import translation

from jpoa.analysis.classify import _trained
from jpoa.dataset import DEFAULT_DATASET
from jpoa.dataset.load import LoadReport, load_dataset


class DatasetCopy:
    """The rows the default data set adds to each table, kept in a copy of that table."""

    def __init__(self, report: LoadReport, tables: list[tuple[str, str, str]], models: list):
        self.report = report
        self.tables = tables  # (table, its copy, its columns) of each table the load writes
        self.sequences = connection.ops.sequence_reset_sql(no_style(), models)

    @classmethod
    def take(cls) -> "DatasetCopy":
        """Load the data set, copy what it wrote aside and leave the database as it was."""
        models = [
            m
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy  # a proxy shares its model's table
        ]
        before = {m._meta.db_table: _rows(m._meta.db_table) for m in models}
        with transaction.atomic(), translation.override("en"):  # as in a test (conftest.py)
            report = load_dataset(DEFAULT_DATASET)
            # A test's transaction is rolled back: what it would run on commit never runs.
            assert not connection.run_on_commit, "the load left work for after its commit"
        written = [m for m in models if _rows(m._meta.db_table) != before[m._meta.db_table]]
        assert all(not before[m._meta.db_table] for m in written), "the load changed rows it found"
        tables = []
        with connection.cursor() as cursor:
            for number, model in enumerate(written):
                table = model._meta.db_table
                columns = ", ".join(
                    connection.ops.quote_name(f.column) for f in model._meta.local_concrete_fields
                )
                kept = f"jpoa_default_data_{number}"
                cursor.execute(f"DROP TABLE IF EXISTS {kept}")
                cursor.execute(
                    f"CREATE TABLE {kept} AS SELECT {columns} FROM {connection.ops.quote_name(table)}"
                )
                tables.append((table, kept, columns))
        names = [table for table, _, _ in tables]
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), names, reset_sequences=True, allow_cascade=True)
        )
        assert {m._meta.db_table: _rows(m._meta.db_table) for m in models} == before
        return cls(report, tables, written)

    def copy_in(self) -> LoadReport:
        """Write the data set's rows back, as loading it in this transaction would."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, kept, columns in self.tables:
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({columns}) SELECT {columns} FROM {kept}"
                )
            for sql in self.sequences:  # PostgreSQL: new rows get ids after the copied ones
                cursor.execute(sql)
        # The pillar model is kept for as long as its data's timestamps stay the same; the
        # copied rows have the same timestamps in every test, so a model trained on the
        # data as an earlier test changed it would be taken for this test's.
        _trained.cache_clear()
        return copy.deepcopy(self.report)


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
        return cursor.fetchall()
