"""The columns of an activity table, as imports read them and exports and the template write them.

Each column has one canonical HXL hashtag (written by exports and the template) and
the hashtags and header names (English and Russian) an import accepts for it. HXL
hashtags are parsed and matched by the HXL project's own library (libhxl,
`hxl.model.Column` and `hxl.model.TagPattern`): a pattern matches a hashtag with at
least its attributes, and the most specific pattern wins (``#org+impl`` is a partner,
``#org+funder`` a donor, ``#org`` or ``#org+name`` the lead organisation).
"""

import enum
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from jpoa.core.models import Organisation
from jpoa.matrix import fields as registry
from jpoa.matrix.fields import Published as Kind

if TYPE_CHECKING:
    import hxl.model


@dataclass(frozen=True)
class Column:
    field: str
    hxl: str  # written by exports
    label_en: str
    label_ru: str
    hxl_aliases: tuple[str, ...] = ()
    header_aliases: tuple[str, ...] = ()
    many: bool = False  # several values in one cell, separated by ";" (or "," / new line)
    kept: bool = True  # False: recognised, but jpoa keeps no such field
    exported: bool = False  # written by exports even though an import does not read it

    @property
    def label(self) -> str:
        return self.label_en


COLUMNS: tuple[Column, ...] = (
    Column("key", "#meta+id", "Key", "Ключ", ("#activity+id+jpoa",), ("id", "activity key")),
    Column(
        "iati_identifier",
        "#activity+code+iati",
        "IATI identifier",
        "Идентификатор IATI",
        ("#activity+id+iati", "#meta+iati"),
        ("iati id", "iati-identifier"),
    ),
    Column(
        "lead_organisation",
        "#org+lead",
        "Lead organisation",
        "Ведущая организация",
        ("#org", "#org+prog"),
        ("organisation", "organization", "lead organization", "org", "организация"),
    ),
    Column(
        "partners",
        "#org+impl",
        "Partners",
        "Партнёры",
        ("#org+partner",),
        ("partner organisations", "implementing partners", "партнеры"),
        many=True,
    ),
    Column(
        "donors",
        "#org+funding",
        "Donors",
        "Доноры",
        ("#org+donor", "#org+funder"),
        ("funding", "funders", "donor", "донор"),
        many=True,
    ),
    Column(
        "title_en",
        "#activity+name+i_en",
        "Title (English)",
        "Название (английский)",
        ("#activity", "#activity+i_en"),
        ("title", "activity", "title en", "название"),
    ),
    Column(
        "title_ru",
        "#activity+name+i_ru",
        "Title (Russian)",
        "Название (русский)",
        ("#activity+i_ru",),
        ("title ru", "название ru"),
    ),
    Column(
        "description_en",
        "#activity+description+i_en",
        "Description (English)",
        "Описание (английский)",
        ("#activity+description",),
        ("description", "description en", "описание"),
    ),
    Column(
        "description_ru",
        "#activity+description+i_ru",
        "Description (Russian)",
        "Описание (русский)",
        (),
        ("description ru", "описание ru"),
    ),
    Column(
        "pillars",
        "#sector",
        "Pillars",
        "Столпы",
        ("#sector+pillar", "#sector+code"),
        ("pillar", "sector", "столп"),
        many=True,
    ),
    Column(
        "countries",
        "#country+code",
        "Countries",
        "Страны",
        ("#country", "#country+name"),
        ("country", "страна"),
        many=True,
    ),
    Column(
        "region_wide",
        "#meta+region_wide",
        "Region-wide",
        "Весь регион",
        ("#region+wide",),
        ("regional", "region wide", "региональный"),
    ),
    Column("adm1", "#adm1", "Province", "Область", (), ("adm1", "province", "region"), kept=False),
    Column("start_date", "#date+start", "Start date", "Дата начала", (), ("start", "начало")),
    Column("end_date", "#date+end", "End date", "Дата окончания", (), ("end", "окончание")),
    Column("status", "#status", "Status", "Статус", ("#status+name", "#status+code"), ("статус",)),
    Column("budget", "#value+budget", "Budget", "Бюджет", ("#value",), ("budget amount",)),
    Column("currency", "#currency", "Currency", "Валюта", ("#currency+code",), ("валюта",)),
    Column(
        "source_url",
        "#meta+url",
        "Source URL",
        "Ссылка на источник",
        ("#meta+source+url",),
        ("source", "url", "link", "источник"),
    ),
    # The areas of other frameworks (PVE priority areas, ...), as framework/code: a
    # classification like the pillars (#sector), told from them by +framework; +code:
    # machine-readable codes. Exported; an import recognises the column and leaves it
    # (areas are set in the back office). Last, so older files keep their columns' places.
    Column(
        "framework_areas",
        "#sector+framework+code",
        "Framework areas",
        "Направления рамочных документов",
        ("#sector+framework",),
        ("framework areas", "framework area", "pve priority areas"),
        many=True,
        kept=False,
        exported=True,
    ),
)

