"""Read CSV, XLSX and IATI activity XML into rows of raw values, refusing hostile files.

Every reader returns a `Table`: the rows as ``{field: value}`` dictionaries numbered
as the user sees them (the spreadsheet row, the n-th ``iati-activity``), plus the
problems found while reading. Nothing here touches the database except the sector
mapping of IATI files; matching names and validating values is `preview`'s job.
"""

import codecs
import csv
import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

from .columns import BY_FIELD, Column, column_for_hashtag, column_for_header
from .matching import split_values

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
    row: int | None  # a sheet's row; in an XML file, the line of the <iati-activity>
    field: str
    message: str
    level: str = "error"  # or "warning"
    suggestion: str = ""
    activity: str = ""  # an XML file's iati-identifier of the activity

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.row, self.field) if p not in (None, ""))
        if self.activity:
            where += f" ({self.activity})"
        text = f"{where}: {self.level}: {self.message}"
        return f"{text} ({_('did you mean %s?') % self.suggestion})" if self.suggestion else text


@dataclass
class SourceRow:
    row: int
    values: dict[str, Any]
    skip_reason: str = ""  # set by a reader for a row it keeps out (outside the region)
    issues: list[Issue] = field(default_factory=list)
    activity: str = ""  # an XML file's iati-identifier, named in every issue of the row
    outside: list[str] = field(default_factory=list)  # the countries that made it skipped


@dataclass
class Table:
    file_name: str
    format: str
    rows: list[SourceRow]
    labels: dict[str, str] = field(default_factory=dict)  # field -> the file's own header
    issues: list[Issue] = field(default_factory=list)
    lead_from_partners: bool = False  # no lead column: the first partner (#org+impl) leads


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
        with path.open("rb") as stream:
            return read_csv(stream, name)
    if format == "xlsx":
        return read_xlsx(path, name)
    if format == "iati":
        return read_iati(path, name, **options)
    raise ReadError(name, _("unknown format %s") % format)


# -- tables (CSV and XLSX) ----------------------------------------------------------------


# libhxl's reader looks for the hashtag row within a sheet's first 25 rows.
HASHTAG_ROW_WITHIN = 25


def _find_hashtag_row(head: list[tuple[int, list]]) -> tuple[int | None, list | None]:
    """The index in ``head`` of the HXL hashtag row and its columns (libhxl's), or None.

    As libhxl's own reader does (`hxl.model.Column.parse_list` on each of the first
    rows): a row is the hashtag row when at least half its cells are hashtags; the row
    above it holds the text headers; rows above that (titles, notes) are ignored.
    """
    import hxl.model  # imported when a sheet is read: libhxl takes a quarter second to load

    previous: list = []
    for index, (_number, cells) in enumerate(head[:HASHTAG_ROW_WITHIN]):
        texts = ["" if c is None else str(c) for c in cells]
        columns = hxl.model.Column.parse_list(texts, previous)
        if columns is not None:
            return index, columns
        previous = texts
    return None, None


