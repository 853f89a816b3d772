"""SQLite: what a server process keeps of the search index, so that a search nobody
made before reads no document rows and scores no match twice.

At a million documents one word can match tens of thousands of them. Scoring them all
with BM25 and reading every match's facet values in the database costs 100-170 ms of
CPU a search (see docs/benchmarks.md). Here a search costs a few milliseconds of array
arithmetic once its words have been seen:

- **Facets.** Each document's facet values, as the number of its combination of
  values: one integer for each id from the lowest there is to the highest (a million
  documents come in some 50,000 combinations). They are read once, then only for the
  documents written since. That is sound because search documents are written and
  deleted but never changed (a trigger refuses UPDATE, migration 0005), their ids are
  never reused (AUTOINCREMENT), and only searches outside a transaction come here:
  they read committed documents, so nothing kept is ever rolled back.
- **Words.** Each word's BM25 score in every document that has it, as the full-text
  index computes it. FTS5's BM25 is a sum over the query's phrases, and the filters'
  phrases weigh nothing (`backends.RANK_WEIGHTS`), so the score of a search for several
  words is the sum of its words' scores in the documents that have them all: the very
  number the SQL of `backends.search_page` computes. A word's scores depend on the
  number and lengths of all documents, so they are kept only until the index changes,
  and at most `WORD_CACHE_BYTES` of them, the least recently used dropped first.

The index has changed when the last document id given out (``sqlite_sequence``), the
lowest id there is, or the full-text index's totals (its record 1: number of rows and
column sizes, rewritten by FTS5 at every write) have: three lookups a search. A
restored database may give ids out again to other documents: `jpoa restore` stamps it
(``PRAGMA user_version``), and a new stamp makes the memory read every document anew.
"""

import logging
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.db import DatabaseError, connection

from .backends import FTS, RANK_WEIGHTS, words_query
from .models import FACET_COLUMNS, Facet, needle

logger = logging.getLogger(__name__)

WORD_CACHE_BYTES = 64 * 2**20  # for each server process
LOAD_BATCH = 20_000

NAMES = list(FACET_COLUMNS)
COLUMNS = ", ".join(FACET_COLUMNS.values())
STATE = (
    "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'search_document'), "
    "(SELECT min(id) FROM search_document), "
    "(SELECT user_version FROM pragma_user_version), "
    f"(SELECT block FROM {FTS}_data WHERE id = 1)"
)


@dataclass(frozen=True)
class _Table:
    """The facets as of one load; a search reads one table throughout."""

    first_id: int  # the lowest id of a document when read
    of_document: np.ndarray  # document id - first_id -> its combination of values
    lists: tuple[tuple[tuple[str, ...], ...], ...]  # facet -> list number -> values
    list_of: tuple[np.ndarray, ...]  # facet -> combination -> its list number

    def allowed(self, filters: list[tuple[str, str]]) -> np.ndarray | None:
        """Which combinations have every filter's value (None: all, there are none)."""
        allowed = None
        for name, value in filters:
            facet = NAMES.index(name)
            if name != Facet.KIND and needle(value) is None:
                value = None  # a value with a space is in no list (`needle`)
            lists = self.lists[facet]
            has = np.fromiter((value in values for values in lists), dtype=bool, count=len(lists))
            has = has[self.list_of[facet]]
            allowed = has if allowed is None else allowed & has
        return allowed

    def counts(self, combinations: np.ndarray) -> list[tuple[str, str, int]]:
        """(facet, value, number of documents) of documents with these combinations."""
        per_combination = np.bincount(combinations)
        present = np.flatnonzero(per_combination)
        documents = per_combination[present]
        counts = []
        for facet, name in enumerate(NAMES):
            per_list = np.bincount(self.list_of[facet][present], weights=documents)
            per_value: dict[str, int] = {}
            for number in np.flatnonzero(per_list).tolist():
                for value in self.lists[facet][number]:
                    per_value[value] = per_value.get(value, 0) + int(per_list[number])
            counts += [(name, value, n) for value, n in per_value.items()]
        return counts


