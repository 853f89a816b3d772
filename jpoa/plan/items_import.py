"""Import a plan version's action items from a spreadsheet (XLSX or CSV): preview, then all or nothing.

Columns (a header row, in any order): code, pillar, title_en, title_ru, text_en,
text_ru. The pillar is its number (2) or numeral (II). Each row is checked with
the same rules as the back-office form (`ActionItem.full_clean`); an item whose
code the version already has is updated, not duplicated. Every error names the
file, the row and the field. Nothing is written while any row has an error.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from jpoa.accounts.access import require_coordinator
from jpoa.accounts.audit import acting_as

from .models import ROMAN, ActionItem, Pillar, PlanVersion

MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ("code", "pillar", "title_en", "title_ru", "text_en", "text_ru")
REQUIRED = ("code", "pillar", "title_en")
TEXT_FIELDS = ("title_en", "title_ru", "text_en", "text_ru")
NUMERALS = {numeral: number for number, numeral in ROMAN.items()}


@dataclass(frozen=True)
class RowError:
    file: str
    row: int | None  # the spreadsheet's row number (the header is row 1); None: the whole file
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class ItemRow:
    row: int
    values: dict[str, str]
    pillar: Pillar | None
    action: str = ""  # "create", "update" or "unchanged"


@dataclass
class ItemsImport:
    """What an import would do (a preview) or did."""

    file: str
    version: PlanVersion
    rows: list[ItemRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    def count(self, action: str) -> int:
        return sum(r.action == action for r in self.rows)


class ItemsImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


# -- reading ---------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text, newline="")):
        yield [v.strip() for v in row]


def read_table(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: value}) for each non-empty data row; raises ItemsImportError."""
    name = path.name
    if not path.is_file():
        raise ItemsImportError([RowError(name, None, "", "no such file")])
    if path.stat().st_size > MAX_BYTES:
        raise ItemsImportError(
            [RowError(name, None, "", f"the file is larger than {MAX_BYTES // 2**20} MB")]
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(path)
    elif suffix == ".csv":
        rows = _csv_rows(path)
    else:
        raise ItemsImportError([RowError(name, None, "", "expected an .xlsx or .csv file")])
    try:
        header = [h.lower() for h in next(rows, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ItemsImportError(
                [RowError(name, 1, c, "missing column (expected a header row)") for c in missing]
            )
        for number, values in enumerate(rows, start=2):
            if not any(values):
                continue
            record = {
                c: values[header.index(c)] if header.index(c) < len(values) else ""
                for c in COLUMNS
                if c in header
            }
            yield number, record
    except UnicodeDecodeError:
        raise ItemsImportError([RowError(name, None, "", "not UTF-8 text")]) from None
    except (
        OSError,
        KeyError,
        ValueError,
        zipfile.BadZipFile,
    ) as exc:  # a damaged or disguised spreadsheet
        raise ItemsImportError(
            [RowError(name, None, "", f"not a readable spreadsheet ({exc})")]
        ) from None


# -- checking --------------------------------------------------------------------------


def _pillar(value: str, pillars: dict[int, Pillar]) -> Pillar | None:
    value = value.strip().upper().removeprefix("PILLAR").strip()
    number = int(value) if value.isdigit() else NUMERALS.get(value)
    return pillars.get(number)


def preview_items_import(*, path: Path, version: PlanVersion) -> ItemsImport:
    """Check every row and say what it would do; writes nothing."""
    path = Path(path)
    result = ItemsImport(path.name, version)
    try:
        table = list(read_table(path))
    except ItemsImportError as exc:
        result.errors = exc.errors
        return result
    pillars = {p.number: p for p in Pillar.objects.filter(strategy_id=version.plan.strategy_id)}
    existing = {i.code: i for i in version.items.all()}
    seen: dict[str, int] = {}
    for number, values in table:
        errors = _check_row(result.file, number, values, pillars, existing, seen)
        result.errors.extend(errors)
        pillar = _pillar(values.get("pillar", ""), pillars)
        row = ItemRow(number, values, pillar)
        if not errors:
            row.action = _action(existing.get(values["code"]), values, pillar)
        result.rows.append(row)
    if not table:
        result.errors.append(RowError(result.file, None, "", "no rows below the header"))
    return result


def _check_row(file, number, values, pillars, existing, seen) -> list[RowError]:
    errors = []
    code = values.get("code", "")
    for name in REQUIRED:
        if not values.get(name):
            errors.append(RowError(file, number, name, "required, but empty"))
    if values.get("pillar") and _pillar(values["pillar"], pillars) is None:
        known = ", ".join(p.numeral for p in pillars.values())
        errors.append(
            RowError(
                file, number, "pillar", f"{values['pillar']!r} is not a pillar (expected {known})"
            )
        )
    if code in seen:
        errors.append(RowError(file, number, "code", f"{code!r} is also on row {seen[code]}"))
    elif code:
        seen[code] = number
    # The back-office form's own rules: lengths, blanks, choices.
    item = ActionItem(code=code, **{f: values.get(f, "") for f in TEXT_FIELDS})
    try:
        item.clean_fields(exclude=["version", "pillar", "position", "source", "title", "text"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name in COLUMNS and not any(e.field == name for e in errors):
                errors.append(RowError(file, number, name, " ".join(messages)))
    return errors


def _action(item: ActionItem | None, values: dict, pillar: Pillar | None) -> str:
    if item is None:
        return "create"
    same = item.pillar_id == pillar.pk and all(
        (getattr(item, f) or "") == values.get(f, getattr(item, f) or "") for f in TEXT_FIELDS
    )
    return "unchanged" if same else "update"


# -- writing ---------------------------------------------------------------------------


def import_items(*, path: Path, version: PlanVersion, user=None) -> ItemsImport:
    """Check the file, then write all its items in one transaction, or none if any row is wrong."""
    if user is not None:
        require_coordinator(user)
    with transaction.atomic(), acting_as(user):
        version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
        result = preview_items_import(path=path, version=version)
        if result.errors:
            raise ItemsImportError(result.errors)
        existing = {i.code: i for i in version.items.all()}
        for position, row in enumerate(result.rows, start=1):
            item = existing.get(row.values["code"]) or ActionItem(
                version=version, code=row.values["code"]
            )
            if row.action == "unchanged" and item.position == position:
                continue
            item.pillar = row.pillar
            item.position = position
            for name in TEXT_FIELDS:
                if name in row.values:
                    setattr(item, name, row.values[name])
            item.full_clean(exclude=["source"])
            item.save()
        result.written = True
    return result
