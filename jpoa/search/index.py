"""Writing the search index: rebuild it whole, or bring some records up to date.

`rebuild` runs after a data set is loaded (`jpoa init`, `jpoa load`) and from
`jpoa search rebuild`; `reindex_activities` after a matrix edition is published; and
`refresh` after an event, finding, resource or plan item is saved or deleted (see
`jpoa.search.signals`, which calls it once the change is committed).
"""

import contextlib
import threading
from collections.abc import Iterable, Iterator

from django.db import transaction

from .documents import BUILDERS, Entry
from .models import Document, Facet

BATCH = 1000

_state = threading.local()


def rebuild() -> dict[str, int]:
    """Index every public record anew; returns the number of documents of each kind."""
    with transaction.atomic():
        _delete(Document.objects.all())
        return {kind: _write(build()) for kind, build in BUILDERS.items()}


def reindex_activities() -> int:
    """Index the activities of the latest published edition in place of the earlier ones."""
    with transaction.atomic():
        _delete(Document.objects.filter(kind=Document.Kind.ACTIVITY))
        return _write(BUILDERS[Document.Kind.ACTIVITY]())


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
    Facet.objects.filter(document__in=documents.values("pk"))._raw_delete(Facet.objects.db)
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
    documents = Document.objects.bulk_create([e.document() for e in entries])
    Facet.objects.bulk_create(
        [f for e, d in zip(entries, documents, strict=True) for f in e.facet_rows(d)]
    )
    return len(documents)