class _Facets:
    """Each document's combination of facet values, by document id, read as they come."""

    def __init__(self):
        self.loaded_to = 0  # the highest document id read
        self.combinations: dict[tuple[str, ...], int] = {}  # the columns' text -> number
        self.lists: list[list[tuple[str, ...]]] = [[] for _name in NAMES]
        self.list_numbers: list[dict[str, int]] = [{} for _name in NAMES]
        self.list_of: list[list[int]] = [[] for _name in NAMES]
        self.table = _Table(0, np.zeros(0, dtype=np.uint32), (), ())

    def load(self, cursor, first_id: int, last_id: int) -> None:
        """Read the documents written since the last load, up to id LAST_ID, and forget
        those below FIRST_ID, the lowest id there is now (ids only grow: a rebuilt index
        starts above the last)."""
        if last_id <= self.loaded_to and first_id == self.table.first_id:
            return
        kept = self.table.of_document[max(first_id - self.table.first_id, 0) :]
        of_document = np.zeros(max(last_id - first_id + 1, 0), dtype=np.uint32)
        of_document[: len(kept)] = kept
        cursor.execute(
            f"SELECT id, {COLUMNS} FROM search_document WHERE id > %s AND id <= %s",
            [self.loaded_to, last_id],
        )
        while rows := cursor.fetchmany(LOAD_BATCH):
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            of_document[ids - first_id] = [self._number(row[1:]) for row in rows]
        self.loaded_to = max(last_id, self.loaded_to)
        self.table = _Table(
            first_id,
            of_document,
            tuple(tuple(lists) for lists in self.lists),
            tuple(np.array(numbers, dtype=np.uint32) for numbers in self.list_of),
        )

    def _number(self, columns: tuple[str, ...]) -> int:
        number = self.combinations.get(columns)
        if number is None:
            number = self.combinations[columns] = len(self.combinations)
            for facet, text in enumerate(columns):
                numbers = self.list_numbers[facet]
                if text not in numbers:
                    numbers[text] = len(numbers)
                    values = (text,) if NAMES[facet] == Facet.KIND else tuple(text.split())
                    self.lists[facet].append(values)
                self.list_of[facet].append(numbers[text])
        return number


