"""`jpoa report`: the donor progress report for a phase or a date range, as PDF, DOCX or XLSX."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils import translation

from jpoa.analysis.report import RENDERERS, ReportError, build_report, find_phase
from jpoa.lib.commands import JpoaCommand, date_option, require_migrated_database


class Command(JpoaCommand):
    help = "Write the donor progress report for a phase or a date range (pdf, docx or xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--phase", help="the phase: its numeral (II), number or key")
        parser.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD")
        parser.add_argument("--format", choices=sorted(RENDERERS), default="pdf")
        parser.add_argument("--language", choices=["en", "ru"], default="en")
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args, **options):
        require_migrated_database()
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"no such directory: {output.parent}")
        date_from = options["date_from"] and date_option("--from", options["date_from"])
        date_to = options["date_to"] and date_option("--to", options["date_to"])
        with translation.override(options["language"]):
            try:
                phase = find_phase(options["phase"]) if options["phase"] else None
                report = build_report(phase=phase, date_from=date_from, date_to=date_to)
            except ReportError as exc:
                raise CommandError(str(exc)) from None
            content = RENDERERS[options["format"]](report)
        output.write_bytes(content)
        self.stdout.write(
            f"Wrote {output} ({options['format']}, {len(content):,} bytes): "
            f"{len(report.events)} events, {report.period}"
        )
