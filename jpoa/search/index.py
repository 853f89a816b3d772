"""Writing the search index: rebuild it whole, or bring some records up to date.

`rebuild` runs after a data set is loaded (`jpoa init`, `jpoa load`) and from
`jpoa search rebuild`; `reindex_activities` after a matrix edition is published; and
`refresh` after an event, finding, resource or plan item is saved or deleted (see
`jpoa.search.signals`, which calls it once the change is committed).
"""

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator

from django.db import connection, transaction

from jpoa.lib.database import insert_rows
from jpoa.matrix.models import EditionEntry
from jpoa.plan.coverage import latest_edition

from .documents import BUILDERS, Entry
from .models import Document

BATCH = 1000

_state = threading.local()


def rebuild() -> dict[str, int]:
    """Index every public record anew; returns the number of documents of each kind."""
    with transaction.atomic():
        _delete(Document.objects.all())
        return {kind: _write(build()) for kind, build in BUILDERS.items()}


def reindex_activities() -> int:
    """Index the activities of the latest published edition in place of the earlier ones.

    An activity whose snapshot is the same as the one its document was made from keeps
    its document, pointed at the new edition's entry: publishing an edition in which
    little changed re-indexes little (building a document costs a thousand times more
    than moving one). Returns the number of documents written anew.
    """
    edition = latest_edition()
    activities = Document.objects.filter(kind=Document.Kind.ACTIVITY)
    with transaction.atomic():
        if edition is None:
            _delete(activities)
            return 0
        _carry_over(edition)
        entries = EditionEntry.objects.filter(edition=edition)
        _delete(activities.exclude(object_id__in=entries.values("pk")))
        # Read whole before writing: SQLite gives no isolation between the queries of one
        # connection, and the writes change what this one reads.
        missing = list(
            entries.exclude(pk__in=activities.values("object_id")).values_list("pk", flat=True)
        )
        return _write(BUILDERS[Document.Kind.ACTIVITY](missing))


def _carry_over(edition) -> None:
    """Point the documents of unchanged activities at their entries in EDITION."""
    documents = Document._meta.db_table
    entries = EditionEntry._meta.db_table
    pairs = (
        f"{entries} o JOIN {entries} n ON n.activity_key = o.activity_key "
        "WHERE n.edition_id = %s AND n.data = o.data"
    )
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33):
        # No UPDATE ... FROM before SQLite 3.33: a subquery for each document, three
        # times slower.
        sql = (
            f"UPDATE {documents} SET object_id = (SELECT n.id FROM {pairs} "
            f"AND o.id = {documents}.object_id) "
            f"WHERE kind = %s AND object_id IN (SELECT o.id FROM {pairs} AND o.id <> n.id)"
        )
        params = [edition.pk, Document.Kind.ACTIVITY, edition.pk]
    else:
        sql = (
            f"UPDATE {documents} SET object_id = n.id FROM {pairs} "
            f"AND o.id = {documents}.object_id AND {documents}.kind = %s AND o.id <> n.id"
        )
        params = [edition.pk, Document.Kind.ACTIVITY]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refresh_organisation_activities(organisation_id: int) -> None:
    """Index anew the activities of the latest edition that this organisation leads."""
    edition = latest_edition()
    if edition is None:
        return
    ids = list(
        EditionEntry.objects.filter(
            edition=edition, lead_organisation_id_at=organisation_id
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        refresh(Document.Kind.ACTIVITY, ids[start : start + BATCH])


def refresh(kind: str, ids: Iterable[int]) -> None:
    """Index these records as they are now (dropping any that no longer exist)."""
    ids = set(ids)
    with transaction.atomic():
        _delete(Document.objects.filter(kind=kind, object_id__in=ids))
        _write(BUILDERS[kind](ids))


def is_built() -> bool:
    """Whether the index holds anything (an empty database has nothing to hold either)."""
    return Document.objects.exists()


def updates_suspended() -> bool:
    return getattr(_state, "suspended", False)


@contextlib.contextmanager
def suspend_updates() -> Iterator[None]:
    """Saves inside do not update the index (the caller rebuilds it after a bulk load)."""
    before = updates_suspended()
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = before


def _delete(documents) -> None:
    documents._raw_delete(documents.db)


def _write(entries: Iterable[Entry]) -> int:
    count = 0
    batch: list[Entry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == BATCH:
            count += _insert(batch)
            batch = []
    return count + _insert(batch)


def _insert(entries: list[Entry]) -> int:
    if not entries:
        return 0
    insert_rows(Document, [e.row() for e in entries])
    return len(entries)
