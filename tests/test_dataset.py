"""The default data set, and jpoa's data set format read and written."""

import copy
import json

import pytest

from jpoa.core.models import DatasetLoad, Organisation
from jpoa.dataset import DEFAULT_DATASET, DatasetError
from jpoa.dataset.export import export_dataset
from jpoa.dataset.load import load_dataset
from jpoa.events.models import Event
from jpoa.plan.models import Participation


def by_key(records, key="key"):
    return {r[key]: r for r in records}


def test_it_holds_the_four_pillars(default_data):
    data = export_dataset()
    pillars = data["strategies"][0]["pillars"]
    assert [p["number"] for p in pillars] == [1, 2, 3, 4]
    assert pillars[1]["short_title"]["en"] == "Preventing and combating terrorism"
    assert all(p["title"]["ru"] for p in pillars)


def test_it_holds_the_states_status_at_the_2011_adoption(default_data):
    version = export_dataset()["plans"][0]["versions"][0]
    assert version["adopted_on"] == "2011-11-30"
    assert version["adopted_at_event"] == "high-level-meeting-2011"
    status = {p["country"]: p["status"] for p in version["participation"]}
    assert status == {
        "KZ": "adopted",
        "KG": "adopted",
        "TJ": "adopted",
        "TM": "adopted",
        "UZ": "observer",
    }


def test_it_holds_phases_i_and_ii_with_years_offices_and_donors(default_data):
    phases = by_key(export_dataset()["phases"])
    assert (phases["phase-1"]["start_year"], phases["phase-1"]["end_year"]) == (2010, 2011)
    assert (phases["phase-2"]["start_year"], phases["phase-2"]["end_year"]) == (2013, 2017)
    for key in ("phase-1", "phase-2"):
        assert phases[key]["implementing_offices"] == ["ctitf-office", "unrcca"]
        assert phases[key]["donors"] == ["eu", "norway"]
    assert "June 2017" in phases["phase-2"]["end_note"]["en"]


@pytest.mark.parametrize(
    "key, city, country, start, end, pillars",
    [
        ("expert-meeting-1", "Bratislava", "SK", "2010-12-15", "2010-12-16", [1, 4]),
        ("expert-meeting-2", "Dushanbe", "TJ", "2011-03-29", "2011-03-30", [2]),
        ("expert-meeting-3", "Almaty", "KZ", "2011-07-21", "2011-07-22", [3]),
    ],
)
def test_it_holds_the_expert_meetings_as_stated(
    default_data, key, city, country, start, end, pillars
):
    event = by_key(export_dataset()["events"])[key]
    assert event["kind"] == "expert_meeting"
    assert (event["city"]["en"], event["country"]) == (city, country)
    assert (event["start_date"], event["end_date"]) == (start, end)
    assert event["pillars"] == pillars
    assert event["provenance"]["basis"] == "stated"
    assert event["provenance"]["source"] == "programme-summary"


def test_it_holds_the_high_level_meeting_in_ashgabat(default_data):
    event = by_key(export_dataset()["events"])["high-level-meeting-2011"]
    assert event["kind"] == "high_level_meeting"
    assert (event["start_date"], event["city"]["en"], event["country"]) == (
        "2011-11-30",
        "Ashgabat",
        "TM",
    )
    assert event["participants_total"] == 54
    assert "Final Declaration" in event["outcome"]["en"]
    assert event["documents"][0]["resource"] == "final-declaration-2011"


@pytest.mark.parametrize(
    "number, kind, title, start, end, city, partners",
    [
        (1, "regional_workshop", "Dialogue with Religious Institutions and Leaders",
         "2013-11-20", "2013-11-22", "Almaty", []),
        (2, "regional_workshop", "Engaging the Media for Countering Terrorism",
         "2014-07-09", "2014-07-11", "Bishkek", []),
        (3, "regional_workshop", "Border Security and Management for Countering Terrorism",
         "2015-03-04", "2015-03-06", "Ashgabat", ["osce"]),
        (4, "regional_workshop", "Countering Radicalization",
         "2016-03-29", "2016-03-31", "Almaty", []),
        (5, "training_workshop", "Countering the Financing of Terrorism",
         "2016-12-14", "2016-12-16", "Ashgabat", ["unodc"]),
    ],
)  # fmt: skip
def test_it_holds_the_five_workshops_with_inferred_pillars(
    default_data, number, kind, title, start, end, city, partners
):
    event = by_key(export_dataset()["events"])[f"regional-workshop-{number}"]
    assert (event["kind"], event["number"], event["title"]["en"]) == (kind, number, title)
    assert (event["start_date"], event["end_date"], event["city"]["en"]) == (start, end, city)
    assert event["co_organisers"] == partners
    assert event["phase"] == "phase-2"
    assert event["pillars"], "every workshop is classified"
    assert event["provenance"]["basis"] == "inferred"
    assert "does not state" in event["provenance"]["note"]["en"]
    assert "не указан" in event["provenance"]["note"]["ru"]


def test_it_labels_workshops_as_the_summary_numbers_them(default_data):
    assert Event.objects.get(key="regional-workshop-3").label == "Regional Workshop III"
    assert Event.objects.get(key="regional-workshop-5").label == "Regional Training Workshop V"
    assert Event.objects.get(key="expert-meeting-2").label == "Expert Meeting II"


def test_phase_i_and_ii_records_cite_the_summary(default_data):
    data = export_dataset()
    for key in ("expert-meeting-1", "high-level-meeting-2011", "regional-workshop-5"):
        assert by_key(data["events"])[key]["provenance"]["source"] == "programme-summary"
    for key in ("phase-1", "phase-2"):
        assert by_key(data["phases"])[key]["provenance"]["source"] == "programme-summary"
    assert (
        "unrcca.unmissions.org"
        in by_key(data["resources"])["unrcca-resources-page"]["versions"][0]["url"]
    )


