"""The published matrix written out: XLSX, CSV with HXL, JSON, Parquet, a Frictionless package.

Everything is read from one published edition (the latest unless a number is given)
through `jpoa.matrix.selectors`, with the public matrix's filters, so a download is
the matrix as the page shows it. Cell texts that a spreadsheet would run as a formula
are neutralised by `safe_cell`.
"""

import csv
import datetime
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from jpoa.core.demo import data_notice
from jpoa.core.models import Country, Organisation
from jpoa.lib.cells import safe_cell
from jpoa.matrix import selectors
from jpoa.matrix.models import Edition
from jpoa.matrix.selectors import MatrixFilters
from jpoa.plan.published import site_pillars

from .columns import EXPORT_COLUMNS, HELP, LISTS, Cell, Published, published

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "datapackage": "application/zip",
    "parquet": "application/vnd.apache.parquet",
}


class NoEdition(Exception):
    """Nothing is published yet, or not the edition asked for."""


@dataclass
class ExportData:
    edition: Edition
    filters: MatrixFilters
    count: int  # how many activities pass the filters
    organisations: dict[str, Organisation]
    countries: dict[str, Country]

    def records(self) -> Iterator[dict]:
        """The entries' snapshots (jpoa's data set format), read from the database in chunks.

        A download of a million activities never holds them all: each writer reads them
        once, as it writes.
        """
        entries = selectors.matching_entries(self.edition, self.filters)
        return entries.values_list("data", flat=True).iterator(chunk_size=RECORDS_CHUNK)


RECORDS_CHUNK = 2000


def published_edition(number: int | None) -> Edition:
    """The published edition NUMBER (the latest if None); `NoEdition` if there is none."""
    edition = selectors.pick_edition(selectors.published_editions(), number)
    if edition is None or (number is not None and edition.number != number):
        raise NoEdition(_("No such published edition."))
    return edition


def export_data(
    *, edition_number: int | None = None, filters: MatrixFilters | None = None
) -> ExportData:
    edition = published_edition(edition_number)
    filters = filters or MatrixFilters()
    return ExportData(
        edition,
        filters,
        selectors.matching_entries(edition, filters).count(),
        {o.key: o for o in Organisation.objects.all()},
        {c.iso2: c for c in Country.objects.all()},
    )


def org_name(data: ExportData, key: str) -> str:
    org = data.organisations.get(key)
    return (org.acronym_en or org.name_en or key) if org else key


def flat_row(data: ExportData, record: dict) -> dict[str, Any]:
    """One activity as the template's columns hold it (what an import reads back)."""
    return {c.field: _flat_cell(data, record, published(c.field)) for c in EXPORT_COLUMNS}


def _flat_cell(data: ExportData, record: dict, how: Published) -> str:
    # A list absent from snapshots published before it existed (framework areas) is empty.
    value = record.get(how.record, [] if how.cell in LISTS else None)
    if how.language:
        return value.get(how.language, "")
    match how.cell:
        case Cell.ORGANISATION:
            return org_name(data, value)
        case Cell.ORGANISATIONS:
            return "; ".join(org_name(data, k) for k in value)
        case Cell.LIST:
            return "; ".join(str(v) for v in value)
        case Cell.BOOLEAN:
            return "yes" if value else "no"
    return value or ""


# -- CSV, JSON, data package ------------------------------------------------------------
# Each writer writes to a binary file as it reads the records, so time and memory grow
# with the rows once, whatever their number.


