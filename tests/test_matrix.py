"""The public matrix views over published editions, through the HTTP client.

Every count a view shows is checked against a naive count over the edition's
snapshots (the JSON records), computed here without the facts tables.
"""

import datetime
import random
from collections import Counter

import pytest

from jpoa.core.models import Country, Organisation
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity, EditionEntry
from jpoa.matrix.selectors import (
    MatrixFilters,
    countries_by_pillars,
    items_by_countries,
    organisations_by_pillars,
)
from jpoa.matrix.writes import NewActivity, write_activities
from jpoa.plan.models import ActionItem, Pillar
from tests.factories import PUBLISHER, make_activity, make_items

pytestmark = pytest.mark.django_db

ORGS = ["osce", "unodc", "eu", "unrcca", "ctitf-office"]
COUNTRIES = ["KZ", "KG", "TJ", "TM", "UZ"]
PAGES = ["", "heatmap/", "plan-items/", "activities/"]


def build(n: int, seed: int = 1, prefix: str = "act") -> list[Activity]:
    """`n` varied activities: some region-wide, some without pillar, country or dates.

    Written in one batch through the write service, as an import writes them."""
    rng = random.Random(seed)
    org_ids = dict(Organisation.objects.filter(key__in=ORGS).values_list("key", "pk"))
    pillar_ids = dict(Pillar.objects.values_list("number", "pk"))
    country_ids = dict(Country.objects.filter(iso2__in=COUNTRIES).values_list("iso2", "pk"))
    item_ids: dict[str, list[int]] = {}
    for code, pk in ActionItem.objects.filter(code__in=["I.1", "II.1"]).values_list("code", "pk"):
        item_ids.setdefault(code, []).append(pk)
    adds = []
    for i in range(n):
        key = f"{prefix}-{i:03d}"
        lead = rng.choice(ORGS)
        pillars = rng.sample([1, 2, 3, 4], rng.choice([0, 1, 1, 2, 3]))
        countries = rng.sample(COUNTRIES, rng.choice([0, 1, 2, 5]))
        region_wide = rng.random() < 0.3
        items = rng.sample(["I.1", "II.1"], rng.choice([0, 1, 2]))
        status = rng.choice(["planned", "ongoing", "completed"])
        start, end = rng.choice([None, 2012, 2014]), rng.choice([None, 2013, 2016])
        data = {
            "key": key,
            "title_en": f"Activity {key}",
            "description_en": f"What {key} does.",
            "status": status,
            "region_wide": region_wide,
            "start_date": datetime.date(start, 1, 1) if start else None,
            "end_date": datetime.date(end, 12, 31) if end else None,
            "pillars": [pillar_ids[p] for p in pillars],
            "countries": [country_ids[c] for c in countries],
            "action_items": [pk for code in items for pk in item_ids.get(code, [])],
        }
        adds.append(NewActivity(org_ids[lead], data))
    written = write_activities(user=PUBLISHER, adds=adds)
    return list(Activity.objects.filter(pk__in=written.added).order_by("key"))


@pytest.fixture
def items(default_data):
    return make_items()


@pytest.fixture
def published(items):
    build(40)
    return publish_edition(by=PUBLISHER, title="October 2015")


# -- the naive computation over the snapshots ----------------------------------------------


def places(r):
    out = list(r["countries"]) + (["region"] if r["region_wide"] else [])
    return out or ["none"]


def passes(r, f: MatrixFilters, types, item_refs) -> bool:
    """The filters that are not one of a view's own dimensions."""
    if f.organisation and r["lead_organisation"] != f.organisation:
        return False
    if f.organisation_type and types[r["lead_organisation"]] != f.organisation_type:
        return False
    if f.status and r["status"] != f.status:
        return False
    start = int(r["start_date"][:4]) if r["start_date"] else None
    end = int(r["end_date"][:4]) if r["end_date"] else None
    if f.year_from or f.year_to:
        if start is None and end is None:
            return False
        if f.year_to and start is not None and start > f.year_to:
            return False
        if f.year_from and end is not None and end < f.year_from:
            return False
    return True


