"""Backup and restore of jpoa's database while the site runs.

SQLite: SQLite's online backup API copies a consistent snapshot (WAL lets the
site keep reading and writing meanwhile), and restores the same way, in one
write transaction, so readers see the old data or the new, never a mixture.
PostgreSQL: pg_dump's custom format (one consistent snapshot) and pg_restore
in a single transaction, so a failed restore leaves the data as it was.

A backup is written to a temporary file beside the target and renamed only
once it has been checked, so a crash never leaves a half-written backup under
the expected name.
"""

import os
import re
import secrets
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone

from jpoa.lib.database import database_vendor, libpq_environment

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
# jpoa-20250130-142501.sqlite3, or jpoa-20250130-142501-2.sqlite3 for a second one that second.
BACKUP_NAME = re.compile(r"^jpoa-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.(sqlite3|pgdump)$")


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


class NotABackup(BackupError):
    """A file that is not a backup of this kind of site; the message is the reason."""


def backup_suffix() -> str:
    vendor = database_vendor()
    if vendor not in SUFFIXES:
        raise BackupError(f"backup and restore support SQLite and PostgreSQL, not {vendor}")
    return SUFFIXES[vendor]


def default_backup_path(now: datetime | None = None) -> Path:
    """A new file in the backups directory named after the time (UTC)."""
    stamp = (now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    suffix = backup_suffix()
    path = settings.BACKUP_DIR / f"jpoa-{stamp}{suffix}"
    number = 2
    while path.exists():
        path = settings.BACKUP_DIR / f"jpoa-{stamp}-{number}{suffix}"
        number += 1
    return path


def backup_database(target: Path) -> Path:
    """Write a consistent, checked copy of the database to TARGET (replacing it)."""
    suffix = backup_suffix()
    target = Path(target).absolute()
    if suffix == SUFFIXES["sqlite"] and _same_file(target, _live_sqlite_path()):
        raise BackupError(f"{target} is the live database; choose another file")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror}") from exc
    os.close(handle)
    partial = Path(name)
    try:
        if suffix == SUFFIXES["sqlite"]:
            _backup_sqlite(partial)
        else:
            _backup_postgresql(partial)
        _fsync(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def rotate_backups(keep: int) -> list[Path]:
    """Delete all but the KEEP newest backups of this kind in the backups directory.

    Only files named as `jpoa backup` names them (jpoa-YYYYmmdd-HHMMSS.*) are
    considered; anything else in the directory is left alone.
    """
    if keep < 1:
        raise ValueError("keep at least one backup")
    suffix = backup_suffix()
    if not settings.BACKUP_DIR.is_dir():
        return []
    found = []
    for path in settings.BACKUP_DIR.iterdir():
        match = BACKUP_NAME.match(path.name)
        if match and path.suffix == suffix and path.is_file():
            found.append(((match["stamp"], int(match["n"] or 1)), path))
    found.sort()
    old = [path for _key, path in found[:-keep]]
    for path in old:
        path.unlink()
    return old


def check_backup(path: Path) -> None:
    """Raise NotABackup unless PATH is a sound jpoa backup this site can restore."""
    suffix = backup_suffix()
    header = _read_header(Path(path))
    if suffix == SUFFIXES["sqlite"]:
        _check_sqlite_backup(Path(path), header)
    else:
        _check_postgresql_backup(Path(path), header)


def restore_database(path: Path) -> None:
    """Replace all data in the database with the backup at PATH (checked first)."""
    check_backup(path)
    connections.close_all()  # hold no locks of our own while the data is replaced
    if backup_suffix() == SUFFIXES["sqlite"]:
        _restore_sqlite(Path(path))
    else:
        _restore_postgresql(Path(path))


def _jpoa_tables() -> set[str]:
    """Tables any jpoa database has: a file without them is not a jpoa backup."""
    return {
        "django_migrations",
        apps.get_model("auth", "User")._meta.db_table,
        apps.get_model("core", "Organisation")._meta.db_table,
    }


def _read_header(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise NotABackup("no such file") from None
    except IsADirectoryError:
        raise NotABackup("it is a directory") from None
    except OSError as exc:
        raise NotABackup(f"cannot read it: {exc.strerror}") from None


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _fsync(path: Path) -> None:
    with path.open("rb+") as file:
        os.fsync(file.fileno())


# SQLite


def _live_sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _integrity(connection: sqlite3.Connection) -> str:
    """ "ok", or the first problems SQLite's integrity check found."""
    rows = connection.execute("PRAGMA integrity_check(5)").fetchall()
    return "; ".join(row[0] for row in rows)


def _backup_sqlite(partial: Path) -> None:
    live = _live_sqlite_path()
    if not live.exists():
        raise BackupError(f"there is no database at {live} yet; run `jpoa init` first")
    try:
        with closing(_read_only(live)) as source, closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)  # one step: a single consistent snapshot
            # The live database is in WAL mode; a backup is one self-contained file.
            copy.execute("PRAGMA journal_mode=DELETE")
            result = _integrity(copy)
    except sqlite3.Error as exc:
        raise BackupError(f"the backup failed: {exc}") from exc
    if result != "ok":
        raise BackupError(f"the copy failed its integrity check: {result}")


def _check_sqlite_backup(path: Path, header: bytes) -> None:
    if header.startswith(PG_DUMP_HEADER):
        raise NotABackup("it is a PostgreSQL dump and this site uses SQLite")
    if header != SQLITE_HEADER:
        raise NotABackup("not an SQLite database")
    if _same_file(path, _live_sqlite_path()):
        raise NotABackup("it is the live database itself")
    try:
        with closing(_read_only(path)) as connection:
            result = _integrity(connection)
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
    except sqlite3.Error as exc:
        raise NotABackup(f"an unreadable SQLite database: {exc}") from None
    if result != "ok":
        raise NotABackup(f"it fails SQLite's integrity check: {result}")
    missing = _jpoa_tables() - tables
    if missing:
        raise NotABackup(
            f"an SQLite database without jpoa's tables: no {', '.join(sorted(missing))}"
        )


def _restore_sqlite(path: Path) -> None:
    live = _live_sqlite_path()
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
        with closing(_read_only(path)) as backup, closing(sqlite3.connect(live, timeout=20)) as db:
            # One write transaction on the live database: readers see old or new data.
            backup.backup(db)
            # A stamp of this restore: a running server's search memory, which keeps
            # documents by id, sees that these are other documents (`jpoa.search.memory`).
            db.execute(f"PRAGMA user_version = {secrets.randbelow(2**31 - 2) + 1}")
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"the restore failed and the data is unchanged: {exc}") from exc


