"""Answering a round offline: the organisation's rows as a workbook to fill in, and reading it back.

The workbook is made for filling in without a connection: one row per activity (and
empty rows for new ones), a drop-down list in every cell that has a fixed set of
answers (the answer, pillars, plan items, countries, status), real Excel dates, the key
column and the headers locked, and instructions in English and Russian. Read back, each
row goes through the same form as the web page (`proposals.ProposalForm`), so an
upload obeys the same rules; what it proposes is shown with the same differences
before the focal point confirms it (`services.apply_workbook`).
"""

import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jpoa.core.models import Organisation
from jpoa.matrix.models import Activity
from jpoa.plan.models import Pillar

from .models import Proposal, Submission
from .proposals import (
    activity_data,
    cleaned_to_data,
    offered_countries,
    offered_items,
    plan_of_round,
    proposal_form,
)

SHEET = "Activities"
LISTS = "Lists"
NEW_ROWS = 30
ITEM_COLUMNS = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
YES, NO = "yes", "no"
TRUE_WORDS = {"yes", "y", "x", "1", "true", "да", "д", "✓"}
FALSE_WORDS = {"", "no", "n", "0", "false", "нет"}
# The answer column: what the organisation says of an existing activity.
UNCHANGED, ENDED = "unchanged", "ended"
ANSWERS = {
    UNCHANGED: Proposal.Kind.CONFIRM,
    "без изменений": Proposal.Kind.CONFIRM,
    ENDED: Proposal.Kind.END,
    "завершено": Proposal.Kind.END,
}


class WorkbookError(Exception):
    """The file is not a workbook of this round that can be read at all."""


@dataclass
class Column:
    name: str  # what it fills: a field, or "pillar:<pk>", "country:<pk>", "item:<n>", ...
    en: str
    ru: str
    width: int = 14
    locked: bool = False
    choices: list[str] | None = None  # a drop-down list
    list_range: str = ""  # or a range of the Lists sheet
    date: bool = False

    @property
    def header(self) -> str:
        return f"{self.en} / {self.ru}"


def _columns() -> list[Column]:
    """The workbook's columns, from the plan's pillars, states and items: the same for the
    download and the upload as long as the plan does not change in between."""
    plan = plan_of_round()
    pillars = Pillar.objects.filter(strategy_id=plan.strategy_id) if plan else Pillar.objects.all()
    columns = [
        Column("key", "Key (do not change)", "Ключ (не менять)", 24, locked=True),
        Column("answer", "Your answer", "Ваш ответ", 16, choices=[UNCHANGED, ENDED]),
        Column("title_en", "Title in English", "Название на английском", 40),
        Column("title_ru", "Title in Russian", "Название на русском", 40),
        Column("description_en", "Description in English", "Описание на английском", 40),
        Column("description_ru", "Description in Russian", "Описание на русском", 40),
    ]
    for pillar in pillars.order_by("number"):
        columns.append(
            Column(
                f"pillar:{pillar.pk}",
                f"Pillar {pillar.numeral}",
                f"Раздел {pillar.numeral}",
                choices=[YES, NO],
            )
        )
    for n in range(1, ITEM_COLUMNS + 1):
        columns.append(Column(f"item:{n}", f"Plan item {n}", f"Пункт плана {n}", 30))
    for country in offered_countries(None).order_by("name"):
        with translation.override("ru"):
            name_ru = str(country)
        with translation.override("en"):
            name_en = str(country)
        columns.append(Column(f"country:{country.pk}", name_en, name_ru, choices=[YES, NO]))
    columns += [
        Column("region_wide", "Region-wide", "Весь регион", choices=[YES, NO]),
        Column("start_date", "Start date", "Дата начала", date=True),
        Column("end_date", "End date", "Дата окончания", date=True),
        Column("status", "Status", "Статус", choices=list(Activity.Status.values)),
        Column(
            "partners",
            "Partners (acronyms, comma-separated)",
            "Партнёры (аббревиатуры через запятую)",
            24,
        ),
        Column(
            "donors",
            "Donors (acronyms, comma-separated)",
            "Доноры (аббревиатуры через запятую)",
            24,
        ),
        Column("budget", "Budget", "Бюджет"),
        Column("currency", "Currency", "Валюта", 10),
    ]
    return columns


def _item_label(item) -> str:
    return f"{item.code} {item.title}"[:250]


