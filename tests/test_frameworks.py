"""A second framework beside the pillars: the PVE Plan of Action's priority areas (issue 19, item 3).

An activity is classified under pillars and/or the areas of a framework; the matrix,
its filters, the API and the exports offer either. A framework is data: a third one
loaded from a data set file appears in the matrix without code.
"""

import csv
import io
import json

import pytest
from django.urls import reverse

from jpoa.dataset import DatasetError
from jpoa.dataset.export import activity_record, export_dataset
from jpoa.dataset.load import load_dataset
from jpoa.matrix.editions import build_edition_facts, publish_edition
from jpoa.matrix.models import Activity, EditionAreaFact, EditionEntry
from jpoa.plan.models import Framework, FrameworkArea
from tests.factories import PUBLISHER, make_activity

pytestmark = pytest.mark.django_db

PVE = "pve-plan-of-action"
API = "/api/v1"


def classify(activity, *refs: str) -> None:
    areas = [
        FrameworkArea.objects.get(framework__key=r.split("/")[0], code=r.split("/")[1])
        for r in refs
    ]
    activity.framework_areas.set(areas)


@pytest.fixture
def classified(default_data):
    """Three activities: one under PVE area 4 (youth), one under areas 4 and 7, one under none."""
    youth = make_activity("osce-youth", "osce", pillars=(1,), countries=("KZ",))
    classify(youth, f"{PVE}/4")
    both = make_activity("unodc-media", "unodc", pillars=(1, 4), countries=("KZ", "TJ"))
    classify(both, f"{PVE}/4", f"{PVE}/7")
    make_activity("osce-border", "osce", pillars=(2,), countries=("UZ",))
    return publish_edition(by=PUBLISHER, title="First")


# -- the framework as data ------------------------------------------------------------------


def test_the_pve_plan_of_action_and_its_seven_areas_load_with_their_sources(default_data):
    framework = Framework.objects.get(key=PVE)
    assert framework.symbol == "A/70/674"
    assert framework.source.key == "a-70-674-copy" and framework.source.url.startswith("https://")
    areas = list(framework.areas.order_by("position"))
    assert [a.title_en for a in areas] == [
        "Dialogue and conflict prevention",
        "Strengthening good governance, human rights and the rule of law",
        "Engaging communities",
        "Empowering youth",
        "Gender equality and empowering women",
        "Education, skill development and employment facilitation",
        "Strategic communications, including through the Internet and social media",
    ]
    assert [a.code for a in areas] == [str(n) for n in range(1, 8)]
    for area in areas:
        assert area.source.key == "ga-letter-a-70-675" and area.source.url
        assert area.title_ru and "перевод jpoa" in area.provenance_note_ru


def test_the_data_set_export_writes_the_frameworks_and_the_activities_areas(classified):
    data = export_dataset()
    (pve,) = [f for f in data["frameworks"] if f["key"] == PVE]
    assert len(pve["areas"]) == 7 and pve["provenance"]["source"] == "a-70-674-copy"
    youth = next(a for a in data["activities"] if a["key"] == "osce-youth")
    assert youth["framework_areas"] == [f"{PVE}/4"]


def test_an_unknown_area_in_a_data_set_is_an_error_naming_its_place(default_data, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_dataset(activities=[_activity(areas=[f"{PVE}/99"])])))
    with pytest.raises(DatasetError, match=r"activities\[0\]\.framework_areas: no framework area"):
        load_dataset(path)
    assert not EditionEntry.objects.exists()


# -- publishing -----------------------------------------------------------------------------


def test_publishing_carries_the_areas_in_the_snapshot_and_the_facts(classified):
    entry = EditionEntry.objects.get(edition=classified, activity_key="unodc-media")
    assert entry.data["framework_areas"] == [f"{PVE}/4", f"{PVE}/7"]
    unclassified = EditionEntry.objects.get(edition=classified, activity_key="osce-border")
    # An activity under no framework keeps the snapshot it had before frameworks existed.
    assert "framework_areas" not in unclassified.data
    # One fact per activity, area and place: 1 (youth, KZ) + 2 areas × 2 places.
    assert EditionAreaFact.objects.filter(edition=classified).count() == 5


def test_each_snapshot_is_the_data_set_record_and_unclassified_ones_keep_their_text(classified):
    from django.db import connection

    for activity in Activity.objects.filter(key__in=["osce-youth", "unodc-media", "osce-border"]):
        entry = EditionEntry.objects.get(edition=classified, activity_key=activity.key)
        assert entry.data == activity_record(activity)
    if connection.vendor == "sqlite":  # PostgreSQL keeps jsonb, compared as values
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT activity_key, data FROM matrix_editionentry WHERE edition_id = %s",
                [classified.pk],
            )
            texts = dict(cursor.fetchall())
        for activity in Activity.objects.all():
            record = activity_record(activity)
            assert texts[activity.key] == json.dumps(
                record, ensure_ascii=False, separators=(",", ":")
            )
    # Nothing changed since: the next edition has every activity the same as before.
    second = publish_edition(by=PUBLISHER, title="Second")
    assert not EditionEntry.objects.filter(edition=second, same_as_previous=False).exists()


