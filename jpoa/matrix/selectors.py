"""Reads of the published matrix: one function per public view, each a fixed number of queries.

Every function takes an edition and a `MatrixFilters` and reads only that edition's
facts (`EditionFact`, `EditionItemFact`) and entries: never the current, draft
activities, never JSON in a WHERE or GROUP BY. The same functions feed the HTML
pages and, later, the API and the CSV/JSON twins.

Filters narrow the cells: a filter on one of a view's own dimensions (country on the
heatmap, pillar on the classic matrix) keeps only those rows or columns; any other
filter keeps the activities that have that value. On the plan-items view the pillar
filter keeps the items of that pillar.
"""

import functools
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jpoa.core.models import Country, Organisation, Source
from jpoa.lib.pagecache import forget_kept, per_data_change
from jpoa.plan.models import ActionItem, Framework, FrameworkArea, Pillar
from jpoa.plan.published import site_items, site_pillars

from . import columnar
from .editions import HistoryStep, activity_history
from .models import (
    Activity,
    Edition,
    EditionAreaFact,
    EditionEntry,
    EditionFact,
    EditionItemFact,
)

REGION = "region"  # the country filter's value for region-wide activities
UNSTATED = "none"  # the country or pillar filter's value for "not stated"
LIST_TITLES_UP_TO = 300  # the classic matrix lists titles in its cells up to this many
PAGE_SIZE = 50
SHADES = 5


@dataclass(frozen=True)
class MatrixFilters:
    """What the public narrows the matrix to, as it stands in the URL."""

    country: str | None = None  # ISO alpha-2, REGION or UNSTATED
    pillar: str | None = None  # a pillar number or UNSTATED
    item: int | None = None  # an action item's id
    organisation: str | None = None  # the lead organisation's key
    organisation_type: str | None = None
    status: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    # A framework's key: the matrix groups by its areas instead of the pillars. It is a
    # way of looking, not a filter: alone, it narrows nothing.
    framework: str | None = None
    area: str | None = None  # an area's code in that framework

    def params(self, **overrides) -> dict:
        values = {**asdict(self), **overrides}
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return bool(self.params(framework=None))


# -- editions ---------------------------------------------------------------------------


def published_editions() -> list[Edition]:
    """The published editions, newest first (read once per change of the public data:
    every matrix page and its API twin asks)."""
    return list(per_data_change("editions", lambda: list(Edition.objects.order_by("-number"))))


def offline_editions():
    """The matrix's editions published before jpoa, as the library records them, oldest first.

    They are documents, not snapshots of rows: the library holds their date, source and
    link; their contents are not entered into the matrix.
    """
    from jpoa.library.models import Resource

    return list(
        Resource.objects.filter(kind=Resource.Kind.MATRIX)
        .select_related("source", "source_organisation")
        .prefetch_related("versions")
        .order_by("year", "date", "key")
    )


def pick_edition(editions: list[Edition], number: int | None) -> Edition | None:
    """The edition with that number, else the latest; None when nothing is published."""
    if number is not None:
        for edition in editions:
            if edition.number == number:
                return edition
    return editions[0] if editions else None


# -- what every view needs --------------------------------------------------------------


def site_frameworks() -> list[Framework]:
    """The frameworks beside the pillars, each with `area_list` (one query for all)."""
    frameworks: dict[int, Framework] = {}
    for area in FrameworkArea.objects.select_related("framework").order_by(
        "framework__position", "framework__key", "position", "code"
    ):
        framework = frameworks.setdefault(area.framework_id, area.framework)
        framework.__dict__.setdefault("area_list", []).append(area)
    return list(frameworks.values())


@dataclass
class FilterOptions:
    """The choices of the filter form (one query per list)."""

    countries: list[Country]
    pillars: list[Pillar]
    items: list[ActionItem]
    organisations: list[Organisation]
    frameworks: list[Framework] = field(default_factory=list)


def filter_options() -> FilterOptions:
    """The filter form's choices, read once per language and change of the public data
    (the organisations' list has hundreds)."""
    return per_data_change("filter options", _read_filter_options)


def _read_filter_options() -> FilterOptions:
    return FilterOptions(
        countries=list(Country.objects.order_by("-in_region", "name")),
        pillars=site_pillars(),
        items=site_items(),
        organisations=list(Organisation.objects.order_by("acronym", "name")),
        frameworks=site_frameworks(),
    )