def _columns(file_name: str, header: list, hashtags: list | None) -> tuple[dict, dict, list]:
    """Which file column holds which field: by hashtag first, then by header name.

    ``hashtags`` are libhxl's columns of the hashtag row (a column with no hashtag has no
    tag). Columns jpoa does not use are listed in one warning each kind, not refused.
    """
    by_index: dict[int, Column] = {}
    labels: dict[str, str] = {}
    issues: list[Issue] = []
    unknown: list[str] = []
    not_kept: list[str] = []
    width = max(len(header), len(hashtags or []))
    for i in range(width):
        head = str(header[i]).strip() if i < len(header) and header[i] is not None else ""
        spec = hashtags[i] if hashtags and i < len(hashtags) else None
        tag = spec.display_tag if spec is not None and spec.tag else ""
        column = (column_for_hashtag(spec) if tag else None) or (
            column_for_header(head) if head and not tag else None
        )
        shown = tag or head or f"#{i + 1}"
        if column is None:
            if tag or head:
                unknown.append(f"{tag} ({head})" if tag and head else shown)
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
            not_kept.append(f"{shown} ({column.label})")
        by_index[i] = column
        labels[column.field] = shown
    if unknown:
        issues.append(
            Issue(
                file_name,
                None,
                "",
                _("columns jpoa does not use, ignored: %s") % ", ".join(unknown),
                "warning",
            )
        )
    if not_kept:
        issues.append(
            Issue(
                file_name,
                None,
                "",
                _("recognised, but jpoa keeps no such field: %s") % ", ".join(not_kept),
                "warning",
            )
        )
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
    head = []
    for number, cells in lines:
        if any(c not in (None, "") for c in cells):
            head.append((number, cells))
        if len(head) >= HASHTAG_ROW_WITHIN:
            break
    if any(len(cells) > MAX_COLUMNS for _number, cells in head):
        # A header of a million columns would be a million "not recognised" warnings.
        raise ReadError(file_name, _("more than %d columns") % MAX_COLUMNS)
    index, hashtags = _find_hashtag_row(head)
    if index is not None:
        header = head[index - 1][1] if index > 0 else []
        rest = head[index + 1 :]
    elif head:
        header, rest = head[0][1], head[1:]
    else:
        raise ReadError(file_name, _("the file has no header row"))
    lines = itertools.chain(rest, lines)
    by_index, labels, issues = _columns(file_name, header or [], hashtags)
    if not by_index:
        raise ReadError(
            file_name,
            _("no column was recognised; use the template's headers or HXL hashtags"),
        )
    lead_from_partners = "lead_organisation" not in labels and "partners" in labels
    if lead_from_partners:
        issues.append(
            Issue(
                file_name,
                None,
                labels["partners"],
                _("no lead organisation column: the first organisation of this column leads"),
                "warning",
            )
        )
        labels["lead_organisation"] = labels["partners"]
    titled = "title_en" in labels or "title_ru" in labels
    if not titled:
        issues.append(
            Issue(
                file_name,
                None,
                "",
                _(
                    "no activity title column (as in many 3W files): each row's title is made "
                    "of its sector and place"
                ),
                "warning",
            )
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
        if not titled:
            values["title_en"] = _made_title(values)
        if lead_from_partners:
            names = split_values(values.get("partners"))
            values["lead_organisation"] = names[0] if names else ""
            values["partners"] = names[1:]
        rows.append(SourceRow(number, values))
        if len(rows) > MAX_ROWS:
            raise ReadError(file_name, _("more than %d rows; split the file") % MAX_ROWS)
    return Table(file_name, format, rows, labels, issues, lead_from_partners)


def _made_title(values: dict) -> str:
    """A title for a row of a file without titles: its sector and place, as the file says."""
    place = values.get("adm1") or values.get("countries")
    parts = [str(v).strip() for v in (values.get("pillars"), place) if v not in (None, "")]
    return " — ".join(p for p in parts if p)[:500]


def _trimmed(row: tuple) -> list:
    """A worksheet row without its trailing empty cells."""
    cells = list(row)
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


def read_csv(data: bytes | BinaryIO, file_name: str) -> Table:
    """A CSV file's table, read as it streams: a file too long is refused once its rows
    pass MAX_ROWS, not after it has all been read and decoded into memory."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    if stream.read(2) in (b"\xff\xfe", b"\xfe\xff"):
        raise ReadError(
            file_name, _("the file is UTF-16; save it as CSV UTF-8 (comma delimited) and try again")
        )
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        sample = text.read(8192)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        text.seek(0)
        reader = csv.reader(_csv_lines(text, file_name), dialect)
        return _table(file_name, "csv", ((reader.line_num, row) for row in reader))
    except UnicodeDecodeError:
        raise _not_utf8(stream, file_name) from None
    except csv.Error as exc:
        raise ReadError(file_name, _("not a valid CSV file: %s") % exc) from None
    finally:
        text.detach()


def _csv_lines(text: io.TextIOWrapper, file_name: str) -> Iterator[str]:
    for line in text:
        if "\x00" in line:
            raise ReadError(file_name, _("the file holds NUL bytes; is it really a CSV file?"))
        yield line


def _not_utf8(stream: BinaryIO, file_name: str) -> ReadError:
    """Where the file stops being UTF-8: its line and byte, found by reading it again."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    for line_number, line in enumerate(stream, 1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError as exc:
            return ReadError(
                file_name,
                _(
                    "the file is not UTF-8 (byte 0x%(byte)02X on line %(line)d); "
                    "save it as CSV UTF-8 and try again"
                )
                % {"byte": line[exc.start], "line": line_number},
            )
    return ReadError(file_name, _("the file is not UTF-8; save it as CSV UTF-8 and try again"))


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


def outside_reason(countries: list[str], regions: list[str]) -> str:
    if countries:
        return _("recipient countries %s are outside the region") % ", ".join(countries)
    if regions:
        return _("recipient regions %s are not the plan's region") % ", ".join(regions)
    return _("no recipient country or region is given")


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


def _org(element, default_lang: str) -> tuple:
    """(ref, name, IATI organisation type code, ((language, name), ...)): what an import
    matches an organisation by, and proposes a new one with."""
    names = _narratives(element, default_lang)
    name = names.get("en") or next(iter(names.values()), "")
    ref = " ".join((element.get("ref") or "").split())
    return ref, name, (element.get("type") or "").strip(), tuple(sorted(names.items()))


def _iati_values(activity, mapping, region_iso2: set[str], file_name: str, row: int) -> SourceRow:
    lang = activity.get(XML_LANG) or "en"
    issues: list[Issue] = []
    values: dict[str, Any] = {}
    values["iati_identifier"] = identifier = (activity.findtext("iati-identifier") or "").strip()
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
        found = _org(org, lang)
        if found[0] or found[1]:  # an organisation with neither ref nor name names nobody
            roles.setdefault(org.get("role", ""), []).append(found)
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
        skip = outside_reason(countries, regions)
    elif outside:
        issues.append(
            Issue(
                file_name,
                row,
                "recipient-country",
                _("countries outside the region left out: %s") % ", ".join(outside),
                "warning",
                activity=identifier,
            )
        )
        values["countries"] = in_region
    pillars: list[int] = []
    sectors, keys = [], []
    for sector in activity.findall("sector"):
        key = (sector.get("vocabulary", "1"), (sector.get("code") or "").strip())
        sectors.append(key[1])
        keys.append(key)
        if key in mapping:
            pillars.extend(mapping[key])
    values["pillars"] = sorted(set(pillars))
    # The codes that gave the pillars: the activity's pillars are then inferred, not stated.
    values["pillars_from_sectors"] = tuple(
        code for vocabulary, code in keys if (vocabulary, code) in mapping
    )
    if activity.findall("sector") and not pillars:
        issues.append(
            Issue(
                file_name,
                row,
                "sector",
                _("no sector maps to a pillar (%s): the activity needs a pillar")
                % ", ".join(sectors),
                "warning",
                activity=identifier,
            )
        )
    values.update(_budget(activity, file_name, row, issues))
    link = activity.find("document-link")
    values["source_url"] = (link.get("url") or "").strip() if link is not None else ""
    for issue in issues:
        issue.activity = identifier
    return SourceRow(row, values, skip, issues, identifier, outside if skip else [])


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


# Where an activity starts, and what may hold its tag as text: comments and CDATA
# (elsewhere a "<" cannot stand unescaped in well-formed XML).
_ACTIVITY_START = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<iati-activity[\s/>]", re.S)


def activity_lines(path: Path) -> list[int]:
    """The line on which each ``<iati-activity>`` of the file starts, in order.

    The standard library's fast tree builder keeps no line numbers, so the file is
    scanned once more for the activities' start tags, skipping comments and CDATA,
    counting new lines between them (a regular expression over the file mapped in
    memory: no Python code runs per element).
    """
    import mmap

    starts: list[int] = []
    with path.open("rb") as fh:
        try:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return starts
        with data:
            line, position = 1, 0
            for found in _ACTIVITY_START.finditer(data):
                if found.group().startswith(b"<iati-activity"):
                    line += data[position : found.start()].count(b"\n")
                    position = found.start()
                    starts.append(line)
    return starts


def read_iati(path: Path, file_name: str, *, include_outside_region: bool = False) -> Table:
    from jpoa.core.models import Country

    region = set(Country.objects.filter(in_region=True).values_list("iso2", flat=True))
    if include_outside_region:
        region = set(Country.objects.values_list("iso2", flat=True))
    mapping = sector_pillars()
    rows: list[SourceRow] = []
    try:
        _check_iati_prolog(path, file_name)
        lines = activity_lines(path)
        for _event, element in ElementTree.iterparse(str(path), events=("end",)):
            if element.tag == "iati-activity":
                line = lines[len(rows)] if len(rows) < len(lines) else len(rows) + 1
                rows.append(_iati_values(element, mapping, region, file_name, line))
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
        pillars_from_sectors="sector",
    )
    return Table(file_name, "iati", rows, labels)


