"""The matrix from each process's arrays (`jpoa.matrix.columnar`) answers exactly as the SQL
over the edition does: the same cells, counts, titles and lists, for random combinations
of filters (seeded, the seed in the failure message), on every edition, and after the
editions were replaced as a restore replaces them."""

import fcntl
import mmap
import random
from dataclasses import asdict

import numpy as np
import pytest
from django.db import DatabaseError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jpoa.bench import synthetic
from jpoa.core.models import Country, Organisation
from jpoa.matrix import columnar, selectors
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity, Edition, EditionEntry, EditionFact
from jpoa.matrix.selectors import REGION, UNSTATED, MatrixFilters
from jpoa.plan.models import ActionItem, Framework, FrameworkArea
from tests.factories import PUBLISHER, make_items

SEED = 20
COMBINATIONS = 70
VIEWS = (
    selectors.organisations_by_pillars,
    selectors.countries_by_pillars,
    selectors.items_by_countries,
)


def _synthetic_editions(rnd: random.Random) -> None:
    """Synthetic activities, a quarter of them under the framework's areas, in two editions."""
    make_items()  # the default data set has no plan items
    synthetic.generate(activities=900, organisations=25, editions=0, seed=rnd.randint(1, 99))
    areas = list(FrameworkArea.objects.values_list("pk", flat=True))
    through = Activity.framework_areas.through
    ids = list(Activity.objects.values_list("pk", flat=True))
    through.objects.bulk_create(
        through(activity_id=pk, frameworkarea_id=area)
        for pk in rnd.sample(ids, len(ids) // 4)
        for area in rnd.sample(areas, rnd.randint(1, 2))
    )
    # Some known only by their end (the generator makes starts without ends, and neither).
    Activity.objects.filter(pk__in=rnd.sample(ids, 40), end_date__isnull=False).update(
        start_date=None, start_year=None
    )
    publish_edition(title="First", by=PUBLISHER)
    Activity.objects.filter(pk__in=rnd.sample(ids, 90)).update(status="suspended")
    Activity.objects.filter(pk__in=rnd.sample(ids, 30)).delete()
    publish_edition(title="Second", by=PUBLISHER)


def _random_filters(rnd: random.Random) -> MatrixFilters:
    countries = [*Country.objects.values_list("iso2", flat=True), REGION, UNSTATED]
    organisations = list(Organisation.objects.values_list("key", flat=True))
    items = list(ActionItem.objects.values_list("pk", flat=True))
    frameworks = list(Framework.objects.values_list("key", flat=True))
    areas = list(FrameworkArea.objects.values_list("code", flat=True))
    start = rnd.randint(2006, 2030)

    def maybe(values, chance=0.4):
        return rnd.choice(values) if rnd.random() < chance else None

    framework = maybe(frameworks, 0.3)
    return MatrixFilters(
        country=maybe(countries, 0.5),
        pillar=maybe(["1", "2", "3", "4", UNSTATED]),
        item=maybe(items, 0.2),
        organisation=maybe(organisations, 0.25),
        organisation_type=maybe(["un_entity", "state", "donor", "ngo", "regional"], 0.3),
        status=maybe(["planned", "ongoing", "completed", "suspended", "cancelled"]),
        year_from=start if rnd.random() < 0.4 else None,
        year_to=start + rnd.randint(0, 6) if rnd.random() < 0.4 else None,
        framework=framework,
        area=maybe(areas, 0.5) if framework or rnd.random() < 0.1 else None,
    )


def _shape(matrix) -> dict:
    return {
        "columns": [asdict(c) for c in matrix.columns],
        "rows": [
            (
                r.label,
                r.params,
                r.kind,
                [(c.count, c.params, c.shade, c.activities) for c in r.cells],
            )
            for r in matrix.rows
        ],
        "activity_count": matrix.activity_count,
        "titles_listed": matrix.titles_listed,
    }


def _answers(edition: Edition, filters: MatrixFilters) -> dict:
    answers = {view.__name__: _shape(view(edition, filters)) for view in VIEWS}
    records = selectors.matching_records(edition, filters)
    answers["list"] = [r["key"] for r in records]
    answers["list count"] = records.count()
    for language, number in (("en", 1), ("ru", 2)):  # every field a list's row shows
        with translation.override(language):
            page = selectors.activity_list(edition, filters, number)
        answers[f"page {number}"] = [asdict(a) for a in page.object_list]
    return answers


def _compare(editions, rnd: random.Random, combinations: int, seed: int) -> int:
    """Compare both paths on COMBINATIONS random filters; returns how many matched anything."""
    matched = 0
    for n in range(combinations):
        edition = rnd.choice(editions)
        filters = MatrixFilters() if n == 0 else _random_filters(rnd)
        with override_settings(MATRIX_COLUMNAR=False):
            by_sql = _answers(edition, filters)
        with columnar.inside_transactions():
            assert columnar.columns(edition) is not None
            fast = _answers(edition, filters)
        assert fast == by_sql, f"seed {seed}, combination {n}: {filters}"
        matched += by_sql["list count"] > 0
    return matched


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    """The arrays a process writes (`DATA_DIR/matrix-columns`), in a folder of this test."""
    settings.DATA_DIR = tmp_path
    columnar.forget()


@pytest.mark.django_db
def test_the_arrays_answer_every_combination_as_the_sql_does(default_data, tmp_path):
    seed = SEED
    rnd = random.Random(seed)
    _synthetic_editions(rnd)
    editions = list(Edition.objects.order_by("number"))

    matched = _compare(editions, rnd, COMBINATIONS, seed)
    # What the first reading wrote to files answers the same (another process, a restart).
    folders = [p for p in (tmp_path / "matrix-columns").iterdir() if p.is_dir()]
    assert len(folders) == len(editions)  # and beside each, the lock file of its reading
    columnar.forget()
    _compare(editions, rnd, 20, seed)

    # The combinations are not all empty ones: most find activities.
    assert matched > COMBINATIONS // 3
    assert EditionFact.objects.filter(edition=editions[-1]).exists()


# Where the arrays take shortcuts (issue #20): a place's facts in key order, a pillar's
# activities counted as pairs, the years as two bounds, the filters' ids kept.
EDGE_CASES = [
    MatrixFilters(country=REGION),
    MatrixFilters(country=UNSTATED),
    MatrixFilters(country=UNSTATED, pillar=UNSTATED),
    MatrixFilters(country="KZ", pillar="2"),
    MatrixFilters(country="KZ", status="ongoing", organisation_type="un_entity"),
    MatrixFilters(country="XX"),  # a country nothing has
    MatrixFilters(organisation="no-such-organisation"),
    MatrixFilters(pillar="1"),
    MatrixFilters(pillar=UNSTATED),
    MatrixFilters(pillar="9"),
    MatrixFilters(year_from=2024),
    MatrixFilters(year_to=2012),
    MatrixFilters(year_from=2015, year_to=2015),
    MatrixFilters(year_from=2020, year_to=2010),  # an empty range
    MatrixFilters(year_from=1, year_to=2_000_000_000),
    MatrixFilters(year_from=2200),
    MatrixFilters(country=REGION, year_to=2020, pillar="3"),
    MatrixFilters(pillar="2", status="suspended", year_from=2018),
    MatrixFilters(framework="no-such-framework"),
    MatrixFilters(area="no-such-area"),
]


@pytest.mark.django_db
def test_the_arrays_answer_the_edge_cases_as_the_sql_does(default_data):
    rnd = random.Random(SEED + 2)
    _synthetic_editions(rnd)
    edition = Edition.objects.order_by("number").last()
    item = ActionItem.objects.order_by("pk").first()
    framework, area = FrameworkArea.objects.values_list("framework__key", "code").first()
    cases = [
        *EDGE_CASES,
        MatrixFilters(pillar=str(item.pillar.number), item=item.pk),
        MatrixFilters(country="KZ", item=item.pk, year_to=2022),
        MatrixFilters(framework=framework, area=area, pillar="1"),
        MatrixFilters(framework=framework, country=REGION, year_from=2020),
    ]
    found = set()
    for n, filters in enumerate(cases):
        with override_settings(MATRIX_COLUMNAR=False):
            by_sql = _answers(edition, filters)
        with columnar.inside_transactions():
            assert _answers(edition, filters) == by_sql, f"case {n}: {filters}"
        found.add(by_sql["list count"] > 0)
    assert found == {True, False}  # some find activities, some none


@pytest.mark.django_db
def test_outside_a_transaction_the_views_use_the_arrays_and_inside_the_sql(default_data):
    synthetic.generate(activities=50, organisations=5, editions=1)
    edition = Edition.objects.get()

    assert connection.in_atomic_block  # a test's data is in a transaction
    assert columnar.columns(edition) is None
    with columnar.inside_transactions():
        kept = columnar.columns(edition)
    assert kept is not None and len(kept.entry_ids) == 50
    with override_settings(MATRIX_COLUMNAR=False), columnar.inside_transactions():
        assert columnar.columns(edition) is None


@pytest.mark.django_db
def test_the_process_that_read_an_edition_maps_the_files_it_wrote_as_the_others_do(
    default_data, tmp_path
):
    """Every array is a read-only view of a mapped file, shared with the other processes
    through the system's page cache; none is a private copy of the process (issue #20)."""
    synthetic.generate(activities=60, organisations=5, editions=1)
    edition = Edition.objects.get()
    with columnar.inside_transactions():
        first = columnar.columns(edition)  # read from the database, written to files
        columnar.forget()
        again = columnar.columns(edition)  # as another process finds it: mapped
    for cols in (first, again):
        arrays = [cols.entry_ids] + [
            getattr(getattr(cols, table), name)
            for table in ("pillars", "items", "areas")
            for name in columnar.ARRAYS.split()
        ]
        for array in arrays:
            assert isinstance(array.base, np.memmap) and not array.flags.writeable
        # The list's rows too: a file mapped, not a copy of a process.
        assert isinstance(cols.rows.text, mmap.mmap) and len(cols.rows) == 60
        assert isinstance(cols.rows.starts.base, np.memmap)
    assert np.array_equal(first.entry_ids, again.entry_ids)
    assert first.rows.at([0, 59]) == again.rows.at([0, 59])


@pytest.mark.django_db
def test_a_page_of_the_list_and_the_cells_titles_read_no_snapshot(default_data):
    """The list's rows and the classic matrix's titles come from the edition's rows file:
    a never-asked page reads no entry from the database (issue #20)."""
    synthetic.generate(activities=80, organisations=4, editions=1)
    edition = Edition.objects.get()
    entries = EditionEntry._meta.db_table
    with columnar.inside_transactions():
        columnar.columns(edition)
        with CaptureQueriesContext(connection) as queries:
            page = selectors.activity_list(edition, MatrixFilters(country="KZ"), 1)
            matrix = selectors.organisations_by_pillars(edition, MatrixFilters(pillar="2"))
    assert page.object_list and matrix.titles_listed
    assert any(cell.activities for row in matrix.rows for cell in row.cells)
    assert not [q["sql"] for q in queries if entries in q["sql"]]


def test_rows_the_database_gives_out_of_the_entries_order_are_refused(settings, tmp_path):
    """The list's rows are found by position: a range whose lines came in another order
    than its keys' must not be kept (the arrays are then not used; the SQL answers)."""
    settings.DATA_DIR = tmp_path

    class Cursor:  # the database's answers to `_read_rows`' two ranges
        def __init__(self, ranges):
            self.ranges = iter(ranges)

        def execute(self, sql, params):
            pass

        def fetchone(self):
            return next(self.ranges, (None, None, None, 0))

    lines = ['["a-1","T"]', '["a-2","T"]', '["a-3","T"]']
    in_order = ["\n".join(lines), "a-1", "a-3", 3]
    rows = columnar._read_rows(Cursor([in_order]), 1, 3)
    assert len(rows) == 3 and rows.text[rows.starts[1] : rows.starts[2] - 1] == lines[1].encode()
    swapped = ["\n".join([lines[2], lines[1], lines[0]]), "a-1", "a-3", 3]
    with pytest.raises(DatabaseError, match="order"):
        columnar._read_rows(Cursor([swapped]), 1, 3)


@pytest.mark.django_db
def test_an_edition_that_could_not_be_read_is_not_read_again_on_every_request(
    default_data, monkeypatch
):
    synthetic.generate(activities=20, organisations=2, editions=1)
    edition = Edition.objects.get()
    reads = []

    def fails(edition):
        reads.append(edition.pk)
        raise DatabaseError("rows read out of the entries' order")

    monkeypatch.setattr(columnar, "_read", fails)
    with columnar.inside_transactions():
        assert columnar.columns(edition) is None
        assert columnar.columns(edition) is None  # the SQL answers meanwhile
        assert len(reads) == 1
        monkeypatch.setattr(columnar.time, "monotonic", lambda: 10.0**12)  # minutes later
        assert columnar.columns(edition) is None and len(reads) == 2


@pytest.mark.django_db
def test_an_edition_without_activities_is_kept_and_listed(default_data, client):
    Activity.objects.all().delete()
    edition = publish_edition(title="Empty", by=PUBLISHER)
    with columnar.inside_transactions():
        cols = columnar.columns(edition)
        columnar.forget()
        mapped = columnar.columns(edition)  # from its (empty) files
        page = selectors.activity_list(edition, MatrixFilters(), 1)
    assert len(cols.rows) == len(mapped.rows) == 0
    assert list(page.object_list) == []


def test_while_one_process_reads_an_edition_the_others_wait_for_its_files(
    default_data, settings, tmp_path, monkeypatch
):
    """The server's workers all start by reading the latest edition; at a million
    activities each read holds a few hundred MB, so only one process reads at a time."""
    settings.DATA_DIR = tmp_path
    synthetic.generate(activities=30, organisations=3, editions=1)
    edition = Edition.objects.get()
    key = columnar._key(edition)
    other_process = columnar._folder(key).with_suffix(".lock")
    held_while_reading = []

    def read_and_try_the_lock(edition):
        with other_process.open("a") as handle:  # another open file, as another process has
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held_while_reading.append(False)
            except BlockingIOError:
                held_while_reading.append(True)
        return read(edition)

    read = columnar._read
    monkeypatch.setattr(columnar, "_read", read_and_try_the_lock)
    with columnar.inside_transactions():
        assert columnar.columns(edition) is not None
    assert held_while_reading == [True]
    with other_process.open("a") as handle:  # and let go after
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


@pytest.mark.django_db
def test_editions_replaced_as_a_restore_replaces_them_are_read_anew(default_data):
    """A restore brings back other editions, perhaps under the same ids and numbers: what
    a process kept of the editions before must not answer for them."""
    rnd = random.Random(SEED + 1)
    _synthetic_editions(rnd)
    with columnar.inside_transactions():
        for edition in Edition.objects.all():
            columnar.columns(edition)  # kept by this process
    numbers = {e.number: e.pk for e in Edition.objects.all()}
    # The restored database: other activities, published again under the same numbers.
    Edition.objects.all().delete()
    Activity.objects.filter(
        pk__in=rnd.sample(list(Activity.objects.values_list("pk", flat=True)), 200)
    ).delete()
    Activity.objects.filter(status="ongoing").update(status="planned")
    publish_edition(title="First, restored", by=PUBLISHER)
    publish_edition(title="Second, restored", by=PUBLISHER)
    editions = list(Edition.objects.order_by("number"))
    assert {e.number for e in editions} == set(numbers)

    _compare(editions, rnd, 25, SEED + 1)


@pytest.mark.django_db
def test_the_classic_matrix_shows_its_organisations_a_page_at_a_time(
    default_data, client, monkeypatch
):
    from jpoa.matrix import views

    synthetic.generate(activities=120, organisations=5, editions=1)
    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)
    leads = Edition.objects.get().entries.values("lead_organisation_id_at").distinct().count()

    first = client.get("/en/matrix/").content.decode()
    last = client.get(f"/en/matrix/?page={-(-leads // 2)}").content.decode()

    assert first.count('<th scope="row">') == 2
    assert f"Organisations 1–2 of {leads}." in first and 'rel="next"' in first
    assert last.count('<th scope="row">') == leads - 2 * (-(-leads // 2) - 1)
    assert 'rel="prev"' in last and 'rel="next"' not in last
