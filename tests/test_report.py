"""The donor progress report: its content, and PDF, DOCX and XLSX files that parse back."""

import io
import re

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jpoa.analysis.models import ReportRequest
from jpoa.analysis.report import build_report, find_phase, render_docx, render_pdf, render_xlsx
from jpoa.events.models import Event
from tests.factories import make_user

WORKSHOPS = [
    ("Dialogue with Religious Institutions and Leaders", "Almaty", "2013"),
    ("Engaging the Media for Countering Terrorism", "Bishkek", "2014"),
    ("Border Security and Management for Countering Terrorism", "Ashgabat", "2015"),
    ("Countering Radicalization", "Almaty", "2016"),
    ("Countering the Financing of Terrorism", "Ashgabat", "2016"),
]


@pytest.fixture
def phase_two(default_data):
    return build_report(phase=find_phase("II"))


def test_the_phase_two_report_lists_the_five_workshops(phase_two):
    rows = [(r.event.title, r.event.city, str(r.event.start_date.year)) for r in phase_two.events]
    assert rows[:5] == WORKSHOPS
    assert rows[5][1:] == ("Ashgabat", "2017")  # the High-Level Dialogue that closed Phase II
    partners = {r.event.title: r.partners for r in phase_two.events}
    assert partners["Border Security and Management for Countering Terrorism"] == ["OSCE"]
    assert partners["Countering the Financing of Terrorism"] == ["UNODC"]
    assert phase_two.events[0].dates == "20–22 November 2013"


def test_the_pdf_has_the_workshops_and_numbered_pages(phase_two):
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(render_pdf(phase_two)))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    # Table cells wrap, and text extraction reads across columns: the timeline has each
    # workshop on one line (date and label), the table its city and title words.
    labels = ["Workshop I", "Workshop II", "Workshop III", "Workshop IV", "Training Workshop V"]
    dates = ["20 November 2013", "9 July 2014", "4 March 2015", "29 March 2016", "14 December 2016"]
    for (title, city, _year), label, date in zip(WORKSHOPS, labels, dates, strict=True):
        assert f"{date} Regional {label}" in text and city in text
        # pypdf may split a kerned word ("T errorism"): compare without spaces.
        assert title.replace(" ", "") in text.replace(" ", "")
    assert "Contents" in text and "20–22 November 2013" in text and "UNODC" in text
    last = len(pdf.pages)
    assert f"Page {last} of {last}" in " ".join(pdf.pages[-1].extract_text().split())
    assert "Phase II (2013–2017)" in pdf.pages[1].extract_text()


def test_the_docx_has_headings_footer_fields_and_the_workshops(phase_two):
    from docx import Document

    document = Document(io.BytesIO(render_docx(phase_two)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Contents", "1. Summary"]
    assert "2. Events held and participants" in headings and "5. Gaps" in headings
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert all(any(title in c for c in cells) for title, _city, _year in WORKSHOPS)
    footer = document.sections[0].footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert "Phase II (2013–2017)" in document.sections[0].header.paragraphs[0].text


def test_user_text_comes_out_as_text_in_every_format(default_data):
    from docx import Document
    from openpyxl import load_workbook
    from pypdf import PdfReader

    Event.objects.filter(key="regional-workshop-1").update(
        title_en="<b>Bold</b><script>x()</script>"
    )
    Event.objects.filter(key="regional-workshop-2").update(title_en='=HYPERLINK("http://x")')
    report = build_report(phase=find_phase("2"))

    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(report))).pages)
    assert "<b>Bold</b><script>x()</script>" in pdf_text.replace("\n", "")
    cells = [
        c.text
        for t in Document(io.BytesIO(render_docx(report))).tables
        for r in t.rows
        for c in r.cells
    ]
    assert any("<script>x()</script>" in c for c in cells)
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Events"]
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'Regional Workshop II: =HYPERLINK" not in values  # the label comes first: no formula
    assert all(not str(v).startswith("=") for v in values)


def test_xlsx_cells_that_look_like_formulas_are_neutralised(default_data):
    from openpyxl import load_workbook

    report = build_report(phase=find_phase("II"))
    report.programme = "=1+1"
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["Summary"]
    assert sheet["B2"].value == "'=1+1"


def test_the_command_writes_each_format(default_data, tmp_path):
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("xlsx", b"PK")):
        out = tmp_path / f"r.{fmt}"
        call_command("report", "--phase", "II", "--format", fmt, "-o", str(out))
        assert out.read_bytes().startswith(magic)
    out = tmp_path / "ru.pdf"
    call_command(
        "report", "--from", "2013-01-01", "--to", "2014-12-31", "--language", "ru", "-o", str(out)
    )
    assert out.exists()


def test_the_command_refuses_bad_input_and_writes_nothing(default_data, tmp_path):
    out = tmp_path / "r.pdf"
    with pytest.raises(CommandError, match="no phase 'IX'"):
        call_command("report", "--phase", "IX", "-o", str(out))
    with pytest.raises(CommandError, match="before the start"):
        call_command("report", "--from", "2015-01-01", "--to", "2014-01-01", "-o", str(out))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("report", "--from", "soon", "--to", "2014-01-01", "-o", str(out))
    assert not out.exists()


def test_coordinators_download_the_report_from_the_back_office(client, default_data):
    url = reverse("admin:analysis_report")
    phase = find_phase("II")
    client.force_login(make_user("clerk", is_staff=True))
    refused = client.post(url, {"phase": phase.pk, "format": "pdf"})
    # The back office is for coordinators: other staff are sent to its sign-in page.
    assert refused.status_code == 302 and "/login/" in refused["Location"]
    assert refused.get("Content-Type", "").startswith("text/html")

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    response = client.post(url, {"phase": phase.pk, "format": "docx", "language": "ru"})
    assert response.status_code == 302  # the task (run at once in the tests) wrote it
    page = client.get(url).text
    request = ReportRequest.objects.get()
    download = reverse("admin:analysis_report_download", args=[request.pk])
    assert download in page
    response = client.get(download)
    assert response["Content-Disposition"] == 'attachment; filename="progress-report.docx"'
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.getvalue())).paragraphs)
    assert re.search("[А-Яа-яЁё]{4}", text)  # written in the language asked for
    assert "Choose a phase" in client.post(url, {"format": "pdf", "language": "en"}).text
    refused = client.post(
        url, {"date_from": "2015-01-01", "date_to": "2014-01-01", "format": "pdf", "language": "en"}
    )
    assert "before the start date" in refused.text and ReportRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_report_asked_for_waits_for_the_worker_then_can_be_downloaded(client, settings):
    from django.core.management import call_command

    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset

    load_dataset(DEFAULT_DATASET)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    url = reverse("admin:analysis_report")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    client.post(url, {"phase": find_phase("II").pk, "format": "pdf", "language": "en"})
    page = client.get(url).text
    assert "waiting to start" in page and 'http-equiv="refresh"' in page

    call_command("worker", batch=True, verbosity=0)
    page = client.get(url).text
    assert "waiting to start" not in page and 'http-equiv="refresh"' not in page
    request = ReportRequest.objects.get()
    response = client.get(reverse("admin:analysis_report_download", args=[request.pk]))
    assert response.getvalue().startswith(b"%PDF")
