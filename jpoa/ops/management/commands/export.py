import json
import shutil
import sys
import tempfile
from pathlib import Path

from django.core.management.base import CommandError

from jpoa.dataset.export import export_dataset
from jpoa.exchange import exports
from jpoa.exchange.exports import NoEdition, export_data
from jpoa.lib.commands import JpoaCommand
from jpoa.matrix.selectors import MatrixFilters

MATRIX_FORMATS = ["xlsx", "csv", "datapackage", "matrix-json", "parquet"]


class Command(JpoaCommand):
    help = (
        "Export data. `jpoa export json -o FILE` writes the public data set in jpoa's "
        "documented JSON format (docs/data-format.md): every record, with the activities as "
        "the latest published edition holds them; `--full` writes the activities as they are "
        "now, unpublished changes included (to move records to another jpoa; not for "
        "publication). Without -o it goes to stdout. "
        "`xlsx`, `csv`, `datapackage`, `matrix-json` and `parquet` write a published edition "
        "of the matrix (the latest unless --edition), with the public matrix's filters; "
        "`template` writes the import template (XLSX, or CSV if FILE ends in .csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "format",
            choices=["json", *MATRIX_FORMATS, "template"],
            help="json (the data set), xlsx, csv, datapackage, matrix-json, parquet, template.",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="json only: the activities as they are now, unpublished changes included",
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

    def handle(self, *args, format: str, output: str | None, full: bool, **options):
        if full and format != "json":
            raise CommandError("--full is for the json data set only")
        options["full"] = full
        if format == "template" and not (output and output.lower().endswith(".csv")):
            if not output or output == "-":
                raise CommandError("give -o FILE.xlsx (or FILE.csv) for the template")
        write = self.writer(format, output, options)
        if not output or output == "-":
            with tempfile.TemporaryFile() as out:
                write(out)
                out.seek(0)
                shutil.copyfileobj(out, sys.stdout.buffer)
            return
        path = Path(output)
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "wb") as out:
                write(out)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
        self.stderr.write(f"Wrote {path} ({path.stat().st_size:,} bytes).")

    def writer(self, format: str, output: str | None, options: dict):
        """A function that writes the export to a binary file."""

        if format == "json":
            data = export_dataset(drafts=options["full"])
            text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
            return lambda out: out.write(text.encode("utf-8"))
        if format == "template":
            if output.lower().endswith(".csv"):
                return exports.write_template_csv
            return exports.write_template_xlsx
        data = self.matrix_data(options)
        return lambda out: exports.render("json" if format == "matrix-json" else format, data, out)

    def matrix_data(self, options: dict):

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
            return export_data(edition_number=options["edition"], filters=filters)
        except NoEdition:
            raise CommandError(
                "no such published edition; publish one first (`jpoa publish`)"
            ) from None
