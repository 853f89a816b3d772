"""A published edition's facts as arrays in each server process: any filter, counted fast.

A published edition never changes, so each server process reads its facts once (the
three fact tables and the entries' order by key) into numpy arrays, and then answers
every matrix view and list for any combination of filters with array arithmetic: a
few milliseconds at a million activities, where the GROUP BY over the edition's
indexes cost 0.5-4 s for a combination nobody had asked before (issue #20).

The answers are the SQL's exactly (`jpoa.matrix.selectors` holds both paths; tests
compare them on random combinations of filters). What makes counting without SQL's
DISTINCT sound is the shape of the facts: an entry's facts are the product of its
places and its pillars (or items, or areas), and every other column repeats the
entry's. So a filter on anything but the place keeps or drops all the place-facts of
an (entry, pillar) pair together; with a place filter there is one fact per pair left;
without one, counting the first place of each pair (`first_place`) counts each pair
once.

What is kept is keyed by the edition's id, number, publication time and activity count
and by the database: an edition is never changed in place, and a restored database
whose editions were published at other moments is other keys. At most
`EDITIONS_KEPT` editions per process, the least recently used dropped first. Cost
at a million activities: about 73 MB of arrays and 210 MB of list rows (`Rows`) an
edition, read from the database in seconds the first time any process asks for it
and written to files that every process then maps read-only: one copy in the system's
page cache, shared by all (`docs/scaling.md`).
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import mmap
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection

from .models import Edition, EditionAreaFact, EditionEntry, EditionFact, EditionItemFact

logger = logging.getLogger(__name__)

EDITIONS_KEPT = 2
BATCH = 50_000
NONE = -1  # a null number (no pillar, no country, no year)


def enabled() -> bool:
    return getattr(settings, "MATRIX_COLUMNAR", True)


@dataclass(frozen=True)
class _Facts:
    """One fact table of one edition, a column an array (nulls as NONE)."""

    entry: np.ndarray  # index of the entry in the edition's key order
    value: np.ndarray  # pillar number, action item id or area id
    country: np.ndarray  # country id
    region: np.ndarray  # region-wide
    organisation: np.ndarray  # lead organisation id
    org_type: np.ndarray  # code in `types`
    status: np.ndarray  # code in `statuses`
    # The years an activity runs, as the year filters compare them (`_year_bounds`).
    year_low: np.ndarray
    year_high: np.ndarray
    extra: np.ndarray  # item facts: the item's pillar; area facts: the framework id
    first_place: np.ndarray  # the first fact of its (entry, value) pair
    # The fact's place as one number (REGION_PLACE, NONE for none stated, else the
    # country id): the facts are in this order, so one place's facts are a slice.
    place: np.ndarray

    def __len__(self) -> int:
        return len(self.entry)

    def slice(self, start: int, stop: int) -> "_Facts":
        return _Facts(*(getattr(self, name)[start:stop] for name in ARRAYS.split()))


REGION_PLACE = -3


def narrow(facts: _Facts, place: tuple | None) -> _Facts:
    """The facts of one place (a slice: the facts are in place order), or all of them."""
    if place is None:
        return facts
    if not place:
        return facts.slice(0, 0)
    code = {"region": REGION_PLACE, "unstated": NONE}.get(place[0], place[-1])
    code = facts.place.dtype.type(code)  # another type would copy the whole array
    start = int(np.searchsorted(facts.place, code, side="left"))
    stop = int(np.searchsorted(facts.place, code, side="right"))
    return facts.slice(start, stop)


# What the activity list and the matrix's cells show of an entry, from its snapshot.
ROW_FIELDS = (
    "key", "title", "lead_organisation", "status", "start_date", "end_date",
    "pillars", "countries", "region_wide",
)  # fmt: skip


@dataclass(frozen=True)
class Rows:
    """The `ROW_FIELDS` of each entry of an edition, in key order: one line of JSON an
    entry (the array of its fields' values), in one text (`text`, mapped from its file),
    where `starts` says where each line begins (and, last, where the text ends).

    A page of the list reads fifty entries: from the database, fifty rows found in its
    file and their whole snapshots decoded, a tenth of a never-asked list's time and,
    on a machine that keeps little of the file in memory, fifty reads from disk
    (issue #20). Here they are fifty short slices of one file, near each other when the
    entries are.
    """

    starts: np.ndarray
    text: bytes | mmap.mmap

    def __len__(self) -> int:
        return len(self.starts) - 1

    def at(self, positions) -> list[dict]:
        """The rows of the entries at POSITIONS (in key order), in that order."""
        starts, text, loads = self.starts, self.text, json.loads
        return [
            dict(zip(ROW_FIELDS, loads(text[starts[p] : starts[p + 1] - 1]), strict=True))
            for p in np.asarray(positions).tolist()
        ]


@dataclass(frozen=True)
class EditionColumns:
    """What a process keeps of one edition."""

    entry_ids: np.ndarray  # the entries' ids in activity-key order
    pillars: _Facts
    items: _Facts
    areas: _Facts
    types: tuple[str, ...]
    statuses: tuple[str, ...]
    rows: Rows

    @property
    def nbytes(self) -> int:
        facts = (self.pillars, self.items, self.areas)
        arrays = self.entry_ids.nbytes + self.rows.starts.nbytes + len(self.rows.text)
        return arrays + sum(a.nbytes for f in facts for a in f.__dict__.values())


_kept: OrderedDict[tuple, EditionColumns] = OrderedDict()
_loading: dict[tuple, threading.Lock] = {}
_failed: dict[tuple, float] = {}  # editions that could not be read: when to try again
RETRY_AFTER = 300  # seconds
_lock = threading.Lock()


FORMAT = 5  # of the arrays kept and written: a new format is other files


def _key(edition: Edition) -> tuple:
    return (
        FORMAT,
        connection.vendor,
        str(connection.settings_dict.get("NAME")),
        edition.pk,
        edition.number,
        edition.published_at.isoformat() if edition.published_at else None,
        edition.activity_count,
    )


def columns(edition: Edition) -> EditionColumns | None:
    """The edition's arrays (read now if this process has not yet), or None when the
    SQL must answer: the fast path is off, or the edition is not committed yet (a
    publication in progress is read by SQL in its own transaction)."""
    if not enabled() or edition.pk is None or connection.in_atomic_block and not _forced():
        return None
    key = _key(edition)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
        if time.monotonic() < _failed.get(key, 0):
            return None  # the SQL answers until it is time to try again
        loading = _loading.setdefault(key, threading.Lock())
    with loading:  # one thread reads an edition; the others wanting it wait, then take it
        with _lock:
            found = _kept.get(key)
        if found is None:
            try:
                with _only_one_process_reads(key):
                    found = _stored(key) or _store(key, _read(edition))
                # The process that read the database maps the files it wrote, like the
                # others: its own copy of the arrays would be private memory.
                found = _stored(key) or found
            except DatabaseError:
                logger.exception("matrix: edition %s could not be read into memory", edition.pk)
                with _lock:  # reading a million activities takes seconds: not every request
                    _failed[key] = time.monotonic() + RETRY_AFTER
                return None
            with _lock:
                _failed.pop(key, None)
                _kept[key] = found
                while len(_kept) > EDITIONS_KEPT:
                    _kept.popitem(last=False)
                _loading.pop(key, None)
    return found


_force = threading.local()


def _forced() -> bool:
    return getattr(_force, "on", False)


class inside_transactions:
    """Use the arrays inside a transaction too (tests, whose data is in one)."""

    def __enter__(self):
        _force.on = True

    def __exit__(self, *exc):
        _force.on = False


def forget() -> None:
    with _lock:
        _kept.clear()
        _failed.clear()


# -- the arrays on disk -------------------------------------------------------------------
#
# Reading an edition's facts from the database costs seconds at a million activities;
# the first process to read an edition writes its arrays to files, and every process
# after (another worker, a restarted server) maps them: milliseconds, and the pages of
# the files are shared by the processes in the system's page cache. They are derived
# data: deleting the folder loses nothing.

ARRAYS = "entry value country region organisation org_type status year_low year_high extra"
ARRAYS += " first_place place"


def _folder(key: tuple) -> Path:
    name = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    return Path(settings.DATA_DIR) / "matrix-columns" / name


@contextlib.contextmanager
def _only_one_process_reads(key: tuple):
    """Hold the edition's lock file while reading it: reading a million activities' facts
    takes a few hundred MB for a few seconds, and the server's workers all start by
    reading the latest edition. The first reads and writes the files; the others wait
    for it, then map them."""
    lock = _folder(key).with_suffix(".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a")
    except OSError:  # no lock to be had: each process reads for itself, as before
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stored(key: tuple) -> EditionColumns | None:
    folder = _folder(key)
    if not (folder / "meta.txt").exists():
        return None
    try:
        types, statuses = (folder / "meta.txt").read_text(encoding="utf-8").split("\n")[:2]

        def load(name: str) -> np.ndarray:
            # A plain array over the mapped file: numpy's memmap class costs
            # milliseconds a slice and a search.
            return np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r"))

        def facts(table: str) -> _Facts:
            return _Facts(*(load(f"{table}.{name}") for name in ARRAYS.split()))

        return EditionColumns(
            load("entry_ids"),
            facts("pillars"),
            facts("items"),
            facts("areas"),
            tuple(types.split("\t")) if types else (),
            tuple(statuses.split("\t")) if statuses else (),
            Rows(load("rows.starts"), _mapped(folder / "rows.jsonl")),
        )
    except (OSError, ValueError):
        logger.exception("matrix: the arrays in %s could not be read; reading the database", folder)
        return None


def _store(key: tuple, cols: EditionColumns) -> EditionColumns:
    """Write the arrays (into a new folder, then renamed: a reader sees all or nothing)."""
    folder = _folder(key)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".writing-"))
        np.save(work / "entry_ids.npy", cols.entry_ids)
        for table in ("pillars", "items", "areas"):
            facts = getattr(cols, table)
            for name in ARRAYS.split():
                np.save(work / f"{table}.{name}.npy", getattr(facts, name))
        np.save(work / "rows.starts.npy", cols.rows.starts)
        (work / "rows.jsonl").write_bytes(cols.rows.text)
        meta = "\t".join(cols.types) + "\n" + "\t".join(cols.statuses) + "\n"
        (work / "meta.txt").write_text(meta, encoding="utf-8")
        try:
            os.rename(work, folder)
        except OSError:  # another process wrote it first
            shutil.rmtree(work, ignore_errors=True)
    except OSError:
        logger.exception("matrix: the arrays could not be written to %s", folder)
    return cols


def _mapped(file) -> bytes | mmap.mmap:
    """The bytes of FILE (a path or an open file), mapped read-only; the mapping outlives
    the file's closing (an empty file cannot be mapped)."""
    if isinstance(file, Path):
        with file.open("rb") as handle:
            return _mapped(handle)
    if not os.fstat(file.fileno()).st_size:
        return b""
    return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


# -- reading ------------------------------------------------------------------------------


def _read(edition: Edition) -> EditionColumns:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {q(EditionEntry._meta.db_table)} WHERE edition_id = %s "
            "ORDER BY activity_key",
            [edition.pk],
        )
        entry_ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        order = np.argsort(entry_ids, kind="stable")
        index = _EntryIndex(entry_ids[order], order.astype(np.int32))
        types: dict[str, int] = {}
        statuses: dict[str, int] = {}
        read = _FactReader(cursor, edition.pk, index, types, statuses)
        pillars = read(EditionFact, "pillar_number", "0")
        items = read(EditionItemFact, "action_item_id", "item_pillar")
        areas = read(EditionAreaFact, "area_id", "framework_id")
        rows = _read_rows(cursor, edition.pk, len(entry_ids))
    return EditionColumns(entry_ids, pillars, items, areas, tuple(types), tuple(statuses), rows)


def _read_rows(cursor, edition_id: int, count: int) -> Rows:
    """The entries' `ROW_FIELDS`, in key order, as `Rows`.

    The database picks the fields out of each snapshot and writes each entry's line of
    JSON itself, and joins a range of entries' lines into one text (as `_FactReader`
    does): decoding a million snapshots in Python took ten times longer. The lines go to
    a temporary file as they come, mapped when all are there: a million entries' are some
    210 MB, which a server process should not hold. The first and last line of each range
    are checked against its keys: the lines must be in the entries' order.
    """
    q = connection.ops.quote_name
    table = q(EditionEntry._meta.db_table)
    _key, *others = ROW_FIELDS  # the key is the entry's own (the snapshot's is the same)
    if connection.vendor == "postgresql":
        fields = ", ".join(f"data -> '{f}'" for f in others)
        line = f"jsonb_build_array(activity_key, {fields})::text"
        join = "string_agg(line, chr(10) ORDER BY activity_key)"
    else:  # one path after another: the snapshot is parsed once, not once a field
        fields = ", ".join(f"'$.{f}'" for f in others)
        line = f"'[' || json_quote(activity_key) || ',' || substr(json_extract(data, {fields}), 2)"
        # (SQLite before 3.44 has no ORDER BY in an aggregate: it joins the ordered rows
        # of the range in the order they come.)
        join = "group_concat(line, char(10))"
    ends, written, last = [np.zeros(1, dtype=np.int64)], 0, None
    with _temporary_file() as handle:
        while True:
            after = "" if last is None else "AND activity_key > %s"
            cursor.execute(
                f"SELECT {join}, MIN(activity_key), MAX(activity_key), COUNT(*) FROM "
                f"(SELECT {line} AS line, activity_key FROM {table} WHERE edition_id = %s "
                f"{after} ORDER BY activity_key LIMIT {RANGE}) AS part",
                [edition_id] if last is None else [edition_id, last],
            )
            text, first, last, read = cursor.fetchone()
            if not read:
                break
            if (
                _key_of(text.partition("\n")[0]) != first
                or _key_of(text.rpartition("\n")[2]) != last
            ):
                raise DatabaseError(f"edition {edition_id}: rows read out of the entries' order")
            lines = text.encode() + b"\n"
            ends.append(np.flatnonzero(np.frombuffer(lines, dtype=np.uint8) == 10) + 1 + written)
            handle.write(lines)
            written += len(lines)
        handle.flush()
        starts = np.concatenate(ends)
        if len(starts) != count + 1:  # a line for each entry, in the entries' order
            raise DatabaseError(f"edition {edition_id}: {len(starts) - 1} rows for {count} entries")
        return Rows(starts, _mapped(handle))


def _key_of(line: str) -> str:
    return json.loads(line)[0]


def _temporary_file():
    """A file that is gone once closed and unmapped, beside the arrays if it can be."""
    folder = Path(settings.DATA_DIR) / "matrix-columns"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryFile(dir=folder, prefix=".rows-")
    except OSError:
        return tempfile.TemporaryFile(prefix="jpoa-rows-")


@dataclass
class _EntryIndex:
    sorted_ids: np.ndarray
    position: np.ndarray  # of each sorted id in key order

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        return self.position[np.searchsorted(self.sorted_ids, ids)]


@dataclass
class _FactReader:
    """Reads a fact table's columns of one edition as numbers.

    Fetching 1.7 million rows as Python tuples took 10 s at a million activities. The
    database joins each row's numbers into one text instead (`group_concat`,
    `string_agg`), a range of entries at a time, and numpy parses it: a few Python
    objects per range. Texts (organisation type, status) are coded in SQL as the
    position of their value among the edition's distinct values.
    """

    cursor: object
    edition_id: int
    index: _EntryIndex
    types: dict
    statuses: dict

    def __call__(self, model, value: str, extra: str) -> _Facts:
        table = connection.ops.quote_name(model._meta.db_table)
        type_code = self._codes(table, "organisation_type", self.types)
        status_code = self._codes(table, "status", self.statuses)
        numbers = (
            "entry_id",
            f"COALESCE({value}, {NONE})",
            f"COALESCE(country_id, {NONE})",
            "CASE WHEN region_wide THEN 1 ELSE 0 END",
            "lead_organisation_id",
            type_code,
            status_code,
            f"COALESCE(start_year, {NONE})",
            f"COALESCE(end_year, {NONE})",
            extra,
        )
        row = " || ',' || ".join(
            f"CAST({n} AS {_INTEGER_TEXT[connection.vendor]})" for n in numbers
        )
        join = "string_agg" if connection.vendor == "postgresql" else "group_concat"
        parts = []
        for low, high in self._ranges(table):
            self.cursor.execute(
                f"SELECT {join}({row}, ',') FROM {table} "
                "WHERE edition_id = %s AND entry_id >= %s AND entry_id < %s",
                [self.edition_id, low, high],
            )
            (text,) = self.cursor.fetchone()
            if text:
                parts.append(np.array(text.split(","), dtype=np.int64))
        flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        entry, value_, country, region, org, type_, status, start, end, extra_ = flat.reshape(
            -1, len(numbers)
        ).T
        position = self.index(entry).astype(np.int32) if len(entry) else entry.astype(np.int32)
        place = np.where(region != 0, REGION_PLACE, country).astype(np.int32)
        order = np.lexsort((position, place))
        position, value_ = position[order], value_[order]
        return _Facts(
            position,
            value_.astype(np.int32),
            country[order].astype(np.int32),
            region[order].astype(bool),
            org[order].astype(np.int32),
            type_[order].astype(np.int16),
            status[order].astype(np.int16),
            *_year_bounds(start[order], end[order]),
            extra_[order].astype(np.int32),
            _first_place(position, value_),
            place[order],
        )

    def _codes(self, table: str, column: str, codes: dict) -> str:
        """A CASE giving each of the column's values in the edition its code in CODES."""
        self.cursor.execute(
            f"SELECT DISTINCT {column} FROM {table} WHERE edition_id = %s", [self.edition_id]
        )
        for (found,) in self.cursor.fetchall():
            codes.setdefault(found, len(codes))
        cases = " ".join(f"WHEN {column} = %s THEN {code}" for code in codes.values())
        cases = cases.replace("%s", "{}").format(*(_literal(v) for v in codes))
        return f"CASE {cases} ELSE -2 END" if codes else "-2"

    def _ranges(self, table: str):
        self.cursor.execute(
            f"SELECT MIN(entry_id), MAX(entry_id) FROM {table} WHERE edition_id = %s",
            [self.edition_id],
        )
        low, high = self.cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, RANGE):
            yield start, min(start + RANGE, high + 1)