INSTRUCTIONS = [
    ("How to answer offline", "Как ответить без подключения к интернету"),
    (
        "One row is one of your organisation's activities. Correct what has changed in "
        "its cells, or choose “unchanged” or “ended” in “Your answer”. A row you leave "
        "as it is with no answer is taken as unchanged when you submit.",
        "Одна строка — одно мероприятие вашей организации. Исправьте изменившиеся ячейки "
        "или выберите «unchanged» (без изменений) или «ended» (завершено) в столбце "
        "«Ваш ответ». Строка без изменений и без ответа при отправке считается "
        "неизменной.",
    ),
    (
        "Add a new activity in an empty row at the bottom: leave its key empty.",
        "Новое мероприятие добавьте в пустую строку внизу; ключ оставьте пустым.",
    ),
    (
        "Choose from the drop-down lists (yes/no for each pillar and country, the status, "
        "up to three plan items). Type dates as dates; they are Excel dates.",
        "Выбирайте значения из раскрывающихся списков (yes/no — да/нет для каждого "
        "направления и страны, статус, до трёх пунктов плана). Даты вводите как даты "
        "Excel.",
    ),
    (
        "Do not change the key column or the headers: the upload is refused if they were changed.",
        "Не меняйте столбец ключей и заголовки: иначе файл не будет принят.",
    ),
    (
        "Then upload the file on your organisation's page of the round. You will see "
        "what it changes before it becomes your answer.",
        "Затем загрузите файл на странице вашей организации в раунде. Прежде чем файл "
        "станет вашим ответом, вы увидите, что он изменяет.",
    ),
]


def _row_values(columns: list[Column], data: dict[str, Any], answer: str, key: str) -> list:
    partners = _acronyms(data.get("partners") or [])
    donors = _acronyms(data.get("donors") or [])
    items = list(offered_items().filter(pk__in=data.get("action_items") or []))
    values = []
    for column in columns:
        kind, _sep, ref = column.name.partition(":")
        if kind == "pillar":
            values.append(YES if int(ref) in (data.get("pillars") or []) else NO)
        elif kind == "country":
            values.append(YES if int(ref) in (data.get("countries") or []) else NO)
        elif kind == "item":
            n = int(ref) - 1
            values.append(_item_label(items[n]) if n < len(items) else None)
        elif column.name == "key":
            values.append(key or None)
        elif column.name == "answer":
            values.append(answer or None)
        elif column.name == "region_wide":
            values.append(YES if data.get("region_wide") else NO)
        elif column.date:
            value = data.get(column.name)
            values.append(datetime.date.fromisoformat(value) if value else None)
        elif column.name in ("partners", "donors"):
            values.append(partners if column.name == "partners" else donors)
        elif column.name == "budget":
            value = data.get("budget")
            values.append(float(Decimal(value)) if value not in (None, "") else None)
        else:
            values.append(data.get(column.name) or None)
    return values


def _acronyms(pks: list[int]) -> str:
    organisations = Organisation.objects.filter(pk__in=pks)
    return ", ".join(sorted(o.acronym or o.name for o in organisations))


def build_workbook(submission: Submission) -> bytes:
    """The organisation's rows (with its proposals so far) as a workbook to fill in."""
    columns = _columns()
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    lists = book.create_sheet(LISTS)
    _fill_lists(lists, columns)
    lists.sheet_state = "hidden"
    sheet.append([c.header for c in columns])
    proposals = {p.activity_id: p for p in submission.proposals.filter(activity__isnull=False)}
    activities = Activity.objects.filter(lead_organisation=submission.organisation).order_by(
        "title_en", "pk"
    )
    for activity in activities:
        proposal = proposals.get(activity.pk)
        data = activity_data(activity)
        answer = ""
        if proposal is not None and proposal.kind == Proposal.Kind.CHANGE:
            data.update(proposal.data)
        elif proposal is not None:
            answer = {Proposal.Kind.CONFIRM: UNCHANGED, Proposal.Kind.END: ENDED}[proposal.kind]
        sheet.append(_row_values(columns, data, answer, activity.key))
    for proposal in submission.proposals.filter(kind=Proposal.Kind.NEW).order_by("pk"):
        sheet.append(_row_values(columns, proposal.data, "", ""))
    _as_text(sheet)
    last = sheet.max_row + NEW_ROWS
    _format(sheet, columns, last)
    _instructions(book.create_sheet("Instructions", 0), submission)
    book.active = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@")


