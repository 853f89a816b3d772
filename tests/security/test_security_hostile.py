"""Hostile input: property-based tests (Hypothesis) of the importers, the API filters and
the matrix filters, and hand-made attacks (formula injection, script in every text field).

Each property: no crash (a clear error instead), no 500, nothing partly written.
The XML attacks (entity expansion, external entities), the zip bomb, wrong
encodings and the upload size limit have their own tests in tests/test_imports.py.
"""

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from public_outputs import public_outputs

from jpoa.exchange.apply import ImportFailed, apply_import, safe_file_name, start_import
from jpoa.exchange.models import ImportRecord
from jpoa.exchange.preview import build_preview
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity
from tests.factories import PUBLISHER, coordinator, titled_activity

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = ["Lead organisation", "Title (English)", "Pillars", "Countries", "Status", "Start date"]
VALID_ROW = ["OSCE", "Police reform", "II", "KZ", "ongoing", "2014-01-01"]

# Values an attacker (or a careless spreadsheet) puts in cells.
NASTY = [
    "=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE matrix_activity; --",
    "\ufeffOSCE",
    "\x00nul",
    "x" * 100_000,
    "../../etc/passwd",
    "%s%s%n",
    "\u202eevil",
]
cell_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))


def _counts() -> tuple[int, int]:
    return Activity.objects.count(), ImportRecord.objects.count()


def try_import(data: bytes, name: str, user) -> None:
    """Preview, then apply when the preview is clean: all or nothing, never a crash."""
    before = Activity.objects.count()
    try:
        record, preview = start_import(chunks=[data], file_name=name, user=user)
    except ImportFailed:
        assert Activity.objects.count() == before
        return
    if preview.has_errors:
        assert Activity.objects.count() == before
        return
    try:
        apply_import(record=record, user=user, preview=preview)
    except ImportFailed:
        assert Activity.objects.count() == before
        return
    assert Activity.objects.count() == before + preview.counts["add"]


