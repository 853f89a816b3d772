import json
import sys
from pathlib import Path

from django.core.management.base import CommandError

from jpoa.core.management.base import JpoaCommand
from jpoa.dataset.export import export_dataset


class Command(JpoaCommand):
    help = (
        "Export public data. `jpoa export json -o FILE` writes the whole public data set in "
        "jpoa's documented JSON format (docs/data-format.md); without -o it goes to stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "format", choices=["json"], help="What to export: json (whole data set)."
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, format: str, output: str | None, **options):
        text = json.dumps(export_dataset(), ensure_ascii=False, indent=1) + "\n"
        if not output or output == "-":
            sys.stdout.write(text)
            return
        path = Path(output)
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
        self.stderr.write(f"Wrote {path} ({path.stat().st_size:,} bytes).")
