"""Downloads of a published edition, each written once and then served as a file.

A published edition never changes, and writing a million activities as XLSX takes
minutes: each download (edition, format, language, the filters as the form reads them)
is written once into ``DATA_DIR/downloads`` and served from there to everyone who asks
for it. Parameters the filter form does not read change nothing, so they do not make a
new file. The file's name also carries the time the public data last changed, because a
download names organisations, whose names can be corrected after publication.

Between the server's processes, two requests for the same download wait for one writer
(a lock file per download), and at most ``BUILD_SLOTS`` downloads are written at once: a
request that finds every slot taken gets `Busy` (the view answers 503 with Retry-After)
instead of taking a worker's thread and a core for minutes.
"""

import contextlib
import fcntl
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

from jpoa.lib.files import replaced_whole
from jpoa.lib.pagecache import data_changed_at
from jpoa.matrix.selectors import MatrixFilters

from . import exports

EXTENSIONS = {
    "xlsx": "xlsx",
    "csv": "csv",
    "json": "json",
    "datapackage": "zip",
    "parquet": "parquet",
}
BUILD_SLOTS = 2  # downloads written at once, across the server's processes
KEEP_FILES = 200  # the oldest written downloads beyond this many are removed
RETRY_AFTER = 30  # seconds a refused request is asked to wait


class Busy(Exception):
    """Every slot for writing a download is taken; try again after `RETRY_AFTER` seconds."""


@dataclass(frozen=True)
class Download:
    path: Path
    file_name: str  # what the browser saves it as
    content_type: str


def folder() -> Path:
    return Path(settings.DOWNLOADS_DIR)


def prepared(format: str, *, edition_number: int | None, filters: MatrixFilters) -> Download:
    """The download's file, written now if nobody has written it yet.

    Raises `exports.NoEdition` when nothing (or not that edition) is published, `Busy`
    when the download must be written and every slot is taken.
    """
    edition = exports.published_edition(edition_number)
    changed = data_changed_at()
    asked = [
        format,
        edition.number,
        sorted(filters.params().items()),
        get_language(),
        changed.isoformat() if changed else "",
    ]
    digest = hashlib.sha256(json.dumps(asked, default=str).encode()).hexdigest()[:32]
    extension = EXTENSIONS[format]
    base = folder()
    path = base / f"edition-{edition.number}-{digest}.{extension}"
    download = Download(path, f"jpoa-matrix-{edition.number}.{extension}", exports.FORMATS[format])
    if path.exists():
        return download
    base.mkdir(parents=True, exist_ok=True)
    with _locked(base / f".{digest}.lock"):  # the same download: wait for its writer
        if path.exists():
            return download
        with _slot(base):  # only now are the activities counted and read
            data = exports.export_data(edition_number=edition.number, filters=filters)
            _write(format, data, path)
    _prune(base)
    return download


def _write(format: str, data: exports.ExportData, path: Path) -> None:
    """Write to a temporary file beside PATH and move it in place: never half a file."""
    with replaced_whole(path) as out:
        exports.render(format, data, out)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def _slot(base: Path) -> Iterator[None]:
    """One of BUILD_SLOTS writers' places, or `Busy` at once."""
    for number in range(BUILD_SLOTS):
        lock = open(base / f".slot-{number}.lock", "a")  # noqa: SIM115 (held across the yield)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
        return
    raise Busy


def _prune(base: Path) -> None:
    files = sorted(
        (p for p in base.glob("edition-*") if p.is_file()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in files[KEEP_FILES:]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    # A download's lock file goes with it (a slot's lock stays).
    kept = {p.stem.rsplit("-", 1)[-1] for p in files[:KEEP_FILES]}
    for lock in base.glob(".*.lock"):
        digest = lock.name[1:-5]
        if not digest.startswith("slot-") and digest not in kept:
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