@contextmanager
def _text(out: BinaryIO) -> Iterator[io.TextIOWrapper]:
    """UTF-8 text written to OUT, which stays open for the caller."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        yield text
    finally:
        text.flush()
        text.detach()


def write_csv(data: ExportData | None, out: BinaryIO, *, hxl: bool = True) -> None:
    """Headers as the template's (or, for the data package, the schema's field names)."""
    with _text(out) as text:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([c.label_en if hxl else c.field for c in EXPORT_COLUMNS])
        if hxl:
            writer.writerow([c.hxl for c in EXPORT_COLUMNS])
        for record in data.records() if data else ():
            row = flat_row(data, record)
            writer.writerow([safe_cell(row[c.field]) for c in EXPORT_COLUMNS])


def _edition_json(edition: Edition) -> dict:
    return {
        "number": edition.number,
        "title": edition.title,
        "as_of": edition.as_of.isoformat(),
        "published_at": edition.published_at.replace(microsecond=0).isoformat(),
    }


def write_json(data: ExportData, out: BinaryIO) -> None:
    """One JSON document: the edition, the filters and the activities, one a line."""

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    with _text(out) as text:
        text.write("{\n")
        notice = data_notice()  # demonstration or synthetic data, said in every output
        if notice:
            text.write(f' "notice": {dumps(notice)},\n')
        text.write(f' "edition": {dumps(_edition_json(data.edition))},\n')
        text.write(f' "filters": {dumps(data.filters.params())},\n "activities": [')
        for n, record in enumerate(data.records()):
            text.write(("\n  " if n == 0 else ",\n  ") + dumps(record))
        text.write("\n ]\n}\n")


def _schema_type(field: str) -> dict:
    match published(field).cell:
        case Cell.DATE:
            return {"type": "date", "format": "default"}
        case Cell.DECIMAL:
            return {"type": "number"}
        case Cell.BOOLEAN:
            return {"type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]}
        case Cell.URL:
            return {"type": "string", "format": "uri"}
    return {"type": "string"}


def _parquet_schema_type(field: str) -> dict:
    """The Table Schema type of a Parquet column (`jpoa.exchange.parquet`)."""
    cell = published(field).cell
    if cell in LISTS:
        return {"type": "array"}  # list<string>
    if cell is Cell.BOOLEAN:
        return {"type": "boolean"}
    return _schema_type(field)


def _schema_fields(schema_type) -> list[dict]:
    return [
        {
            "name": c.field,
            "title": c.label_en,
            "description": c.label_ru,
            "hxl": c.hxl,
            **schema_type(c.field),
        }
        for c in EXPORT_COLUMNS
    ]


def datapackage_descriptor(data: ExportData) -> dict:
    edition = data.edition
    notice = data_notice()  # demonstration or synthetic data
    return {
        "profile": "tabular-data-package",
        "name": f"jpoa-matrix-edition-{edition.number}",
        "title": f"{edition.title} ({edition.as_of.isoformat()})",
        "version": str(edition.number),
        "created": datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        **({"description": notice} if notice else {}),
        "keywords": ["counter-terrorism", "3W", "HXL", "matrix"],
        "jpoa": {"edition": _edition_json(edition), "filters": data.filters.params()},
        "resources": [
            {
                "name": "activities",
                "path": "activities.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": _schema_fields(_schema_type), "primaryKey": ["key"]},
            },
            {
                # The same activities, typed: lists as list<string>, dates as date32.
                "name": "activities-parquet",
                "path": "activities.parquet",
                "profile": "tabular-data-resource",
                "format": "parquet",
                "mediatype": FORMATS["parquet"],
                "schema": {
                    "fields": _schema_fields(_parquet_schema_type),
                    "primaryKey": ["key"],
                },
            },
        ],
    }


def write_datapackage(data: ExportData, out: BinaryIO) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "datapackage.json",
            json.dumps(datapackage_descriptor(data), ensure_ascii=False, indent=1) + "\n",
        )
        with archive.open("activities.csv", "w", force_zip64=True) as member:
            write_csv(data, member, hxl=False)
        # Parquet's writer tells its position, which a zip member cannot: a file first.
        # Parquet is compressed already, so it is stored as it is.
        with tempfile.NamedTemporaryFile(suffix=".parquet") as parquet:
            write_parquet(data, parquet)
            parquet.flush()
            archive.write(parquet.name, "activities.parquet", zipfile.ZIP_STORED)


# -- XLSX ---------------------------------------------------------------------------------
# Written in openpyxl's write-only mode: each row goes to the file as it is appended, with
# its styles and its height, so a sheet of a million rows costs linear time and little
# memory (a row is never looked up again).

# A spreadsheet cell holds at most 32,767 characters (Excel's limit; LibreOffice cuts).
CELL_LIMIT = 32_767


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "header": Font(bold=True, color="FFFFFF"),
        "fill": PatternFill("solid", fgColor="1F4E79"),
        "hxl": Font(italic=True, color="666666"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "wrap_left": Alignment(wrap_text=True, vertical="top", horizontal="left"),
        "title": Font(bold=True, size=14),
        "bold": Font(bold=True),
    }


class _Sheet:
    """A write-only sheet whose rows carry their styles and a height for their wrapped text.

    Spreadsheet programs do not all grow a row to fit wrapped text on opening (LibreOffice
    keeps the default height, so the lines overlap); the height is estimated from the
    longest cell: its lines, each wrapped at the column's width.
    """

    def __init__(
        self,
        sheet,
        widths: list[int],
        *,
        freeze: str | None = None,
        title_rows: str | None = None,
        landscape: bool = True,
    ):
        from openpyxl.utils import get_column_letter

        # A write-only sheet writes its head (views, widths, page fit) with its first row:
        # everything but the rows is set here, before any.
        self.sheet = sheet
        self.widths = widths
        self.rows = 0
        for i, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = freeze
        _print_setup(sheet, title_rows=title_rows, landscape=landscape)

    def append(self, values: list, **style) -> None:
        from openpyxl.cell import WriteOnlyCell

        self.rows += 1
        lines = row_lines(values, self.widths)
        if lines > 1:
            self.sheet.row_dimensions[self.rows].height = min(409, 15 * lines)
        cells = []
        for value in values:
            cell = WriteOnlyCell(self.sheet, value=safe_cell(value))
            for name, setting in style.items():
                setattr(cell, name, setting)
            cells.append(cell)
        self.sheet.append(cells)


def row_lines(values: list, widths: list[int]) -> int:
    """How many lines the tallest cell of a row needs at the columns' widths."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if isinstance(value, str) and value:
            per_line = max(1, int(width * 1.1))
            needed = sum(-(-max(1, len(part)) // per_line) for part in value.split("\n"))
            lines = max(lines, needed)
    return lines


def _print_setup(sheet, *, title_rows: str | None = None, landscape: bool = True) -> None:
    """Printed or turned into PDF, a sheet is as wide as the page and repeats its header."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_options.gridLines = True
    if title_rows:
        sheet.print_title_rows = title_rows


def _cover(sheet, data: ExportData, styles) -> None:
    edition = data.edition
    filters = data.filters.params() or {_("filters"): _("none: the whole matrix")}
    notice = data_notice()  # demonstration or synthetic data
    rows = [
        *([(_("Notice"), notice)] if notice else []),
        (_("Edition"), f"{edition.number}. {edition.title}"),
        (_("As of"), edition.as_of.isoformat()),
        (_("Published"), edition.published_at.date().isoformat()),
        (_("Exported"), datetime.date.today().isoformat()),
        (_("Activities"), data.count),
        (_("Source"), _("jpoa, published matrix edition %d") % edition.number),
        *((_("Filter: %s") % k, str(v)) for k, v in filters.items()),
        (
            _("Sheets"),
            _(
                "one per pillar: organisations as rows, their activities per country; “Activities”: one row per activity, importable"
            ),
        ),
    ]
    cover = _Sheet(sheet, [22, 90], landscape=False)
    cover.append([_("Matrix of activities"), ""], font=styles["title"])
    for label, value in rows:
        cover.append([label, value], font=styles["bold"], alignment=styles["wrap_left"])


class _PillarCells:
    """One pillar's organisations × places, each cell the titles of its activities.

    A cell lists titles up to what a spreadsheet cell holds, then says how many more
    there are; the Activities sheet has them all.
    """

    def __init__(self):
        self.cells: dict[str, dict[str, list]] = {}  # organisation → place → [titles, size, more]

    def add(self, organisation: str, place: str, title: str) -> None:
        cell = self.cells.setdefault(organisation, {}).setdefault(place, [[], 0, 0])
        line = f"• {title}"
        if cell[2] or cell[1] + len(line) + 1 > CELL_LIMIT - 200:
            cell[2] += 1
        else:
            cell[0].append(line)
            cell[1] += len(line) + 1

    def text(self, organisation: str, place: str) -> str:
        titles, _size, more = self.cells[organisation].get(place, ([], 0, 0))
        if more:
            titles = [*titles, _("… and %d more (see the Activities sheet)") % more]
        return "\n".join(titles)


def _places(data: ExportData) -> list[tuple[str, str]]:
    region = sorted((c for c in data.countries.values() if c.in_region), key=lambda c: c.name)
    return [(c.iso2, c.name) for c in region] + [
        ("region", _("Region-wide")),
        ("", _("No country stated")),
    ]


def _pillar_sheet(sheet, data: ExportData, cells: _PillarCells, styles) -> None:
    places = _places(data)
    pillar = _Sheet(sheet, [30] + [40] * len(places), freeze="B2", title_rows="1:1")
    header = [_("Organisation"), *(name for _k, name in places)]
    pillar.append(header, font=styles["header"], fill=styles["fill"], alignment=styles["wrap"])
    for org_key in sorted(cells.cells, key=lambda k: org_name(data, k).casefold()):
        org = data.organisations.get(org_key)
        label = org.label if org else org_key
        texts = [cells.text(org_key, k) for k, _n in places]
        pillar.append([label, *texts], alignment=styles["wrap"])


def _activities_header(sheet, styles) -> _Sheet:
    widths = [45 if c.field.startswith(("title", "description")) else 18 for c in EXPORT_COLUMNS]
    activities = _Sheet(sheet, widths, freeze="C3", title_rows="1:2")
    labels = [c.label_en for c in EXPORT_COLUMNS]
    activities.append(labels, font=styles["header"], fill=styles["fill"], alignment=styles["wrap"])
    activities.append([c.hxl for c in EXPORT_COLUMNS], font=styles["hxl"])
    return activities


def write_xlsx(data: ExportData, out: BinaryIO) -> None:
    """A cover, one sheet per pillar and every activity, read from the database once."""
    from openpyxl import Workbook

    styles = _styles()
    workbook = Workbook(write_only=True)
    cover = workbook.create_sheet(_("About")[:31])
    pillars = site_pillars()
    pillar_sheets = [workbook.create_sheet(f"{_('Pillar')} {p.numeral}"[:31]) for p in pillars]
    activities = _activities_header(workbook.create_sheet("Activities"), styles)
    cells = {p.number: _PillarCells() for p in pillars}
    for record in data.records():
        row = flat_row(data, record)
        activities.append([row[c.field] for c in EXPORT_COLUMNS], alignment=styles["wrap"])
        title = record["title"].get("en") or record["title"].get("ru") or record["key"]
        targets = list(record["countries"]) + (["region"] if record["region_wide"] else [])
        for number in record["pillars"]:
            if number in cells:
                for place in targets or [""]:
                    cells[number].add(record["lead_organisation"], place, title)
    _cover(cover, data, styles)
    for pillar, sheet in zip(pillars, pillar_sheets, strict=True):
        _pillar_sheet(sheet, data, cells[pillar.number], styles)
    workbook.save(out)


def write_template_xlsx(out: BinaryIO) -> None:
    """An empty workbook to fill in: the Activities sheet an import reads, and notes."""
    from openpyxl import Workbook

    styles = _styles()
    workbook = Workbook(write_only=True)
    notes = _Sheet(workbook.create_sheet(_("How to fill in")[:31]), [24, 28, 28, 70])
    notes.append([_("Column"), _("HXL hashtag"), _("Russian header"), _("What to write")])
    for column in EXPORT_COLUMNS:
        notes.append(
            [column.label_en, column.hxl, column.label_ru, str(HELP.get(column.field, ""))]
        )
    _activities_header(workbook.create_sheet("Activities"), styles)
    workbook.active = 1
    workbook.save(out)


def write_template_csv(out: BinaryIO) -> None:
    write_csv(None, out)


def write_parquet(data: ExportData, out: BinaryIO) -> None:
    from .parquet import write_parquet

    write_parquet(data, out)


WRITERS = {
    "xlsx": write_xlsx,
    "csv": write_csv,
    "json": write_json,
    "datapackage": write_datapackage,
    "parquet": write_parquet,
}


def render(format: str, data: ExportData, out: BinaryIO) -> None:
    """Write the edition's activities in FORMAT to OUT, a binary file open for writing."""
    WRITERS[format](data, out)
