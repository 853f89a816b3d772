"""The default data set's public record after 2017, and how a database that loaded an
older revision of it is brought up to date.

Facts asserted here are the ones the data set's sources state (see the data set's notes
in jpoa/dataset/data/SOURCES.md); a test fails if a record loses its source or a fact.
"""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from jpoa.core.models import DatasetLoad, Source
from jpoa.dataset import DEFAULT_DATASET, DatasetError
from jpoa.dataset.export import export_dataset
from jpoa.dataset.load import load_dataset
from jpoa.events.models import Event
from jpoa.library.models import Resource
from jpoa.plan.models import Participation, Phase, PlanVersion

REVISION_1 = Path(__file__).parent / "data" / "central-asia-revision-1.json"
CENTRAL_ASIA = ["KG", "KZ", "TJ", "TM", "UZ"]


def by_key(records, key="key"):
    return {r[key]: r for r in records}


# -- the facts -------------------------------------------------------------------------


def test_the_2017_dialogue_in_ashgabat_ended_phase_ii_with_a_declaration(default_data):
    event = Event.objects.get(key="high-level-dialogue-2017")
    assert (event.start_date.isoformat(), event.city_en, event.country.iso2) == (
        "2017-06-13",
        "Ashgabat",
        "TM",
    )
    assert event.phase.key == "phase-2"
    assert event.kind == Event.Kind.HIGH_LEVEL_MEETING
    declaration = event.documents.get(kind="declaration").resource
    assert declaration.key == "ashgabat-declaration-2017"
    assert sorted(declaration.countries.values_list("iso2", flat=True)) == CENTRAL_ASIA
    assert event.source.url == "https://www.un.org/press/en/2017/pa19.doc.htm"
    assert event.participants_total is None  # no source counts them: not recorded, not 0


def test_phase_ii_is_told_in_the_past_tense_and_phase_iii_follows():
    text = DEFAULT_DATASET.read_text(encoding="utf-8")
    records = json.loads(text)
    phases = by_key(records["phases"])
    assert phases["phase-2"]["end_note"]["en"].startswith("Completed in June 2017")
    assert "To be completed" not in json.dumps(phases)
    phase_3 = phases["phase-3"]
    assert (phase_3["start_year"], phase_3["end_year"]) == (2018, None)
    assert phase_3["implementing_offices"] == ["unoct", "unrcca"]
    assert phase_3["donors"] == []  # no source names them


@pytest.mark.parametrize(
    "key, date, number",
    [
        ("coordination-meeting-2018", "2018-02-23", 1),
        ("coordination-meeting-2019", "2019-02-14", 2),
    ],
)
def test_the_coordination_meetings_met_in_istanbul(default_data, key, date, number):
    event = Event.objects.get(key=key)
    assert (event.start_date.isoformat(), event.city_en, event.country.iso2) == (
        date,
        "Istanbul",
        "TR",
    )
    assert (event.kind, event.number, event.phase.key) == (
        "coordination_meeting",
        number,
        "phase-3",
    )
    assert event.documents.get().resource.kind == Resource.Kind.MATRIX


def test_the_tashkent_conference_with_its_co_organisers_and_outcomes(default_data):
    event = Event.objects.get(key="tashkent-conference-2022")
    assert (event.start_date.isoformat(), event.end_date.isoformat()) == (
        "2022-03-03",
        "2022-03-04",
    )
    assert (event.city_en, event.country.iso2) == ("Tashkent", "UZ")
    assert set(event.co_organisers.values_list("key", flat=True)) == {
        "isrs-uzbekistan",
        "mfa-uzbekistan",
        "unoct",
        "unrcca",
        "osce",
    }
    documents = {d.resource.key for d in event.documents.all()}
    assert documents == {"tashkent-declaration-2022", "jpoa-2022"}
    # The sources disagree on how many took part (100, 500, 600): no total is recorded.
    assert event.participants_total is None
    assert "46 countries" in event.summary_en