def naive(edition, view: str, f: MatrixFilters | None = None) -> Counter:
    f = f or MatrixFilters()
    types = dict(Organisation.objects.values_list("key", "type"))
    item_refs = {i.pk: f"{i.version.plan.key}/{i.version.label}/{i.code}" for i in _items()}
    cells = Counter()
    for r in EditionEntry.objects.filter(edition=edition).values_list("data", flat=True):
        if not passes(r, f, types, item_refs):
            continue
        wanted_places = [p for p in places(r) if not f.country or p == f.country]
        if view == "items":
            refs = [x for x in r["action_items"] if not f.item or x == item_refs[f.item]]
            pillar_of = {ref: int(ref.rsplit("/", 1)[1].split(".")[0] == "II") + 1 for ref in refs}
            refs = [x for x in refs if not f.pillar or str(pillar_of[x]) == f.pillar]
            cells.update((x, p) for x in refs for p in wanted_places)
            continue
        if f.item and item_refs[f.item] not in r["action_items"]:
            continue
        pillars = [
            p for p in r["pillars"] or [None] if not f.pillar or str(p or "none") == f.pillar
        ]
        if view == "organisations" and wanted_places:
            cells.update((r["lead_organisation"], p) for p in pillars)
        elif view == "heatmap":
            cells.update((place, p) for place in wanted_places for p in pillars)
    return cells


def _items():
    return ActionItem.objects.select_related("version__plan")


def shown(matrix, row_key, col_key) -> Counter:
    """The non-zero cells of a view, keyed like the naive computation."""
    cells = Counter()
    for row in matrix.rows:
        for cell in row.cells:
            if cell.count:
                cells[row_key(row, cell), col_key(cell)] = cell.count
    return cells


def org_cells(matrix):
    return shown(matrix, lambda r, c: r.params["organisation"], pillar_key)


def pillar_key(cell):
    return None if cell.params["pillar"] == "none" else int(cell.params["pillar"])


def heat_cells(matrix):
    return shown(matrix, lambda r, c: c.params["country"], pillar_key)


def item_cells(matrix):
    refs = {i.pk: f"{i.version.plan.key}/{i.version.label}/{i.code}" for i in _items()}
    return shown(matrix, lambda r, c: refs[c.params["item"]], lambda c: c.params["country"])


