"""Exports of a published edition: XLSX, CSV with HXL, JSON, data package; formula injection."""

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from matrix_factory import make_activity
from rounds_factories import coordinator

from jpoa.exchange.exports import safe_cell
from jpoa.exchange.preview import build_preview
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def edition(default_data):
    make_activity("a1", "osce", pillars=(1, 2), countries=("KZ", "KG"), donors=("eu",))
    evil = make_activity("a2", "unodc", pillars=(4,), countries=(), region_wide=True)
    evil.title_en = '=HYPERLINK("http://evil","x")'
    evil.description_en = "@SUM(A1)"
    evil.save()
    return publish_edition(title="Test edition")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_safe_cell_neutralises_formulas(text):
    assert safe_cell(text) == "'" + text


def test_safe_cell_leaves_other_values():
    assert safe_cell("OSCE") == "OSCE" and safe_cell(12) == 12 and safe_cell(None) is None


def test_xlsx_has_a_cover_and_one_sheet_per_pillar(edition, tmp_path):
    out = tmp_path / "m.xlsx"
    call_command("export", "xlsx", "-o", str(out))
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [
        "About",
        "Pillar I",
        "Pillar II",
        "Pillar III",
        "Pillar IV",
        "Activities",
    ]
    assert "Test edition" in workbook["About"]["B2"].value
    pillar_one = workbook["Pillar I"]
    assert pillar_one.freeze_panes == "B2"
    rows = list(pillar_one.iter_rows(values_only=True))
    assert rows[1][0].startswith("Organization for Security") and "Activity a1" in rows[1][1]
    cells = [c for row in workbook["Activities"].iter_rows(values_only=True) for c in row if c]
    assert '\'=HYPERLINK("http://evil","x")' in cells and "'@SUM(A1)" in cells
    assert not any(isinstance(c, str) and c.startswith(("=", "@")) for c in cells)


def test_csv_has_hxl_row_and_neutralised_cells(edition, client):
    response = client.get(reverse("exchange:matrix_csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "#meta+id" and "#org+lead" in rows[1]
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)


def test_filters_narrow_the_download(edition, client):
    data = client.get(reverse("exchange:matrix_json") + "?country=KZ").json()
    assert [a["key"] for a in data["activities"]] == ["a1"]
    assert data["edition"]["number"] == edition.number and data["filters"] == {"country": "KZ"}
    assert client.get(reverse("exchange:matrix_json") + "?edition=99").status_code == 404


def test_datapackage_describes_its_csv(edition, client):
    response = client.get(reverse("exchange:matrix_datapackage"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    descriptor = json.loads(archive.read("datapackage.json"))
    resource = descriptor["resources"][0]
    assert descriptor["profile"] == "tabular-data-package" and resource["path"] == "activities.csv"
    header = next(csv.reader(io.StringIO(archive.read("activities.csv").decode())))
    assert [f["name"] for f in resource["schema"]["fields"]] == header
    assert resource["schema"]["primaryKey"] == ["key"]


def test_downloads_page_lists_the_formats(edition, client):
    page = client.get(reverse("exchange:downloads"))
    assert page.status_code == 200
    for name in ("matrix.xlsx", "matrix.csv", "matrix.json", "datapackage.zip"):
        assert name in page.content.decode()


def test_export_then_import_changes_nothing(edition, tmp_path):
    out = tmp_path / "m.xlsx"
    call_command("export", "xlsx", "-o", str(out))
    preview = build_preview(out)
    assert preview.counts["unchanged"] == 2, [str(i) for i in preview.all_issues()]
    csv_out = tmp_path / "m.csv"
    call_command("export", "csv", "-o", str(csv_out))
    assert build_preview(csv_out).counts["unchanged"] == 2


def test_export_without_edition_is_a_clear_error(default_data, tmp_path):
    from django.core.management import CommandError

    coordinator()
    with pytest.raises(CommandError, match="no such published edition"):
        call_command("export", "csv", "-o", str(tmp_path / "x.csv"))
    assert Activity.objects.count() == 0


def test_xlsx_sheets_print_as_wide_as_the_page_with_rows_tall_enough(default_data):
    """LibreOffice keeps the default row height for wrapped text: the rows carry their own."""
    import io as _io

    import openpyxl as _openpyxl

    from jpoa.exchange import exports as _exports

    text = "\n".join(f"• Activity number {n} with a long title" for n in range(6))
    workbook = _openpyxl.Workbook()
    sheet = workbook.active
    sheet.column_dimensions["A"].width = 30
    sheet.append([text])
    _exports._fit_rows(sheet)
    _exports._print_setup(sheet, title_rows="1:1")
    saved = _io.BytesIO()
    workbook.save(saved)
    again = _openpyxl.load_workbook(saved).active
    assert again.row_dimensions[1].height >= 15 * 12  # six lines, each wrapped once
    assert again.sheet_properties.pageSetUpPr.fitToPage and again.page_setup.fitToWidth == 1
    assert again.page_setup.orientation == "landscape"
