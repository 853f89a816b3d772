"""The published matrix written out: formatted XLSX, CSV with HXL, JSON, a Frictionless package.

Everything is read from one published edition (the latest unless a number is given)
through `jpoa.matrix.selectors`, with the public matrix's filters, so a download is
the matrix as the page shows it. Cell texts that a spreadsheet would run as a formula
are neutralised by `safe_cell`.
"""

import csv
import datetime
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from jpoa.core.demo import NOTICE, demo_loaded
from jpoa.core.models import Country, Organisation
from jpoa.matrix import selectors
from jpoa.matrix.models import Edition
from jpoa.matrix.selectors import MatrixFilters

from .columns import EXPORT_COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "datapackage": "application/zip",
}


def safe_cell(value: Any) -> Any:
    """A text a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class NoEdition(Exception):
    """Nothing is published yet, or not the edition asked for."""


@dataclass
class ExportData:
    edition: Edition
    filters: MatrixFilters
    records: list[dict]  # the entries' snapshots (jpoa's data set format)
    organisations: dict[str, Organisation]
    countries: dict[str, Country]


def export_data(
    *, edition_number: int | None = None, filters: MatrixFilters | None = None
) -> ExportData:
    editions = selectors.published_editions()
    edition = selectors.pick_edition(editions, edition_number)
    if edition is None or (edition_number is not None and edition.number != edition_number):
        raise NoEdition(_("No such published edition."))
    filters = filters or MatrixFilters()
    entries = selectors.matching_entries(edition, filters).values_list("data", flat=True)
    return ExportData(
        edition,
        filters,
        list(entries),
        {o.key: o for o in Organisation.objects.all()},
        {c.iso2: c for c in Country.objects.all()},
    )


def _org_name(data: ExportData, key: str) -> str:
    org = data.organisations.get(key)
    return (org.acronym_en or org.name_en or key) if org else key


def flat_row(data: ExportData, record: dict) -> dict[str, Any]:
    """One activity as the template's columns hold it (what an import reads back)."""
    return {
        "key": record["key"],
        "iati_identifier": record.get("iati_identifier") or "",
        "lead_organisation": _org_name(data, record["lead_organisation"]),
        "partners": "; ".join(_org_name(data, k) for k in record["partners"]),
        "donors": "; ".join(_org_name(data, k) for k in record["donors"]),
        "title_en": record["title"].get("en", ""),
        "title_ru": record["title"].get("ru", ""),
        "description_en": record["description"].get("en", ""),
        "description_ru": record["description"].get("ru", ""),
        "pillars": "; ".join(str(n) for n in record["pillars"]),
        "countries": "; ".join(record["countries"]),
        "region_wide": "yes" if record["region_wide"] else "no",
        "start_date": record["start_date"] or "",
        "end_date": record["end_date"] or "",
        "status": record["status"],
        "budget": record["budget"] or "",
        "currency": record["currency"] or "",
        "source_url": record["source_url"] or "",
    }


# -- CSV, JSON, data package ------------------------------------------------------------


def write_csv(data: ExportData | None, *, hxl: bool = True) -> str:
    """Headers as the template's (or, for the data package, the schema's field names)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label_en if hxl else c.field for c in EXPORT_COLUMNS])
    if hxl:
        writer.writerow([c.hxl for c in EXPORT_COLUMNS])
    for record in data.records if data else []:
        row = flat_row(data, record)
        writer.writerow([safe_cell(row[c.field]) for c in EXPORT_COLUMNS])
    return out.getvalue()


def _edition_json(edition: Edition) -> dict:
    return {
        "number": edition.number,
        "title": edition.title,
        "as_of": edition.as_of.isoformat(),
        "published_at": edition.published_at.replace(microsecond=0).isoformat(),
    }


def write_json(data: ExportData) -> str:
    document = {
        **({"notice": str(NOTICE)} if demo_loaded() else {}),  # jpoa demo: invented data
        "edition": _edition_json(data.edition),
        "filters": data.filters.params(),
        "activities": data.records,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _schema_type(field: str) -> dict:
    if field in ("start_date", "end_date"):
        return {"type": "date", "format": "default"}
    if field == "budget":
        return {"type": "number"}
    if field == "region_wide":
        return {"type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]}
    if field == "source_url":
        return {"type": "string", "format": "uri"}
    return {"type": "string"}


def datapackage_descriptor(data: ExportData) -> dict:
    fields = [
        {
            "name": c.field,
            "title": c.label_en,
            "description": c.label_ru,
            "hxl": c.hxl,
            **_schema_type(c.field),
        }
        for c in EXPORT_COLUMNS
    ]
    edition = data.edition
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
        **({"description": str(NOTICE)} if demo_loaded() else {}),  # jpoa demo
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
                "schema": {"fields": fields, "primaryKey": ["key"]},
            }
        ],
    }


def write_datapackage(data: ExportData) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "datapackage.json",
            json.dumps(datapackage_descriptor(data), ensure_ascii=False, indent=1) + "\n",
        )
        archive.writestr("activities.csv", write_csv(data, hxl=False))
    return buffer.getvalue()


# -- XLSX ---------------------------------------------------------------------------------


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


def _header(sheet, labels: list[str], styles, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    sheet.append([safe_cell(label) for label in labels])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill, cell.alignment = styles["header"], styles["fill"], styles["wrap"]
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _print_setup(sheet, *, title_rows: str | None = None, landscape: bool = True) -> None:
    """Printed or turned into PDF, a sheet is as wide as the page and repeats its header."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_options.gridLines = True
    if title_rows:
        sheet.print_title_rows = title_rows


