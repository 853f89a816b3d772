"""The matrix as Parquet: typed rows for DuckDB, pandas or R arrow, read back with pyarrow."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jpoa.bench.synthetic import synthetic_source
from jpoa.core.demo import DEMO_SOURCE, NOTICE, SYNTHETIC_NOTICE, forget_demo_state
from jpoa.core.models import Source
from jpoa.exchange import parquet
from jpoa.exchange.columns import EXPORT_COLUMNS
from jpoa.matrix.editions import publish_edition
from tests.factories import PUBLISHER, coordinator, make_activity


@pytest.fixture
def edition(default_data):
    make_activity(
        "a1",
        "osce",
        pillars=(1, 2),
        countries=("KZ", "KG"),
        partners=("unodc",),
        donors=("eu",),
        budget=Decimal("125000.50"),
        currency="EUR",
        iati_identifier="XM-DAC-1-a1",
        source_url="https://example.org/a1",
    )
    make_activity("a2", "unodc", pillars=(4,), countries=(), region_wide=True, start=None, end=None)
    make_activity("a3", "osce", pillars=(3,), countries=("TJ",), status="completed")
    return publish_edition(by=PUBLISHER, title="Test edition")


def table_of(body: bytes) -> pa.Table:
    return pq.read_table(io.BytesIO(body))


def download(client, name: str, query: str = "") -> bytes:
    response = client.get(reverse(f"exchange:{name}") + query)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_one_typed_row_per_activity_of_the_edition(edition, client):
    table = table_of(download(client, "matrix_parquet"))
    assert table.num_rows == 3
    assert table.column_names == [c.field for c in EXPORT_COLUMNS]
    assert table.schema.field("countries").type == pa.list_(pa.string())
    assert table.schema.field("start_date").type == pa.date32()
    assert table.schema.field("budget").type == pa.decimal128(16, 2)
    rows = {row["key"]: row for row in table.to_pylist()}
    assert rows["a1"]["countries"] == ["KG", "KZ"] and rows["a1"]["pillars"] == ["1", "2"]
    assert rows["a1"]["start_date"] == datetime.date(2014, 1, 1)
    assert rows["a1"]["budget"] == Decimal("125000.50") and rows["a1"]["currency"] == "EUR"


def test_values_are_the_csv_exports(edition, client):
    table = table_of(download(client, "matrix_parquet"))
    rows = {row["key"]: row for row in table.to_pylist()}
    body = download(client, "matrix_csv").decode()
    lines = list(csv.reader(io.StringIO(body)))[2:]  # after the header and the HXL row
    fields = [c.field for c in EXPORT_COLUMNS]
    for line in lines:
        exported = dict(zip(fields, line, strict=True))
        row = rows[exported["key"]]
        for field, text in exported.items():
            value = row[field]
            if isinstance(value, list):
                value = "; ".join(value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            elif value is None:
                value = ""
            assert str(value) == text, (exported["key"], field)


def test_nothing_recorded_is_null_never_zero(edition, client):
    table = table_of(download(client, "matrix_parquet"))
    a2 = next(row for row in table.to_pylist() if row["key"] == "a2")
    for field in ("budget", "currency", "start_date", "end_date", "iati_identifier"):
        assert a2[field] is None, field
    assert a2["source_url"] is None and a2["title_ru"] is None
    assert a2["countries"] == [] and a2["region_wide"] is True
    assert table.column("budget").null_count == 2


def test_filters_and_the_edition_number_as_for_the_other_formats(edition, client):
    make_activity("a4", "osce", countries=("KZ",))
    publish_edition(by=PUBLISHER, title="Second edition")
    kazakhstan = table_of(download(client, "matrix_parquet", "?country=KZ"))
    assert kazakhstan.column("key").to_pylist() == ["a1", "a4"]
    first = table_of(download(client, "matrix_parquet", f"?edition={edition.number}&country=KZ"))
    assert first.column("key").to_pylist() == ["a1"]
    metadata = first.schema.metadata
    assert metadata[b"jpoa.edition"] == str(edition.number).encode()
    assert metadata[b"jpoa.as_of"] == edition.as_of.isoformat().encode()
    assert json.loads(metadata[b"jpoa.filters"]) == {"country": "KZ"}
    assert b"published matrix edition" in metadata[b"jpoa.source"]
    assert b"jpoa.notice" not in metadata  # real data says nothing of the kind
    assert client.get(reverse("exchange:matrix_parquet") + "?edition=99").status_code == 404


def test_row_groups_bound_what_is_held(edition, tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "ROW_GROUP", 2)
    out = tmp_path / "m.parquet"
    call_command("export", "parquet", "-o", str(out), "--pillar", "1")
    assert pq.read_table(out).num_rows == 1
    call_command("export", "parquet", "-o", str(out))
    assert pq.ParquetFile(out).metadata.num_row_groups == 2
    assert pq.read_table(out).column("key").to_pylist() == ["a1", "a2", "a3"]


def test_demo_and_synthetic_data_say_so_in_the_metadata(edition, client, tmp_path):
    out = tmp_path / "m.parquet"
    synthetic_source()
    call_command("export", "parquet", "-o", str(out))
    assert pq.read_schema(out).metadata[b"jpoa.notice"].decode() == str(SYNTHETIC_NOTICE)
    as_json = tmp_path / "m.json"  # the other formats say it as they say the demo's notice
    call_command("export", "matrix-json", "-o", str(as_json))
    assert json.loads(as_json.read_text())["notice"] == str(SYNTHETIC_NOTICE)
    Source.objects.create(key=DEMO_SOURCE, kind=Source.Kind.IMPORT, title="Demo")
    forget_demo_state()
    call_command("export", "parquet", "-o", str(out))
    assert pq.read_schema(out).metadata[b"jpoa.notice"].decode() == str(NOTICE)
    forget_demo_state()


def test_the_data_package_holds_the_parquet_with_its_schema(edition, client):
    archive = zipfile.ZipFile(io.BytesIO(download(client, "matrix_datapackage")))
    descriptor = json.loads(archive.read("datapackage.json"))
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["activities", "activities-parquet"]
    resource = descriptor["resources"][1]
    assert resource["path"] == "activities.parquet" and resource["format"] == "parquet"
    assert resource["profile"] == "tabular-data-resource"
    table = pq.read_table(io.BytesIO(archive.read("activities.parquet")))
    fields = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    assert list(fields) == table.column_names and resource["schema"]["primaryKey"] == ["key"]
    assert fields["countries"] == "array" and fields["start_date"] == "date"
    assert fields["budget"] == "number" and fields["region_wide"] == "boolean"
    assert table.num_rows == 3


def test_the_data_page_offers_parquet(edition, client):
    page = client.get(reverse("exchange:downloads")).content.decode()
    assert f"matrix.parquet?edition={edition.number}" in page
    russian = client.get("/ru/data/").content.decode()
    assert "Parquet" in russian and "DuckDB" in russian and "строке" in russian


def test_nothing_published_is_the_same_clear_answer(default_data, client, tmp_path):
    coordinator()
    with pytest.raises(CommandError, match="no such published edition"):
        call_command("export", "parquet", "-o", str(tmp_path / "m.parquet"))
    assert not (tmp_path / "m.parquet").exists()
    for name in ("matrix_parquet", "matrix_csv"):
        response = client.get(reverse(f"exchange:{name}"))
        assert response.status_code == 404
