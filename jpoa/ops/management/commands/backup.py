from pathlib import Path

from django.core.management.base import CommandError

from jpoa.lib.commands import JpoaCommand
from jpoa.ops.backup import BackupError, backup_database, default_backup_path, rotate_backups


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def human_size(size: float) -> str:
    for unit in ["bytes", "KB", "MB", "GB"]:
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


class Command(JpoaCommand):
    help = (
        "Write a consistent copy of the database while the site runs: SQLite's online "
        "backup API for SQLite (checked with an integrity check), pg_dump's custom format "
        "for PostgreSQL. Restore it with `jpoa restore FILE`."
    )

    # A backup copies the database as it is; the site's own checks (URLs, templates)
    # have no bearing on it and cost a second and a half of start-up.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            type=Path,
            help=(
                "where to write the backup (replaced if it exists); default: "
                "DATA_DIR/backups/jpoa-YYYYmmdd-HHMMSS.sqlite3 (.pgdump for PostgreSQL), "
                "the time in UTC"
            ),
        )
        parser.add_argument(
            "--keep",
            type=positive_int,
            metavar="N",
            help=(
                "after a successful backup, delete all but the N newest backups in "
                "DATA_DIR/backups (only files named jpoa-YYYYmmdd-HHMMSS.*; others are left alone)"
            ),
        )

    def handle(self, *args, file, keep, **options):
        try:
            written = backup_database(file or default_backup_path())
            deleted = rotate_backups(keep) if keep else []
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {written} ({human_size(written.stat().st_size)})")
        for path in deleted:
            self.stdout.write(f"Deleted old backup {path}")
