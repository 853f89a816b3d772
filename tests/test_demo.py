"""The demonstration data set: loaded on request, labelled everywhere, never mixed, removable."""

import csv
import io
import json

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from jpoa.core.models import Organisation, Source
from jpoa.events.models import Event, EventParticipants, Finding
from jpoa.library.models import ResourceVersion
from jpoa.matrix.editions import compare_editions
from jpoa.matrix.models import Activity, Edition
from jpoa.rounds.models import Submission, UpdateRound

NOTICE = "Demonstration data, invented"
NOTICE_RU = "Демонстрационные данные, вымышленные"


@pytest.fixture
def demo(default_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", "--activities", "80", stdout=io.StringIO())


def test_the_demo_is_a_matrix_with_three_editions_a_round_events_and_files(demo):
    assert Organisation.objects.filter(key__startswith="demo-org-").count() == 30
    assert Activity.objects.filter(source__key="jpoa-demo").count() == Activity.objects.count()
    editions = list(Edition.objects.order_by("number"))
    assert [e.as_of.year for e in editions] == [2023, 2024, 2025]
    first, second = compare_editions(editions[0], editions[1]), compare_editions(*editions[1:])
    for comparison in (first, second):
        assert comparison.added and comparison.changed
    assert first.changed and any(c.key for c in first.changed)
    round = UpdateRound.objects.get()
    assert round.edition == editions[2]
    assert round.submissions.filter(status=Submission.Status.ACCEPTED).count() == 4
    assert Event.objects.filter(source__key="jpoa-demo").count() == 4
    assert EventParticipants.objects.filter(women__isnull=False).exists()
    assert EventParticipants.objects.filter(women__isnull=True).exists()  # sex not recorded
    assert Finding.objects.filter(source__key="jpoa-demo").values("status").distinct().count() > 1
    assert (
        ResourceVersion.objects.filter(resource__source__key="jpoa-demo").exclude(file="").count()
        == 4
    )


def test_the_demo_refuses_a_database_with_real_activities(default_data):
    from tests.factories import make_activity

    make_activity("real", "osce")
    with pytest.raises(CommandError, match="1 real activities"):
        call_command("demo", "--activities", "20", stdout=io.StringIO())
    assert not Source.objects.filter(key="jpoa-demo").exists()
    assert Activity.objects.count() == 1 and not Edition.objects.exists()


@pytest.mark.parametrize(("language", "notice"), [("en", NOTICE), ("ru", NOTICE_RU)])
def test_every_page_says_it_is_invented(client, demo, language, notice):
    for path in (
        "",
        "matrix/",
        "matrix/heatmap/",
        "analysis/gaps/",
        "analysis/trends/",
        "events/",
        "data/",
    ):
        page = client.get(f"/{language}/{path}")
        assert page.status_code == 200, path
        assert (
            f'<div class="demo-banner" role="note"><p class="wrap"><strong>{notice}</strong>'
            in (page.content.decode())
        ), path


def test_every_export_says_it_is_invented(client, demo):
    from openpyxl import load_workbook

    about = load_workbook(io.BytesIO(client.get("/en/data/matrix.xlsx").getvalue()))["About"]
    assert any(NOTICE in str(row[1]) for row in about.iter_rows(values_only=True))
    assert json.loads(client.get("/en/data/matrix.json").getvalue())["notice"].startswith(NOTICE)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/en/data/matrix.csv").getvalue().decode("utf-8-sig"))
        )
    )
    described = [r for r in rows[1:] if "Invented for the jpoa demonstration" in str(r)]
    assert len(described) == len(rows) - 1
    import zipfile

    package = zipfile.ZipFile(io.BytesIO(client.get("/en/data/datapackage.zip").getvalue()))
    assert json.loads(package.read("datapackage.json"))["description"].startswith(NOTICE)
    import pyarrow.parquet as pq

    parquet = pq.read_schema(io.BytesIO(client.get("/en/data/matrix.parquet").getvalue()))
    assert parquet.metadata[b"jpoa.notice"].decode().startswith(NOTICE)


def test_every_api_answer_says_it_is_invented(client, demo):
    for path in ("/api/v1/", "/api/v1/activities", "/api/v1/editions", "/api/v1/events"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["X-Jpoa-Data"] == "demonstration data, invented", path
    assert client.get("/api/v1/").json()["notice"].startswith(NOTICE)


def test_every_report_says_it_is_invented(demo):
    import datetime

    from docx import Document
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from jpoa.analysis.report import build_report, render_docx, render_pdf, render_xlsx

    report = build_report(date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2025, 12, 31))
    pdf = PdfReader(io.BytesIO(render_pdf(report)))
    assert all(NOTICE in page.extract_text() for page in pdf.pages[1:])
    assert NOTICE in pdf.pages[0].extract_text()
    document = Document(io.BytesIO(render_docx(report)))
    assert NOTICE in document.sections[0].header.paragraphs[0].text
    assert any(p.text.startswith(NOTICE) for p in document.paragraphs)
    summary = load_workbook(io.BytesIO(render_xlsx(report)))["Summary"]
    assert any(str(row[0]).startswith(NOTICE) for row in summary.iter_rows(values_only=True))


def test_the_demo_is_removed_entirely(client, default_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = {
        "organisations": Organisation.objects.count(),
        "events": Event.objects.count(),
        "sources": Source.objects.count(),
        "audit": LogEntry.objects.count(),
    }
    call_command("demo", "--activities", "40", stdout=io.StringIO())
    assert list(tmp_path.rglob("*.html"))
    call_command("demo", "--remove", stdout=io.StringIO())
    after = {
        "organisations": Organisation.objects.count(),
        "events": Event.objects.count(),
        "sources": Source.objects.count(),
        "audit": LogEntry.objects.count(),
    }
    assert after == before
    assert not Activity.objects.exists() and not Edition.objects.exists()
    assert not UpdateRound.objects.exists()
    assert "demo-banner" not in client.get("/en/").content.decode()
    assert "X-Jpoa-Data" not in client.get("/api/v1/")
    with pytest.raises(CommandError, match="no demonstration data"):
        call_command("demo", "--remove", stdout=io.StringIO())


def test_loading_the_demo_twice_changes_nothing(demo):
    count = Activity.objects.count()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "loaded already; nothing changed" in out.getvalue()
    assert Activity.objects.count() == count