BY_FIELD = {column.field: column for column in COLUMNS}
# What a template and a tabular export write, in order.
EXPORT_COLUMNS = tuple(column for column in COLUMNS if column.kept or column.exported)


class Cell(enum.Enum):
    """What an export writes in a column, from how the record publishes its field."""

    TEXT = "text"
    URL = "url"
    BOOLEAN = "boolean"
    DATE = "date"
    DECIMAL = "decimal"
    ORGANISATION = "organisation"  # written by its name
    ORGANISATIONS = "organisations"  # a list of them
    LIST = "list"  # a list of the record's names (numbers, codes, references)


LISTS = (Cell.ORGANISATIONS, Cell.LIST)


@dataclass(frozen=True)
class Published:
    """Where an export finds a column's value in a published record, and what it is."""

    record: str  # the record's field
    language: str | None  # a translated text's language
    cell: Cell


@functools.cache
def published(field: str) -> Published:
    """How the record publishes the activity field FIELD (`jpoa.matrix.fields`)."""
    for record_field in registry.RECORD_FIELDS:
        for f in record_field.fields:
            if f.name == field:
                language = f.name.rsplit("_", 1)[1] if f.published is Kind.TRANSLATED else None
                return Published(record_field.name, language, _cell(record_field))
    raise LookupError(f"{field} is not a published field of an activity")


def _cell(record_field: "registry.RecordField") -> Cell:
    model_field = record_field.model_field
    organisations = model_field.is_relation and model_field.related_model is Organisation
    match record_field.published:
        case Kind.KEY if organisations:
            return Cell.ORGANISATION
        case Kind.LINKS:
            return Cell.ORGANISATIONS if organisations else Cell.LIST
        case Kind.DATE:
            return Cell.DATE
        case Kind.DECIMAL:
            return Cell.DECIMAL
    if isinstance(model_field, models.BooleanField):
        return Cell.BOOLEAN
    return Cell.URL if isinstance(model_field, models.URLField) else Cell.TEXT


@functools.cache
def _patterns() -> list[tuple["hxl.model.TagPattern", int, Column]]:
    import hxl.model

    out = []
    for column in COLUMNS:
        for text in (column.hxl, *column.hxl_aliases):
            pattern = hxl.model.TagPattern.parse(text)
            out.append((pattern, len(pattern.include_attributes), column))
    return out


def column_for_hashtag(spec: "str | hxl.model.Column") -> Column | None:
    """The column a hashtag (text, or a column libhxl parsed) stands for, or None."""
    import hxl.model

    parsed = spec if isinstance(spec, hxl.model.Column) else hxl.model.Column.parse(spec or "")
    if not parsed or not parsed.tag:
        return None
    candidates = [(n, c) for pattern, n, c in _patterns() if pattern.match(parsed)]
    if not candidates:
        return None
    # The most specific pattern wins; among equals, the column listed first.
    best = max(n for n, _column in candidates)
    return next(c for n, c in candidates if n == best)


def normalise_header(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", str(text or "")).casefold().split())


def _headers() -> dict[str, Column]:
    out: dict[str, Column] = {}
    for column in COLUMNS:
        for text in (column.field, column.label_en, column.label_ru, *column.header_aliases):
            out.setdefault(normalise_header(text), column)
    return out


HEADERS = _headers()


def column_for_header(text: str) -> Column | None:
    return HEADERS.get(normalise_header(text))


HELP = {
    "lead_organisation": _("The organisation that leads: acronym or name, English or Russian."),
    "partners": _("Other organisations, separated by semicolons."),
    "donors": _("Funding organisations, separated by semicolons."),
    "pillars": _("Pillar numbers (1-4 or I-IV), separated by semicolons."),
    "framework_areas": _(
        "Written by exports as framework/code (pve-plan-of-action/4); an import does not "
        "read it: set an activity's framework areas in the back office."
    ),
    "countries": _("ISO codes or names, separated by semicolons; “region” for region-wide."),
    "start_date": _("YYYY-MM-DD"),
    "end_date": _("YYYY-MM-DD"),
    "status": _("planned, ongoing, completed, suspended or cancelled"),
}
