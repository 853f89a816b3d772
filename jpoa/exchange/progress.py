"""How far a long import has got, and running it beside the web request.

On the web, an upload is checked and a confirmed import written in a background
thread of the web process (`run`), so a file of 100,000 rows does not hold a
request open for a minute; the import's page reloads itself every few seconds
and shows the phase and the rows done. Those figures live in a small file beside
the stored upload, not in the database: while the rows are written, the import's
transaction holds the database's write lock and nothing it writes is visible
until it commits.

If the web process dies mid-way, the transaction is rolled back by the database;
the page notices that the figures stopped moving and says the import was
interrupted, with nothing written.
"""

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

STALE_AFTER = 15 * 60  # seconds without news: the work was interrupted
_threads: list[threading.Thread] = []


@dataclass(frozen=True)
class Progress:
    phase: str  # "checking" or "writing"
    done: int
    total: int
    updated: float  # time.time() of the last report

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def stale(self) -> bool:
        return time.time() - self.updated > STALE_AFTER


def progress_path(stored_name: str) -> Path:
    from .apply import imports_dir

    return imports_dir() / f"{stored_name}.progress.json"


def reporter(stored_name: str, phase: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback that keeps the figures for the import's page."""
    path = progress_path(stored_name)

    def report(done: int, total: int) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"phase": phase, "done": done, "total": total, "updated": time.time()})
        )
        os.replace(temporary, path)  # a reader never sees half a file

    report(0, 0)
    return report


def read(stored_name: str) -> Progress | None:
    try:
        data = json.loads(progress_path(stored_name).read_text())
        return Progress(data["phase"], data["done"], data["total"], data["updated"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget(stored_name: str) -> None:
    progress_path(stored_name).unlink(missing_ok=True)


def run(work: Callable[..., object], *args) -> None:
    """Do ``work(*args)`` in a background thread (``JPOA_IMPORTS_IN_BACKGROUND``), else now."""
    if not getattr(settings, "JPOA_IMPORTS_IN_BACKGROUND", True):
        work(*args)
        return

    def target():
        try:
            work(*args)
        except Exception:  # the record says what failed; the log says why
            logger.exception("import work %s%r failed", getattr(work, "__name__", work), args)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target, name="jpoa-import", daemon=True)
    _threads[:] = [t for t in _threads if t.is_alive()]
    _threads.append(thread)
    thread.start()


def wait(timeout: float | None = None) -> None:
    """Wait for the background work started so far (for tests and orderly shutdown)."""
    for thread in list(_threads):
        thread.join(timeout)
