"""Imports: preview, all-or-nothing apply, matching, readers and hostile files."""

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from jpoa.exchange.apply import apply_import, start_import_from_path
from jpoa.exchange.models import ImportRecord
from jpoa.exchange.preview import build_preview
from jpoa.matrix.models import Activity
from tests.factories import PASSWORD, coordinator, focal_point

DATA = Path(__file__).parent / "data"

GOOD_CSV = """Lead organisation,Title (English),Pillars,Countries,Status,Start date,End date,Budget,Currency,Donors
OSCE ,Police reform,II;III,Kazakhstan;KG,ongoing,2014-01-01,2015-12-31,1000,EUR,EU
UNODC,Border control,IV,TJ,planned,,,,,Norway
"""

BAD_CSV = """Lead organisation,Title (English),Pillars,Countries,Status,Start date,End date
OSCE,Good row,II,KZ,ongoing,2014-01-01,2015-12-31
OCSE,Bad org,I,Kirgizia,active,2014-01-01,2013-01-01
"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def run_import(path: Path, user) -> ImportRecord:
    record, preview = start_import_from_path(path, user=user)
    return apply_import(record=record, user=user, preview=preview)


def test_preview_counts_rows_and_writes_nothing(default_data, tmp_path):
    preview = build_preview(write(tmp_path, "good.csv", GOOD_CSV))
    assert preview.counts["add"] == 2 and preview.counts["error"] == 0
    assert not preview.has_errors
    assert Activity.objects.count() == 0


def test_errors_name_file_row_and_field_with_suggestions(default_data, tmp_path):
    preview = build_preview(write(tmp_path, "bad.csv", BAD_CSV))
    assert preview.counts["add"] == 1 and preview.counts["error"] == 1
    found = {(i.file, i.row, i.field): i for i in preview.all_issues()}
    # An unknown name is a new organisation, not an error: a near miss is said, as a warning.
    org = found[("bad.csv", 3, "Lead organisation")]
    assert org.level == "warning" and "OCSE" in org.message and org.suggestion == "OSCE"
    assert [o.name for o in preview.new_organisations] == ["OCSE"]
    country = found[("bad.csv", 3, "Countries")]
    assert country.suggestion == "Kyrgyzstan"
    assert "before the start date" in found[("bad.csv", 3, "End date")].message
    assert "bad.csv:3:Lead organisation" in str(org)


def test_a_file_with_errors_writes_nothing(default_data, tmp_path):
    user = coordinator()
    record, preview = start_import_from_path(write(tmp_path, "bad.csv", BAD_CSV), user=user)
    with pytest.raises(Exception, match="errors"):
        apply_import(record=record, user=user, preview=preview)
    assert Activity.objects.count() == 0
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.FAILED


def test_confirm_writes_every_row_audited_and_traceable(default_data, tmp_path):
    user = coordinator()
    record = run_import(write(tmp_path, "good.csv", GOOD_CSV), user)
    assert record.status == ImportRecord.Status.APPLIED and record.counts["add"] == 2
    police = Activity.objects.get(title_en="Police reform")
    assert police.lead_organisation.key == "osce"
    assert sorted(police.countries.values_list("iso2", flat=True)) == ["KG", "KZ"]
    assert sorted(police.pillars.values_list("number", flat=True)) == [2, 3]
    assert list(police.donors.values_list("key", flat=True)) == ["eu"]
    assert str(police.budget) == "1000.00" and police.currency == "EUR"
    assert list(police.imports.all()) == [record]
    assert police.source.kind == "import"
    assert LogEntry.objects.get_for_object(police).first().actor == user


def test_reimporting_the_same_file_updates_not_duplicates(default_data, tmp_path):
    user = coordinator()
    path = write(tmp_path, "good.csv", GOOD_CSV)
    run_import(path, user)
    again = build_preview(path)
    assert again.counts["unchanged"] == 2 and again.counts["add"] == 0
    changed = write(tmp_path, "changed.csv", GOOD_CSV.replace("1000,EUR", "2000,EUR"))
    record = run_import(changed, user)
    assert record.counts["update"] == 1 and record.counts["unchanged"] == 1
    assert Activity.objects.count() == 2
    assert str(Activity.objects.get(title_en="Police reform").budget) == "2000.00"


def test_hxl_hashtags_and_russian_headers_are_matched(default_data, tmp_path):
    hxl = (
        "Who,What,Where,Sector,State\n"
        "#org,#activity,#country,#sector,#status\n"
        "ОБСЕ,HXL activity,Казахстан,I,ongoing\n"
    )
    russian = (
        "Ведущая организация;Название (английский);Название (русский);Страны;Столпы;Статус;Доноры\n"
        "УНП ООН;Russian headers;Русские заголовки;UZB;IV;завершено;ЕС\n"
    )
    preview = build_preview(write(tmp_path, "hxl.csv", hxl))
    assert preview.counts["add"] == 1, [str(i) for i in preview.all_issues()]
    assert preview.rows[0].data["lead_organisation"] is not None
    preview = build_preview(write(tmp_path, "ru.csv", "\ufeff" + russian))
    assert preview.counts["add"] == 1, [str(i) for i in preview.all_issues()]
    assert preview.rows[0].data["status"] == "completed"
    assert preview.rows[0].data["title_ru"] == "Русские заголовки"


def test_org_with_trailing_space_and_org_plus_impl_as_partners(default_data, tmp_path):
    text = "#org,#org+impl,#org+funding,#activity,#status\nOSCE ,UNODC; UNRCCA,Norway,Joint work,ongoing\n"
    preview = build_preview(write(tmp_path, "p.csv", text))
    data = preview.rows[0].data
    assert preview.counts["add"] == 1
    assert len(data["partners"]) == 2 and len(data["donors"]) == 1


def test_xlsx_import_with_hxl_row(default_data, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Organisation", "Title", "Countries", "Status", "Start date"])
    sheet.append(["#org", "#activity", "#country", "#status", "#date+start"])
    import datetime

    sheet.append(["OSCE", "'=not a formula", "KZ", "ongoing", datetime.datetime(2015, 5, 1)])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    preview = build_preview(path)
    assert preview.counts["add"] == 1, [str(i) for i in preview.all_issues()]
    assert str(preview.rows[0].data["start_date"]) == "2015-05-01"
    assert preview.rows[0].data["title_en"] == "=not a formula"  # an export's neutralised cell


def test_iati_sample_multilingual_and_sector_mapping(default_data):
    user = coordinator()
    record, preview = start_import_from_path(DATA / "iati-sample.xml", user=user)
    counts = preview.counts
    assert (counts["add"], counts["skipped"], counts["error"]) == (2, 1, 0), [
        str(i) for i in preview.all_issues()
    ]
    apply_import(record=record, user=user, preview=preview)
    border = Activity.objects.get(iati_identifier="XM-OSCE-1001")
    assert border.title_ru == "Обучение по управлению границами"
    assert border.description_en == "Courses for border guards."
    assert border.lead_organisation.key == "osce"
    assert list(border.partners.values_list("key", flat=True)) == ["unodc"]
    assert list(border.donors.values_list("key", flat=True)) == ["eu"]
    assert sorted(border.pillars.values_list("number", flat=True)) == [3, 4]
    assert sorted(border.countries.values_list("iso2", flat=True)) == ["KG", "KZ"]
    assert str(border.start_date) == "2014-03-01" and str(border.end_date) == "2016-12-31"
    assert str(border.budget) == "150000.50" and border.currency == "EUR"
    assert border.source_url == "https://example.org/osce-1001.pdf"
    legal = Activity.objects.get(iati_identifier="XM-UNODC-2002")
    assert legal.region_wide and legal.status == "completed"
    assert list(legal.pillars.values_list("number", flat=True)) == [4]
    again = build_preview(DATA / "iati-sample.xml")
    assert again.counts["unchanged"] == 2 and again.counts["add"] == 0


def test_iati_outside_region_only_when_asked(default_data):
    preview = build_preview(DATA / "iati-sample.xml", include_outside_region=True)
    # FR is no known country: still left out, with a warning rather than a new country.
    assert preview.counts["skipped"] == 1


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_hostile_xml_is_refused_before_any_entity_is_expanded(default_data, name):
    preview = build_preview(DATA / name)
    assert preview.has_errors and "DTD" in preview.errors[0].message
    assert Activity.objects.count() == 0


def test_a_zip_bomb_xlsx_is_refused(default_data, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\0" * (1 << 20)
            for _ in range(50):
                member.write(block)
    preview = build_preview(path)  # refused on the sizes the archive declares, unread
    assert "zip bomb" in preview.errors[0].message


@pytest.mark.parametrize(("encoding", "expected"), [("latin-1", "not UTF-8"), ("utf-16", "UTF-16")])
def test_wrong_encoding_gets_a_clear_error(default_data, tmp_path, encoding, expected):
    path = write(tmp_path, "x.csv", "Organisation,Title\nOSCE,Réforme\n".encode(encoding))
    preview = build_preview(path)
    assert preview.has_errors and expected in preview.errors[0].message


def test_template_round_trips(default_data, tmp_path):
    out = tmp_path / "template.xlsx"
    call_command("export", "template", "-o", str(out))
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["Activities"]
    sheet.append(
        [
            "",
            "",
            "UNODC",
            "OSCE",
            "EU",
            "From the template",
            "Из шаблона",
            "",
            "",
            "2",
            "KZ; TJ",
            "no",
            "2016-01-01",
            "",
            "ongoing",
            "500",
            "USD",
            "",
        ]
    )
    workbook.save(out)
    user = coordinator()
    record = run_import(out, user)
    assert record.counts["add"] == 1
    activity = Activity.objects.get(title_en="From the template")
    assert activity.title_ru == "Из шаблона" and activity.lead_organisation.key == "unodc"
    csv_out = tmp_path / "template.csv"
    call_command("export", "template", "-o", str(csv_out))
    text = csv_out.read_text() + ",,UNRCCA,,,CSV template row,,,,1,UZ,no,,,planned,,,\n"
    csv_out.write_text(text)
    assert build_preview(csv_out).counts["add"] == 1


def test_cli_dry_run_writes_nothing_and_errors_exit_non_zero(default_data, tmp_path):
    good = write(tmp_path, "good.csv", GOOD_CSV)
    out = io.StringIO()
    call_command("import", str(good), "--dry-run", stdout=out)
    assert "2 to add" in out.getvalue() and Activity.objects.count() == 0
    bad = write(tmp_path, "bad.csv", BAD_CSV)
    out = io.StringIO()
    with pytest.raises(Exception, match="errors"):
        call_command("import", str(bad), "--dry-run", stdout=out)
    assert "bad.csv:3:Lead organisation" in out.getvalue()
    coordinator("ops")
    call_command("import", str(good), "--yes", "--user", "ops", stdout=io.StringIO())
    assert Activity.objects.count() == 2


def test_a_refused_file_is_not_kept_but_an_applied_one_is(default_data, tmp_path):
    from jpoa.exchange.apply import record_path

    coordinator("ops")
    bad = write(tmp_path, "bad.csv", BAD_CSV)
    with pytest.raises(CommandError, match="errors; nothing written"):
        call_command("import", str(bad), "--yes", "--user", "ops", stdout=io.StringIO())
    refused = ImportRecord.objects.get(file_name="bad.csv")
    assert refused.status == "failed" and not record_path(refused).exists()
    assert refused.preview  # its page still says what was wrong
    good = write(tmp_path, "good.csv", GOOD_CSV)
    call_command("import", str(good), "--yes", "--user", "ops", stdout=io.StringIO())
    applied = ImportRecord.objects.get(file_name="good.csv")
    assert applied.status == "applied" and record_path(applied).read_text() == GOOD_CSV


def test_cli_exit_code_in_a_subprocess(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "jpoa", "import", str(tmp_path / "missing.csv"), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0


# -- the web --------------------------------------------------------------------------------


def test_web_upload_preview_confirm_for_a_coordinator(default_data, client):
    coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    upload = io.BytesIO(GOOD_CSV.encode())
    upload.name = "../../etc/good.csv"
    response = client.post(reverse("exchange:upload"), {"file": upload})
    assert response.status_code == 302
    record = ImportRecord.objects.get()
    assert record.file_name == "good.csv" and record.status == "pending"
    assert Activity.objects.count() == 0
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"2 to add" in page.content
    response = client.post(reverse("exchange:import_confirm", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "applied" and Activity.objects.count() == 2
    assert b"added" in client.get(response["Location"]).content


def test_web_preview_lists_errors(default_data, client):
    coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    upload = io.BytesIO(BAD_CSV.encode())
    upload.name = "bad.csv"
    page = client.post(reverse("exchange:upload"), {"file": upload}, follow=True)
    assert "did you mean OSCE?" in page.content.decode()
    assert b"Confirm" not in page.content


@pytest.mark.parametrize("who", ["anonymous", "focal point"])
def test_web_import_is_forbidden_to_others(default_data, client, who):
    if who == "focal point":
        focal_point("osce")
        client.login(username="fp-osce", password=PASSWORD)
    assert client.get(reverse("exchange:upload")).status_code == 403
    upload = io.BytesIO(GOOD_CSV.encode())
    upload.name = "good.csv"
    assert client.post(reverse("exchange:upload"), {"file": upload}).status_code == 403
    assert ImportRecord.objects.count() == 0


def test_the_editors_rules_apply_to_each_row(default_data, tmp_path):
    text = "Lead organisation,Title (English),Status,Budget\nOSCE,No currency,ongoing,500\n"
    preview = build_preview(write(tmp_path, "rules.csv", text))
    [issue] = preview.errors
    assert (issue.row, issue.field) == (2, "Currency") and "currency" in issue.message


def test_an_explicit_key_column_matches_on_reimport(default_data, tmp_path):
    user = coordinator()
    text = "#meta+id,#org,#activity,#status\nmy-key,OSCE,First title,ongoing\n"
    run_import(write(tmp_path, "k.csv", text), user)
    renamed = write(tmp_path, "k2.csv", text.replace("First title", "Second title"))
    record = run_import(renamed, user)
    assert record.counts["update"] == 1
    assert Activity.objects.get(key="my-key").title_en == "Second title"
    assert Activity.objects.count() == 1


def test_a_row_repeating_another_is_an_error(default_data, tmp_path):
    text = "Organisation,Title,Status\nOSCE,Same,ongoing\nOSCE,Same,planned\n"
    preview = build_preview(write(tmp_path, "dup.csv", text))
    assert preview.counts["error"] == 1 and "row 2" in preview.errors[0].message


def test_an_unsupported_iati_version_is_refused(default_data, tmp_path):
    path = write(tmp_path, "old.xml", '<iati-activities version="1.05"></iati-activities>')
    assert "1.05" in build_preview(path).errors[0].message


def test_uploads_are_stored_under_a_name_jpoa_chooses_and_size_limited(default_data):
    from jpoa.exchange.apply import MAX_UPLOAD, ImportFailed, record_path, start_import

    user = coordinator()
    record, _preview = start_import(
        chunks=[GOOD_CSV.encode()], file_name="..\\..\\evil name;.csv", user=user
    )
    assert record.file_name == "evil_name.csv"
    assert record_path(record).parent.name == "imports"
    assert record_path(record).name != record.file_name
    with pytest.raises(ImportFailed, match="larger"):
        start_import(chunks=[b"x" * (MAX_UPLOAD + 1)], file_name="big.csv", user=user)
    assert ImportRecord.objects.count() == 1


def test_empty_key_cells_on_reimport_keep_the_key(default_data, tmp_path):
    """A template filled in without keys, imported twice: the second time is unchanged."""
    user = coordinator()
    text = (
        "Key,IATI identifier,Lead organisation,Title (English),Status\n"
        ",XM-1,OSCE,Police reform,ongoing\n"
    )
    run_import(write(tmp_path, "a.csv", text), user)
    again = build_preview(write(tmp_path, "b.csv", text))
    assert again.counts["unchanged"] == 1 and not again.errors


def test_a_long_import_shows_its_progress_and_reloads(default_data, client):
    from jpoa.exchange import progress
    from jpoa.exchange.apply import receive_import

    user = coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    record = receive_import(chunks=[GOOD_CSV.encode()], file_name="big.csv", user=user)
    report = progress.reporter(record.stored_name, "checking")
    report(1500, 10000)
    page = client.get(reverse("exchange:import_detail", args=[record.pk])).content.decode()
    assert "Checking the rows" in page and "1,500 of 10,000 (15%)" in page
    assert '<meta http-equiv="refresh"' in page and '<progress max="10000" value="1500">' in page
    assert "Confirm" not in page


def test_an_import_whose_progress_stopped_is_shown_interrupted(default_data, client):
    import json

    from jpoa.exchange import progress
    from jpoa.exchange.apply import receive_import

    user = coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    record = receive_import(chunks=[GOOD_CSV.encode()], file_name="big.csv", user=user)
    path = progress.progress_path(record.stored_name)
    path.write_text(json.dumps({"phase": "writing", "done": 5, "total": 9, "updated": 0}))
    page = client.get(reverse("exchange:import_detail", args=[record.pk])).content.decode()
    assert "stopped without finishing" in page and "http-equiv" not in page


@pytest.mark.django_db(transaction=True)
def test_web_imports_wait_for_the_worker_then_show_the_result(client, settings):
    from django.core.management import call_command

    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset
    from jpoa.exchange import progress

    load_dataset(DEFAULT_DATASET)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    upload = io.BytesIO(GOOD_CSV.encode())
    upload.name = "good.csv"
    response = client.post(reverse("exchange:upload"), {"file": upload})
    record = ImportRecord.objects.get()
    assert record.status == "checking"  # queued: no worker has run yet
    assert b"Waiting for the task runner" in client.get(response["Location"]).content
    call_command("worker", batch=True, verbosity=0)  # a worker started later finds it
    record.refresh_from_db()
    assert record.status == "pending" and record.counts["add"] == 2
    assert b"2 to add" in client.get(response["Location"]).content
    client.post(reverse("exchange:import_confirm", args=[record.pk]))
    assert Activity.objects.count() == 0
    call_command("worker", batch=True, verbosity=0)
    record.refresh_from_db()
    assert record.status == "applied" and Activity.objects.count() == 2
    assert not progress.progress_path(record.stored_name).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_again_the_work_a_stopped_worker_left_half_done(settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset
    from jpoa.exchange.apply import receive_import
    from jpoa.exchange.tasks import start_checking

    load_dataset(DEFAULT_DATASET)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    record = receive_import(chunks=[GOOD_CSV.encode()], file_name="good.csv", user=coordinator("c"))
    start_checking(record)
    # A worker took the task, then was killed: the task is left "running" for ever.
    DBTaskResult.objects.update(status="RUNNING", worker_ids=["gone"])
    call_command("worker", batch=True, verbosity=0)
    record.refresh_from_db()
    assert record.status == "pending" and record.counts["add"] == 2
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_cli_refuses_a_file_over_the_limit_with_a_message_not_a_traceback(
    default_data, tmp_path, monkeypatch
):
    from django.core.management.base import CommandError

    from jpoa.exchange import apply

    coordinator("coord")
    monkeypatch.setattr(apply, "MAX_LOCAL_FILE", 10)
    path = write(tmp_path, "big.csv", GOOD_CSV)
    with pytest.raises(CommandError, match="big.csv: The file is larger than"):
        call_command("import", str(path), "--yes", "--user", "coord")
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("version", ["2.01", "2.02", "2.03"])
def test_an_iati_file_as_publishers_write_it(default_data, tmp_path, version):
    # Datastore namespace, pretty-printed narratives, datetimes, lower-case codes,
    # elements jpoa does not read, an original and a revised budget of one period.
    text = (DATA / "iati-publisher.xml").read_text(encoding="utf-8")
    path = write(tmp_path, "publisher.xml", text.replace('version="2.01"', f'version="{version}"'))
    user = coordinator()
    record, preview = start_import_from_path(path, user=user)
    issues = [str(i) for i in preview.all_issues()]
    assert (preview.counts["add"], preview.counts["skipped"], preview.counts["error"]) == (3, 1, 0)
    assert any("AF" in i and "left out" in i for i in issues), issues
    assert any("no sector maps to a pillar" in i for i in issues), issues
    apply_import(record=record, user=user, preview=preview)

    border = Activity.objects.get(iati_identifier="XX-EXAMPLE-OSCE-BM-2015")
    assert border.title_en == "Border management and security in Central Asia"
    assert border.title_ru == "Управление границами и безопасность в Центральной Азии"
    assert border.description_en == "Training of border and customs officers."
    assert border.lead_organisation.key == "osce"
    assert list(border.partners.values_list("key", flat=True)) == ["unodc"]
    assert list(border.donors.values_list("key", flat=True)) == ["eu"]
    assert sorted(border.countries.values_list("iso2", flat=True)) == ["KZ", "TJ"]
    assert list(border.pillars.values_list("number", flat=True)) == [3]
    assert (str(border.start_date), str(border.end_date)) == ("2015-02-15", "2017-12-31")
    # 2015 counted once, at its revised amount, plus 2016.
    assert (str(border.budget), border.currency) == ("200000.00", "EUR")
    assert border.source_url == "https://example.org/iati/osce-bm-2015.pdf"

    legal = Activity.objects.get(iati_identifier="XX-EXAMPLE-UNODC-LEGAL-7")
    assert legal.title_ru == "Правовая помощь государствам региона" and legal.title_en
    assert legal.lead_organisation.key == "unodc" and legal.region_wide
    assert list(legal.donors.values_list("key", flat=True)) == ["norway"]
    assert (legal.status, str(legal.end_date)) == ("completed", "2014-06-30")

    rights = Activity.objects.get(iati_identifier="XX-EXAMPLE-EU-HR-3")
    assert list(rights.countries.values_list("iso2", flat=True)) == ["KG"]
    assert sorted(rights.pillars.values_list("number", flat=True)) == [4]
    assert not Activity.objects.filter(iati_identifier="XX-EXAMPLE-UNODC-AF-1").exists()

    again = build_preview(path)
    assert (again.counts["unchanged"], again.counts["add"], again.counts["update"]) == (3, 0, 0)


TRICKY_TEXTS = ["plain", " padded ", "", "   ", "a\x00b", "x" * 150, "x" * 151, "не slug", "a-b_c9"]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_a_text_passed_without_its_field_would_pass_the_field_unchanged(default_data, text):
    from django import forms

    from jpoa.exchange.preview import Choices, ImportActivityForm, plain_text_check

    form = ImportActivityForm(choices=Choices.load(), taken={"key": {}, "iati_identifier": {}})
    assert plain_text_check(form.fields["key"]) and plain_text_check(form.fields["title_en"])
    for name, field in form.fields.items():
        passes = plain_text_check(field)
        if passes is None or not passes(text):
            continue
        try:
            assert field.clean(text) == text, name
        except forms.ValidationError:
            pytest.fail(f"{name}: {text!r} passed the shortcut but not the field")


def test_text_errors_are_reported_per_row_as_the_editor_would(default_data, tmp_path):
    text = (
        "Key,Lead organisation,Title (English),Status\n"
        "good-key,OSCE,Fine,ongoing\n"
        "bad key!,OSCE,Fine too,ongoing\n"
        f"k3,OSCE,{'x' * 501},ongoing\n"
        "k4,OSCE,  spaced  ,ongoing\n"
    )
    preview = build_preview(write(tmp_path, "texts.csv", text))
    assert [(i.row, i.field) for i in preview.errors] == [(3, "Key"), (4, "Title (English)")]
    assert preview.rows[3].data["title_en"] == "spaced"


def test_a_header_of_too_many_columns_is_refused_without_a_warning_each(default_data, tmp_path):
    from jpoa.exchange.readers import MAX_COLUMNS

    wide = write(tmp_path, "wide.csv", ",".join(f"c{n}" for n in range(100_000)) + "\nx\n")
    preview = build_preview(wide)
    messages = [str(issue) for issue in preview.all_issues()]
    assert len(messages) == 1 and f"more than {MAX_COLUMNS} columns" in messages[0]


def test_a_csv_with_too_many_rows_is_refused_before_it_is_all_read(default_data, tmp_path):
    from jpoa.exchange import readers

    path = tmp_path / "long.csv"
    with path.open("w") as out:
        out.write("organisation,title,country\n")
        for n in range(readers.MAX_ROWS + 1000):
            out.write(f"OSCE,Activity {n},KZ\n")
    with path.open("ab") as out:
        out.write(b"OSCE,\xff not UTF-8,KZ\n")  # never reached: the rows are too many first
    preview = build_preview(path)
    [issue] = preview.all_issues()
    assert "split the file" in str(issue)