# PostgreSQL


def _run(args: list[str]) -> str:
    """Run a PostgreSQL client program with the connection in its environment; its stdout."""
    try:
        result = subprocess.run(
            args, env=libpq_environment(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{args[0]} is not installed (it comes with the PostgreSQL client programs, "
            "of the server's major version or newer)"
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {_one_line(result.stderr)}")
    return result.stdout


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no message"


def _backup_postgresql(partial: Path) -> None:
    _run(["pg_dump", "--format=custom", f"--file={partial}"])
    _run(["pg_restore", "--list", str(partial)])  # readable from end to end


def _check_postgresql_backup(path: Path, header: bytes) -> None:
    if header == SQLITE_HEADER:
        raise NotABackup("it is an SQLite database and this site uses PostgreSQL")
    if not header.startswith(PG_DUMP_HEADER):
        raise NotABackup("not a PostgreSQL dump in pg_dump's custom format")
    try:
        listing = _run(["pg_restore", "--list", str(path)])
    except BackupError as exc:
        raise NotABackup(f"unreadable: {exc}") from None
    missing = [
        table
        for table in sorted(_jpoa_tables())
        if not re.search(rf"\bTABLE \S+ {re.escape(table)}\b", listing)
    ]
    if missing:
        raise NotABackup(f"a PostgreSQL dump without jpoa's tables: no {', '.join(missing)}")


def _restore_postgresql(path: Path) -> None:
    name = settings.DATABASES["default"]["NAME"]
    try:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={name}",
                str(path),
            ]
        )
    except BackupError as exc:
        raise BackupError(f"the restore failed and the data is unchanged: {exc}") from exc