def test_the_updated_plan_is_a_second_version_with_each_states_standing_as_stated(default_data):
    versions = {v.label: v for v in PlanVersion.objects.filter(plan__key="jpoa-central-asia")}
    assert list(versions) == ["2011", "2022"]
    new = versions["2022"]
    assert new.adopted_at_event.key == "tashkent-conference-2022"
    assert new.is_inferred and "inferred" in new.provenance_note_en  # the day is inferred
    assert not new.items.exists()  # no source gives its text
    standing = dict(new.participations.values_list("country__iso2", "status"))
    assert standing == {iso: "adopted" for iso in CENTRAL_ASIA}
    assert {p.source.key for p in new.participations.all()} == {"unipath-2022"}
    uzbekistan_2011 = Participation.objects.get(version=versions["2011"], country__iso2="UZ")
    assert uzbekistan_2011.status == "observer"


def test_the_ten_other_states_of_2011_are_named(default_data):
    outcome = Event.objects.get(key="high-level-meeting-2011").outcome_en
    for state in ("Afghanistan", "Azerbaijan", "China", "India", "Iran", "Norway", "Pakistan"):
        assert state in outcome
    assert "Russia" in outcome and "Turkey" in outcome and "United States" in outcome


# -- every record cites a public source --------------------------------------------------


def test_every_record_cites_a_source_that_has_an_address_publisher_and_title():
    data = json.loads(DEFAULT_DATASET.read_text(encoding="utf-8"))
    sources = by_key(data["sources"])
    cited = []
    for section in ("countries", "organisations", "phases", "events", "resources"):
        cited += [(section, r["key" if "key" in r else "iso2"], r) for r in data[section]]
    for strategy in data["strategies"]:
        cited += [("pillars", p["number"], p) for p in strategy["pillars"]]
    for plan in data["plans"]:
        cited.append(("plans", plan["key"], plan))
        for version in plan["versions"]:
            cited.append(("versions", version["label"], version))
            cited += [("participation", p["country"], p) for p in version["participation"]]
    for section, key, record in cited:
        source = record["provenance"]["source"]
        assert source in sources, (section, key)
        if record["provenance"]["basis"] == "inferred":
            assert record["provenance"]["note"]["en"], (section, key)
    for key, source in sources.items():
        assert source["title"]["en"] and source["publisher"]["en"], key
        if key == "programme-summary":  # the one source with no public address says so
            assert "not published at a public address" in source["citation"]["en"]
            continue
        assert source["url"].startswith(("http://", "https://")), key


def test_every_resource_has_a_public_link_or_says_why_not(default_data):
    for resource in Resource.objects.prefetch_related("versions"):
        links = [v.url for v in resource.versions.all() if v.url]
        if resource.key == "programme-summary":
            assert not links and resource.source.key == "programme-summary"
            continue
        assert links, resource.key


def test_the_founding_documents_carry_their_symbols_dates_and_languages(default_data):
    strategy = Resource.objects.get(key="un-gcts")
    assert (strategy.symbol, strategy.date.isoformat()) == ("A/RES/60/288", "2006-09-08")
    assert set(strategy.versions.values_list("language", flat=True)) == {"en", "ru"}
    pve = Resource.objects.get(key="a-70-674")
    assert (pve.symbol, pve.date.isoformat()) == ("A/70/674", "2015-12-24")
    assert pve.source_organisation.key == "un-general-assembly"


def test_the_matrix_editions_are_library_documents_with_their_dates(default_data):
    editions = Resource.objects.filter(kind=Resource.Kind.MATRIX).order_by("year", "date")
    assert [(r.key, r.date.isoformat() if r.date else r.year) for r in editions] == [
        ("matrix-2012", 2012),
        ("matrix-2015", 2015),
        ("mapping-2018", "2018-04-13"),
        ("mapping-2019", "2019-03-21"),
        ("mapping-2020", "2020-07-06"),
    ]


# -- a database that loaded revision 1 ---------------------------------------------------


def test_init_on_a_database_of_revision_1_adds_the_new_records_and_corrects_the_old(db):
    load_dataset(REVISION_1)
    assert not Event.objects.filter(key="tashkent-conference-2022").exists()

    report = load_dataset(DEFAULT_DATASET)  # what `jpoa init` does

    # Revision 2 brought the public record, revision 3 the PVE Plan of Action's framework.
    assert (report.loaded_revision, report.revision, report.already_loaded) == (1, 3, False)
    assert Event.objects.filter(key="tashkent-conference-2022").exists()
    assert Phase.objects.get(key="phase-2").end_note_en.startswith("Completed in June 2017")
    assert Source.objects.get(key="a-res-60-288").url.startswith("http://www.un.org/")
    assert sum(report.corrected.values()) > 0 and report.corrections_kept == 0
    assert list(DatasetLoad.objects.order_by("revision").values_list("revision", flat=True)) == [
        1,
        3,
    ]
    assert load_dataset(DEFAULT_DATASET).already_loaded


