"""The published matrix as Parquet: one row per activity, typed, for DuckDB, pandas or R arrow.

The columns and their meanings are the CSV export's (`EXPORT_COLUMNS`, same names), but
typed: the organisations, pillars, countries and framework areas are ``list<string>``, the
dates ``date32``, the budget a ``decimal128(16, 2)`` beside its currency, ``region_wide`` a
boolean. What was not recorded is null (never 0 or an empty text); a list with nothing in
it is empty. Texts are written as recorded: no spreadsheet runs a Parquet value, so the
apostrophe `safe_cell` puts before a would-be formula in CSV and XLSX is not added.

The file's key-value metadata says which edition it is, as of when, where it comes from,
the filters, and, for demonstration or synthetic data, that the data is not real. Rows are
read from the database in chunks and written `ROW_GROUP` at a time, so memory stays bounded
whatever the number of activities.
"""

import datetime
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, BinaryIO

from django.utils.translation import gettext as _

from jpoa.core.demo import data_notice
from jpoa.matrix.models import Activity

from .columns import EXPORT_COLUMNS, LISTS, Cell, Published, published

if TYPE_CHECKING:
    import pyarrow

    from .exports import ExportData

ROW_GROUP = 20_000  # activities per row group: what is held in memory at once


def _arrow_type(field: str) -> "pyarrow.DataType":
    import pyarrow as pa

    how = published(field)
    match how.cell:
        case Cell.ORGANISATIONS | Cell.LIST:
            return pa.list_(pa.string())
        case Cell.DATE:
            return pa.date32()
        case Cell.DECIMAL:  # as the model keeps it
            decimal = Activity._meta.get_field(field)
            return pa.decimal128(decimal.max_digits, decimal.decimal_places)
        case Cell.BOOLEAN:
            return pa.bool_()
    return pa.string()


def arrow_schema(data: "ExportData") -> "pyarrow.Schema":
    """The columns, each with its English and Russian title and HXL hashtag, and the file's metadata."""
    import pyarrow as pa

    fields = [
        pa.field(
            c.field,
            _arrow_type(c.field),
            nullable=c.field != "key",
            metadata={"title": c.label_en, "title_ru": c.label_ru, "hxl": c.hxl},
        )
        for c in EXPORT_COLUMNS
    ]
    return pa.schema(fields, metadata=file_metadata(data))


def file_metadata(data: "ExportData") -> dict[str, str]:
    edition = data.edition
    metadata = {
        "jpoa.edition": str(edition.number),
        "jpoa.edition_title": edition.title,
        "jpoa.as_of": edition.as_of.isoformat(),
        "jpoa.published_at": edition.published_at.replace(microsecond=0).isoformat(),
        "jpoa.source": _("jpoa, published matrix edition %d") % edition.number,
        "jpoa.filters": json.dumps(data.filters.params(), ensure_ascii=False),
        "jpoa.activities": str(data.count),
        "jpoa.license": "CC-BY-4.0",
    }
    notice = data_notice()
    if notice:  # demonstration or synthetic data: said in every output
        metadata["jpoa.notice"] = notice
    return metadata


def _text(value: str | None) -> str | None:
    return value or None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def parquet_row(data: "ExportData", record: dict) -> dict[str, Any]:
    """One activity's snapshot as the Parquet columns hold it."""
    return {c.field: _value(data, record, published(c.field)) for c in EXPORT_COLUMNS}


def _value(data: "ExportData", record: dict, how: Published) -> Any:
    from .exports import org_name

    # A list absent from snapshots published before it existed (framework areas) is empty.
    value = record.get(how.record, [] if how.cell in LISTS else None)
    if how.language:
        return _text(value.get(how.language))
    match how.cell:
        case Cell.ORGANISATION:
            return org_name(data, value)
        case Cell.ORGANISATIONS:
            return [org_name(data, key) for key in value]
        case Cell.LIST:
            return [str(v) for v in value]
        case Cell.BOOLEAN:
            return bool(value)
        case Cell.DATE:
            return _date(value)
        case Cell.DECIMAL:
            return Decimal(str(value)) if value not in (None, "") else None
    return _text(value)


def write_parquet(data: "ExportData", out: BinaryIO) -> None:
    """The edition's activities as Parquet, to OUT (a binary file that can tell its position)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(data)
    columns: dict[str, list] = {c.field: [] for c in EXPORT_COLUMNS}

    def flush(writer) -> None:
        writer.write_table(pa.Table.from_pydict(columns, schema=schema))
        for values in columns.values():
            values.clear()

    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for n, record in enumerate(data.records(), 1):
            for field, value in parquet_row(data, record).items():
                columns[field].append(value)
            if n % ROW_GROUP == 0:
                flush(writer)
        if columns["key"]:
            flush(writer)