RANGE = 100_000  # entries a text holds (some 10 MB of digits)
_INTEGER_TEXT = {"sqlite": "TEXT", "postgresql": "TEXT"}


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


YEARS_BEFORE, YEARS_AFTER = np.iinfo(np.int32).min, np.iinfo(np.int32).max


def _year_bounds(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and last years of the facts as two comparisons take them: a year range
    keeps the facts whose first year is not after its end and whose last year is not
    before its start. No start year is as early as can be, no end year as late; no year
    at all is never in a range (`selectors._years`), so later than any and earlier."""
    undated = (start == NONE) & (end == NONE)
    low = np.where(start == NONE, YEARS_BEFORE, start)
    high = np.where(end == NONE, YEARS_AFTER, end)
    low[undated], high[undated] = YEARS_AFTER, YEARS_BEFORE
    return low.astype(np.int32), high.astype(np.int32)


def _first_place(entry: np.ndarray, value: np.ndarray) -> np.ndarray:
    """True for one fact of each (entry, value) pair: counting those counts the pairs."""
    first = np.zeros(len(entry), dtype=bool)
    if len(entry):
        pair = entry.astype(np.int64) * (int(value.max()) + 2) + (value + 1)
        _values, where = np.unique(pair, return_index=True)
        first[where] = True
    return first


# -- filtering ----------------------------------------------------------------------------
#
# Comparing an array of 1.7 million facts with a value costs a fraction of a millisecond;
# picking the facts that pass out of other arrays by a boolean mask cost ten times more
# (the processor cannot foresee which are kept). So each view turns its mask into the
# positions of the facts that pass once (`passing`, `pairs`) and takes the arrays it
# counts at those positions (`np.take`).


@dataclass(frozen=True)
class Wanted:
    """The filters, resolved to the ids and codes the arrays hold (None: no such filter;
    an empty tuple: a value nothing has)."""

    place: tuple | None = None  # ("country", id), ("region",), ("unstated",) or ()
    pillar: int | None = None  # a pillar number, NONE for "not stated"
    item: int | None = None
    organisation: int | None = None  # NONE: an organisation that does not exist
    org_type: str | None = None
    status: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    framework: int | None = None  # the chosen framework's id (NONE: none such)
    areas: tuple[int, ...] | None = None  # the ids of the chosen area's code in it


def _common_tests(cols: EditionColumns, facts: _Facts, wanted: Wanted) -> list[np.ndarray]:
    """The filters every fact table has (`selectors._common`), as a boolean array each;
    FACTS are those of the place filtered for already (`narrow`)."""
    tests = []
    if wanted.organisation is not None:
        tests.append(facts.organisation == wanted.organisation)
    if wanted.org_type is not None:
        tests.append(facts.org_type == _code(cols.types, wanted.org_type))
    if wanted.status is not None:
        tests.append(facts.status == _code(cols.statuses, wanted.status))
    if wanted.year_to is not None:
        tests.append(facts.year_low <= _within_years(wanted.year_to))
    if wanted.year_from is not None:
        tests.append(facts.year_high >= _within_years(wanted.year_from))
    return tests


def _within_years(year: int) -> int:
    """A year of a filter, inside the bounds that stand for "no year" (`_year_bounds`)."""
    return min(max(year, YEARS_BEFORE + 1), YEARS_AFTER - 1)


def _all(facts: _Facts, tests: list[np.ndarray]) -> np.ndarray:
    """Which facts pass every test."""
    if not tests:
        return np.ones(len(facts), dtype=bool)
    mask = tests[0]
    for test in tests[1:]:
        mask = mask & test
    return mask


def _code(values: tuple[str, ...], value: str) -> int:
    return values.index(value) if value in values else -2


def pillar_mask(cols: EditionColumns, wanted: Wanted) -> tuple[_Facts, np.ndarray]:
    """`selectors.pillar_facts`: the facts of the place filtered for, and which pass."""
    facts = narrow(cols.pillars, wanted.place)
    tests = _common_tests(cols, facts, wanted)
    if wanted.pillar is not None:
        tests.append(facts.value == wanted.pillar)
    if wanted.item is not None:
        with_item = entries_of(cols, cols.items, np.flatnonzero(cols.items.value == wanted.item))
        tests.append(with_item.take(facts.entry))
    if wanted.framework is not None and wanted.areas is not None:
        tests.append(_with_area(cols, wanted).take(facts.entry))
    return facts, _all(facts, tests)


def _with_area(cols: EditionColumns, wanted: Wanted) -> np.ndarray:
    facts = cols.areas
    in_area = (facts.extra == wanted.framework) & np.isin(facts.value, wanted.areas)
    return entries_of(cols, facts, np.flatnonzero(in_area))


def area_mask(cols: EditionColumns, wanted: Wanted) -> tuple[_Facts, np.ndarray]:
    """`selectors.area_facts`: the facts of the place filtered for, and which pass."""
    facts = narrow(cols.areas, wanted.place)
    tests = [*_common_tests(cols, facts, wanted), facts.extra == wanted.framework]
    if wanted.areas is not None:
        tests.append(np.isin(facts.value, wanted.areas))
    if wanted.pillar is not None or wanted.item is not None:
        by_pillar = pillar_mask(cols, replace(wanted, framework=None, areas=None))
        tests.append(entries_of(cols, by_pillar[0], passing(by_pillar[1])).take(facts.entry))
    return facts, _all(facts, tests)


def item_mask(
    cols: EditionColumns, wanted: Wanted, unstated_pillar: bool
) -> tuple[_Facts, np.ndarray]:
    """`selectors.item_facts`: the facts of the place filtered for, and which pass."""
    facts = narrow(cols.items, wanted.place)
    if unstated_pillar:
        return facts, np.zeros(len(facts), dtype=bool)
    tests = _common_tests(cols, facts, wanted)
    if wanted.pillar is not None:
        tests.append(facts.extra == wanted.pillar)
    if wanted.item is not None:
        tests.append(facts.value == wanted.item)
    if wanted.framework is not None and wanted.areas is not None:
        tests.append(_with_area(cols, wanted).take(facts.entry))
    return facts, _all(facts, tests)


def passing(mask: np.ndarray) -> np.ndarray:
    """The positions of the facts that pass."""
    return np.flatnonzero(mask)


def pairs(facts: _Facts, mask: np.ndarray, by_place: bool) -> np.ndarray:
    """The positions of one passing fact of each (entry, value) pair: with a place filter
    (BY_PLACE) each pair has one fact left, else its first place stands for it."""
    return np.flatnonzero(mask if by_place else mask & facts.first_place)


def pair_count(facts: _Facts, mask: np.ndarray, by_place: bool) -> int:
    """How many (entry, value) pairs pass (`pairs`, counted without their positions)."""
    return int(np.count_nonzero(mask if by_place else mask & facts.first_place))


# -- counting (of the facts at the positions a filter gave) ------------------------------


def entries_of(cols: EditionColumns, facts: _Facts, positions: np.ndarray) -> np.ndarray:
    """Which entries (in key order) have a fact at POSITIONS."""
    has = np.zeros(len(cols.entry_ids), dtype=bool)
    has[facts.entry.take(positions)] = True
    return has


def matching_entries(
    cols: EditionColumns, facts: _Facts, positions: np.ndarray, by_place: bool
) -> np.ndarray:
    """The entries (their positions in key order) with a fact at POSITIONS, in key order.

    The facts of one place are in key order (BY_PLACE: FACTS are those of one place): its
    entries are the changes along them, no array of all the entries needed.
    """
    if by_place:
        entries = facts.entry.take(positions)
        if len(entries):
            entries = entries[np.concatenate(([True], entries[1:] != entries[:-1]))]
        return entries
    return np.flatnonzero(entries_of(cols, facts, positions))


def distinct_entries(
    cols: EditionColumns, facts: _Facts, positions: np.ndarray, by_place: bool
) -> int:
    if by_place:
        return len(matching_entries(cols, facts, positions, by_place))
    return int(np.count_nonzero(entries_of(cols, facts, positions)))


def pair_counts(facts: _Facts, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(organisation, value, distinct entries) of each (organisation, value) with any,
    from one fact of each (entry, value) pair (`pairs`)."""
    return _group(facts.organisation.take(pairs), facts.value.take(pairs))


def place_counts(facts: _Facts, positions: np.ndarray) -> tuple[np.ndarray, ...]:
    """(country, region-wide, value, facts) of each combination with any."""
    places, values, counts = _group(facts.place.take(positions), facts.value.take(positions))
    region = places == REGION_PLACE
    return np.where(region, NONE, places), region, values, counts


def _group(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not len(a):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    a_low, b_low = int(a.min()), int(b.min())
    a_size, b_size = int(a.max()) - a_low + 1, int(b.max()) - b_low + 1
    if a_size * b_size <= GROUP_CELLS:  # ids and numbers are small: count without sorting
        combined = np.bincount((a - a_low) * b_size + (b - b_low), minlength=a_size * b_size)
        present = np.flatnonzero(combined)
        return present // b_size + a_low, present % b_size + b_low, combined[present]
    a_values, a_codes = np.unique(a, return_inverse=True)
    b_values, b_codes = np.unique(b, return_inverse=True)
    combined = np.bincount(a_codes * len(b_values) + b_codes)
    present = np.flatnonzero(combined)
    return a_values[present // len(b_values)], b_values[present % len(b_values)], combined[present]


GROUP_CELLS = 4_000_000


def listed(facts: _Facts, pairs: np.ndarray, up_to: int) -> list[tuple[int, int, int]]:
    """(organisation, value, entry's position in key order) of the distinct triples, at
    most UP_TO + 1, from one fact of each (entry, value) pair (`pairs`)."""
    kept = pairs[: up_to + 1]
    return list(
        zip(
            facts.organisation.take(kept).tolist(),
            facts.value.take(kept).tolist(),
            facts.entry.take(kept).tolist(),
            strict=True,
        )
    )


def load_latest_in_background() -> threading.Thread | None:
    """Read the latest edition now, in a thread, so that a new server process's first
    matrix page does not wait for it."""

    def load() -> None:
        try:
            edition = Edition.objects.order_by("-number").first()
            if edition is not None:
                columns(edition)
        except DatabaseError:
            logger.exception("matrix: the latest edition could not be read ahead")
        finally:
            connection.close()

    if not enabled():
        return None
    thread = threading.Thread(target=load, name="jpoa-matrix-columns", daemon=True)
    thread.start()
    return thread