def test_the_area_facts_written_in_sql_are_those_the_snapshots_give(classified):
    columns = ("entry_id", "area_id", "framework_id", "country_id", "region_wide", "status")

    def facts():
        return sorted(EditionAreaFact.objects.filter(edition=classified).values_list(*columns))

    before = facts()
    build_edition_facts(classified)  # what the data set loader does, in Python
    assert facts() == before and len(before) == 5


# -- the matrix, page and API ---------------------------------------------------------------


def test_the_matrix_grouped_by_the_pve_areas_counts_the_classified_activities(client, classified):
    youth_column = 'class="matrix-col-title">Empowering youth<'
    page = client.get(f"/en/matrix/?framework={PVE}").content.decode()
    assert youth_column in page and 'matrix-col-title">Engaging communities<' in page
    assert "2 activities match the filters" in page  # the unclassified one is not counted
    assert "Activity osce-youth" in page and "Activity osce-border" not in page
    # Without the parameter the page keeps its meaning: the pillars, every activity.
    plain = client.get("/en/matrix/").content.decode()
    assert youth_column not in plain and "3 activities match the filters" in plain


def test_the_heatmap_grouped_by_the_pve_areas(client, classified):
    page = client.get(f"/en/matrix/heatmap/?framework={PVE}").content.decode()
    assert "Number of activities by country and area" in page
    assert 'matrix-col-title">Empowering youth<' in page and "2 activities match" in page


def test_the_grouping_reads_in_russian(client, classified):
    page = client.get(f"/ru/matrix/?framework={PVE}").content.decode()
    assert "Ведущие организации и их проекты по каждому направлению" in page
    assert 'matrix-col-title">Расширение прав и возможностей молодёжи<' in page
    assert "Учитываются только проекты" in page


def test_the_area_filter_narrows_the_matrix_and_the_list(client, classified):
    page = client.get(f"/en/matrix/?framework={PVE}&area=7").content.decode()
    assert "1 activity matches the filters" in page and "Activity unodc-media" in page
    listing = client.get(f"/en/matrix/activities/?framework={PVE}&area=4").content.decode()
    assert "Activity osce-youth" in listing and "Activity unodc-media" in listing
    assert "Activity osce-border" not in listing


def test_an_area_without_its_framework_is_reported_and_ignored(client, classified):
    page = client.get("/en/matrix/activities/?area=4").content.decode()
    assert "Choose the framework the area belongs to" in page
    assert "Activity osce-border" in page


def test_the_api_twin_groups_by_the_framework_and_filters_by_area(client, classified):
    answer = client.get(f"{API}/matrix/organisations-pillars?framework={PVE}").json()
    assert answer["framework"] == PVE
    assert [c["label"] for c in answer["columns"]] == [str(n) for n in range(1, 8)]
    youth = answer["columns"][3]
    assert youth["title"] == "Empowering youth" and youth["params"]["area"] == "4"
    assert answer["activity_count"] == 2
    narrowed = client.get(f"{API}/matrix/countries-pillars?framework={PVE}&area=7").json()
    assert narrowed["activity_count"] == 1
    frameworks = client.get(f"{API}/frameworks").json()
    assert frameworks[0]["key"] == PVE and len(frameworks[0]["areas"]) == 7
    record = client.get(f"{API}/activities/osce-youth").json()["record"]
    assert record["framework_areas"] == [f"{PVE}/4"]


def test_the_api_refuses_an_unknown_framework(client, classified):
    response = client.get(f"{API}/matrix/organisations-pillars?framework=no-such")
    assert response.status_code == 404


def test_the_activity_page_names_its_areas(client, classified):
    page = client.get("/en/matrix/activities/osce-youth/").content.decode()
    assert "Framework areas" in page and "Empowering youth" in page


# -- exports ---------------------------------------------------------------------------------


def test_the_csv_export_carries_the_areas_with_a_hxl_hashtag(client, classified):
    response = client.get(reverse("exchange:matrix_csv") + f"?framework={PVE}&area=7")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    column = rows[1].index("#sector+framework+code")
    assert rows[0][column] == "Framework areas"
    assert [r[column] for r in rows[2:]] == [f"{PVE}/4; {PVE}/7"]


# -- a third framework, as data only ---------------------------------------------------------


def _activity(areas, key="sdg-activity"):
    return {
        "key": key,
        "lead_organisation": "osce",
        "title": {"en": "Access to justice", "ru": ""},
        "status": "ongoing",
        "countries": ["KG"],
        "framework_areas": areas,
        "provenance": {"source": "sdg-page", "basis": "inferred", "note": "a test record"},
    }


def _dataset(frameworks=(), activities=()):
    return {
        "format": "jpoa-dataset",
        "format_version": 1,
        "dataset": {"key": "sdg-test", "revision": 1},
        "sources": [
            {
                "key": "sdg-page",
                "kind": "web_page",
                "title": {"en": "SDG 16"},
                "url": "https://sdgs.un.org/goals/goal16",
            }
        ],
        "frameworks": list(frameworks),
        "activities": list(activities),
    }