def _as_text(sheet) -> None:
    """A text that a spreadsheet would run as a formula stays text, exactly as written (it
    comes back unchanged on upload, unlike an escaping apostrophe)."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True


def _fill_lists(lists, columns: list[Column]) -> None:
    items = [_item_label(i) for i in offered_items()]
    for row, label in enumerate(items, start=1):
        lists.cell(row=row, column=1, value=label)
    if items:
        for column in columns:
            if column.name.startswith("item:"):
                column.list_range = f"{LISTS}!$A$1:$A${len(items)}"


def _format(sheet, columns: list[Column], last: int) -> None:
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    locked_fill = PatternFill("solid", fgColor="EEEEEE")
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        head = sheet.cell(row=1, column=index)
        head.font = Font(bold=True)
        head.fill = header_fill
        head.alignment = Alignment(wrap_text=True, vertical="top")
        cells = f"{letter}2:{letter}{last}"
        if column.choices or column.list_range:
            formula = column.list_range or '"' + ",".join(column.choices) + '"'
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.error = _("Choose a value from the list.")
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(cells)
        if column.date:
            validation = DataValidation(
                type="date", operator="greaterThan", formula1="DATE(1900,1,1)", allow_blank=True
            )
            validation.error = _("Type a date, such as 2024-03-31.")
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(cells)
        for row in range(2, last + 1):
            cell = sheet.cell(row=row, column=index)
            if column.locked:
                cell.fill = locked_fill
            else:
                cell.protection = Protection(locked=False)
            if column.date:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 45
    # Locked: the key column and the headers. No password: this guards against slips,
    # and the upload checks the keys and headers anyway.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _instructions(sheet, submission: Submission) -> None:
    sheet.column_dimensions["A"].width = 90
    sheet.column_dimensions["B"].width = 90
    sheet.append([str(submission.organisation), str(submission.round)])
    sheet.append(["English", "Русский"])
    for en, ru in INSTRUCTIONS:
        sheet.append([en, ru])
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A3"].font = sheet["B3"].font = Font(bold=True)


# -- reading it back ---------------------------------------------------------------------


@dataclass
class ReadRow:
    row: int
    activity_id: int | None
    kind: str | None  # None: the row says nothing (left as it is)
    data: dict = field(default_factory=dict)


@dataclass
class Issue:
    row: int
    column: str
    message: str


def _check_zip(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise WorkbookError(_("The file is larger than %d MB.") % (MAX_BYTES >> 20))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise WorkbookError(_("This is not an XLSX workbook.")) from None
    if unpacked > MAX_UNPACKED:
        raise WorkbookError(_("The workbook unpacks to too much data; refused."))


def read_workbook(data: bytes, submission: Submission) -> tuple[list[ReadRow], list[Issue]]:
    """Each row's proposal, checked by the web form's rules; and every problem found."""
    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds for a damaged file)
        raise WorkbookError(_("The workbook cannot be read; is it damaged?")) from None
    if SHEET not in book.sheetnames:
        raise WorkbookError(
            _(
                "The workbook has no sheet “%(sheet)s”: download your organisation's workbook "
                "from the round's page and fill that one in."
            )
            % {"sheet": SHEET}
        )
    rows = list(book[SHEET].iter_rows(values_only=True))
    book.close()
    columns = _columns()
    _check_headers(rows[0] if rows else (), columns)
    activities = {
        a.key: a for a in Activity.objects.filter(lead_organisation=submission.organisation)
    }
    read, issues, seen = [], [], set()
    for number, values in enumerate(rows[1:], start=2):
        cells = dict(zip((c.name for c in columns), values, strict=False))
        if all(v in (None, "") for v in cells.values()):
            continue
        key = _text(cells.get("key"))
        if key and key not in activities:
            issues.append(
                Issue(
                    number,
                    columns[0].header,
                    _(
                        "The key “%(key)s” is not one of your organisation's activities: the key "
                        "column was changed. Keys are locked; put back the key you downloaded, or "
                        "leave it empty for a new activity."
                    )
                    % {"key": key},
                )
            )
            continue
        if key in seen:
            issues.append(
                Issue(
                    number,
                    columns[0].header,
                    _("The key “%(key)s” appears twice; each activity has one row.") % {"key": key},
                )
            )
            continue
        if key:
            seen.add(key)
        row, row_issues = _read_row(number, cells, columns, activities.get(key), submission)
        read.append(row)
        issues += row_issues
    return read, issues


def _check_headers(header: tuple, columns: list[Column]) -> None:
    given = [_text(v) for v in header]
    expected = [c.header for c in columns]
    if given[: len(expected)] != expected:
        wrong = next(
            (e for g, e in zip(given + [""] * len(expected), expected, strict=False) if g != e),
            expected[0],
        )
        raise WorkbookError(
            _(
                "The columns are not those of this round's workbook (“%(column)s” was moved, "
                "renamed or removed, or the plan changed since the download). Download a "
                "fresh workbook and copy your answers into it."
            )
            % {"column": wrong}
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_row(number, cells, columns, activity, submission):
    issues: list[Issue] = []
    headers = {c.name: c.header for c in columns}
    form_data, problems = _form_data(cells, columns)
    issues += [Issue(number, headers[name], message) for name, message in problems]
    answer = _text(cells.get("answer")).lower()
    if answer and answer not in ANSWERS:
        issues.append(
            Issue(number, headers["answer"], _("Choose “unchanged” or “ended”, or leave it empty."))
        )
    if activity is None and answer:
        issues.append(
            Issue(
                number,
                headers["answer"],
                _("A new activity has no answer to give: leave “Your answer” empty."),
            )
        )
    form = proposal_form(
        activity=activity,
        proposal=None,
        organisation=submission.organisation,
        data={
            **form_data,
            "proposal_version": 0,
            "activity_version": activity.version if activity else "",
        },
    )
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = headers.get(name) or headers.get(_FORM_TO_COLUMN.get(name, ""), name)
            issues += [Issue(number, label, str(e)) for e in errors]
        return ReadRow(number, activity.pk if activity else None, None), issues
    data = cleaned_to_data(form.cleaned_data)
    if activity is not None:
        kept = activity.countries.exclude(pk__in=offered_countries(None)).values_list(
            "pk", flat=True
        )
        data["countries"] = sorted({*data["countries"], *kept})
    if activity is None:
        kind = Proposal.Kind.NEW
    elif ANSWERS.get(answer) == Proposal.Kind.END:
        kind, data = Proposal.Kind.END, {}
    elif data != activity_data(activity):
        kind = Proposal.Kind.CHANGE
    elif ANSWERS.get(answer) == Proposal.Kind.CONFIRM:
        kind, data = Proposal.Kind.CONFIRM, {}
    else:
        kind, data = None, {}
    return ReadRow(number, activity.pk if activity else None, kind, data), issues


_FORM_TO_COLUMN = {"pillars": "pillar", "countries": "country", "action_items": "item:1"}


def _yes(value: Any) -> bool | None:
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _form_data(cells: dict, columns: list[Column]) -> tuple[dict, list[tuple[str, str]]]:
    """The row as the web form posts it; problems of reading a cell (column, message)."""
    data: dict[str, Any] = {"pillars": [], "countries": [], "action_items": []}
    problems = []
    items = {_item_label(i): i.pk for i in offered_items()}
    for column in columns:
        value = cells.get(column.name)
        kind, _sep, ref = column.name.partition(":")
        if kind in ("pillar", "country") or column.name == "region_wide":
            yes = _yes(value)
            if yes is None:
                problems.append((column.name, _("Choose yes or no.")))
            elif yes and kind in ("pillar", "country"):
                data["pillars" if kind == "pillar" else "countries"].append(int(ref))
            elif yes:
                data["region_wide"] = "on"
        elif kind == "item":
            text = _text(value)
            if text and text not in items:
                problems.append((column.name, _("Choose a plan item from the list.")))
            elif text:
                data["action_items"].append(items[text])
        elif column.date:
            data[column.name], problem = _date(value)
            if problem:
                problems.append((column.name, problem))
        elif column.name in ("partners", "donors"):
            data[column.name], unknown = _organisations(_text(value))
            if unknown:
                problems.append(
                    (
                        column.name,
                        _("Unknown organisations: %(names)s.") % {"names": ", ".join(unknown)},
                    )
                )
        elif column.name == "budget":
            data["budget"], problem = _budget(value)
            if problem:
                problems.append((column.name, problem))
        elif column.name not in ("key", "answer"):
            data[column.name] = _text(value)
    return data, problems


def _date(value: Any) -> tuple[str, str]:
    if value in (None, ""):
        return "", ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat(), ""
    if isinstance(value, datetime.date):
        return value.isoformat(), ""
    try:
        return datetime.date.fromisoformat(_text(value)).isoformat(), ""
    except ValueError:
        return "", _("Not a date: “%(value)s”. Type a date, such as 2024-03-31.") % {
            "value": _text(value)
        }


def _budget(value: Any) -> tuple[str, str]:
    if value in (None, ""):
        return "", ""
    try:
        return str(Decimal(_text(value).replace(" ", "").replace(",", "."))), ""
    except InvalidOperation:
        return "", _("Not an amount: “%(value)s”.") % {"value": _text(value)}


def _organisations(text: str) -> tuple[list[int], list[str]]:
    names = [n.strip() for n in text.replace(";", ",").split(",") if n.strip()]
    pks, unknown = [], []
    for name in names:
        match = Organisation.objects.filter(
            Q(acronym__iexact=name) | Q(key__iexact=name) | Q(name__iexact=name)
        ).first()
        if match is None:
            unknown.append(name)
        else:
            pks.append(match.pk)
    return pks, unknown


def proposals_json(rows: list[ReadRow]) -> list[dict]:
    """What an upload keeps for confirming: each row that says something."""
    return [
        {"row": r.row, "activity": r.activity_id, "kind": r.kind, "data": r.data}
        for r in rows
        if r.kind is not None
    ]