def test_updating_from_revision_1_gives_what_a_fresh_load_gives(db):
    load_dataset(REVISION_1)
    load_dataset(DEFAULT_DATASET)
    updated = export_dataset()
    from tests.test_dataset import empty_the_database

    empty_the_database()
    load_dataset(DEFAULT_DATASET)
    fresh = export_dataset()
    updated.pop("exported_at"), fresh.pop("exported_at")
    assert updated == fresh


def test_updating_does_not_bring_back_what_an_editor_deleted(db):
    load_dataset(REVISION_1)
    Event.objects.filter(key="regional-workshop-4").delete()

    report = load_dataset(DEFAULT_DATASET)

    assert not Event.objects.filter(key="regional-workshop-4").exists()
    assert report.not_restored == {"events.Event": 1}
    assert Event.objects.filter(key="tashkent-conference-2022").exists()  # new in revision 2
    load_dataset(DEFAULT_DATASET, force=True)  # forced, it is restored as before
    assert Event.objects.filter(key="regional-workshop-4").exists()


def test_a_correction_keeps_what_an_editor_changed(db):
    load_dataset(REVISION_1)
    Phase.objects.filter(key="phase-2").update(end_note_en="Ended in mid-2017 (editor).")

    report = load_dataset(DEFAULT_DATASET)

    phase = Phase.objects.get(key="phase-2")
    assert phase.end_note_en == "Ended in mid-2017 (editor)."
    assert phase.end_note_ru.startswith("Завершён в июне 2017")  # the unedited language
    assert report.corrections_kept >= 1


@pytest.mark.parametrize(
    "correction, message",
    [
        (
            {"record": "activity", "key": "x", "field": "title"},
            r"corrections\[0\]\.record: expected one of source",
        ),
        ({"record": "phase", "key": "phase-9", "field": "title"}, "no phase with key"),
        ({"record": "phase", "key": "phase-2", "field": "number"}, "correctable fields"),
    ],
)
def test_a_bad_correction_is_refused_and_nothing_is_saved(db, tmp_path, correction, message):
    data = json.loads(REVISION_1.read_text(encoding="utf-8"))
    data["corrections"] = [{"was": "", "now": "x", **correction}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)
    assert not Event.objects.exists() and not DatasetLoad.objects.exists()


# -- the pages ---------------------------------------------------------------------------


def test_the_sources_page_gives_publisher_date_address_and_citing_records(client, default_data):
    page = client.get(reverse("public:sources")).content.decode()
    assert "United Nations, Department of Political Affairs" in page
    assert 'href="https://www.un.org/press/en/2017/pa19.doc.htm"' in page
    assert "date not stated" in page  # the undated UNRCCA pages
    dialogue = reverse("public:event", args=["high-level-dialogue-2017"])
    assert f'href="{dialogue}"' in page  # the record citing the press release


def test_an_events_citation_links_to_its_source(client, default_data):
    page = client.get(reverse("public:event", args=["tashkent-conference-2022"])).content.decode()
    assert reverse("public:sources") + "#source-un-uzbekistan-2022-02-28" in page


def test_comparing_the_versions_says_what_differs_and_what_is_not_known(client, default_data):
    response = client.get(reverse("public:plan_compare"))
    page = response.content.decode()
    assert "What changed in the action items is therefore not known." in page
    assert "The two versions have the same action items." not in page
    assert "Observer" in page and "Tashkent, Uzbekistan" in page
    form = response.context["form"]
    assert (form["from"].value(), form["to"].value()) == ("2011", "2022")


def test_the_editions_page_lists_the_offline_editions_oldest_first(client, default_data):
    page = client.get(reverse("matrix:editions")).content.decode()
    assert "Earlier editions, published offline" in page
    positions = [page.index(f'/library/{key}/"') for key in ("matrix-2012", "mapping-2020")]
    assert positions == sorted(positions)