DATE_FORMATS = ("DMY", "MDY", "ISO")
_DAY_MONTH = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")


def read_date(value: Any, convention: str = "") -> tuple[datetime.date | None, str]:
    """The date a cell holds and a warning if it could be read two ways.

    Spreadsheets hold real dates (never ambiguous), ISO dates (never ambiguous), bare
    years, and day and month in either order: ``13/02/2024`` can only be day first,
    ``02/13/2024`` only month first, but ``01/02/2024`` is either. Unless the file's
    ``convention`` (DMY, MDY or ISO) is stated, such a date is read day first with a
    warning naming both readings. ValueError: not a date (under the convention).
    """
    if value in (None, ""):
        return None, ""
    if isinstance(value, datetime.datetime):
        return value.date(), ""
    if isinstance(value, datetime.date):
        return value, ""
    text = str(value).strip()
    if isinstance(value, int | float) or text.isdigit():
        year = int(float(text))
        if 1900 <= year <= 2100:
            return datetime.date(year, 1, 1), ""
    if len(text) >= 10 and text[4] in "-/":
        try:
            return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:10])), ""
        except ValueError:
            pass
    found = _DAY_MONTH.fullmatch(text)
    if found is None or convention == "ISO":
        raise ValueError(text)
    first, second, year = (int(part) for part in found.groups())
    if convention == "MDY" or (not convention and first <= 12 < second):
        return datetime.date(year, first, second), ""
    day_first = datetime.date(year, second, first)  # ValueError: no such date
    if convention == "DMY" or first > 12 or first == second or second > 12:
        return day_first, ""
    month_first = datetime.date(year, first, second)
    return day_first, _(
        "“%(text)s” is read as %(dmy)s (day/month/year); it could be %(mdy)s "
        "(month/day/year): state the file's date convention"
    ) % {"text": text, "dmy": day_first.isoformat(), "mdy": month_first.isoformat()}
