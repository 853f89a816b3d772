import json
import sys
from pathlib import Path

from django.core.management.base import CommandError

from jpoa.core.management.base import JpoaCommand
from jpoa.dataset.export import export_dataset

MATRIX_FORMATS = ["xlsx", "csv", "datapackage", "matrix-json"]


class Command(JpoaCommand):
    help = (
        "Export public data. `jpoa export json -o FILE` writes the whole public data set in "
        "jpoa's documented JSON format (docs/data-format.md); without -o it goes to stdout. "
        "`xlsx`, `csv`, `datapackage` and `matrix-json` write a published edition of the "
        "matrix (the latest unless --edition), with the public matrix's filters; "
        "`template` writes the import template (XLSX, or CSV if FILE ends in .csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "format",
            choices=["json", *MATRIX_FORMATS, "template"],
            help="json (whole data set), xlsx, csv, datapackage, matrix-json, template.",
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument("--edition", type=int, help="Edition number (default: the latest).")
        parser.add_argument("--country", help="ISO alpha-2 code, 'region' or 'none'.")
        parser.add_argument("--pillar", help="Pillar number or 'none'.")
        parser.add_argument("--organisation", help="The lead organisation's key.")
        parser.add_argument("--organisation-type")
        parser.add_argument("--status")
        parser.add_argument("--year-from", type=int)
        parser.add_argument("--year-to", type=int)

    def handle(self, *args, format: str, output: str | None, **options):
        if format == "json":
            data = json.dumps(export_dataset(), ensure_ascii=False, indent=1) + "\n"
        elif format == "template":
            data = self.template(output)
        else:
            data = self.matrix(format, options)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not output or output == "-":
            sys.stdout.buffer.write(data) if hasattr(sys.stdout, "buffer") else sys.stdout.write(
                data.decode("utf-8", "replace")
            )
            return
        path = Path(output)
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
        self.stderr.write(f"Wrote {path} ({path.stat().st_size:,} bytes).")

    def template(self, output: str | None) -> bytes | str:
        from jpoa.exchange.exports import write_template_csv, write_template_xlsx

        if output and output.lower().endswith(".csv"):
            return write_template_csv()
        if not output or output == "-":
            raise CommandError("give -o FILE.xlsx (or FILE.csv) for the template")
        return write_template_xlsx()

    def matrix(self, format: str, options: dict) -> bytes:
        from jpoa.exchange.exports import NoEdition, export_data, render
        from jpoa.matrix.selectors import MatrixFilters

        filters = MatrixFilters(
            country=options["country"],
            pillar=options["pillar"],
            organisation=options["organisation"],
            organisation_type=options["organisation_type"],
            status=options["status"],
            year_from=options["year_from"],
            year_to=options["year_to"],
        )
        try:
            data = export_data(edition_number=options["edition"], filters=filters)
        except NoEdition:
            raise CommandError(
                "no such published edition; publish one first (`jpoa publish`)"
            ) from None
        return render("json" if format == "matrix-json" else format, data)
