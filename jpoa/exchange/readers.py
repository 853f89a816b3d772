"""Read CSV, XLSX and IATI activity XML into rows of raw values, refusing hostile files.

Every reader returns a `Table`: the rows as ``{field: value}`` dictionaries numbered
as the user sees them (the spreadsheet row, the n-th ``iati-activity``), plus the
problems found while reading. Nothing here touches the database except the sector
mapping of IATI files; matching names and validating values is `preview`'s job.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

from .columns import BY_FIELD, Column, column_for_hashtag, column_for_header, parse_hashtag

FORMATS = ("csv", "xlsx", "iati")
MAX_ROWS = 200_000
MAX_COLUMNS = 200
# Zip-bomb limits for XLSX: the sum of what the members claim, and how much smaller
# than that a member may be packed (real workbooks stay well under 1:100).
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 2_000
# Cells an export neutralised against formula injection start with an apostrophe.
NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


class ReadError(Exception):
    """The file cannot be read at all; the message says why and what to do."""

    def __init__(self, file_name: str, message: str):
        self.file_name = file_name
        super().__init__(f"{file_name}: {message}")
        self.message = message


@dataclass
class Issue:
    file: str
    row: int | None
    field: str
    message: str
    level: str = "error"  # or "warning"
    suggestion: str = ""

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.row, self.field) if p not in (None, ""))
        text = f"{where}: {self.level}: {self.message}"
        return f"{text} ({_('did you mean %s?') % self.suggestion})" if self.suggestion else text


@dataclass
class SourceRow:
    row: int
    values: dict[str, Any]
    skip_reason: str = ""  # set by a reader for a row it keeps out (outside the region)
    issues: list[Issue] = field(default_factory=list)


@dataclass
class Table:
    file_name: str
    format: str
    rows: list[SourceRow]
    labels: dict[str, str] = field(default_factory=dict)  # field -> the file's own header
    issues: list[Issue] = field(default_factory=list)


def guess_format(file_name: str, head: bytes = b"") -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".xml" or head.lstrip().startswith(b"<"):
        return "iati"
    return "csv"


def read_file(
    path: Path, *, file_name: str | None = None, format: str | None = None, **options
) -> Table:
    name = file_name or path.name
    with path.open("rb") as fh:
        head = fh.read(512)
    format = format or guess_format(name, head)
    if format == "csv":
        return read_csv(path.read_bytes(), name)
    if format == "xlsx":
        return read_xlsx(path, name)
    if format == "iati":
        return read_iati(path, name, **options)
    raise ReadError(name, _("unknown format %s") % format)


# -- tables (CSV and XLSX) ----------------------------------------------------------------


def _is_hxl_row(cells: list) -> bool:
    texts = [str(c).strip() for c in cells if c not in (None, "") and str(c).strip()]
    return bool(texts) and all(parse_hashtag(t) is not None for t in texts)


def _columns(file_name: str, header: list, hashtags: list | None) -> tuple[dict, dict, list]:
    """Which file column holds which field: by hashtag first, then by header name."""
    by_index: dict[int, Column] = {}
    labels: dict[str, str] = {}
    issues: list[Issue] = []
    width = max(len(header), len(hashtags or []))
    for i in range(width):
        head = str(header[i]).strip() if i < len(header) and header[i] is not None else ""
        tag = str(hashtags[i]).strip() if hashtags and i < len(hashtags) and hashtags[i] else ""
        column = (column_for_hashtag(tag) if tag else None) or (
            column_for_header(head) if head else None
        )
        shown = head or tag or f"#{i + 1}"
        if column is None:
            if head or tag:
                issues.append(
                    Issue(file_name, None, shown, _("column not recognised; ignored"), "warning")
                )
            continue
        if column.field in labels:
            issues.append(
                Issue(
                    file_name,
                    None,
                    shown,
                    _("a second column for %(field)s; ignored") % {"field": column.label},
                    "warning",
                )
            )
            continue
        if not column.kept:
            issues.append(
                Issue(file_name, None, shown, _("jpoa keeps no such field; ignored"), "warning")
            )
            continue
        by_index[i] = column
        labels[column.field] = shown
    return by_index, labels, issues


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if value.startswith(NEUTRALISED):
            value = value[1:]
        return value
    return value


def _table(file_name: str, format: str, lines: Iterable[tuple[int, list]]) -> Table:
    """Turn numbered lines of cells into a Table, finding the header and HXL rows."""
    lines = iter(lines)
    header: list | None = None
    hashtags: list | None = None
    for number, cells in lines:
        if not any(c not in (None, "") for c in cells):
            continue
        if _is_hxl_row(cells):
            hashtags = cells
            break
        if header is None:
            header = cells
            continue
        # The line after the header is data: give it back.
        lines = _prepend((number, cells), lines)
        break
    if header is None and hashtags is None:
        raise ReadError(file_name, _("the file has no header row"))
    by_index, labels, issues = _columns(file_name, header or [], hashtags)
    if not by_index:
        raise ReadError(
            file_name,
            _("no column was recognised; use the template's headers or HXL hashtags"),
        )
    rows = []
    for number, cells in lines:
        if len(cells) > MAX_COLUMNS:
            raise ReadError(file_name, _("more than %d columns") % MAX_COLUMNS)
        values = {
            column.field: _cell(cells[i]) if i < len(cells) else None
            for i, column in by_index.items()
        }
        if all(v in (None, "") for v in values.values()):
            continue
        rows.append(SourceRow(number, values))
        if len(rows) > MAX_ROWS:
            raise ReadError(file_name, _("more than %d rows; split the file") % MAX_ROWS)
    return Table(file_name, format, rows, labels, issues)


def _trimmed(row: tuple) -> list:
    """A worksheet row without its trailing empty cells."""
    cells = list(row)
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


def _prepend(first, rest):
    yield first
    yield from rest


def read_csv(data: bytes, file_name: str) -> Table:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(
            file_name, _("the file is UTF-16; save it as CSV UTF-8 (comma delimited) and try again")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(
            file_name,
            _(
                "the file is not UTF-8 (byte 0x%(byte)02X on line %(line)d); "
                "save it as CSV UTF-8 and try again"
            )
            % {"byte": data[exc.start], "line": line},
        ) from None
    if "\x00" in text:
        raise ReadError(file_name, _("the file holds NUL bytes; is it really a CSV file?"))
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _table(file_name, "csv", ((reader.line_num, row) for row in reader))
    except csv.Error as exc:
        raise ReadError(file_name, _("not a valid CSV file: %s") % exc) from None


def check_zip(path: Path, file_name: str) -> None:
    """Refuse an XLSX whose members would unpack too large: a zip bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ReadError(file_name, _("not an XLSX workbook (not a valid zip file)")) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise ReadError(file_name, _("the workbook has too many parts"))
    total = 0
    for member in members:
        total += member.file_size
        packed = max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and member.file_size / packed > MAX_XLSX_RATIO:
            raise ReadError(
                file_name,
                _("the workbook unpacks to much more than its size (a zip bomb?); refused"),
            )
    if total > MAX_XLSX_UNCOMPRESSED:
        raise ReadError(
            file_name,
            _("the workbook unpacks to more than %d MB; refused") % (MAX_XLSX_UNCOMPRESSED >> 20),
        )