# -- no edition ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", [*PAGES, "editions/", "editions/compare/"])
def test_without_an_edition_the_pages_explain_it_to_the_public(client, default_data, page):
    make_activity("draft", "osce")
    response = client.get(f"/en/matrix/{page}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "No edition of the matrix has been published yet" in text
    # Commands are for operators (docs/operations.md), not for the public page.
    assert "jpoa publish" not in text and "<code>" not in text
    assert "Activity draft" not in text


# -- what the public sees -----------------------------------------------------------------


def test_the_matrix_shows_the_latest_edition_and_never_drafts(client, items):
    make_activity("first", "osce", pillars=(2,))
    publish_edition(by=PUBLISHER, title="First edition")
    make_activity("second", "unodc", pillars=(2,))
    publish_edition(by=PUBLISHER, title="Second edition")
    make_activity("draft", "eu", pillars=(2,), internal_notes="secret remark")

    page = client.get("/en/matrix/").content.decode()

    assert "Second edition" in page
    assert "Activity first" in page and "Activity second" in page
    assert "Activity draft" not in page
    assert client.get("/en/matrix/activities/draft/").status_code == 404
    for path in PAGES:
        assert "Activity draft" not in client.get(f"/en/matrix/{path}").content.decode()


def test_an_earlier_edition_can_be_picked(client, items):
    make_activity("first", "osce")
    publish_edition(by=PUBLISHER, title="First edition")
    make_activity("second", "unodc")
    publish_edition(by=PUBLISHER, title="Second edition")

    page = client.get("/en/matrix/?edition=1").content.decode()

    assert "First edition" in page and "This is not the latest edition" in page
    assert "Activity first" in page and "Activity second" not in page
    listed = client.get("/en/matrix/activities/?edition=1").context["page"]
    assert [a.key for a in listed] == ["first"]


def test_every_view_counts_what_the_snapshots_hold(client, published):
    context = client.get("/en/matrix/").context
    assert org_cells(context["matrix"]) == naive(published, "organisations")
    assert heat_cells(client.get("/en/matrix/heatmap/").context["matrix"]) == naive(
        published, "heatmap"
    )
    assert item_cells(client.get("/en/matrix/plan-items/").context["matrix"]) == naive(
        published, "items"
    )


def test_region_wide_activities_have_their_own_row(client, items):
    make_activity("everywhere", "osce", pillars=(3,), countries=(), region_wide=True)
    make_activity("kazakhstan", "osce", pillars=(3,), countries=("KZ",))
    publish_edition(by=PUBLISHER, title="First")

    matrix = client.get("/en/matrix/heatmap/").context["matrix"]

    rows = {row.label: [c.count for c in row.cells] for row in matrix.rows}
    assert rows["Region-wide"] == [0, 0, 1, 0]
    assert rows["Kazakhstan"] == [0, 0, 1, 0]
    assert rows["Uzbekistan"] == [0, 0, 0, 0]
    region = next(row for row in matrix.rows if row.kind == "region")
    listed = client.get(region.cells[2].url).context["page"]
    assert [a.key for a in listed] == ["everywhere"]


FILTERS = [
    {"country": "KZ"},
    {"country": "region"},
    {"country": "none"},
    {"pillar": "2"},
    {"pillar": "none"},
    {"organisation": "osce"},
    {"organisation_type": "un_entity"},
    {"status": "planned"},
    {"year_from": 2015},
    {"year_to": 2013},
    {"year_from": 2013, "year_to": 2014},
    {"country": "TJ", "pillar": "1", "status": "ongoing"},
]


@pytest.mark.parametrize(
    "params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
def test_each_filter_narrows_every_view(client, published, params):
    f = MatrixFilters(**params)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    organisations = client.get(f"/en/matrix/?{query}").context["matrix"]
    assert org_cells(organisations) == naive(published, "organisations", f)
    assert heat_cells(client.get(f"/en/matrix/heatmap/?{query}").context["matrix"]) == naive(
        published, "heatmap", f
    )
    assert item_cells(client.get(f"/en/matrix/plan-items/?{query}").context["matrix"]) == naive(
        published, "items", f
    )
    assert sum(naive(published, "heatmap", f).values()) < sum(naive(published, "heatmap").values())


def test_the_plan_item_filter_narrows_every_view(client, published, items):
    item = items["II.1"]
    f = MatrixFilters(item=item.pk)
    assert org_cells(organisations_by_pillars(published, f)) == naive(published, "organisations", f)
    assert heat_cells(countries_by_pillars(published, f)) == naive(published, "heatmap", f)
    assert item_cells(items_by_countries(published, f)) == naive(published, "items", f)
    page = client.get(f"/en/matrix/plan-items/?item={item.pk}").context["matrix"]
    assert [row.params["item"] for row in page.rows] == [item.pk]


def test_every_cell_lists_exactly_its_activities(client, published):
    matrix = client.get("/en/matrix/heatmap/?status=ongoing").context["matrix"]
    cell = max((c for row in matrix.rows for c in row.cells), key=lambda c: c.count)
    assert "status=ongoing" in cell.url
    listed = client.get(cell.url).context["page"]
    assert listed.paginator.count == cell.count
    country, pillar = cell.params["country"], int(cell.params["pillar"])
    for a in listed:
        record = EditionEntry.objects.get(edition=published, activity_key=a.key).data
        assert pillar in record["pillars"] and country in places(record)
        assert record["status"] == "ongoing"


def test_the_activity_list_is_paginated(client, items):
    build(60)
    publish_edition(by=PUBLISHER, title="First")
    first = client.get("/en/matrix/activities/").context["page"]
    second = client.get("/en/matrix/activities/?page=2").context["page"]
    assert (first.paginator.count, len(first), len(second)) == (60, 50, 10)
    assert first[0].key == "act-000" and second[0].key == "act-050"


def test_an_invalid_filter_is_reported_and_ignored(client, published):
    response = client.get("/en/matrix/?country=XX&year_from=soon")
    assert response.status_code == 200
    assert response.context["state"].filters == MatrixFilters()
    assert "Some filters were not understood" in response.content.decode()


# -- one activity -------------------------------------------------------------------------


def test_the_activity_page_shows_public_fields_and_history_never_internal_notes(client, items):
    activity = make_activity(
        "border",
        "osce",
        pillars=(2,),
        countries=("KZ", "KG"),
        items=("II.1",),
        partners=("unodc",),
        donors=("eu",),
        internal_notes="do not publish this",
    )
    publish_edition(by=PUBLISHER, title="First edition")
    activity.status = "completed"
    activity.title_en = "Border management"
    activity.save()
    publish_edition(by=PUBLISHER, title="Second edition")

    page = client.get("/en/matrix/activities/border/").content.decode()

    assert "Border management" in page
    assert "United Nations Office on Drugs and Crime" in page or "UNODC" in page
    assert "Kyrgyzstan" in page and "II.1" in page
    assert "First edition" in page and "Second edition" in page
    assert "completed" in page and "first published" in page
    assert "do not publish this" not in page
    earlier = client.get("/en/matrix/activities/border/?edition=1").content.decode()
    assert "Activity border" in earlier


def test_an_activity_never_published_is_not_found(client, published):
    assert client.get("/en/matrix/activities/nowhere/").status_code == 404


# -- editions and comparison --------------------------------------------------------------


def test_the_compare_page_lists_added_ended_and_changed_activities(client, items):
    make_activity("kept", "osce")
    make_activity("changed", "osce", pillars=(1,))
    make_activity("ended", "unodc")
    publish_edition(by=PUBLISHER, title="First edition")
    changed = Activity.objects.get(key="changed")
    changed.title_ru = "Изменено"
    changed.save()
    changed.pillars.add(Pillar.objects.get(number=4))
    Activity.objects.get(key="ended").delete()
    make_activity("added", "eu")
    publish_edition(by=PUBLISHER, title="Second edition")

    response = client.get("/en/matrix/editions/compare/?from=1&to=2")

    comparison = response.context["comparison"]
    assert [r["key"] for r in comparison.added] == ["added"]
    assert [r["key"] for r in comparison.ended] == ["ended"]
    assert [(c.key, [(x.field, x.language) for x in c.changes]) for c in comparison.changed] == [
        ("changed", [("title", "ru"), ("pillars", None)])
    ]
    page = response.content.decode()
    assert (
        "1 activity added" in page and "1 activity ended" in page and "1 activity changed" in page
    )
    assert "Изменено" in page and "added IV" in page
    assert ">kept<" not in page and "1 activity unchanged" in page
    editions = client.get("/en/matrix/editions/").content.decode()
    assert "Second edition" in editions and "compare with edition 1" in editions


# -- speed and languages ------------------------------------------------------------------


# Queries per page, the site's base template included; the same for 5 or 50 activities.
# (One of them reads the frameworks and their areas for the filter form.)
PINNED = {
    "": 12,
    "heatmap/": 10,
    "plan-items/": 11,
    "activities/?pillar=2": 9,  # names from the filter form's options, not 2 queries more
    "activities/act-001/": 14,
}
# With the page cache on, one more asks when the public data last changed (the key: the
# newest of the audit trail, data set loads, editions and editions indexed by search, in
# one query); a page served from the cache runs only that one.
ASKS_WHEN_CHANGED = 1


@pytest.fixture
def page_cache(settings):
    settings.MATRIX_PAGE_CACHE_SECONDS = 3600


@pytest.mark.parametrize("path", PINNED)
def test_the_hot_pages_run_a_fixed_number_of_queries(
    client, items, path, django_assert_num_queries
):
    build(5)
    publish_edition(by=PUBLISHER, title="Small")
    with django_assert_num_queries(PINNED[path]):
        assert client.get(f"/en/matrix/{path}").status_code == 200
    build(45, seed=2, prefix="more")
    publish_edition(by=PUBLISHER, title="Bigger")
    with django_assert_num_queries(PINNED[path]):
        assert client.get(f"/en/matrix/{path}").status_code == 200


@pytest.mark.parametrize("path", PINNED)
def test_a_page_seen_before_comes_from_the_cache_until_the_data_changes(
    client, items, path, django_assert_num_queries, page_cache
):
    build(5)
    publish_edition(by=PUBLISHER, title="Small")
    with django_assert_num_queries(PINNED[path] + ASKS_WHEN_CHANGED):
        first = client.get(f"/en/matrix/{path}")
    with django_assert_num_queries(ASKS_WHEN_CHANGED):
        again = client.get(f"/en/matrix/{path}")
    assert again.content == first.content
    build(45, seed=2, prefix="more")
    publish_edition(by=PUBLISHER, title="Bigger")
    with django_assert_num_queries(PINNED[path] + ASKS_WHEN_CHANGED):
        later = client.get(f"/en/matrix/{path}")
    assert "Bigger" in later.content.decode()


def test_a_parameter_the_page_does_not_read_does_not_bypass_the_cache(
    client, items, django_assert_num_queries, page_cache
):
    build(5)
    publish_edition(by=PUBLISHER, title="Small")
    first = client.get("/en/matrix/heatmap/?country=KZ")
    with django_assert_num_queries(ASKS_WHEN_CHANGED):  # served from the cache
        again = client.get("/en/matrix/heatmap/?utm_source=x&country=KZ&z=1")
    assert again.content == first.content
    client.get("/en/matrix/editions/compare/?from=1&to=1&x=1")
    with django_assert_num_queries(ASKS_WHEN_CHANGED):
        client.get("/en/matrix/editions/compare/?x=2&to=1&from=1")


def test_a_page_made_for_another_host_is_never_served_to_this_one(client, items, page_cache):
    build(5)
    publish_edition(by=PUBLISHER, title="Small")
    client.get("/en/matrix/heatmap/", HTTP_HOST="localhost:6666")
    page = client.get("/en/matrix/heatmap/", HTTP_HOST="127.0.0.1").content.decode()
    assert "localhost:6666" not in page and "127.0.0.1" in page


def test_signed_in_users_never_get_a_cached_page(client, items, django_user_model, page_cache):
    build(5)
    publish_edition(by=PUBLISHER, title="Small")
    anonymous = client.get("/en/matrix/heatmap/").content.decode()
    client.force_login(django_user_model.objects.create_user("reader-amina"))
    signed_in = client.get("/en/matrix/heatmap/").content.decode()
    assert "reader-amina" in signed_in and "reader-amina" not in anonymous


@pytest.mark.parametrize(
    "page", [*PAGES, "editions/", "editions/compare/?from=1&to=1", "activities/act-001/"]
)
def test_the_pages_work_in_russian(client, published, page):
    response = client.get(f"/ru/matrix/{page}")
    assert response.status_code == 200
    assert '<html lang="ru">' in response.content.decode()


# -- the list of activities and the captions, against the same naive computation -----------


def naive_keys(edition, f: MatrixFilters) -> set[str]:
    """The activities a filtered list shows: every filter, dimensions included."""
    types = dict(Organisation.objects.values_list("key", "type"))
    item_refs = {i.pk: f"{i.version.plan.key}/{i.version.label}/{i.code}" for i in _items()}
    keys = set()
    for r in EditionEntry.objects.filter(edition=edition).values_list("data", flat=True):
        if not passes(r, f, types, item_refs):
            continue
        if f.country and f.country not in places(r):
            continue
        if f.pillar and f.pillar not in [str(p or "none") for p in r["pillars"] or [None]]:
            continue
        if f.item and item_refs[f.item] not in r["action_items"]:
            continue
        keys.add(r["key"])
    return keys


@pytest.mark.parametrize(
    "params", [{}, *FILTERS], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all"
)
def test_each_filter_counts_the_list_and_every_caption(client, published, params):
    f = MatrixFilters(**params)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    expected = naive_keys(published, f)
    listed = client.get(f"/en/matrix/activities/?{query}&page=1").context["page"]
    assert listed.paginator.count == len(expected)
    keys = set()
    for number in listed.paginator.page_range:
        page = client.get(f"/en/matrix/activities/?{query}&page={number}").context["page"]
        keys |= {a.key for a in page}
    assert keys == expected
    # "N activities match the filters" above the organisations and heatmap tables.
    for path in ("", "heatmap/"):
        matrix = client.get(f"/en/matrix/{path}?{query}").context["matrix"]
        assert matrix.activity_count == len(expected), path


def test_the_item_filter_counts_the_list(client, published, items):
    f = MatrixFilters(item=items["I.1"].pk)
    listed = client.get(f"/en/matrix/activities/?item={items['I.1'].pk}").context["page"]
    assert listed.paginator.count == len(naive_keys(published, f)) > 0


def test_an_earlier_edition_is_counted_from_its_own_snapshots(client, published, items):
    build(25, seed=7, prefix="later")
    second = publish_edition(by=PUBLISHER, title="Later")
    for edition in (published, second):
        query = f"edition={edition.number}"
        assert org_cells(client.get(f"/en/matrix/?{query}").context["matrix"]) == naive(
            edition, "organisations"
        )
        assert heat_cells(client.get(f"/en/matrix/heatmap/?{query}").context["matrix"]) == naive(
            edition, "heatmap"
        )
        assert item_cells(client.get(f"/en/matrix/plan-items/?{query}").context["matrix"]) == naive(
            edition, "items"
        )
        listed = client.get(f"/en/matrix/activities/?{query}").context["page"]
        assert listed.paginator.count == EditionEntry.objects.filter(edition=edition).count()
    editions = {
        e.number: e.activity_count for e in client.get("/en/matrix/editions/").context["editions"]
    }
    assert editions == {1: 40, 2: 65}


def test_the_filter_selects_kept_text_marks_each_page_s_own_choices(published):
    """The options' text is kept with the options read (issue #20): a form built from
    them later shows its own choices, never an earlier form's, and the same HTML as a
    form that keeps nothing."""
    from jpoa.matrix.forms import MatrixFilterForm
    from jpoa.matrix.selectors import filter_options, published_editions

    options, editions = filter_options(), published_editions()
    organisations = list(Organisation.objects.order_by("key").values_list("key", flat=True))
    asked = [
        {"organisation": organisations[0], "country": "KZ"},
        {"organisation": organisations[-1], "status": "ongoing"},
        {},
    ]

    def rendered(data: dict, keep: bool) -> str:
        form = MatrixFilterForm(data, options=options, editions=editions)
        if not keep:
            for field in form.fields.values():
                field.widget.cache = None
        return "".join(str(field) for field in form)

    for data in asked + asked:
        html = rendered(data, keep=True)
        assert html == rendered(data, keep=False)
        selects = html.count("<select ")
        assert html.count(" selected>") == selects  # one chosen in each: "all" if none asked
        assert html.count('<option value="" selected>') == selects - len(data)
        for value in data.values():
            assert f'<option value="{value}" selected>' in html
    assert options.rendered_options  # kept, and used by the second round


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_filter_fields_kept_html_is_what_django_writes_for_each_form(published, language):
    """A filter field's HTML is kept per value (issue #20): each form still shows its own
    values and errors, exactly as Django's rendering of its fields writes them."""
    from django.http import QueryDict
    from django.template import engines
    from django.test.html import parse_html
    from django.utils import translation

    from jpoa.matrix.forms import MatrixFilterForm
    from jpoa.matrix.selectors import filter_options, published_editions

    loop = engines["django"].from_string(
        '{% for field in form %}<div class="matrix-filter"><label for="{{ field.id_for_label }}">'
        "{{ field.label }}</label>{{ field }}</div>{% endfor %}"
    )
    asked = [
        {"country": "KZ", "year_from": "2012"},
        {"country": "UZ", "year_from": "2012", "year_to": "2010"},  # to before from: an error
        {"year_to": "2010"},  # the same value, alone: no error
        {"year_from": "soon", "pillar": "9"},  # not understood: errors
        {"organisation": "osce", "status": "ongoing", "framework": "nope"},
        {"country": "KZ", "year_from": "2012"},
        {"year_from": "02012"},  # valid, spelled otherwise: shown as asked, not kept
        QueryDict("country=KZ&country=KZ&country=UZ"),  # the last counts, as in Django
        {},
    ]
    with translation.override(language):
        options, editions = filter_options(), published_editions()
        for data in asked + asked:
            form = MatrixFilterForm(data, options=options, editions=editions)
            form.is_valid()
            kept = str(form.fields_html())
            assert parse_html(kept) == parse_html(loop.render({"form": form}))
            for name, value in data.items():
                if name.startswith("year") and name not in form.errors:
                    assert f'name="{name}" value="{value}"' in kept
            assert kept.count('aria-invalid="true"') == len(form.errors) - (
                "__all__" in form.errors
            )
        assert options.rendered_fields  # kept, and used by the second round
        kept_values = {value for _name, value, _key in options.rendered_fields}
        assert "02012" not in kept_values and "2012" in kept_values  # bounded by the choices


def test_one_get_asks_once_when_the_data_changed(published, django_assert_num_queries):
    """Every reader keyed on the time the public data changed (the page's key, the filter
    form's options, the organisations) shares one answer within one GET; outside, each
    asks the database."""
    from jpoa.lib.pagecache import data_changed_at, one_stamp

    with django_assert_num_queries(2 * ASKS_WHEN_CHANGED):
        first, second = data_changed_at(), data_changed_at()
    with django_assert_num_queries(ASKS_WHEN_CHANGED), one_stamp():
        assert data_changed_at() == data_changed_at() == first == second
        with one_stamp():
            assert data_changed_at() == first
    with django_assert_num_queries(ASKS_WHEN_CHANGED):
        data_changed_at()  # asked anew after


# The list's rows as the template engine wrote them before they were written in Python
# (issue #20): the two must give the same HTML for every kind of row.
ROWS_AS_TEMPLATE = """{% load i18n matrix_tags %}{% for a in page %}
<tr>
  <th scope="row"><a href="{{ a.url }}{% if edition %}?edition={{ edition.number }}{% endif %}">{{ a.title }}</a></th>
  <td>{{ a.lead_organisation|default:"—" }}</td>
  <td>{{ a.pillars|join:", "|default:"—" }}</td>
  <td>{{ a.countries|join:", " }}{% if a.region_wide %}{% if a.countries %}; {% endif %}{% translate "region-wide" %}{% endif %}</td>
  <td>{{ a.years|default:"—" }}</td>
  <td>{{ a.status|status_label }}</td>
</tr>{% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_list_s_rows_are_what_the_template_wrote(client, items, language):
    from django.template import engines
    from django.test.html import parse_html

    build(40)
    make_activity(
        "odd-1", "osce", title='<b>Border</b> & "posts"', pillars=(1, 3), region_wide=True
    )
    make_activity("bare-1", "eu", pillars=(), countries=(), start=None, end=None)
    publish_edition(by=PUBLISHER, title="First")
    template = engines["django"].from_string(ROWS_AS_TEMPLATE)
    for query in ["", "?edition=1", "?page=2"]:
        response = client.get(f"/{language}/matrix/activities/{query}")
        page, rows = response.context["page"], response.context["rows"]
        edition = response.context["state"].explicit_edition
        assert len(page) > 0
        expected = template.render({"page": page, "edition": edition})
        assert parse_html(rows) == parse_html(expected)
        assert str(rows) in response.content.decode()
    html = client.get(f"/{language}/matrix/activities/?organisation=osce").content.decode()
    assert "&lt;b&gt;Border&lt;/b&gt; &amp; &quot;posts&quot;" in html
    assert "<b>Border" not in html


# The matrix tables' rows as the template engine wrote them before they were written in
# Python (issue #20): the two must give the same HTML for every view and kind of cell.
TABLE_ROWS_AS_TEMPLATE = """{% load i18n %}
    {% translate "activities" as activities_word %}{% translate "none" as none_word %}
    {% for row in matrix.rows %}
    <tr{% if row.kind %} class="matrix-row-{{ row.kind }}"{% endif %}>
      <th scope="row"><a href="{{ row.url }}">{{ row.label }}</a>{% if row.note %} <span class="matrix-note">{{ row.note }}</span>{% endif %}</th>
      {% for cell in row.cells %}
      <td class="{% if shaded %}shade-{{ cell.shade }}{% endif %}">
        {% if cell.count %}<a href="{{ cell.url }}" class="matrix-cell-count">{{ cell.count }}<span class="visually-hidden"> {{ activities_word }}</span></a>
          {% if cell.activities %}<ul class="matrix-cell-activities">{% for a in cell.activities %}<li><a href="{% url 'matrix:activity' a.key %}{% if state.explicit_edition %}?edition={{ state.explicit_edition.number }}{% endif %}">{{ a.title }}</a></li>{% endfor %}</ul>{% endif %}
        {% else %}<span aria-label="{{ none_word }}">—</span>{% endif %}
      </td>
      {% endfor %}
    </tr>
    {% empty %}
    <tr><td colspan="{{ matrix.columns|length|add:1 }}">{% translate "No activity matches these filters." %}</td></tr>
    {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_matrix_tables_rows_are_what_the_template_wrote(client, items, language):
    from django.template import engines
    from django.test.html import parse_html

    from jpoa.plan.models import Framework

    build(60)
    make_activity("odd-1", "osce", title='<b>Border</b> & "posts"', pillars=(1, 3))
    make_activity("bare-1", "eu", pillars=(), countries=(), start=None, end=None)
    publish_edition(by=PUBLISHER, title="First")
    framework = Framework.objects.order_by("pk").values_list("key", flat=True).first()
    template = engines["django"].from_string(TABLE_ROWS_AS_TEMPLATE)
    queries = [
        "",
        "?edition=1",
        "?country=KZ&pillar=1",
        "?country=XX",  # no activity: the empty row
        "?status=ongoing&year_from=2015",
        *([f"?framework={framework}"] if framework else []),
    ]
    seen = set()
    for path, shaded in [("", False), ("heatmap/", True), ("plan-items/", True)]:
        for query in queries:
            response = client.get(f"/{language}/matrix/{path}{query}")
            assert response.status_code == 200, (path, query)
            context = response.context
            expected = template.render(
                {"matrix": context["matrix"], "state": context["state"], "shaded": shaded}
            )
            rows = context["table_rows"]
            assert parse_html(rows) == parse_html(expected), (path, query)
            assert str(rows) in response.content.decode()
            seen |= {"empty" if not context["matrix"].rows else "rows"}
            seen |= {"titles" for r in context["matrix"].rows for c in r.cells if c.activities}
            seen |= {"kind" for r in context["matrix"].rows if r.kind}
    assert seen == {"empty", "rows", "titles", "kind"}
    html = client.get(f"/{language}/matrix/?organisation=osce").content.decode()
    assert "&lt;b&gt;Border&lt;/b&gt; &amp; &quot;posts&quot;" in html
    assert "<b>Border" not in html


def test_the_time_the_data_changed_is_the_newest_of_every_kind(published):
    from auditlog.models import LogEntry
    from django.db.models import Max

    from jpoa.core.models import DatasetLoad
    from jpoa.lib.pagecache import data_changed_at
    from jpoa.search.models import IndexedEdition

    newest = [
        LogEntry.objects.aggregate(t=Max("timestamp"))["t"],
        DatasetLoad.objects.aggregate(t=Max("loaded_at"))["t"],
        published.published_at,
        IndexedEdition.objects.aggregate(t=Max("indexed_at"))["t"],
    ]
    assert data_changed_at() == max(t for t in newest if t is not None)
    later = max(t for t in newest if t is not None) + datetime.timedelta(days=3)
    type(published).objects.filter(pk=published.pk).update(published_at=later)
    assert data_changed_at() == later  # an edition, not only the audit trail
