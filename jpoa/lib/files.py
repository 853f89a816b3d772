"""Files written whole or not at all."""

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def replaced_whole(path: str | Path, prefix: str = ".writing-") -> Iterator[BinaryIO]:
    """A file to write that replaces PATH once closed: a reader finds the old file or the
    new one, never half of one. It is made beside PATH (a rename within a directory is
    atomic on POSIX) and removed if the writing fails."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=prefix)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