def read_xlsx(path: Path, file_name: str) -> Table:
    import openpyxl

    check_zip(path, file_name)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ReadError(file_name, _("cannot open the workbook: %s") % exc) from None
    try:
        names = {name.casefold(): name for name in workbook.sheetnames}
        sheet_name = (
            names.get("activities")
            or names.get("проекты")
            or names.get("мероприятия")
            or workbook.sheetnames[0]
        )
        sheet = workbook[sheet_name]
        if (sheet.max_row or 0) > MAX_ROWS + 2:
            raise ReadError(file_name, _("more than %d rows; split the file") % MAX_ROWS)
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise ReadError(file_name, _("more than %d columns") % MAX_COLUMNS)
        lines = (
            (n, _trimmed(row))
            for n, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), 1)
        )
        return _table(file_name, "xlsx", lines)
    finally:
        workbook.close()


# -- IATI activity XML ------------------------------------------------------------------

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# activity-status codes → jpoa statuses (finalisation: the work is done, accounts not).
IATI_STATUS = {
    "1": "planned",
    "2": "ongoing",
    "3": "completed",
    "4": "completed",
    "5": "cancelled",
    "6": "suspended",
}
# participating-org roles
FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = "1", "2", "3", "4"
# OECD DAC regions standing for the whole of the region (recipient-region, vocabulary 1).
REGION_CODES = {"619"}  # Central Asia, regional