def test_it_is_not_synthetic_and_invents_no_activities():
    data = json.loads(DEFAULT_DATASET.read_text())
    assert data["dataset"]["synthetic"] is False
    assert data["activities"] == [] and data["editions"] == [] and data["findings"] == []


def test_loading_twice_changes_nothing(default_data):
    again = load_dataset(DEFAULT_DATASET)
    assert again.already_loaded and not again.changed
    forced = load_dataset(DEFAULT_DATASET, force=True)
    assert not forced.changed and sum(forced.kept.values()) >= 96
    assert Event.objects.count() == 14


def test_loading_never_overwrites_an_edit(default_data):
    Organisation.objects.filter(key="osce").update(name_en="OSCE (edited)")
    in_2011 = Participation.objects.filter(country__iso2="UZ", version__label="2011")
    in_2011.update(status="adopted")
    load_dataset(DEFAULT_DATASET, force=True)
    assert Organisation.objects.get(key="osce").name_en == "OSCE (edited)"
    assert in_2011.get().status == "adopted"


def test_loading_restores_a_deleted_record_only_when_forced(default_data):
    Event.objects.filter(key="regional-workshop-4").delete()
    load_dataset(DEFAULT_DATASET)
    assert not Event.objects.filter(key="regional-workshop-4").exists()
    load_dataset(DEFAULT_DATASET, force=True)
    assert Event.objects.filter(key="regional-workshop-4").exists()


def empty_the_database():
    """Delete every record the data set format holds, dependents first."""
    from jpoa.core.models import Country, Source
    from jpoa.events.models import Finding
    from jpoa.library.models import Resource
    from jpoa.matrix.models import Activity
    from jpoa.plan.models import Framework, Phase, Plan, Strategy

    for model in (
        Finding,
        Resource,
        Event,
        Activity,
        Phase,
        Plan,
        Strategy,
        Framework,
        Organisation,
    ):
        model.objects.all().delete()
    for model in (Country, Source, DatasetLoad):
        model.objects.all().delete()


def test_export_then_load_into_an_empty_database_round_trips(
    default_data, tmp_path, django_db_blocker
):
    first = export_dataset()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(first, ensure_ascii=False))
    empty_the_database()
    assert not Organisation.objects.exists()
    load_dataset(path)
    second = export_dataset()
    first.pop("exported_at"), second.pop("exported_at")
    assert second == first


def write(tmp_path, data, name="bad.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def default_copy():
    return copy.deepcopy(json.loads(DEFAULT_DATASET.read_text()))


def test_a_file_that_is_not_json_names_line_and_column(db, tmp_path):
    with pytest.raises(DatasetError, match=r"bad.json: line 2 column \d+: "):
        load_dataset(write(tmp_path, '{\n  "format": oops}'))


def test_a_file_of_another_format_is_refused(db, tmp_path):
    with pytest.raises(DatasetError, match="not a jpoa data set"):
        load_dataset(write(tmp_path, {"hello": "world"}))


def test_a_bad_date_names_the_record_and_field_and_writes_nothing(db, tmp_path):
    data = default_copy()
    data["events"][3]["start_date"] = "2011-13-30"
    with pytest.raises(DatasetError) as error:
        load_dataset(write(tmp_path, data))
    assert str(error.value) == (
        f"{tmp_path / 'bad.json'}: events[3].start_date: "
        "expected a date YYYY-MM-DD, got '2011-13-30'"
    )
    assert Organisation.objects.count() == 0 and DatasetLoad.objects.count() == 0


def test_an_unknown_reference_is_an_error_not_a_new_record(db, tmp_path):
    data = default_copy()
    data["events"][7]["co_organisers"] = ["osec"]
    with pytest.raises(
        DatasetError, match=r"events\[7\]\.co_organisers: no organisation with key 'osec'"
    ):
        load_dataset(write(tmp_path, data))
    assert not Organisation.objects.exists()


def test_an_unknown_choice_lists_what_is_allowed(db, tmp_path):
    data = default_copy()
    data["plans"][0]["versions"][0]["participation"][0]["status"] = "signed"
    with pytest.raises(DatasetError, match="expected one of adopted, observer, not_party"):
        load_dataset(write(tmp_path, data))


def test_the_public_json_holds_what_is_published_and_the_full_one_what_is_now(default_data):
    from jpoa.matrix.editions import publish_edition
    from jpoa.matrix.models import Activity
    from tests.factories import PUBLISHER, make_activity

    assert export_dataset()["activities"] == []  # nothing published yet
    activity = make_activity("osce-1", "osce")
    make_activity("unodc-1", "unodc")
    edition = publish_edition(title="First", by=PUBLISHER)
    published_title = activity.title_en
    Activity.objects.filter(pk=activity.pk).update(title_en="A draft title, not yet published")
    make_activity("unpublished-draft", "osce")

    public = export_dataset()
    titles = {a["key"]: a["title"]["en"] for a in public["activities"]}
    assert titles[activity.key] == published_title and "unpublished-draft" not in titles
    assert set(titles) == {"osce-1", "unodc-1"}
    assert f"edition {edition.number}" in public["dataset"]["description"]["en"]

    full = export_dataset(drafts=True)
    titles = {a["key"]: a["title"]["en"] for a in full["activities"]}
    assert titles[activity.key] == "A draft title, not yet published"
    assert "unpublished-draft" in titles
    assert "Not for publication" in full["dataset"]["description"]["en"]