def _countries_by_name() -> list[Country]:
    return per_data_change("countries by name", lambda: list(Country.objects.order_by("name")))


def _years(filters: MatrixFilters) -> Q:
    """Activities overlapping the year range; without any date they match no range."""
    q = Q()
    if filters.year_from is None and filters.year_to is None:
        return q
    q &= Q(start_year__isnull=False) | Q(end_year__isnull=False)
    if filters.year_to is not None:
        q &= Q(start_year__isnull=True) | Q(start_year__lte=filters.year_to)
    if filters.year_from is not None:
        q &= Q(end_year__isnull=True) | Q(end_year__gte=filters.year_from)
    return q


def _place(filters: MatrixFilters) -> Q:
    if filters.country == REGION:
        return Q(region_wide=True)
    if filters.country == UNSTATED:
        return Q(country__isnull=True, region_wide=False)
    return Q(country__iso2=filters.country)


def _common(qs: QuerySet, edition: Edition, filters: MatrixFilters) -> QuerySet:
    qs = qs.filter(edition=edition)
    if filters.organisation:
        qs = qs.filter(lead_organisation__key=filters.organisation)
    if filters.organisation_type:
        qs = qs.filter(organisation_type=filters.organisation_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.country:
        qs = qs.filter(_place(filters))
    return qs.filter(_years(filters))


def pillar_facts(edition: Edition, filters: MatrixFilters) -> QuerySet[EditionFact]:
    """The edition's (activity, pillar, place) rows that pass the filters."""
    qs = _common(EditionFact.objects, edition, filters)
    if filters.pillar == UNSTATED:
        qs = qs.filter(pillar_number__isnull=True)
    elif filters.pillar:
        qs = qs.filter(pillar_number=filters.pillar)
    if filters.item:
        with_item = EditionItemFact.objects.filter(edition=edition, action_item_id=filters.item)
        qs = qs.filter(entry_id__in=with_item.values("entry_id"))
    if filters.framework and filters.area:
        with_area = _area_facts_of(edition, filters).filter(area__code=filters.area)
        qs = qs.filter(entry_id__in=with_area.values("entry_id"))
    return qs


def _area_facts_of(edition: Edition, filters: MatrixFilters) -> QuerySet[EditionAreaFact]:
    framework = Framework.objects.filter(key=filters.framework).values("pk")
    return EditionAreaFact.objects.filter(edition=edition, framework_id__in=framework)


def area_facts(edition: Edition, filters: MatrixFilters) -> QuerySet[EditionAreaFact]:
    """The edition's (activity, area of the chosen framework, place) rows that pass the filters."""
    qs = _common(_area_facts_of(edition, filters), edition, filters)
    if filters.area:
        qs = qs.filter(area__code=filters.area)
    if filters.pillar or filters.item:
        by_pillar = pillar_facts(edition, replace(filters, framework=None, area=None))
        qs = qs.filter(entry_id__in=by_pillar.values("entry_id"))
    return qs


def item_facts(edition: Edition, filters: MatrixFilters) -> QuerySet[EditionItemFact]:
    """The edition's (activity, plan item, place) rows that pass the filters."""
    qs = _common(EditionItemFact.objects, edition, filters)
    if filters.pillar == UNSTATED:
        qs = qs.none()
    elif filters.pillar:
        qs = qs.filter(item_pillar=filters.pillar)
    if filters.item:
        qs = qs.filter(action_item_id=filters.item)
    if filters.framework and filters.area:
        with_area = _area_facts_of(edition, filters).filter(area__code=filters.area)
        qs = qs.filter(entry_id__in=with_area.values("entry_id"))
    return qs


def matching_entries(edition: Edition, filters: MatrixFilters) -> QuerySet[EditionEntry]:
    """The edition's activities that pass the filters, in key order."""
    entries = EditionEntry.objects.filter(edition=edition)
    if filters.active:
        entries = entries.filter(pk__in=pillar_facts(edition, filters).values("entry_id"))
    return entries.order_by("activity_key")


def matching_records(edition: Edition, filters: MatrixFilters):
    """The snapshots of `matching_entries`, in key order: a sequence to paginate.

    From the edition's arrays when this process has them (`jpoa.matrix.columnar`): the
    ids of the matching entries are found there, and only a page's rows are read.
    """
    cols = columnar.columns(edition)
    if cols is None:
        return matching_entries(edition, filters).values_list("data", flat=True)
    positions = _matching_positions(cols, filters)
    ids = cols.entry_ids if isinstance(positions, range) else cols.entry_ids.take(positions)
    return Paged(ids, _snapshots_in_order)


def listed_records(edition: Edition, filters: MatrixFilters):
    """`matching_records` with only the fields the list shows (`columnar.ROW_FIELDS`):
    from the edition's rows when this process has them, read from no database."""
    cols = columnar.columns(edition)
    if cols is None:
        return matching_records(edition, filters)
    return Paged(_matching_positions(cols, filters), cols.rows.at)


def _matching_positions(cols: columnar.EditionColumns, filters: MatrixFilters):
    """The positions (in key order) of the entries that pass the filters (a range when
    all do: a million positions need not be made to list the first fifty)."""
    if not filters.active:
        return range(len(cols.entry_ids))
    wanted = _wanted(filters)
    facts, mask = columnar.pillar_mask(cols, wanted)
    by_place = wanted.place is not None
    return columnar.matching_entries(cols, facts, columnar.pairs(facts, mask, by_place), by_place)


class Paged:
    """KEYS (entry ids or positions), read as records a slice at a time by READ: a
    sequence to paginate that reads only the page asked for."""

    def __init__(self, keys, read):
        self.keys, self.read = keys, read

    def count(self) -> int:
        return len(self.keys)

    __len__ = count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return self.read(self.keys[index])

    def __iter__(self):
        for start in range(0, len(self.keys), 1000):
            yield from self[start : start + 1000]


def _snapshots_in_order(ids) -> list[dict]:
    ids = ids.tolist()
    data = _snapshots(ids)
    return [data[pk] for pk in ids]


def _snapshots(ids: list[int]) -> dict[int, dict]:
    """The snapshots of the entries IDS, by id, in one plain query.

    A page of the list reads fifty: through the ORM (a query built and each value
    converted) it took a fifth of the time of a list asked for the first time (issue #20).
    SQLite gives the JSON as text; PostgreSQL's driver, as Django sets it, too.
    """
    if not ids:
        return {}
    quote = connection.ops.quote_name
    meta = EditionEntry._meta
    sql = (
        f"SELECT {quote(meta.pk.column)}, {quote(meta.get_field('data').column)} "
        f"FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} IN "
        f"({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    return {pk: json.loads(data) if isinstance(data, str) else data for pk, data in rows}


# -- the same filters, for the edition's arrays (`columnar`) ------------------------------


def _wanted(filters: MatrixFilters) -> columnar.Wanted:
    """The filters as ids and codes the arrays hold: a value that names nothing matches
    nothing, as in SQL."""
    none = columnar.NONE
    place = None
    if filters.country == REGION:
        place = ("region",)
    elif filters.country == UNSTATED:
        place = ("unstated",)
    ids = per_data_change("filter ids", _read_filter_ids)
    if filters.country and place is None:
        pk = ids.countries.get(filters.country)
        place = ("country", pk) if pk is not None else ()
    organisation = framework = areas = None
    if filters.organisation:
        organisation = ids.organisations.get(filters.organisation, none)
    if filters.framework:
        framework = ids.frameworks.get(filters.framework, none)
    if filters.area:
        areas = ids.areas.get(filters.area, ())
    return columnar.Wanted(
        place=place,
        pillar=_number(filters.pillar),
        item=_int(filters.item),
        organisation=organisation,
        org_type=filters.organisation_type or None,
        status=filters.status or None,
        year_from=_int(filters.year_from),
        year_to=_int(filters.year_to),
        framework=framework,
        areas=areas,
    )


@dataclass(frozen=True)
class _FilterIds:
    """The ids the filters' keys and codes name (read once per change of the data: a
    query each cost more than the counting)."""

    countries: dict[str, int]  # by ISO code
    organisations: dict[str, int]  # by key
    frameworks: dict[str, int]  # by key
    areas: dict[str, tuple[int, ...]]  # by code, in every framework


def _read_filter_ids() -> _FilterIds:
    def first_pk(model, name: str) -> dict:  # the lowest id, as `.first()` found it
        return dict(model.objects.order_by("-pk").values_list(name, "pk"))

    areas = defaultdict(tuple)
    for pk, code in FrameworkArea.objects.order_by("pk").values_list("pk", "code"):
        areas[code] += (pk,)
    return _FilterIds(
        countries=first_pk(Country, "iso2"),
        organisations=first_pk(Organisation, "key"),
        frameworks=first_pk(Framework, "key"),
        areas=dict(areas),
    )


def _int(value) -> int | None:
    """A number of the filters (given as text by some callers, as SQL takes it)."""
    return None if value in (None, "") else int(value)


def _number(pillar: str | None) -> int | None:
    if not pillar:
        return None
    if pillar == UNSTATED:
        return columnar.NONE
    return int(pillar) if str(pillar).isdigit() else -2


def _column_value(value: int, framework: bool):
    return None if value == columnar.NONE and not framework else value


def _fast_columns_facts(cols, filters: MatrixFilters, wanted: columnar.Wanted):
    """The fact arrays of the matrix's columns (pillars, or the framework's areas) and
    which of them pass the filters."""
    if filters.framework:
        return columnar.area_mask(cols, wanted)
    return columnar.pillar_mask(cols, wanted)


# -- the shape of a matrix --------------------------------------------------------------


@dataclass
class Cell:
    count: int
    params: dict  # the filters that open this cell's activities
    shade: int = 0  # 0 (none) to SHADES, relative to the largest cell
    activities: list[dict] = field(default_factory=list)  # key and title, when listed


@dataclass
class Row:
    label: str
    params: dict
    cells: list[Cell]
    note: str = ""
    kind: str = ""  # "region" or "unstated" for the rows that are not a country

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)


@dataclass
class Column:
    label: str
    title: str
    params: dict


@dataclass
class Matrix:
    edition: Edition
    filters: MatrixFilters
    columns: list[Column]
    rows: list[Row]
    activity_count: int  # distinct activities that pass the filters
    titles_listed: bool = False
    framework: Framework | None = None  # the columns are its areas (None: the pillars)

    @property
    def max_count(self) -> int:
        return max((c.count for r in self.rows for c in r.cells), default=0)


def _shade(matrix: Matrix) -> Matrix:
    top = matrix.max_count
    for row in matrix.rows:
        for cell in row.cells:
            cell.shade = 0 if not cell.count else max(1, -(-cell.count * SHADES // top))
    return matrix


def _pillar_columns(pillars: list[Pillar], with_unstated: bool) -> list[Column]:
    columns = [Column(p.numeral, p.short_title, {"pillar": str(p.number)}) for p in pillars]
    if with_unstated:
        columns.append(Column("—", str(_("No pillar stated")), {"pillar": UNSTATED}))
    return columns


def _pick_pillars(pillars: list[Pillar], filters: MatrixFilters) -> list[Pillar]:
    if filters.pillar and filters.pillar != UNSTATED:
        return [p for p in pillars if str(p.number) == filters.pillar]
    return [] if filters.pillar == UNSTATED else pillars


@dataclass
class _Dimension:
    """What a matrix's columns are: the pillars, or the areas of the chosen framework."""

    facts: QuerySet  # the facts that pass the filters
    field: str  # their column naming the column's value
    values: list  # that column's value for each column, in order
    columns: list[Column]
    framework: Framework | None = None


def _dimension(edition: Edition, filters: MatrixFilters, sql: bool = True) -> _Dimension:
    """The pillars (by default) or the chosen framework's areas, and the facts to count
    (SQL: only when the SQL counts; building the queryset costs milliseconds)."""
    if filters.framework:
        return _area_dimension(edition, filters, sql)
    facts = pillar_facts(edition, filters) if sql else None
    return _Dimension(facts, "pillar_number", [], [])


def _area_dimension(edition: Edition, filters: MatrixFilters, sql: bool) -> _Dimension:
    frameworks = per_data_change("site frameworks", site_frameworks)
    framework = next((f for f in frameworks if f.key == filters.framework), None)
    areas = framework.area_list if framework else []
    if filters.area:
        areas = [a for a in areas if a.code == filters.area]
    columns = [
        Column(a.code, a.title, {"framework": filters.framework, "area": a.code}) for a in areas
    ]
    facts = area_facts(edition, filters) if sql else None
    return _Dimension(facts, "area_id", [a.pk for a in areas], columns, framework)


def _pillar_values(dimension: _Dimension, filters: MatrixFilters, counts: dict) -> None:
    """Give a pillar dimension its columns: the pillars, and "not stated" where it occurs."""
    if filters.framework:
        return
    pillars = _pick_pillars(per_data_change("site pillars", site_pillars), filters)
    unstated = any(pillar is None for _row, pillar in counts)
    dimension.columns = _pillar_columns(pillars, unstated)
    dimension.values = [p.number for p in pillars] + ([None] if unstated else [])


def _count(qs: QuerySet, edition: Edition, filters: MatrixFilters) -> int:
    """Distinct activities among the facts; unfiltered, the count the edition keeps.

    By a framework, only the activities classified under its areas are in the facts.
    """
    if not filters.active and not filters.framework:
        return edition.activity_count
    return qs.aggregate(n=Count("entry_id", distinct=True))["n"]


def _title(record_title: dict | None, language: str | None = None) -> str:
    record_title = record_title or {}
    return record_title.get(language or get_language() or "en") or record_title.get("en") or ""


# -- organisations x pillars ------------------------------------------------------------


def organisations_by_pillars(edition: Edition, filters: MatrixFilters) -> Matrix:
    """The classic matrix: lead organisations as rows, pillars as columns.

    With a framework chosen (`filters.framework`), its areas are the columns instead, and
    only the activities classified under one of them are counted.
    """
    cols = columnar.columns(edition)
    dimension = _dimension(edition, filters, sql=cols is None)
    if cols is not None:  # the cells' activities by their positions in the edition's rows
        counts, listed, count = _fast_organisations(cols, edition, filters)
        records_of = functools.partial(_records_at, cols)
    else:  # by their ids
        counts, listed, count = _sql_organisations(dimension, edition, filters)
        records_of = _records_by_id
    titles_listed = len(listed) <= LIST_TITLES_UP_TO
    records = records_of({entry for _o, _p, entry in listed} if titles_listed else set())
    in_cell = defaultdict(list)
    for org, pillar, entry in listed if titles_listed else []:
        in_cell[org, pillar].append(records[entry])
    known = _organisation_rows()
    if not {org for org, _pillar in counts} <= known.keys():  # added since it was read
        forget_kept()
        known = _organisation_rows()
    orgs = sorted((known[org] for org in {org for org, _pillar in counts}), key=lambda o: o.order)
    _pillar_values(dimension, filters, counts)
    columns, numbers = dimension.columns, dimension.values
    # Hundreds of rows of cells: built with as little as can be per cell.
    by_column = list(zip(numbers, [column.params for column in columns], strict=True))
    rows = [
        Row(
            label=org.label,
            params={"organisation": org.key},
            note=org.type_label,
            cells=[
                Cell(
                    counts.get((org.pk, n), 0),
                    {**params, "organisation": org.key},
                    activities=_sorted_by_title(in_cell.get((org.pk, n))),
                )
                for n, params in by_column
            ],
        )
        for org in orgs
    ]
    matrix = Matrix(edition, filters, columns, rows, count, titles_listed, dimension.framework)
    return _shade(matrix)


@dataclass(frozen=True)
class _OrganisationRow:
    pk: int
    key: str
    label: str
    type_label: str
    order: tuple


def _organisation_rows() -> dict[int, _OrganisationRow]:
    """How each organisation heads a row, in the language of the request (a matrix has
    hundreds of rows: reading their names through the translated fields cost more than
    counting)."""
    return per_data_change(
        "organisation rows",
        lambda: {
            o.pk: _OrganisationRow(
                o.pk, o.key, o.label, str(o.get_type_display()), (str(o).lower(), o.pk)
            )
            for o in Organisation.objects.all()
        },
    )


def _by_title(record: dict) -> tuple[str, str]:
    return record["title"].lower(), record["key"]


def _sorted_by_title(records: list[dict] | None) -> list[dict]:
    return sorted(records, key=_by_title) if records else []


def _sql_organisations(dimension: _Dimension, edition: Edition, filters: MatrixFilters):
    """(counts by organisation and column, listed triples, activities) by SQL."""
    facts, column_field = dimension.facts, dimension.field
    counts = {
        (r["lead_organisation_id"], r[column_field]): r["n"]
        for r in facts.values("lead_organisation_id", column_field).annotate(
            n=Count("entry_id", distinct=True)
        )
    }
    listed = list(
        facts.values_list("lead_organisation_id", column_field, "entry_id")
        .distinct()
        .order_by()[: LIST_TITLES_UP_TO + 1]
    )
    return counts, listed, _count(facts, edition, filters)


def _fast_organisations(cols, edition: Edition, filters: MatrixFilters):
    """The same as `_sql_organisations`, from the edition's arrays."""
    wanted = _wanted(filters)
    facts, mask = _fast_columns_facts(cols, filters, wanted)
    by_place = wanted.place is not None
    framework = bool(filters.framework)
    pairs = columnar.pairs(facts, mask, by_place)
    orgs, values, ns = columnar.pair_counts(facts, pairs)
    counts = {
        (org, _column_value(value, framework)): n
        for org, value, n in zip(orgs.tolist(), values.tolist(), ns.tolist(), strict=True)
    }
    listed = [
        (org, _column_value(value, framework), entry)
        for org, value, entry in columnar.listed(facts, pairs, LIST_TITLES_UP_TO)
    ]
    if not filters.active and not filters.framework:
        count = edition.activity_count
    elif _one_column(filters, wanted):
        count = len(pairs)
    else:
        count = columnar.distinct_entries(cols, facts, pairs, by_place)
    return counts, listed, count


def _one_column(filters: MatrixFilters, wanted: columnar.Wanted) -> bool:
    """Whether an activity can pass in one column only (a pillar chosen, the columns the
    pillars): then its (activity, column) pairs are the activities."""
    return wanted.pillar is not None and not filters.framework


def _records_by_id(ids: set[int]) -> dict[int, dict]:
    """Key and title of entries, by id (one query, none when there are none)."""
    rows = EditionEntry.objects.filter(pk__in=ids).values_list("pk", "activity_key", "data__title")
    return {pk: {"key": key, "title": _title(title)} for pk, key, title in rows}


def _records_at(cols: columnar.EditionColumns, positions: set[int]) -> dict[int, dict]:
    """Key and title of entries, by their positions in the edition's rows."""
    ordered = sorted(positions)
    rows = zip(ordered, cols.rows.at(ordered), strict=True)
    return {p: {"key": r["key"], "title": _title(r["title"])} for p, r in rows}


# -- countries x pillars ----------------------------------------------------------------


def _place_rows(countries: list[Country], seen: set, filters: MatrixFilters) -> list[tuple]:
    """(label, params, kind, place) of each place row: the region's countries, any other
    country with activities, the region as a whole, and "not stated" when it occurs."""
    rows = [
        (c.name, {"country": c.iso2}, "", (c.pk, False))
        for c in countries
        if c.in_region or (c.pk, False) in seen
    ]
    rows.append((str(_("Region-wide")), {"country": REGION}, "region", (None, True)))
    if (None, False) in seen:
        rows.append((str(_("No country stated")), {"country": UNSTATED}, "unstated", (None, False)))
    if filters.country == REGION:
        return [r for r in rows if r[2] == "region"]
    if filters.country == UNSTATED:
        return [r for r in rows if r[2] == "unstated"]
    if filters.country:
        return [r for r in rows if r[1].get("country") == filters.country]
    return rows


def countries_by_pillars(edition: Edition, filters: MatrixFilters) -> Matrix:
    """The coverage heatmap: countries (and a Region-wide row) as rows, pillars as columns.

    With a framework chosen, its areas are the columns instead (see
    `organisations_by_pillars`).
    """
    cols = columnar.columns(edition)
    dimension = _dimension(edition, filters, sql=cols is None)
    if cols is not None:
        counts, count = _fast_places(cols, edition, filters)
    else:
        facts, column_field = dimension.facts, dimension.field
        # One row per activity, pillar (or area) and place: a plain count counts activities.
        counts = {
            ((r["country_id"], r["region_wide"]), r[column_field]): r["n"]
            for r in facts.values("country_id", "region_wide", column_field).annotate(n=Count("pk"))
        }
        count = _count(facts, edition, filters)
    _pillar_values(dimension, filters, counts)
    columns, numbers = dimension.columns, dimension.values
    seen = {place for place, _pillar in counts}
    countries = _countries_by_name()
    rows = [
        Row(
            label=label,
            params=params,
            kind=kind,
            cells=[
                Cell(counts.get((place, n), 0), {**column.params, **params})
                for n, column in zip(numbers, columns, strict=True)
            ],
        )
        for label, params, kind, place in _place_rows(countries, seen, filters)
    ]
    return _shade(Matrix(edition, filters, columns, rows, count, framework=dimension.framework))


def _place_key(country: int, region: bool) -> tuple:
    return (None if country == columnar.NONE else country, bool(region))


def _fast_places(cols, edition: Edition, filters: MatrixFilters):
    """(counts by place and column, activities) of `countries_by_pillars`, from the arrays."""
    wanted = _wanted(filters)
    facts, mask = _fast_columns_facts(cols, filters, wanted)
    framework = bool(filters.framework)
    passing = columnar.passing(mask)
    countries, regions, values, ns = columnar.place_counts(facts, passing)
    counts = {
        (_place_key(c, r), _column_value(v, framework)): n
        for c, r, v, n in zip(
            countries.tolist(), regions.tolist(), values.tolist(), ns.tolist(), strict=True
        )
    }
    if not filters.active and not filters.framework:
        return counts, edition.activity_count
    by_place = wanted.place is not None
    if _one_column(filters, wanted):
        return counts, columnar.pair_count(facts, mask, by_place)
    return counts, columnar.distinct_entries(cols, facts, passing, by_place)


# -- plan items x countries -------------------------------------------------------------


def items_by_countries(edition: Edition, filters: MatrixFilters) -> Matrix:
    """Which action items of the plan have activity where: items as rows, places as columns."""
    cols = columnar.columns(edition)
    if cols is not None:
        wanted = _wanted(filters)
        facts, mask = columnar.item_mask(cols, wanted, filters.pillar == UNSTATED)
        passing = columnar.passing(mask)
        countries_, regions, values, ns = columnar.place_counts(facts, passing)
        counts = {
            (v, _place_key(c, r)): n
            for c, r, v, n in zip(
                countries_.tolist(), regions.tolist(), values.tolist(), ns.tolist(), strict=True
            )
        }
        by_place = wanted.place is not None
        activity_count = columnar.distinct_entries(cols, facts, passing, by_place)
    else:
        facts = item_facts(edition, filters)
        counts = {
            (r["action_item_id"], (r["country_id"], r["region_wide"])): r["n"]
            for r in facts.values("action_item_id", "country_id", "region_wide").annotate(
                n=Count("pk")
            )
        }
        activity_count = facts.aggregate(n=Count("entry_id", distinct=True))["n"]
    seen = {place for _item, place in counts}
    countries = _countries_by_name()
    places = _place_rows(countries, seen, filters)
    columns = [Column(label, label, params) for label, params, _kind, _place in places]
    items = per_data_change("site items", site_items)
    if filters.item:
        items = [i for i in items if i.pk == filters.item]
    if filters.pillar:
        items = [i for i in items if str(i.pillar.number) == filters.pillar]
    several_versions = len({i.version_id for i in items}) > 1
    rows = [
        Row(
            label=f"{item.code} {item.title}",
            params={"item": item.pk},
            note=item.version.label if several_versions else "",
            cells=[
                Cell(counts.get((item.pk, place), 0), {**params, "item": item.pk})
                for _label, params, _kind, place in places
            ],
        )
        for item in items
    ]
    return _shade(Matrix(edition, filters, columns, rows, activity_count))


# -- the activities of a cell -----------------------------------------------------------


@dataclass
class ActivityRow:
    key: str
    title: str
    lead_organisation: Organisation | None
    status: str
    years: str
    pillars: list[int]
    countries: list[str]
    region_wide: bool
    url: str = ""  # of the activity's page, for the page to set (`views.activities`)
    lead_name: str = ""  # the lead organisation as the list names it (acronym, else name)


def _years_label(record: dict) -> str:
    start, end = (record.get("start_date") or "")[:4], (record.get("end_date") or "")[:4]
    if start and end and start != end:
        return f"{start}–{end}"
    return start or end


def activity_list(
    edition: Edition,
    filters: MatrixFilters,
    page: int | str = 1,
    *,
    options: FilterOptions | None = None,
) -> Page:
    """One page of the activities that pass the filters; `page.object_list` holds ActivityRows.

    The names of organisations and countries come from OPTIONS, the filter form's
    (kept per change of the public data), when the caller has them: no query for them.
    """
    paginator = Paginator(listed_records(edition, filters), PAGE_SIZE)
    result = paginator.get_page(page)
    records = list(result.object_list)
    if options is None:
        orgs = _organisations({r["lead_organisation"] for r in records})
        names = dict(Country.objects.values_list("iso2", "name"))
        leads = {key: str(o) for key, o in orgs.items()}
    else:  # made once per read of the options (in one language: a name is a translation)
        orgs, names, leads = options.__dict__.get("by_key") or options.__dict__.setdefault(
            "by_key",
            (
                {o.key: o for o in options.organisations},
                {c.iso2: c.name for c in options.countries},
                {o.key: str(o) for o in options.organisations},
            ),
        )
    language = get_language()
    result.object_list = [
        ActivityRow(
            key=r["key"],
            title=_title(r["title"], language),
            lead_organisation=orgs.get(r["lead_organisation"]),
            lead_name=leads.get(r["lead_organisation"], ""),
            status=r["status"],
            years=_years_label(r),
            pillars=r["pillars"],
            countries=[names.get(c, c) for c in r["countries"]],
            region_wide=r["region_wide"],
        )
        for r in records
    ]
    return result


def _organisations(keys: set[str]) -> dict[str, Organisation]:
    return {o.key: o for o in Organisation.objects.filter(key__in=sorted(keys))}


# -- one activity -----------------------------------------------------------------------


@dataclass
class ActivityPage:
    edition: Edition  # the edition the page shows the activity as
    in_chosen_edition: bool
    record: dict
    title: str
    description: str
    lead_organisation: Organisation | None
    partners: list[Organisation]
    donors: list[Organisation]
    pillars: list[Pillar]
    items: list[ActionItem]
    countries: list[Country]
    source: Source | None
    history: list[HistoryStep]
    framework_areas: list[FrameworkArea] = field(default_factory=list)


def activity_page(key: str, edition: Edition | None) -> ActivityPage | None:
    """An activity as the chosen edition has it (or, if absent there, as last published)."""
    history = activity_history(key)
    if not history:
        return None
    chosen = next((s for s in history if edition and s.edition.pk == edition.pk), None)
    step = chosen if chosen and chosen.present else next(s for s in history if s.present)
    record = step.data
    orgs = _organisations({record["lead_organisation"], *record["partners"], *record["donors"]})
    pillars = {p.number: p for p in site_pillars()}
    refs = set(record["action_items"])
    items = [
        i
        for i in ActionItem.objects.filter(code__in=[r.rsplit("/", 1)[-1] for r in refs])
        .select_related("version__plan", "pillar")
        .order_by("pillar__number", "position", "code")
        if f"{i.version.plan.key}/{i.version.label}/{i.code}" in refs
    ]
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in=record["countries"])}
    source_key = (record.get("provenance") or {}).get("source")
    return ActivityPage(
        edition=step.edition,
        in_chosen_edition=chosen is not None and chosen.present,
        record=record,
        title=_title(record["title"]),
        description=_title(record["description"]),
        lead_organisation=orgs.get(record["lead_organisation"]),
        partners=[orgs[k] for k in record["partners"] if k in orgs],
        donors=[orgs[k] for k in record["donors"] if k in orgs],
        pillars=[pillars[n] for n in record["pillars"] if n in pillars],
        items=items,
        countries=[countries[c] for c in record["countries"] if c in countries],
        source=Source.objects.filter(key=source_key).first(),
        history=history,
        framework_areas=_framework_areas(record.get("framework_areas", [])),
    )


def _framework_areas(refs: list[str]) -> list[FrameworkArea]:
    """The areas an activity record names (as framework/code), in the record's order."""
    if not refs:
        return []  # no query for the many activities classified under no framework
    areas = {
        a.ref: a
        for a in FrameworkArea.objects.filter(
            code__in=[r.rsplit("/", 1)[-1] for r in refs]
        ).select_related("framework")
    }
    return [areas[r] for r in refs if r in areas]


def query_string(filters: MatrixFilters, edition: Edition | None, **overrides) -> str:
    """The URL query of a view with these filters (and the edition when it is not the latest)."""
    params = filters.params(**overrides)
    if edition is not None:
        params = {"edition": edition.number, **params}
    return urlencode(params)


def code_names() -> dict[str, dict]:
    """How the codes in an activity record read to people, per field of the record."""
    organisations = {o.key: str(o) for o in Organisation.objects.all()}
    return {
        "lead_organisation": organisations,
        "partners": organisations,
        "donors": organisations,
        "countries": {c.iso2: c.name for c in Country.objects.all()},
        "pillars": {p.number: p.numeral for p in Pillar.objects.all()},
        "framework_areas": {
            a.ref: str(a) for a in FrameworkArea.objects.select_related("framework")
        },
        "status": {value: str(label) for value, label in Activity.Status.choices},
    }
