"""Exports of a published edition: XLSX, CSV with HXL, JSON, data package; formula injection."""

import csv
import datetime
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from jpoa.core.models import Country, Organisation
from jpoa.exchange.preview import build_preview
from jpoa.lib.cells import safe_cell
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity
from jpoa.plan.models import Pillar
from tests.factories import PUBLISHER, coordinator, make_activity


@pytest.fixture
def edition(default_data):
    make_activity("a1", "osce", pillars=(1, 2), countries=("KZ", "KG"), donors=("eu",))
    evil = make_activity("a2", "unodc", pillars=(4,), countries=(), region_wide=True)
    evil.title_en = '=HYPERLINK("http://evil","x")'
    evil.description_en = "@SUM(A1)"
    evil.save()
    return publish_edition(by=PUBLISHER, title="Test edition")


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
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[1][0] == "#meta+id" and "#org+lead" in rows[1]
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)


def test_filters_narrow_the_download(edition, client):
    data = json.loads(client.get(reverse("exchange:matrix_json") + "?country=KZ").getvalue())
    assert [a["key"] for a in data["activities"]] == ["a1"]
    assert data["edition"]["number"] == edition.number and data["filters"] == {"country": "KZ"}
    assert client.get(reverse("exchange:matrix_json") + "?edition=99").status_code == 404


def test_datapackage_describes_its_csv(edition, client):
    response = client.get(reverse("exchange:matrix_datapackage"))
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    descriptor = json.loads(archive.read("datapackage.json"))
    resource = descriptor["resources"][0]
    assert descriptor["profile"] == "tabular-data-package" and resource["path"] == "activities.csv"
    header = next(csv.reader(io.StringIO(archive.read("activities.csv").decode())))
    assert [f["name"] for f in resource["schema"]["fields"]] == header
    assert resource["schema"]["primaryKey"] == ["key"]


def test_downloads_page_lists_the_formats(edition, client):
    page = client.get(reverse("exchange:downloads"))
    assert page.status_code == 200
    for name in ("matrix.xlsx", "matrix.csv", "matrix.json", "matrix.parquet", "datapackage.zip"):
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


def test_xlsx_sheets_print_as_wide_as_the_page_with_rows_tall_enough(default_data, tmp_path):
    """LibreOffice keeps the default row height for wrapped text: the rows carry their own."""
    long = make_activity("long", "osce", pillars=(1,), countries=("KZ",))
    long.description_en = "\n".join(f"Line {n} of a long description" for n in range(6))
    long.save()
    publish_edition(by=PUBLISHER, title="Tall rows")
    out = tmp_path / "m.xlsx"
    call_command("export", "xlsx", "-o", str(out))
    workbook = openpyxl.load_workbook(out)
    activities = workbook["Activities"]
    assert activities.freeze_panes == "C3" and activities.print_title_rows == "$1:$2"
    assert activities.row_dimensions[3].height >= 15 * 6  # six lines in one cell
    for sheet in workbook.worksheets:
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert activities.page_setup.orientation == "landscape"
    assert workbook["About"].page_setup.orientation == "portrait"


def test_a_download_is_written_once_for_everyone_who_asks(edition, client, settings):
    url = reverse("exchange:matrix_xlsx")
    first = client.get(url + "?country=KZ")
    again = client.get(url + "?country=KZ&utm_source=x&z=1")  # parameters the form ignores
    assert first.status_code == again.status_code == 200
    assert first.getvalue() == again.getvalue()
    written = list((settings.DOWNLOADS_DIR).glob("edition-*"))
    assert len(written) == 1
    assert (
        first["Content-Disposition"] == f'attachment; filename="jpoa-matrix-{edition.number}.xlsx"'
    )
    client.get(url + "?country=KG")  # another question: another file
    assert len(list(settings.DOWNLOADS_DIR.glob("edition-*"))) == 2


