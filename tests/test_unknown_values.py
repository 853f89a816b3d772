"""Unknown is never zero: what nobody recorded reads "not recorded" (empty or null in data files).

The default data set records participants for one event only (the High Level Meeting:
54, sex not recorded); the Phase II events (five workshops and the 2017 Dialogue) record
none. Every output that counts
participants must say so, never print 0 for them.
"""

import csv
import io
import re

import pytest

from jpoa.analysis.report import build_report, find_phase, render_docx, render_pdf, render_xlsx


@pytest.fixture
def phase_two(default_data):
    return build_report(phase=find_phase("II"))


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_trends_page_says_not_recorded_and_draws_no_zero_bar(client, default_data):
    html = client.get("/en/analysis/trends/").content.decode()
    table = html[html.index("Participants by sex and year</caption>") :]
    table = table[: table.index("</table>")]
    rows = dict(re.findall(r'<th scope="row">(\d{4})</th>(.*?)</tr>', table))
    # 2010 and the workshop years: events held, nobody counted.
    for year in ("2010", "2013", "2014", "2015", "2016"):
        cells = re.findall(r"<td>(.*?)</td>", rows[year])
        assert cells[1:] == ["not recorded"] * 4, (year, cells)
    # 2011: 54 counted at the High Level Meeting, their sex not recorded.
    cells = re.findall(r"<td>(.*?)</td>", rows["2011"])
    assert cells[2:] == ["not recorded", "not recorded", "54"], cells
    assert "(leaves out 2 events without a number)" in _words(rows["2011"])
    chart = html[html.index("Participants by sex and year</title>") :]
    chart = chart[: chart.index("</svg>")]
    assert "2011: women" not in chart and "2011: men" not in chart
    assert "2011: unknown" in chart and "2013:" not in chart


def test_the_report_annex_says_not_recorded_in_the_pdf(phase_two):
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(render_pdf(phase_two)))
    annex = _words(pdf.pages[-1].extract_text())
    events = len(phase_two.events)
    assert annex.count("not recorded") >= events * 4
    assert f"Total: not recorded for any of the {events} events" in annex
    assert not re.search(r"(?<![\d.-])0(?![\d.-])", annex), annex


def test_the_report_annex_says_not_recorded_in_the_docx(phase_two):
    from docx import Document

    document = Document(io.BytesIO(render_docx(phase_two)))
    annex = document.tables[-1]
    rows = [[c.text for c in row.cells] for row in annex.rows][1:]
    events = len(phase_two.events)
    assert len(rows) == events + 1  # the events and the total
    for row in rows[:events]:
        assert row[3:] == ["not recorded"] * 4, row
    assert rows[-1][0] == f"Total: not recorded for any of the {events} events"
    assert rows[-1][3:] == ["not recorded"] * 4


def test_the_report_xlsx_leaves_unrecorded_cells_empty(phase_two):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(render_xlsx(phase_two)))
    annex = list(workbook["Annex"].iter_rows(min_row=2, values_only=True))
    assert [row[3:] for row in annex] == [(None,) * 4] * (len(phase_two.events) + 1)
    events = list(workbook["Events"].iter_rows(min_row=2, values_only=True))
    assert all(row[4:] == (None, None, None) for row in events)


def test_the_report_xlsx_has_no_activity_zeros_without_an_edition(phase_two):
    from openpyxl import load_workbook

    assert phase_two.edition is None
    workbook = load_workbook(io.BytesIO(render_xlsx(phase_two)))
    values = [
        v for row in workbook["Activities"].iter_rows(min_row=2, values_only=True) for v in row
    ]
    assert 0 not in values
    assert [v for v in values if v is not None] == [
        "No edition of the matrix was published by the end of the period."
    ]


def test_the_participants_csv_and_json_leave_unrecorded_empty(client, default_data):
    rows = list(
        csv.DictReader(io.StringIO(client.get("/en/events/participants.csv").content.decode()))
    )
    by_key = {(r["group"], r["key"]): r for r in rows}
    assert by_key[("event", "regional-workshop-1")]["participants"] == ""
    assert by_key[("event", "high-level-meeting-2011")]["participants"] == "54"
    assert by_key[("event", "high-level-meeting-2011")]["women"] == ""
    data = client.get("/en/events/participants.json").json()
    records = data["results"] if isinstance(data, dict) and "results" in data else data
    if isinstance(records, dict):
        records = next(v for v in records.values() if isinstance(v, list))
    workshop = next(r for r in records if r["key"] == "regional-workshop-1")
    assert workshop["participants"] is None and workshop["women"] is None


def test_the_api_gives_null_for_unrecorded_participants(client, default_data):
    event = client.get("/api/v1/events/regional-workshop-1").json()
    assert event["participants_total"] is None
    assert event["participants"] == []


def test_an_event_page_without_numbers_says_not_recorded(client, default_data):
    html = client.get("/en/events/participants/").content.decode()
    stats = html[html.index('id="by-event-title"') :]
    workshop = stats[stats.index("regional-workshop-1") :]
    workshop = workshop[: workshop.index("</tr>")]
    assert "not recorded" in workshop and '<td class="num">0</td>' not in workshop


def test_the_annex_total_says_which_events_it_leaves_out(default_data):
    from openpyxl import load_workbook

    report = build_report(phase=find_phase("I"))
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    total = list(workbook["Annex"].iter_rows(values_only=True))[-1]
    assert total[0] == (
        "Total of the events that record a number (1 of 4; the others are left out)"
    )
    assert total[3:7] == (54, None, None, 54)
