"""Analysis: gaps, overlaps, classification suggestions and trends on data where the answer is known."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from jpoa.analysis import gaps as g
from jpoa.analysis.classify import (
    evaluate,
    recorded_examples,
    suggest_classification,
    synthetic_examples,
)
from jpoa.analysis.gaps import coverage_gaps
from jpoa.analysis.models import OverlapDismissal
from jpoa.analysis.overlaps import dismiss_overlap, find_overlaps
from jpoa.analysis.trends import activity_trends
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity
from jpoa.plan.models import Pillar
from tests.factories import (
    PUBLISHER,
    coordinator,
    focal_point,
    make_activity,
    make_items,
    make_user,
)

REGION = ("KG", "KZ", "TJ", "TM", "UZ")


def _cells(analysis, state):
    return {(c.subject_key, c.country.iso2) for c in analysis.pillar_cells if c.state == state}


@pytest.fixture
def matrix(default_data):
    make_activity("a", "osce", pillars=(1,), countries=("KZ",))
    make_activity("b", "unodc", pillars=(1,), countries=("KZ",))
    make_activity("c", "osce", pillars=(2,), countries=("KG",))
    make_activity(
        "d", "unodc", pillars=(4,), countries=("TM",), status="completed", start=2012, end=2014
    )
    make_activity("e", "unodc", pillars=(3,), region_wide=True, countries=())
    return publish_edition(by=PUBLISHER, title="Test", as_of=datetime.date(2016, 6, 30))


def test_the_gap_analysis_names_exactly_the_empty_cells(matrix):
    analysis = coverage_gaps(matrix)

    everything = {(str(p), c) for p in range(1, 5) for c in REGION}
    assert _cells(analysis, g.COVERED) == {("1", "KZ")}
    assert _cells(analysis, g.THIN) == {("2", "KG")}
    # The region-wide Pillar III activity reaches every state, as region-wide only.
    region_only = {("3", c) for c in REGION}
    assert _cells(analysis, g.REGION_ONLY) == region_only
    assert _cells(analysis, g.GAP) == everything - {("1", "KZ"), ("2", "KG")} - region_only


def test_gaps_are_ranked_and_explained(matrix):
    ranked = coverage_gaps(matrix).pillar_gaps
    texts = [c.explanation for c in ranked]

    assert "Pillar IV in Turkmenistan: no activity since 2014." in texts
    assert "Pillar II in Kyrgyzstan: every current activity is led by OSCE." == texts[-1]
    # Never-recorded cells come first, then the one without activity since 2014, then
    # the cells only region-wide activities reach, then those resting on one organisation.
    assert texts[0].endswith("no activity recorded.")
    assert texts[12] == "Pillar IV in Turkmenistan: no activity since 2014."
    assert texts[13:18] == [
        f"Pillar III in {name}: no current activity names the state; "
        "1 current region-wide activity covers it."
        for name in ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan")
    ]
    assert len(ranked) == 19


def test_gaps_show_the_trend_since_the_previous_edition(matrix):
    Activity.objects.get(key="b").delete()
    make_activity("f", "unodc", pillars=(2,), countries=("KG",))
    second = publish_edition(by=PUBLISHER, title="Second")

    cells = {(c.subject_key, c.country.iso2): c for c in coverage_gaps(second).pillar_cells}

    assert cells[("1", "KZ")].trend == g.NEW and cells[("1", "KZ")].state == g.THIN
    assert cells[("2", "KG")].trend == g.BETTER and cells[("2", "KG")].state == g.COVERED
    assert cells[("3", "UZ")].trend == g.SAME
    assert coverage_gaps(matrix).pillar_cells[0].trend == g.FIRST


def test_a_year_range_leaves_out_activities_outside_it(matrix):
    analysis = coverage_gaps(matrix, year_from=2017, year_to=2018)
    assert _cells(analysis, g.COVERED) == set() and _cells(analysis, g.THIN) == set()


def test_plan_item_gaps(default_data):
    make_items()
    make_activity("a", "osce", pillars=(1,), items=("I.1",), countries=("KZ", "TJ"))
    analysis = coverage_gaps(publish_edition(by=PUBLISHER, title="Items"))

    thin = {(c.subject_key, c.country.iso2) for c in analysis.item_cells if c.state == g.THIN}
    assert thin == {("I.1", "KZ"), ("I.1", "TJ")}
    assert len(analysis.item_gaps) == 10  # 2 items x 5 states, all thin or empty


def _titled(key, lead, title, **fields):
    activity = make_activity(key, lead, **fields)
    Activity.objects.filter(pk=activity.pk).update(title_en=title, description_en="")
    return activity


@pytest.fixture
def similar(default_data):
    _titled(
        "osce-border",
        "osce",
        "Border security and management training for border guards",
        pillars=(2,),
        countries=("TJ",),
    )
    _titled(
        "unodc-border",
        "unodc",
        "Training of border guards in border management and security",
        pillars=(2,),
        countries=("TJ",),
    )
    _titled(
        "osce-border-2",
        "osce",
        "Border management and security training for guards",
        pillars=(2,),
        countries=("TJ",),
    )
    _titled(
        "unodc-other",
        "unodc",
        "Border security and management for border guards",
        pillars=(2,),
        countries=("KZ",),
    )
    _titled(
        "unodc-youth",
        "unodc",
        "Youth dialogue with religious leaders",
        pillars=(2,),
        countries=("TJ",),
    )
    _titled(
        "unodc-past",
        "unodc",
        "Border guards border management security",
        pillars=(2,),
        countries=("TJ",),
        start=2005,
        end=2006,
    )
    return publish_edition(by=PUBLISHER, title="Overlaps")


def test_overlaps_pair_only_different_organisations_in_the_same_place_and_time(similar):
    pairs = {o.pair for o in find_overlaps(similar)}
    assert pairs == {("osce-border", "unodc-border"), ("osce-border-2", "unodc-border")}
    best = find_overlaps(similar)[0]
    assert 0.35 <= best.score <= 1
    assert "Tajikistan" in best.reason and "pillar II" in best.reason


def test_a_dismissed_overlap_stays_dismissed_and_is_audited(similar):
    user = coordinator()
    dismiss_overlap(
        first_key="unodc-border",
        second_key="osce-border",
        user=user,
        reason="different target groups",
    )

    pairs = {o.pair for o in find_overlaps(similar)}
    assert pairs == {("osce-border-2", "unodc-border")}
    assert {o.pair for o in find_overlaps(publish_edition(by=PUBLISHER, title="Later"))} == pairs
    dismissal = OverlapDismissal.objects.get()
    assert (dismissal.first_key, dismissal.dismissed_by) == ("osce-border", user)
    assert LogEntry.objects.get_for_object(dismissal).filter(actor=user).exists()


def test_only_coordinators_see_and_dismiss_overlaps(client, similar):
    client.force_login(focal_point("osce"))
    assert client.get(reverse("analysis:overlaps")).status_code == 403
    data = {"first": "osce-border", "second": "unodc-border"}
    assert client.post(reverse("analysis:dismiss"), data).status_code == 403
    assert not OverlapDismissal.objects.exists()

    client.force_login(coordinator())
    page = client.get(reverse("analysis:overlaps"))
    assert "Border security and management training for border guards" in page.text
    client.post(reverse("analysis:dismiss"), data)
    assert OverlapDismissal.objects.filter(first_key="osce-border").exists()


def test_suggestions_name_the_pillar_of_the_text_in_either_language(default_data):
    english = suggest_classification("Training customs officers to detect explosives at the border")
    russian = suggest_classification(
        "Обучение пограничников выявлению взрывчатых веществ на границе"
    )

    assert english[0].pillar.number == 2 and english[0].suggested
    assert russian[0].pillar.number == 2 and russian[0].suggested
    assert all(0 <= s.confidence <= 1 for s in english)
    assert suggest_classification("   ") == []


def test_held_out_precision_and_recall_stay_at_what_docs_report(default_data):
    result = evaluate(synthetic_examples() + recorded_examples(), held_out=0.3, seed=0)
    assert result.tested_on >= 25
    # docs/analysis.md reports these figures; a change that lowers them fails here.
    assert result.precision >= 0.6 and result.recall >= 0.5


def test_the_editor_sees_suggestions_and_accepts_them(client, default_data):
    activity = _titled(
        "osce-x", "osce", "Countering the financing of terrorism by banks", pillars=()
    )
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:matrix_activity_change", args=[activity.pk]))
    assert "Suggested pillars" in page.text

    client.force_login(focal_point("osce"))
    client.post(
        reverse("analysis:accept", args=[activity.pk]),
        {"pillar": [Pillar.objects.get(number=2).pk, 99999], "version": activity.version},
    )
    assert [p.number for p in activity.pillars.all()] == [2]

    other = focal_point("unodc")
    client.force_login(other)
    assert (
        client.post(
            reverse("analysis:accept", args=[activity.pk]), {"pillar": [1], "version": 2}
        ).status_code
        == 403
    )


def test_trends_count_activities_in_every_year_they_run(matrix):
    trends = activity_trends(matrix)
    # a, b, c: 2014-2016; d: 2012-2014; e: 2014-2016 (region-wide).
    assert trends.activities.counts == {2012: 1, 2013: 1, 2014: 5, 2015: 4, 2016: 4}
    assert trends.organisations.counts[2014] == 2
    assert {s.label: s.at(2013) for s in trends.by_pillar} == {"I": 0, "II": 0, "III": 0, "IV": 1}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_public_analysis_pages(client, matrix, language):
    for name in ("analysis:gaps", "analysis:trends"):
        page = client.get(f"/{language}" + reverse(name)[3:])
        assert page.status_code == 200
        assert "<svg" in page.text and "<script" not in page.text
    home = client.get(f"/{language}/")
    assert reverse("analysis:gaps")[3:] in home.text


def test_analysis_pages_without_an_edition(client, default_data):
    assert "nothing to analyse" in client.get(reverse("analysis:gaps")).text
    assert client.get(reverse("analysis:trends")).status_code == 200


def test_the_gaps_page_has_a_json_twin(client, matrix):
    data = client.get(reverse("analysis:gaps_json")).json()
    gaps = {(c["subject"], c["country"]) for c in data["cells"] if c["state"] == "gap"}
    assert len(gaps) == 13 and ("4", "TM") in gaps and ("3", "TM") not in gaps
    assert "region-wide" in data["region_rule"]
    assert data["cells"][-1] == {
        "subject": "1",
        "country": "KZ",
        "state": "covered",
        "current_activities": 2,
        "organisations": 2,
        "region_wide_activities": 0,
        "activities_ever": 2,
        "last_year": 2016,
        "trend": "first",
        "explanation": "Pillar I in Kazakhstan: 2 current activities.",
    }


def test_charts_have_titles_descriptions_and_escaped_labels():
    from jpoa.lib.charts import Moment, column_chart, heatmap, timeline

    grid = heatmap(
        title="Grid", description="Cells", rows=["<script>"], columns=["A & B"], values=[[0]]
    )
    columns = column_chart(
        title="Years",
        description="By year",
        categories=["2014"],
        series=[("<b>", [3])],
        value_label="n",
        category_label="year",
    )
    line = timeline(
        title="When", description="Events", moments=[Moment(datetime.date(2015, 3, 4), "<i>")]
    )
    for svg in (grid, columns, line):
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;" in grid and "A &amp; B" in grid and 'class="empty"' in grid
    assert "4 March 2015" in line


def test_a_timeline_axis_spans_whole_years_with_each_labelled():
    import re

    from jpoa.lib.charts import Moment, timeline

    moments = [
        Moment(datetime.date(2013, 11, 20), "Workshop I"),
        Moment(datetime.date(2016, 12, 14), "Workshop V"),
    ]
    svg = timeline(title="When", description="Workshops", moments=moments)
    labels = re.findall(r">(\d{4})</text>", svg)
    assert labels == ["2013", "2014", "2015", "2016", "2017"]
    axis_start, axis_end = re.search(
        r'<line x1="(\d+)" y1="[\d.]+" x2="(\d+)"[^>]*#1b1b1b', svg
    ).groups()
    dots = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert all(int(axis_start) < x < int(axis_end) for x in dots)  # none on an end