def _fit_rows(sheet, first_row: int = 1) -> None:
    """Set each row's height for its wrapped text.

    Spreadsheet programs do not all grow a row to fit wrapped text on opening (LibreOffice
    keeps the default height, so the lines overlap); the height is estimated from the
    longest cell: its lines, each wrapped at the column's width.
    """
    from openpyxl.utils import get_column_letter

    widths = {}
    for row in sheet.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            letter = get_column_letter(cell.column)
            if letter not in widths:
                widths[letter] = sheet.column_dimensions[letter].width or 10
            per_line = max(1, int(widths[letter] * 1.1))
            lines = max(
                lines, sum(-(-max(1, len(part)) // per_line) for part in cell.value.split("\n"))
            )
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = min(409, 15 * lines)


def _cover(workbook, data: ExportData, styles) -> None:
    sheet = workbook.active
    sheet.title = _("About")[:31]
    edition = data.edition
    filters = data.filters.params() or {_("filters"): _("none: the whole matrix")}
    rows = [
        (_("Matrix of activities"), ""),
        *([(_("Notice"), str(NOTICE))] if demo_loaded() else []),  # jpoa demo: invented
        (_("Edition"), f"{edition.number}. {edition.title}"),
        (_("As of"), edition.as_of.isoformat()),
        (_("Published"), edition.published_at.date().isoformat()),
        (_("Exported"), datetime.date.today().isoformat()),
        (_("Activities"), len(data.records)),
        (_("Source"), _("jpoa, published matrix edition %d") % edition.number),
        *((_("Filter: %s") % k, str(v)) for k, v in filters.items()),
        (
            _("Sheets"),
            _(
                "one per pillar: organisations as rows, their activities per country; “Activities”: one row per activity, importable"
            ),
        ),
    ]
    for label, value in rows:
        sheet.append([safe_cell(label), safe_cell(value)])
    sheet["A1"].font = styles["title"]
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows(min_row=2):
        row[0].font = styles["bold"]
        row[1].alignment = styles["wrap_left"]
    _fit_rows(sheet)
    _print_setup(sheet, landscape=False)


def _pillar_sheet(workbook, data: ExportData, pillar, styles) -> None:
    sheet = workbook.create_sheet(f"{_('Pillar')} {pillar.numeral}"[:31])
    region = [c for c in data.countries.values() if c.in_region]
    region.sort(key=lambda c: c.name)
    places = [(c.iso2, c.name) for c in region] + [
        ("region", _("Region-wide")),
        ("", _("No country stated")),
    ]
    _header(
        sheet,
        [_("Organisation"), *(name for _k, name in places)],
        styles,
        [30] + [40] * len(places),
    )
    cells: dict[str, dict[str, list[str]]] = {}
    for record in data.records:
        if pillar.number not in record["pillars"]:
            continue
        row = cells.setdefault(record["lead_organisation"], {})
        title = record["title"].get("en") or record["title"].get("ru") or record["key"]
        targets = list(record["countries"]) + (["region"] if record["region_wide"] else [])
        for place in targets or [""]:
            row.setdefault(place, []).append(f"• {title}")
    for org_key in sorted(cells, key=lambda k: _org_name(data, k).casefold()):
        org = data.organisations.get(org_key)
        label = org.label if org else org_key
        sheet.append(
            [
                safe_cell(label),
                *(safe_cell("\n".join(cells[org_key].get(k, []))) for k, _n in places),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = styles["wrap"]
    sheet.freeze_panes = "B2"
    _fit_rows(sheet)
    _print_setup(sheet, title_rows="1:1")


def _activities_sheet(workbook, data: ExportData | None, styles, title: str) -> None:
    sheet = workbook.create_sheet(title)
    widths = [45 if c.field.startswith(("title", "description")) else 18 for c in EXPORT_COLUMNS]
    _header(sheet, [c.label_en for c in EXPORT_COLUMNS], styles, widths)
    sheet.append([c.hxl for c in EXPORT_COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font = styles["hxl"]
    for record in data.records if data else []:
        row = flat_row(data, record)
        sheet.append([safe_cell(row[c.field]) for c in EXPORT_COLUMNS])
        for cell in sheet[sheet.max_row]:
            cell.alignment = styles["wrap"]
    sheet.freeze_panes = "C3"
    _fit_rows(sheet, first_row=1)
    _print_setup(sheet, title_rows="1:2")


def write_xlsx(data: ExportData) -> bytes:
    from openpyxl import Workbook

    styles = _styles()
    workbook = Workbook()
    _cover(workbook, data, styles)
    for pillar in selectors.site_pillars():
        _pillar_sheet(workbook, data, pillar, styles)
    _activities_sheet(workbook, data, styles, "Activities")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template_xlsx() -> bytes:
    """An empty workbook to fill in: the Activities sheet an import reads, and notes."""
    from openpyxl import Workbook

    from .columns import HELP

    styles = _styles()
    workbook = Workbook()
    notes = workbook.active
    notes.title = _("How to fill in")[:31]
    notes.append([_("Column"), _("HXL hashtag"), _("Russian header"), _("What to write")])
    for column in EXPORT_COLUMNS:
        notes.append(
            [column.label_en, column.hxl, column.label_ru, str(HELP.get(column.field, ""))]
        )
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 28
    notes.column_dimensions["C"].width = 28
    notes.column_dimensions["D"].width = 70
    _activities_sheet(workbook, None, styles, "Activities")
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template_csv() -> str:
    return write_csv(None)


def render(format: str, data: ExportData) -> bytes:
    if format == "xlsx":
        return write_xlsx(data)
    if format == "csv":
        return write_csv(data).encode("utf-8")
    if format == "json":
        return write_json(data).encode("utf-8")
    if format == "datapackage":
        return write_datapackage(data)
    raise ValueError(format)