def test_the_oldest_downloads_are_removed_with_their_locks(edition, client, settings):
    from jpoa.exchange import downloads

    settings.DOWNLOADS_DIR.mkdir(parents=True)
    stale = settings.DOWNLOADS_DIR / ".0123456789abcdef0123456789abcdef.lock"
    stale.touch()  # the lock of a download removed before
    downloads.KEEP_FILES, kept = 1, downloads.KEEP_FILES
    try:
        client.get(reverse("exchange:matrix_csv") + "?country=KZ")
        client.get(reverse("exchange:matrix_csv") + "?country=KG")
    finally:
        downloads.KEEP_FILES = kept
    [left] = settings.DOWNLOADS_DIR.glob("edition-*")
    locks = sorted(p.name for p in settings.DOWNLOADS_DIR.glob(".*.lock"))
    digest = left.stem.rsplit("-", 1)[-1]
    assert f".{digest}.lock" in locks and stale.name not in locks
    assert any(name.startswith(".slot-") for name in locks)


def test_an_edit_after_publication_makes_a_new_download(edition, client, settings):
    from jpoa.core.models import Organisation

    url = reverse("exchange:matrix_csv")
    before = client.get(url).getvalue().decode()
    osce = Organisation.objects.get(key="osce")
    osce.acronym_en = "OSCE-renamed"
    osce.save()  # audited: the public data changed
    after = client.get(url).getvalue().decode()
    assert "OSCE-renamed" not in before and "OSCE-renamed" in after


def test_a_download_nobody_can_write_now_is_a_503_with_retry_after(edition, client, settings):
    import fcntl

    from jpoa.exchange import downloads

    settings.DOWNLOADS_DIR.mkdir(parents=True)
    held = []
    for number in range(downloads.BUILD_SLOTS):  # another process writes in every slot
        lock = open(settings.DOWNLOADS_DIR / f".slot-{number}.lock", "a")  # noqa: SIM115
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.append(lock)
    try:
        response = client.get(reverse("exchange:matrix_xlsx"))
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert "try again" in response.content.decode()
    finally:
        for lock in held:
            lock.close()
    assert client.get(reverse("exchange:matrix_xlsx")).status_code == 200
    assert not list(settings.DOWNLOADS_DIR.glob(".writing-*"))  # no half-written file left


def test_a_pillar_cell_with_more_titles_than_a_cell_holds_says_how_many_more(
    default_data, tmp_path
):
    title = "with a title of some length " * 3
    many = Activity.objects.bulk_create(
        Activity(
            key=f"many-{n:03}",
            lead_organisation=Organisation.objects.get(key="osce"),
            title_en=f"Activity many-{n:03} {title}",
            status="ongoing",
            start_date=datetime.date(2014, 1, 1),
            start_year=2014,
        )
        for n in range(450)
    )
    pillar, kazakhstan = Pillar.objects.get(number=1), Country.objects.get(iso2="KZ")
    Activity.pillars.through.objects.bulk_create(
        Activity.pillars.through(activity_id=a.pk, pillar_id=pillar.pk) for a in many
    )
    Activity.countries.through.objects.bulk_create(
        Activity.countries.through(activity_id=a.pk, country_id=kazakhstan.pk) for a in many
    )
    publish_edition(by=PUBLISHER, title="Crowded")
    out = tmp_path / "m.xlsx"
    call_command("export", "xlsx", "-o", str(out))
    workbook = openpyxl.load_workbook(out, read_only=True)
    header, osce = list(workbook["Pillar I"].iter_rows(values_only=True))[:2]
    cell = osce[header.index("Kazakhstan")]
    assert len(cell) <= 32_767
    assert "more (see the Activities sheet)" in cell.splitlines()[-1]
    listed = len(cell.splitlines()) - 1
    assert listed + int(cell.splitlines()[-1].split()[2]) == 450
    rows = list(workbook["Activities"].iter_rows(values_only=True))
    assert len(rows) == 2 + 450  # the header, the HXL row and every activity