def sector_pillars() -> dict[tuple[str, str], list[int]]:
    """(vocabulary, code) → pillar numbers, from the back office's mapping."""
    from .models import SectorMapping

    out: dict[tuple[str, str], list[int]] = {}
    for vocabulary, code, number in SectorMapping.objects.values_list(
        "vocabulary", "code", "pillar_number"
    ):
        out.setdefault((vocabulary, code), []).append(number)
    return out


def _narratives(element, default_lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if element is None:
        return out
    for narrative in element.findall("narrative"):
        lang = (narrative.get(XML_LANG) or default_lang or "en").lower()[:2]
        text = " ".join((narrative.text or "").split())
        if text and lang not in out:
            out[lang] = text
    return out


def _org(element, default_lang: str) -> tuple[str, str]:
    names = _narratives(element, default_lang)
    name = names.get("en") or next(iter(names.values()), "")
    return (element.get("ref") or "").strip(), name


def _iati_values(activity, mapping, region_iso2: set[str], file_name: str, row: int) -> SourceRow:
    lang = activity.get(XML_LANG) or "en"
    issues: list[Issue] = []
    values: dict[str, Any] = {}
    values["iati_identifier"] = (activity.findtext("iati-identifier") or "").strip()
    titles = _narratives(activity.find("title"), lang)
    descriptions = {}
    for description in activity.findall("description"):
        if description.get("type", "1") == "1":
            for k, v in _narratives(description, lang).items():
                descriptions.setdefault(k, v)
    for name, texts in (("title", titles), ("description", descriptions)):
        for code in ("en", "ru"):
            values[f"{name}_{code}"] = texts.get(code, "")
        if not texts.get("en") and texts:
            values[f"{name}_en"] = next(iter(texts.values()))
    roles: dict[str, list] = {}
    for org in activity.findall("participating-org"):
        roles.setdefault(org.get("role", ""), []).append(_org(org, lang))
    leaders = roles.get(ACCOUNTABLE, []) + roles.get(IMPLEMENTING, [])
    reporting = activity.find("reporting-org")
    if leaders:
        values["lead_organisation"] = leaders[0]
    elif reporting is not None:
        values["lead_organisation"] = _org(reporting, lang)
    values["partners"] = [o for o in dict.fromkeys(leaders[1:]) if o != leaders[0]]
    values["donors"] = list(dict.fromkeys(roles.get(FUNDING, [])))
    status = activity.find("activity-status")
    if status is not None:
        values["status"] = IATI_STATUS.get(status.get("code", ""), status.get("code", ""))
    dates = {
        d.get("type"): (d.get("iso-date") or "")[:10] for d in activity.findall("activity-date")
    }
    values["start_date"] = dates.get("2") or dates.get("1") or ""
    values["end_date"] = dates.get("4") or dates.get("3") or ""
    countries = [(c.get("code") or "").upper() for c in activity.findall("recipient-country")]
    regions = [
        r.get("code", "")
        for r in activity.findall("recipient-region")
        if r.get("vocabulary", "1") == "1"
    ]
    region_wide = bool(REGION_CODES & set(regions))
    in_region = [c for c in countries if c in region_iso2]
    outside = [c for c in countries if c not in region_iso2]
    values["countries"] = countries
    values["region_wide"] = region_wide
    skip = ""
    if not in_region and not region_wide:
        skip = _("outside the region (recipient countries: %s)") % (", ".join(countries) or "—")
    elif outside:
        issues.append(
            Issue(
                file_name,
                row,
                "recipient-country",
                _("countries outside the region left out: %s") % ", ".join(outside),
                "warning",
            )
        )
        values["countries"] = in_region
    pillars: list[int] = []
    for sector in activity.findall("sector"):
        key = (sector.get("vocabulary", "1"), sector.get("code", ""))
        if key in mapping:
            pillars.extend(mapping[key])
    values["pillars"] = sorted(set(pillars))
    if activity.findall("sector") and not pillars:
        issues.append(Issue(file_name, row, "sector", _("no sector maps to a pillar"), "warning"))
    values.update(_budget(activity, file_name, row, issues))
    link = activity.find("document-link")
    values["source_url"] = (link.get("url") or "").strip() if link is not None else ""
    return SourceRow(row, values, skip, issues)


ORIGINAL_BUDGET, REVISED_BUDGET = "1", "2"


def _budget(activity, file_name: str, row: int, issues: list) -> dict:
    """The total of the activity's budgets, one per period: the revised one where given.

    Publishers report the original budget of a period and, once it changes, a revised
    one for the same period; adding both would count the period twice.
    """
    default = activity.get("default-currency", "")
    periods: dict[tuple[str, str], tuple[str, Any]] = {}
    for budget in activity.findall("budget"):
        value = budget.find("value")
        if value is None or not (value.text or "").strip():
            continue
        period = tuple(
            (budget.find(edge).get("iso-date") or "")[:10] if budget.find(edge) is not None else ""
            for edge in ("period-start", "period-end")
        )
        kind = budget.get("type", ORIGINAL_BUDGET)
        if period in periods and periods[period][0] == REVISED_BUDGET != kind:
            continue
        periods[period] = (kind, value)
    totals: dict[str, Decimal] = {}
    for _kind, value in periods.values():
        currency = value.get("currency") or default
        try:
            totals[currency] = totals.get(currency, Decimal(0)) + Decimal(value.text.strip())
        except ArithmeticError:
            issues.append(Issue(file_name, row, "budget", _("not a number: %s") % value.text))
    if not totals:
        return {}
    if len(totals) > 1:
        issues.append(
            Issue(
                file_name,
                row,
                "budget",
                _("budgets in several currencies; only %s kept") % next(iter(totals)),
                "warning",
            )
        )
    currency, amount = next(iter(totals.items()))
    return {"budget": amount, "currency": currency}


def _check_iati_prolog(path: Path, file_name: str) -> None:
    """Refuse a file declaring a DTD or entities, or not IATI activities, from its start.

    A DTD (and with it any entity declaration) may only come before the root
    element, so defusedxml reads up to the root: the rest of the file is parsed by
    the standard library's C parser, several times faster than defusedxml's
    Python one, and finding no DTD it has no entity to expand or fetch (an
    undeclared entity is a parse error).
    """
    with path.open("rb") as fh:
        for _event, root in iterparse(
            fh, events=("start",), forbid_dtd=True, forbid_entities=True, forbid_external=True
        ):
            if root.tag != "iati-activities":
                raise ReadError(file_name, _("not an IATI activity file (root is <%s>)") % root.tag)
            version = root.get("version", "")
            if version and not version.startswith("2."):
                raise ReadError(
                    file_name, _("IATI version %s is not supported (2.01-2.03 are)") % version
                )
            return


def read_iati(path: Path, file_name: str, *, include_outside_region: bool = False) -> Table:
    from jpoa.core.models import Country

    region = set(Country.objects.filter(in_region=True).values_list("iso2", flat=True))
    if include_outside_region:
        region = set(Country.objects.values_list("iso2", flat=True))
    mapping = sector_pillars()
    rows: list[SourceRow] = []
    try:
        _check_iati_prolog(path, file_name)
        for _event, element in ElementTree.iterparse(str(path), events=("end",)):
            if element.tag == "iati-activity":
                rows.append(_iati_values(element, mapping, region, file_name, len(rows) + 1))
                element.clear()
                if len(rows) > MAX_ROWS:
                    raise ReadError(
                        file_name, _("more than %d activities; split the file") % MAX_ROWS
                    )
    except DefusedXmlException:
        raise ReadError(
            file_name, _("the XML declares a DTD or entities, which are refused for safety")
        ) from None
    except ParseError as exc:
        raise ReadError(file_name, _("not well-formed XML: %s") % exc) from None
    labels = {name: BY_FIELD[name].label for name in BY_FIELD}
    labels.update(
        iati_identifier="iati-identifier",
        lead_organisation="participating-org",
        partners="participating-org",
        donors="participating-org[@role=1]",
        title_en="title",
        title_ru="title",
        description_en="description",
        description_ru="description",
        pillars="sector",
        countries="recipient-country",
        start_date="activity-date",
        end_date="activity-date",
        status="activity-status",
        budget="budget",
        currency="budget/value/@currency",
        source_url="document-link",
    )
    return Table(file_name, "iati", rows, labels)


def parse_date(value: Any) -> datetime.date | None:
    """The dates spreadsheets hold: ISO, day.month.year, day/month/year, a bare year."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if isinstance(value, int | float) or text.isdigit():
        year = int(float(text))
        if 1900 <= year <= 2100:
            return datetime.date(year, 1, 1)
    if len(text) == 10 and text[4] == "-":
        try:
            return datetime.date.fromisoformat(text)  # the common case, without strptime's cost
        except ValueError:
            pass
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.datetime.strptime(text[:19], pattern).date()
        except ValueError:
            continue
    raise ValueError(text)