class _Index:
    """One process's memory of one database's index."""

    def __init__(self):
        self.state: tuple | None = None
        self.facets = _Facets()
        self.words: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.word_bytes = 0
        self.loading: dict[str, threading.Lock] = {}  # words being read, each by one thread
        self.lock = threading.Lock()

    def follow(self, cursor) -> None:
        """Forget the words' scores if the index changed, and read new documents."""
        cursor.execute(STATE)
        state = cursor.fetchone()
        with self.lock:
            if state == self.state:
                return
            last_id, first_id, restored = state[0] or 0, state[1] or 0, state[2]
            if (
                last_id < self.facets.loaded_to
                or first_id < self.facets.table.first_id
                or (self.state is not None and restored != self.state[2])
            ):
                self.facets = _Facets()  # ids given out again: not the same documents
            with _small_page_cache(cursor):
                self.facets.load(cursor, first_id, last_id)
            self.words.clear()
            self.word_bytes = 0
            self.state = state

    def word(self, cursor, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the documents with this word, ascending, and its score in each."""
        with self.lock:
            if term in self.words:
                self.words.move_to_end(term)
                return self.words[term]
            loading = self.loading.setdefault(term, threading.Lock())
        with loading:  # one thread reads a word; the others wanting it wait, then take it
            with self.lock:
                if term in self.words:
                    self.words.move_to_end(term)
                    return self.words[term]
                state = self.state
            found = self._read_word(cursor, term)
            with self.lock:
                self.loading.pop(term, None)
                size = found[0].nbytes + found[1].nbytes
                if state == self.state and size <= WORD_CACHE_BYTES:
                    self.words[term] = found
                    self.word_bytes += size
                    while self.word_bytes > WORD_CACHE_BYTES:
                        _term, (old_ids, old_scores) = self.words.popitem(last=False)
                        self.word_bytes -= old_ids.nbytes + old_scores.nbytes
            return found

    @staticmethod
    def _read_word(cursor, term: str) -> tuple[np.ndarray, np.ndarray]:
        cursor.execute(
            f"SELECT rowid, bm25({FTS}, {RANK_WEIGHTS}) FROM {FTS} WHERE {FTS} MATCH %s",
            [words_query([term])],
        )
        id_parts, score_parts = [], []
        while rows := cursor.fetchmany(LOAD_BATCH):  # a word in every document: no list of all
            id_parts.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
            score_parts.append(np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows)))
        ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int64)
        scores = np.concatenate(score_parts) if score_parts else np.zeros(0, dtype=np.float64)
        if len(ids) > 1 and not np.all(ids[1:] > ids[:-1]):
            order = np.argsort(ids, kind="stable")
            ids, scores = ids[order], scores[order]
        return ids, scores


# Pages of SQLite's own cache (KiB) while the memory reads every document: they are
# read once and kept as arrays, and a full cache (64 MB a connection) would stay in the
# process's heap after (issue #20: some 60 MB more a worker at 100,000 documents). The
# system's page cache still holds the file's pages.
LOAD_PAGE_CACHE_KIB = 2_000


@contextmanager
def _small_page_cache(cursor):
    cursor.execute("PRAGMA cache_size")
    (usual,) = cursor.fetchone()
    cursor.execute(f"PRAGMA cache_size = -{LOAD_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(usual)}")


_indexes: dict[str, _Index] = {}
_indexes_lock = threading.Lock()


def usable() -> bool:
    """Whether this search may use the memory: SQLite, and no transaction open."""
    return connection.vendor == "sqlite" and not connection.in_atomic_block


def _index() -> _Index:
    database = str(connection.settings_dict["NAME"])
    with _indexes_lock:
        return _indexes.setdefault(database, _Index())


def load_in_background() -> threading.Thread | None:
    """Read the facets now, in a thread of their own, so that the first search of a new
    server process does not wait for them (2 s at a million documents)."""

    def load() -> None:
        try:
            with connection.cursor() as cursor:
                _index().follow(cursor)
        except DatabaseError:
            logger.exception("search: the facets could not be read ahead; searches will")
        finally:
            connection.close()

    if connection.vendor != "sqlite":
        return None
    thread = threading.Thread(target=load, name="jpoa-search-memory", daemon=True)
    thread.start()
    return thread


def search_page(
    terms: list[str], filters: list[tuple[str, str]], limit: int, offset: int
) -> tuple[list[tuple[str, str, int]], list[int]]:
    """What `backends.search_page` returns, computed from the memory."""
    index = _index()
    with connection.cursor() as cursor:
        index.follow(cursor)
        table = index.facets.table
        words = [index.word(cursor, term) for term in terms]
    allowed = table.allowed(filters)
    ids, scores = words[0]
    if len(words) > 1:
        rarest, *others = sorted(words, key=lambda word: len(word[0]))
        ids = rarest[0]
        for other_ids, _scores in others:
            ids = np.intersect1d(ids, other_ids, assume_unique=True)
        # Added in the query's order, as FTS5 adds its phrases' scores: the same number.
        scores = sum(
            (word_scores[np.searchsorted(word_ids, ids)] for word_ids, word_scores in words),
            start=np.zeros(len(ids)),
        )
    # A document written after the state was read is not in the facets yet: left out,
    # as the SQL would have if it had run a moment earlier.
    positions = ids - table.first_id
    known = (positions >= 0) & (positions < len(table.of_document))
    ids, scores = ids[known], scores[known]
    combinations = table.of_document[positions[known]]
    if allowed is not None:
        keep = allowed[combinations]
        ids, scores, combinations = ids[keep], scores[keep], combinations[keep]
    if len(ids) == 0:
        return [], []
    return table.counts(combinations), _best(ids, scores, limit, offset)


def _best(ids: np.ndarray, scores: np.ndarray, limit: int, offset: int) -> list[int]:
    """The ids of one page of the matches, best first: lowest score (BM25 is negative in
    FTS5), then lowest id."""
    end = offset + limit
    if end < len(ids):
        # Every match that could be on the page or before it, ties at the edge included.
        edge = np.partition(scores, end - 1)[end - 1]
        candidates = np.flatnonzero(scores <= edge)
        ids, scores = ids[candidates], scores[candidates]
    order = np.lexsort((ids, scores))
    return ids[order][offset:end].tolist()


def forget() -> None:
    """Drop what every index of this process keeps (tests)."""
    with _indexes_lock:
        _indexes.clear()
