"""How far a long import has got.

On the web and in the API, an upload is checked and a confirmed import written as a
task run by `jpoa worker` (jpoa.exchange.tasks), so a file of 100,000 rows does not
hold a request open for a minute; the import's page reloads itself every few seconds
and shows the phase and the rows done. Those figures live in a small file beside
the stored upload, not in the database: while the rows are written, the import's
transaction holds the database's write lock and nothing it writes is visible
until it commits.

If the worker dies mid-way, the transaction is rolled back by the database and the
next worker runs the task again from the start (jpoa.lib.tasks); if none does, the
page notices that the figures stopped moving and says the import was interrupted,
with nothing written.
"""

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

STALE_AFTER = 15 * 60  # seconds without news: the work was interrupted


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
