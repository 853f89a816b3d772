"""Writing the search index: rebuild it whole, or bring some records up to date.

`rebuild` runs after a data set is loaded (`jpoa init`, `jpoa load`) and from
`jpoa search rebuild`; `reindex_activities` after a matrix edition is published, as a
task of its own (`jpoa.search.tasks`); and `refresh` after an event, finding, resource or
plan item is saved or deleted (see `jpoa.search.signals`, which calls it once the change
is committed).
"""

import contextlib
import itertools
import operator
import threading
from collections.abc import Iterable, Iterator

from django.db import connection, transaction

from jpoa.lib.database import insert_rows
from jpoa.matrix.models import Edition, EditionEntry
from jpoa.matrix.published import latest_edition

from .backends import DOCUMENTS
from .documents import BUILDERS
from .models import Document, IndexedEdition

BATCH = 1000

_state = threading.local()


def rebuild() -> dict[str, int]:
    """Index every public record anew; returns the number of documents of each kind."""
    with transaction.atomic():
        _delete(Document.objects.all())
        written = {kind: _write(build()) for kind, build in BUILDERS.items()}
        _indexed(latest_edition())
        return written


def is_behind() -> bool:
    """Whether the latest edition is published and its activities not yet indexed."""
    edition = latest_edition()
    return edition is not None and not IndexedEdition.objects.filter(edition=edition).exists()


def _indexed(edition: Edition | None) -> None:
    if edition is not None:
        IndexedEdition.objects.get_or_create(edition=edition)


def reindex_activities() -> int:
    """Index the activities of the latest published edition in place of the earlier ones.

    An activity whose snapshot is the same as in the edition before keeps its document,
    as it is: the document still names the entry it was made from, in whichever earlier
    edition, whose snapshot is this one. Only the documents of activities that changed
    or left are dropped, and only the new and changed activities are indexed, which
    their entries say (`EditionEntry.same_as_previous`): publishing an edition in which
    little changed costs search little, however many activities it has. Where the
    index did not follow the edition before (built by an earlier release, or updates
    suspended), every document not made from this edition is made anew. Returns the
    number of documents written, and records the edition as indexed (`IndexedEdition`).
    """
    edition = latest_edition()
    documents = Document.objects.filter(kind=Document.Kind.ACTIVITY)
    with transaction.atomic():
        if edition is None:
            _delete(documents)
            return 0
        _indexed(edition)
        entries = EditionEntry.objects.filter(edition=edition)
        previous = Edition.objects.filter(number__lt=edition.number).order_by("-number").first()
        if _follows(documents, entries, previous):
            new_or_changed = entries.filter(same_as_previous=False)
            missing = list(new_or_changed.values_list("pk", flat=True))
            gone = EditionEntry.objects.filter(edition=previous).exclude(
                activity_key__in=entries.values("activity_key")
            )
            for keys in (new_or_changed.values("activity_key"), gone.values("activity_key")):
                made_from = EditionEntry.objects.filter(activity_key__in=keys)
                _delete(documents.filter(object_id__in=made_from.values("pk")))
            written = _write(BUILDERS[Document.Kind.ACTIVITY](missing))
            if documents.count() == entries.count():
                return written
            # Not one document to an entry after all: make the index anew below.
        _delete(documents.exclude(object_id__in=entries.values("pk")))
        # Read whole before writing: SQLite gives no isolation between the queries of one
        # connection, and the writes change what this one reads.
        missing = list(
            entries.exclude(pk__in=documents.values("object_id")).values_list("pk", flat=True)
        )
        return _write(BUILDERS[Document.Kind.ACTIVITY](missing))


def _follows(documents, entries, previous) -> bool:
    """Whether the activities' documents are those of the PREVIOUS edition, one an entry,
    and the entries of this one say which activities changed since."""
    # An edition's entries are written all one way: all by `publish_edition`, which
    # says, or all from a data set file, which does not. The first one tells.
    if previous is None or None in entries.values_list("same_as_previous", flat=True)[:1]:
        return False
    return documents.count() == EditionEntry.objects.filter(edition=previous).count()


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
    """Index these records as they are now (dropping any that no longer exist).

    For activities, IDS are entries of the latest edition; an activity's document may
    have been made from its entry in an earlier edition (`reindex_activities`).
    """
    ids = set(ids)
    with transaction.atomic():
        found = Document.objects.filter(kind=kind)
        if kind == Document.Kind.ACTIVITY:
            keys = EditionEntry.objects.filter(pk__in=ids).values("activity_key")
            made_from = EditionEntry.objects.filter(activity_key__in=keys).values("pk")
            _delete(found.filter(object_id__in=made_from))
        else:
            _delete(found.filter(object_id__in=ids))
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


def _write(rows: Iterable[dict]) -> int:
    """Write these documents (`documents.BUILDERS`'s rows); returns how many.

    On PostgreSQL they are copied in (COPY). On SQLite they go to a temporary table
    first, then into the documents in one INSERT ... SELECT, in the same order (so with
    the same ids). The full-text index's
    trigger costs six times as much a document when the documents come one statement
    each (FTS5 writes out what it holds at the end of every statement): 6.7 s instead
    of 1.1 s for 100,000 activities.
    """
    rows = iter(rows)
    count = 0
    columns = ", ".join(connection.ops.quote_name(c) for c in STAGED_COLUMNS)
    values = operator.itemgetter(*STAGED_COLUMNS)
    if connection.vendor == "postgresql":
        # COPY: half the time of one INSERT a document (3.7 s instead of 7.4 s at 100,000).
        # A batch at a time: the rows are read from the database as they come, which no
        # query may do while a COPY is under way.
        with connection.cursor() as cursor:
            while batch := list(map(values, itertools.islice(rows, COPY_BATCH))):
                with cursor.cursor.copy(f"COPY {DOCUMENTS} ({columns}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                count += len(batch)
        return count
    if connection.vendor != "sqlite":
        while batch := list(itertools.islice(rows, BATCH)):
            insert_rows(Document, batch)
            count += len(batch)
        return count
    marks = ", ".join(["%s"] * len(STAGED_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")
        cursor.execute(f"CREATE TEMP TABLE {STAGE} AS SELECT {columns} FROM {DOCUMENTS} WHERE 0")
        while batch := list(map(values, itertools.islice(rows, BATCH))):
            cursor.executemany(f"INSERT INTO temp.{STAGE} ({columns}) VALUES ({marks})", batch)
            count += len(batch)
        cursor.execute(
            f"INSERT INTO {DOCUMENTS} ({columns}) SELECT {columns} FROM temp.{STAGE} ORDER BY rowid"
        )
        cursor.execute(f"DROP TABLE temp.{STAGE}")
    return count


STAGE = "jpoa_search_staged"
COPY_BATCH = 10_000
STAGED_COLUMNS = tuple(f.column for f in Document._meta.concrete_fields if not f.primary_key)
