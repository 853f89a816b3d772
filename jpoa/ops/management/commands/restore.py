import sys
from pathlib import Path

from django.core.management.base import CommandError

from jpoa.lib.commands import JpoaCommand, pending_migrations, unknown_migrations
from jpoa.lib.database import describe_database
from jpoa.ops.backup import BackupError, NotABackup, check_backup, restore_database


class Command(JpoaCommand):
    help = (
        "Replace all data in the database with a backup written by `jpoa backup`. The file "
        "is checked first (it must be a sound jpoa backup for this kind of database); the "
        "restore is all or nothing. Asks for confirmation unless --yes is given."
    )

    # Restoring must work whatever state the code's checks are in (it is how an operator
    # recovers), and they cost a second and a half of start-up.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup to restore")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="do not ask for confirmation (for scripts; required when not at a terminal)",
        )

    def handle(self, *args, file, yes, **options):
        try:
            check_backup(file)
        except NotABackup as exc:
            raise CommandError(f"{file} is not a jpoa backup ({exc})") from exc
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not yes:
            self.confirm(file)
        try:
            restore_database(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {file} into the database at {describe_database()}")
        self.report_code_version()

    def confirm(self, file: Path) -> None:
        if not sys.stdin.isatty():
            raise CommandError("a restore replaces all current data; confirm with --yes")
        answer = input(
            f"This replaces ALL data in the database at {describe_database()} with {file}.\n"
            "Make a backup first (`jpoa backup`) if you may need the current data.\n"
            "Restore now? [y/N] "
        )
        if answer.strip().lower() not in {"y", "yes"}:
            raise CommandError("restore cancelled; nothing was changed")

    def report_code_version(self) -> None:
        pending = pending_migrations()
        if pending:
            self.stdout.write(
                f"The backup is older than this version of jpoa ({len(pending)} migrations "
                "not applied): run `jpoa init` to bring the database up to date."
            )
        unknown = unknown_migrations()
        if unknown:
            self.stderr.write(
                "Warning: the backup was made by a newer version of jpoa (it has migrations "
                f"this code does not know: {', '.join(unknown)}); upgrade jpoa before serving it."
            )
