"""`jpoa site build DIR [--base-url /path/] [--clean]`: the public site as plain files."""

from pathlib import Path

from django.core.management.base import CommandError

from jpoa.lib.commands import JpoaCommand, require_migrated_database
from jpoa.sitebuild.build import BuildError, build_site


class Command(JpoaCommand):
    help = "Write the public site as static files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        text = (
            "write the whole public site (both languages, every published edition of the "
            "matrix, data downloads, a search page) into DIR as plain files any web server "
            "can host, or that open from disk; files that did not change are not rewritten"
        )
        p = sub.add_parser("build", help=text, description=text)
        p.add_argument("dir", help="the directory to write into (created if missing)")
        p.add_argument(
            "--base-url",
            default="/",
            help="where the site will be served, e.g. /jpoa/ or https://example.org/jpoa/; "
            "links are relative and work anywhere, this sets the absolute addresses in the "
            "calendar feed (default: /)",
        )
        p.add_argument(
            "--clean",
            action="store_true",
            help="remove the files in DIR this build did not write (hidden files are kept)",
        )

    def handle(self, *args, action, dir, base_url, clean, **options):
        require_migrated_database()
        try:
            report = build_site(Path(dir), base_url=base_url, clean=clean, progress=self.note)
        except BuildError as exc:
            raise CommandError(str(exc)) from exc
        verbose = options["verbosity"] > 1
        for name in report.written if verbose else []:
            self.stdout.write(f"  written    {name}")
        for url, count in sorted(report.unlinked.items()) if verbose else []:
            self.stdout.write(f"  plain text {url} ({count}x): not in the static site")
        for name in report.removed:
            self.stdout.write(f"  removed    {name}")
        if report.kept_editions:
            self.stdout.write(
                "Editions unchanged since the last build, not rendered again: "
                + ", ".join(report.kept_editions)
            )
        self.stdout.write(
            f"Built {dir}: {report.pages} pages; {len(report.written)} files written, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed; "
            f"{len(report.unlinked)} addresses shown as plain text; {report.seconds:.1f} s."
        )

    def note(self, message: str) -> None:
        if self.verbosity > 0:
            self.stderr.write(message)

    def execute(self, *args, **options):
        self.verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)
