"""The plan page's coverage of each action item, version comparison, and the items import."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from test_public_pages import main_text, page

from jpoa.events.models import Event
from jpoa.matrix.editions import publish_edition
from jpoa.plan.models import ActionItem, Pillar, PlanVersion
from tests.factories import PUBLISHER, make_activity

pytestmark = pytest.mark.django_db


def item(version, code, pillar, title, text="", position=0):
    return ActionItem.objects.create(
        version=version,
        pillar=Pillar.objects.get(number=pillar),
        code=code,
        title_en=title,
        text_en=text,
        position=position,
    )


@pytest.fixture
def items(default_data):
    version = PlanVersion.objects.get(label="2011")
    return {
        "I.1": item(version, "I.1", 1, "Dialogue with religious leaders", position=1),
        "II.1": item(version, "II.1", 2, "Border management", position=1),
        "II.2": item(version, "II.2", 2, "Countering the financing of terrorism", position=2),
    }


def item_block(html: str, code: str) -> str:
    start = html.index(f'<span class="code">{code}</span>')
    ends = [html.find(mark, start) for mark in ('<li id="item-', "</ol>")]
    end = min(e for e in ends if e > 0)
    return main_text('<main id="main">' + html[start:end] + "</main>")


def test_an_item_without_activity_in_the_latest_edition_is_marked(client, items):
    make_activity("osce-border", "osce", pillars=(2,), countries=("TJ", "KG"), items=("II.1",))
    make_activity("unodc-cft", "unodc", pillars=(2,), countries=("KZ",), items=("II.2",))
    make_activity("osce-old", "osce", items=("I.1",), status="completed", start=2012, end=2013)
    publish_edition(by=PUBLISHER, title="Matrix 2016", as_of=datetime.date(2016, 12, 31))
    # A draft added after publishing is not public.
    make_activity("draft", "osce", items=("I.1",), countries=("UZ",))
    Event.objects.get(key="regional-workshop-3").action_items.add(items["II.1"])

    html = page(client, "public:plan")
    assert "Activities as published in the matrix edition “Matrix 2016”." in main_text(html)
    assert "1 item has no current activity." in main_text(html)
    gap = item_block(html, "I.1")
    assert "No current activity (1 past or suspended activity)" in gap
    assert "Activity osce-old" in gap and "Activity draft" not in gap
    covered = item_block(html, "II.1")
    assert "No current activity" not in covered
    assert "1 activity (1 current): Kyrgyzstan (1), Tajikistan (1)" in covered
    assert "Activity osce-border" in covered
    assert "Events: Regional Workshop III (2015, Turkmenistan)" in covered
    assert 'class="item item-gap"' in html and html.count("item-gap") == 1


def test_without_a_published_edition_every_item_is_marked(client, items):
    make_activity("osce-border", "osce", items=("II.1",))  # a draft: nothing published yet
    html = page(client, "public:plan")
    assert "No edition of the matrix has been published yet" in main_text(html)
    assert "3 items have no current activity." in main_text(html)


def test_the_plan_page_takes_a_fixed_number_of_queries(client, items, django_assert_num_queries):
    make_activity("osce-border", "osce", countries=("TJ",), items=("II.1",))
    publish_edition(by=PUBLISHER, title="Matrix")
    with django_assert_num_queries(13):
        page(client, "public:plan")
    for n in range(5):
        make_activity(f"more-{n}", "unodc", countries=("KZ", "KG"), items=("II.1", "II.2"))
    Event.objects.get(key="regional-workshop-3").action_items.add(items["II.1"], items["I.1"])
    publish_edition(by=PUBLISHER, title="Matrix 2")
    with django_assert_num_queries(13):
        page(client, "public:plan")


# -- comparing versions ------------------------------------------------------------------


@pytest.fixture
def two_versions(items):
    plan = PlanVersion.objects.get(label="2011").plan
    new = PlanVersion.objects.create(plan=plan, label="2021", adopted_on=datetime.date(2021, 6, 1))
    item(new, "I.1", 1, "Dialogue with religious leaders", position=1)  # unchanged
    item(new, "II.1", 2, "Border security and management", position=1)  # reworded
    item(new, "II.3", 2, "Protecting critical infrastructure", position=3)  # added
    return new  # II.2 removed


def test_it_compares_two_versions_by_label(client, two_versions, django_assert_num_queries):
    with django_assert_num_queries(6):  # the fifth and sixth: the states' standing, the items
        html = main_text(page(client, "public:plan_compare", query="?from=2011&to=2021"))
    assert "From version 2011 to version 2021" in html
    assert "1 added, 1 removed, 1 reworded, 1 unchanged." in html
    assert "added: II.3 Protecting critical infrastructure" in html
    assert "removed: II.2 Countering the financing of terrorism" in html
    assert "II.1 Border management Border security and management" in html


def test_it_compares_the_last_two_versions_by_default_and_in_russian(client, two_versions):
    html = main_text(page(client, "public:plan_compare", "ru"))
    # 2021 (made here, with items) and the data set's 2022 (whose items are not recorded)
    assert "Изменения от версии 2021 к версии 2022" in html
    assert "Поэтому неизвестно, что изменилось в пунктах плана." in html


def test_an_unknown_version_is_a_clear_error(client, two_versions):
    response = client.get("/en/plan/compare/?from=2011&to=1999")
    assert response.status_code == 400
    assert "Choose two versions of the plan from the lists." in response.content.decode()


def test_one_version_has_nothing_to_compare(client, default_data):
    PlanVersion.objects.filter(label="2022").delete()
    assert "only one version" in main_text(page(client, "public:plan_compare"))


# -- importing items ---------------------------------------------------------------------


HEADER = ["code", "pillar", "title_en", "title_ru", "text_en", "text_ru"]


def xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def run(*args):
    return call_command("plan", "import-items", *map(str, args))


def test_it_previews_then_imports_items_from_xlsx(default_data, tmp_path, capsys):
    path = xlsx(
        tmp_path / "items.xlsx",
        [
            ["I.1", "I", "Dialogue", "Диалог", "Hold a dialogue.", ""],
            ["II.1", 2, "Borders", "Границы", "", ""],
        ],
    )
    run(path, "--plan", "jpoa-central-asia", "--version", "2011")
    assert "Preview" in capsys.readouterr().out and not ActionItem.objects.exists()
    run(path, "--plan", "jpoa-central-asia", "--version", "2011", "--yes")
    assert "2 created" in capsys.readouterr().out
    items = {i.code: i for i in ActionItem.objects.select_related("pillar")}
    assert (items["I.1"].pillar.number, items["I.1"].title_ru) == (1, "Диалог")
    assert (items["II.1"].pillar.number, items["II.1"].position) == (2, 2)
    # Importing again updates rather than duplicates.
    xlsx(
        path,
        [
            ["I.1", "I", "Dialogue with leaders", "Диалог", "", ""],
            ["II.1", 2, "Borders", "Границы", "", ""],
        ],
    )
    run(path, "--plan", "jpoa-central-asia", "--version", "2011", "--yes")
    assert "1 created" not in capsys.readouterr().out
    assert ActionItem.objects.count() == 2
    assert ActionItem.objects.get(code="I.1").title_en == "Dialogue with leaders"


def test_a_bad_row_is_reported_by_file_row_and_field_and_nothing_is_written(
    default_data, tmp_path, capsys
):
    path = tmp_path / "items.csv"
    path.write_text(
        "code,pillar,title_en,title_ru,text_en,text_ru\n"
        "I.1,I,Dialogue,,,\n"
        "II.1,VII,Borders,,,\n"
        "I.1,1,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="3 error"):
        run(path, "--plan", "jpoa-central-asia", "--version", "2011", "--yes")
    errors = capsys.readouterr().err
    assert "items.csv, row 3: pillar: 'VII' is not a pillar (expected I, II, III, IV)" in errors
    assert "items.csv, row 4: title_en: required, but empty" in errors
    assert "items.csv, row 4: code: 'I.1' is also on row 2" in errors
    assert not ActionItem.objects.exists()


def test_it_refuses_a_large_or_foreign_file(default_data, tmp_path, capsys):
    big = tmp_path / "big.csv"
    big.write_bytes(b"code,pillar,title_en\n" + b"x" * (5 * 1024 * 1024))
    with pytest.raises(CommandError):
        run(big, "--plan", "jpoa-central-asia", "--version", "2011")
    assert "big.csv: the file is larger than 5 MB" in capsys.readouterr().err
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(CommandError):
        run(fake, "--plan", "jpoa-central-asia", "--version", "2011")
    assert "fake.xlsx: not a readable spreadsheet" in capsys.readouterr().err


def test_it_names_an_unknown_plan_version(default_data, tmp_path):
    path = xlsx(tmp_path / "items.xlsx", [])
    with pytest.raises(CommandError, match="has no version '2099'"):
        run(path, "--plan", "jpoa-central-asia", "--version", "2099")