def test_a_third_framework_loaded_as_data_shows_in_the_matrix(client, default_data, tmp_path):
    sdg = {
        "key": "sdg-16",
        "title": {"en": "Sustainable Development Goal 16", "ru": "Цель 16"},
        "short_title": {"en": "SDG 16", "ru": "ЦУР 16"},
        "provenance": {"source": "sdg-page"},
        "areas": [
            {"code": "16.3", "title": {"en": "Rule of law and equal access to justice"}},
            {"code": "16.a", "title": {"en": "Institutions to prevent violence and terrorism"}},
        ],
    }
    path = tmp_path / "sdg.json"
    path.write_text(json.dumps(_dataset([sdg], [_activity(["sdg-16/16.3"])])))
    load_dataset(path)
    publish_edition(by=PUBLISHER, title="With SDG 16")

    page = client.get("/en/matrix/?framework=sdg-16").content.decode()
    assert "Rule of law and equal access to justice" in page and "Access to justice" in page
    assert '<option value="sdg-16" selected>SDG 16</option>' in page
    heat = client.get("/en/matrix/heatmap/?framework=sdg-16&area=16.a").content.decode()
    assert "0 activities match the filters" in heat


# -- gaps ------------------------------------------------------------------------------------


def test_the_gaps_page_offers_the_framework_s_areas(client, classified):
    page = client.get(f"/en/analysis/gaps/?framework={PVE}").content.decode()
    assert f'<option value="{PVE}" selected>' in page
    assert "Gaps by area of the PVE Plan of Action and state" in page
    # Area 4 has current activity in Kazakhstan (two organisations) and Tajikistan (one).
    assert "Area 4 (Empowering youth) in Tajikistan: every current activity is led by" in page
    assert "Area 4 (Empowering youth) in Kazakhstan" not in page  # covered: not a gap
    assert "Area 1 (Dialogue and conflict prevention) in Kazakhstan: no activity recorded" in page
    plain = client.get("/en/analysis/gaps/").content.decode()
    assert "Gaps by area" not in plain


def test_the_gaps_json_gives_the_area_cells(client, classified):
    data = client.get(f"/en/analysis/gaps.json?framework={PVE}").json()
    assert data["framework"] == PVE
    cell = next(
        c for c in data["area_cells"] if c["subject"] == f"{PVE}/4" and c["country"] == "KZ"
    )
    assert cell["state"] == "covered" and cell["current_activities"] == 2
    assert "area_cells" not in client.get("/en/analysis/gaps.json").json()


# -- editing ---------------------------------------------------------------------------------


def test_a_coordinator_classifies_an_activity_in_the_back_office_and_it_is_audited(
    client, default_data, django_user_model
):
    from auditlog.models import LogEntry

    coordinator = django_user_model.objects.create_superuser(
        "coordinator", "coordinator@example.org", "a long passphrase for tests"
    )
    client.force_login(coordinator)
    activity = make_activity("osce-youth", "osce", pillars=(1,), countries=("KZ",))
    page = client.get(f"/en/admin/matrix/activity/{activity.pk}/change/").content.decode()
    assert 'name="framework_areas"' in page
    youth = FrameworkArea.objects.get(framework__key=PVE, code="4")
    form = {
        "key": activity.key,
        "iati_identifier": "",
        "lead_organisation": activity.lead_organisation_id,
        "title_en": activity.title_en,
        "title_ru": "",
        "description_en": "",
        "description_ru": "",
        "status": "ongoing",
        "start_date": "2014-01-01",
        "end_date": "",
        "pillars": [p.pk for p in activity.pillars.all()],
        "framework_areas": [youth.pk],
        "countries": [c.pk for c in activity.countries.all()],
        "budget": "",
        "currency": "",
        "source_url": "",
        "last_verified": "",
        "internal_notes": "",
        "source": "",
        "source_locator": "",
        "classification_basis": "stated",
        "provenance_note": "",
        "loaded_version": activity.version,
    }
    response = client.post(f"/en/admin/matrix/activity/{activity.pk}/change/", form)
    assert response.status_code == 302
    assert list(activity.framework_areas.all()) == [youth]
    changes = [e.changes_dict for e in LogEntry.objects.get_for_object(activity)]
    assert any(c.get("framework_areas", {}).get("operation") == "add" for c in changes)


def test_the_sources_page_lists_the_framework_and_its_areas_under_their_sources(
    client, default_data
):
    page = client.get("/en/sources/").content.decode()
    section = page[page.index('id="source-ga-letter-a-70-675"') :]
    section = section[: section.index('id="source-', 10)]
    assert "framework areas" in section.lower() and "Empowering youth" in section
    assert "more</p>" not in section  # all seven are listed, counted once
    assert f"/en/matrix/?framework={PVE}&amp;area=4" in section
