"""Region-wide activities count wherever coverage is shown: the report and the gap analysis."""

import datetime
import io

import pytest
from django.urls import reverse

from jpoa.analysis import gaps as g
from jpoa.analysis.gaps import coverage_gaps
from jpoa.analysis.report import build_report, render_docx, render_pdf, render_xlsx
from jpoa.matrix.editions import publish_edition
from tests.factories import PUBLISHER, make_activity


@pytest.fixture
def edition(default_data):
    make_activity("kz-only", "osce", pillars=(1,), countries=("KZ",), start=2014, end=2016)
    make_activity("region-2", "unodc", pillars=(2,), region_wide=True, countries=(), start=2014)
    make_activity("region-kz", "eu", pillars=(2,), region_wide=True, countries=("KZ",), start=2015)
    return publish_edition(by=PUBLISHER, title="Test", as_of=datetime.date(2016, 6, 30))


@pytest.fixture
def report(edition):
    return build_report(date_from=datetime.date(2014, 1, 1), date_to=datetime.date(2016, 12, 31))


def test_the_report_table_has_a_region_wide_column(report):
    assert report.places[-1] == "Region-wide"
    pillar_two = report.activity_grid[1]
    # Both region-wide activities in the last column; the one naming Kazakhstan there too.
    assert pillar_two == [1, 0, 0, 0, 0, 2]
    assert report.activity_grid[0] == [1, 0, 0, 0, 0, 0]


def test_the_report_heatmap_shows_region_wide_activities(report):
    chart = str(report.charts["activities"])
    assert ">Region-wide</text>" in chart


def test_region_wide_activities_appear_in_every_report_format(report):
    from docx import Document
    from openpyxl import load_workbook
    from pypdf import PdfReader

    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report))).pages)
    assert "Region-wide" in pdf
    document = Document(io.BytesIO(render_docx(report)))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in document.tables]
    grid = next(t for t in tables if t[0][0] == "Pillar")
    assert grid[0][-1] == "Region-wide" and grid[2][-1] == "2"
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Activities"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Region-wide" and rows[2][-1] == 2


def test_a_region_wide_activity_reaches_a_state_as_region_wide_only(edition):
    cells = {(c.subject_key, c.country.iso2): c for c in coverage_gaps(edition).pillar_cells}
    turkmenistan = cells[("2", "TM")]
    assert turkmenistan.state == g.REGION_ONLY
    assert turkmenistan.explanation == (
        "Pillar II in Turkmenistan: no current activity names the state; "
        "2 current region-wide activities cover it."
    )
    # Named for Kazakhstan as well: a state's own activity there.
    assert cells[("2", "KZ")].state == g.THIN
    assert cells[("4", "TM")].state == g.GAP


def test_the_trend_knows_a_cell_was_region_wide_only_before(edition):
    make_activity("tm-2", "osce", pillars=(2,), countries=("TM",))
    second = publish_edition(by=PUBLISHER, title="Second")
    cells = {(c.subject_key, c.country.iso2): c for c in coverage_gaps(second).pillar_cells}
    assert cells[("2", "TM")].previous_state == g.REGION_ONLY
    assert cells[("2", "TM")].trend == g.BETTER
    assert cells[("2", "TJ")].trend == g.SAME


def test_the_gaps_page_states_the_rule_and_shows_region_wide(client, edition):
    html = client.get(reverse("analysis:gaps")).text
    assert "How region-wide activities count" in html
    assert ">Region-wide</text>" in html
    assert "Pillar II in Turkmenistan: no activity recorded." not in html
    assert "no current activity names the state" in html
