import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from jpoa.accounts.access import is_coordinator
from jpoa.exchange.apply import (
    ImportFailed,
    apply_import,
    mark_failed,
    start_import_from_path,
)
from jpoa.exchange.preview import Preview, build_preview
from jpoa.lib.commands import JpoaCommand


class Command(JpoaCommand):
    help = (
        "Import activities from a CSV or XLSX file (3W style, HXL hashtags honoured) or IATI "
        "activity XML. Shows the preview, then asks before writing; all rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to import.")
        parser.add_argument("--format", choices=["csv", "xlsx", "iati"], help="Default: by name.")
        parser.add_argument("--dry-run", action="store_true", help="Only show the preview.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Write without asking, adding the new organisations the preview lists.",
        )
        parser.add_argument(
            "--date-format",
            choices=["DMY", "MDY", "ISO"],
            default="",
            help="How the file writes dates like 01/02/2024 (day first, month first, or ISO "
            "only); without it such a date is read day first with a warning.",
        )
        parser.add_argument(
            "--include-outside-region",
            action="store_true",
            help="IATI: keep activities in no country of the plan's region.",
        )
        parser.add_argument(
            "--user",
            help="The coordinator the import is recorded and audited for (required to write).",
        )

    def handle(
        self,
        *args,
        file,
        format,
        dry_run,
        yes,
        include_outside_region,
        date_format,
        user,
        **options,
    ):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = None if dry_run else self.coordinator(user)
        options = {
            "format": format,
            "include_outside_region": include_outside_region,
            "date_format": date_format,
        }
        if dry_run:
            preview = build_preview(path, progress=self.progress, **options)
            self.show(preview)
            if preview.has_errors:
                raise CommandError(f"{len(preview.errors)} errors; nothing would be written")
            self.stdout.write("Dry run: nothing written.")
            return
        try:
            record, preview = start_import_from_path(
                path, user=actor, progress=self.progress, **options
            )
        except ImportFailed as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.show(preview)
        if preview.has_errors:
            apply_failed = f"{len(preview.errors)} errors; nothing written"
            mark_failed(record, apply_failed)
            raise CommandError(apply_failed)
        if not yes and not self.confirm():
            self.stdout.write("Nothing written.")
            return
        try:
            apply_import(record=record, user=actor, preview=preview, progress=self.progress)
        except ImportFailed as exc:
            raise CommandError(f"{exc}; nothing written") from None
        counts = preview.counts
        self.stdout.write(
            f"Import {record.pk} applied: {counts['add']} added, {counts['update']} updated, "
            f"{counts['unchanged']} unchanged, {counts['new_organisations']} new organisations "
            "(not yet reviewed: see the back office)."
        )

    def coordinator(self, username: str | None):
        if not username:
            raise CommandError("give --user USERNAME: the coordinator the import is recorded for")
        found = get_user_model().objects.filter(username=username).first()
        if found is None or not is_coordinator(found):
            raise CommandError(f"{username} is no coordinator")
        return found

    def show(self, preview: Preview) -> None:
        c = preview.counts
        self.stdout.write(
            f"{preview.file_name}: {c['add']} to add, {c['update']} to update, "
            f"{c['unchanged']} unchanged, {c['skipped']} skipped, {c['error']} rows with errors "
            f"({c['errors']} errors, {c['warnings']} warnings)"
        )
        for line in preview.summary():
            self.stdout.write(line)
        for issue in preview.all_issues():
            self.stdout.write(str(issue))

    def confirm(self) -> bool:
        if not sys.stdin.isatty():
            raise CommandError("not a terminal: give --yes to write, or --dry-run")
        return input("Write these changes? [y/N] ").strip().lower() in ("y", "yes")

    def progress(self, done: int, total: int) -> None:
        if total >= 500:
            self.stderr.write(f"\r{done:,}/{total:,} rows", ending="")
            if done == total:
                self.stderr.write("")