@pytest.fixture
def coord(default_data, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return coordinator()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode(encoding, "replace")


@given(rows=st.lists(st.lists(cell_text, min_size=0, max_size=8), max_size=5))
@example(rows=[VALID_ROW])
def test_csv_rows_of_anything(coord, rows):
    try_import(csv_bytes(rows), "hostile.csv", coord)


@given(data=st.binary(max_size=3000))
@example(data=b"\xef\xbb\xbf" + csv_bytes([VALID_ROW]))  # a byte-order mark
@example(data=b"\xff\xfe" + ",".join(HEADER).encode("utf-16-le"))
@example(data=csv_bytes([VALID_ROW], "cp1251"))
@example(data=b"\x00" * 1000)
def test_csv_bytes_of_anything(coord, data):
    try_import(data, "hostile.csv", coord)


@given(
    cells=st.lists(
        st.lists(
            st.one_of(cell_text, st.integers(), st.floats(allow_nan=True), st.dates()), max_size=8
        ),
        max_size=5,
    )
)
def test_xlsx_cells_of_anything(coord, tmp_path, cells):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in cells:
        # openpyxl refuses control characters itself; a real file may still hold them.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    try_import(buffer.getvalue(), "hostile.xlsx", coord)


@given(data=st.binary(max_size=2000))
def test_xlsx_bytes_of_anything(coord, data):
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("[Content_Types].xml", data)
        archive.writestr("xl/workbook.xml", data)
    try_import(packed.getvalue(), "hostile.xlsx", coord)
    try_import(data, "hostile.xlsx", coord)


def test_a_huge_sheet_is_refused_quickly(coord, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.cell(row=1_048_576, column=16_384, value="far away")
    path = tmp_path / "huge.xlsx"
    workbook.save(path)
    preview = build_preview(path)
    assert preview.has_errors
    assert "more than" in preview.errors[0].message


IATI = (DATA / "iati-sample.xml").read_bytes()


@given(
    position=st.integers(min_value=0, max_value=len(IATI) - 1),
    junk=st.binary(min_size=1, max_size=40),
)
@example(position=0, junk=b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>')
def test_iati_xml_with_anything_spliced_in(coord, position, junk):
    try_import(IATI[:position] + junk + IATI[position:], "hostile.xml", coord)


@given(text=cell_text)
def test_iati_text_of_anything(coord, text):
    from xml.sax.saxutils import escape

    document = IATI.replace(b"<narrative>", f"<narrative>{escape(text)}".encode(), 1)
    try_import(document, "hostile.xml", coord)


@given(name=st.text(max_size=300))
@example(name="..;")
@example(name="../../etc/passwd")
@example(name="..\\..\\windows\\system32")
@example(name="/dev/null")
def test_uploaded_file_names_never_leave_the_imports_directory(name):
    safe = safe_file_name(name)
    assert safe and "/" not in safe and "\\" not in safe
    assert safe not in {".", ".."} and len(safe) <= 200


# -- filters ---------------------------------------------------------------------------------

FILTERS = ["edition", "country", "pillar", "item", "organisation", "organisation_type", "status"]
FILTERS += ["year_from", "year_to", "page", "page_size", "q", "kind", "sort"]
filter_value = st.one_of(
    st.sampled_from(NASTY[:12]),
    st.text(max_size=50),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
queries = st.dictionaries(st.sampled_from(FILTERS), filter_value, max_size=4)


@pytest.fixture
def published(default_data):
    titled_activity("osce", "Police reform")
    publish_edition(by=PUBLISHER, title="E")


API_LISTS = ["/api/v1/activities", "/api/v1/matrix/organisations-pillars", "/api/v1/events"]
API_LISTS += ["/api/v1/findings", "/api/v1/matrix/countries-pillars"]


@given(path=st.sampled_from(API_LISTS), query=queries)
def test_api_filters_of_anything(client, published, path, query):
    before = _counts()
    response = client.get(path, query)
    assert response.status_code in (200, 400, 404, 422), (query, response.content[:300])
    assert response["Content-Type"].startswith(("application/json", "application/problem+json"))
    assert _counts() == before


PAGES = ["/en/matrix/", "/en/matrix/activities/", "/en/matrix/heatmap/", "/en/matrix/plan-items/"]
PAGES += ["/en/events/", "/en/findings/", "/ru/matrix/activities/"]


@given(path=st.sampled_from(PAGES), query=queries)
def test_page_filters_of_anything(client, published, path, query):
    response = client.get(path, query)
    assert response.status_code in (200, 400, 404), query
    body = response.content.decode()
    for value in query.values():
        if "<" in value:
            assert value not in body  # escaped where it is shown again


# -- script and formulas in every text field -------------------------------------------------

SCRIPT = '<script>alert("jpoa")</script>'
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def poisoned(default_data):
    """Every public text field of an activity, an event and a finding holds script or a formula."""
    from jpoa.events.models import Event, Finding

    activity = titled_activity("osce", "Poisoned")
    for name in ("title", "description", "provenance_note"):
        for lang in ("en", "ru"):
            setattr(
                activity,
                f"{name}_{lang}",
                f"{FORMULA if name == 'title' and lang == 'en' else ''}{SCRIPT} {name}",
            )
    activity.source_locator = SCRIPT
    activity.save()
    Event.objects.update(title_en=SCRIPT, summary_en=SCRIPT, outcome_en=SCRIPT, city_en=SCRIPT)
    Finding.objects.update(text_en=SCRIPT)
    publish_edition(by=PUBLISHER, title=SCRIPT)


def test_script_in_text_fields_is_escaped_on_every_page(client, poisoned):
    pages = 0
    for label, text in public_outputs(client):
        if text.lstrip().startswith("<!DOCTYPE html"):
            assert SCRIPT not in text, label
            pages += 1
    assert pages > 20


def test_formulas_are_neutralised_in_spreadsheet_exports(client, poisoned):
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/en/data/matrix.xlsx").getvalue()))
    cells = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row]
    texts = [c for c in cells if isinstance(c, str)]
    assert any("HYPERLINK" in c for c in texts)
    assert not any(c.startswith(("=", "+", "-", "@")) and "HYPERLINK" in c for c in texts)
    csv_text = client.get("/en/data/matrix.csv").getvalue().decode()
    rows = list(csv.reader(io.StringIO(csv_text)))
    hyperlink_cells = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert hyperlink_cells and all(not cell.startswith("=") for cell in hyperlink_cells)
