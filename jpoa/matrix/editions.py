"""Matrix editions: publish a frozen snapshot of the activities, and compare two of them.

An edition keeps each activity as its data set record (`jpoa.dataset.export.activity_record`),
so an edition and an exported data set describe an activity in the same words. Beside
the snapshots, publishing writes the edition's *facts*: one row per activity, pillar
(or plan item) and place, with the columns the public views filter and group by.
Editions never change, so their facts are computed once and the matrix views are
GROUP BY queries over indexed columns of one edition.

An activity's snapshot has the fields of the field registry (`jpoa.matrix.fields`), in
its record's order: `_Snapshot` derives them from it and holds only the SQL of each kind
of field (a value, a translated text, a date, a decimal, a linked record's key, a list of
links, the provenance). The facts' columns are this module's own.

Publishing is SQL run by the database, in one transaction: the entries are written
a range of activity ids at a time, each snapshot built as JSON from the activity's row
and its links (INSERT ... SELECT); the facts are then written from the same links.
No activity passes through Python: building a million records there, and binding them
back, took most of a publication.
"""

import abc
import contextlib
import datetime
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, Max, OuterRef
from django.utils import timezone

from jpoa.accounts.access import require_coordinator
from jpoa.accounts.actors import is_system
from jpoa.accounts.audit import acting_as
from jpoa.core.models import Country, Organisation, Source
from jpoa.lib.database import orm_reader
from jpoa.lib.languages import LANGUAGES
from jpoa.plan.models import ActionItem, Framework, FrameworkArea, Plan, PlanVersion

from . import fields as registry
from .fields import Published, RecordField
from .models import (
    Activity,
    Edition,
    EditionAreaFact,
    EditionEntry,
    EditionFact,
    EditionItemFact,
)
from .signals import edition_published

CHUNK = 5000
# SQLite's page cache while publishing, in MB (settings give a connection 64 MB). A
# server worker that publishes (admin, rounds) takes the first; `jpoa publish`, a
# process of its own, the second.
PUBLISHING_CACHE_MB = 256
PUBLISHING_CACHE_MB_ALONE = 1024

# Record fields holding one text per language ({"en": ..., "ru": ...}).
TRANSLATED_FIELDS = tuple(
    f.name for f in registry.RECORD_FIELDS if f.published is Published.TRANSLATED
)


# -- publishing -----------------------------------------------------------------------


def publish_edition(
    *,
    title: str,
    by,
    as_of: datetime.date | None = None,
    notes: str = "",
    title_ru: str = "",
    notes_ru: str = "",
    progress: Callable[[int, int], None] | None = None,
    cache_mb: int = PUBLISHING_CACHE_MB,
) -> Edition:
    """Freeze all current activities as the next numbered edition, with its facts.

    ``by`` publishes it: a coordinator or one of jpoa's own processes (a `SystemActor`),
    else `PermissionDenied`; the edition records who it was, and so does the audit trail.
    ``progress(done, total)`` is called after each chunk of activities written.
    ``cache_mb``: SQLite's page cache while publishing (`_page_cache_for_publishing`).
    """
    require_coordinator(by)
    outermost = not connection.in_atomic_block
    with transaction.atomic(), acting_as(by):
        if outermost and connection.vendor == "postgresql":
            # One snapshot for the whole publication: the entries and the facts (written
            # from the links in SQL) must describe the activities as they were at one
            # moment, whatever another user commits meanwhile. (SQLite's IMMEDIATE
            # transaction holds the write lock from the start, which does the same.)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        number = (Edition.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        edition = Edition.objects.create(
            number=number,
            title_en=title,
            title_ru=title_ru,
            notes_en=notes,
            notes_ru=notes_ru,
            as_of=as_of or timezone.localdate(),
            **_publisher(by),
        )
        previous = Edition.objects.filter(number__lt=number).order_by("-number").first()
        total = Activity.objects.count()
        count = 0
        with _page_cache_for_publishing(cache_mb):
            statement = _entries_statement()
            for after, last in _id_ranges():
                count += _write_entries(statement, edition, previous, after, last)
                if progress:
                    progress(count, total)
            _refresh_statistics(EditionEntry)
            _write_facts_in_sql(edition)
            _refresh_statistics(EditionFact, EditionItemFact, EditionAreaFact)
        edition.activity_count = count
        edition.save(update_fields=["activity_count"])
        edition_published.send(sender=Edition, edition=edition)
    return edition


def _publisher(by) -> dict:
    """The edition's fields that name who published it."""
    if is_system(by):
        return {"published_by": None, "published_by_system": by.name}
    return {"published_by": by, "published_by_system": ""}


def build_edition_facts(edition: Edition) -> int:
    """Write the facts of an edition whose entries were written some other way.

    The data set loader writes an edition's entries from a file; this gives such an
    edition the facts the public views read. Returns the number of entries.
    """
    lookups = _Lookups.load()
    count = 0
    with transaction.atomic():
        EditionFact.objects.filter(edition=edition)._raw_delete(connection.alias)
        EditionItemFact.objects.filter(edition=edition)._raw_delete(connection.alias)
        EditionAreaFact.objects.filter(edition=edition)._raw_delete(connection.alias)
        for entries in _entry_chunks(edition):
            _write_facts(edition, ((e.pk, e.data) for e in entries), lookups)
            count += len(entries)
        Edition.objects.filter(pk=edition.pk).update(activity_count=count)
    edition.activity_count = count
    return count


def _id_ranges() -> Iterator[tuple[int, int]]:
    """(after, last): the activities' ids, CHUNK at a time, as ranges of ids."""
    table = _table_names()["activity"]
    after = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MAX(id) FROM (SELECT id FROM {table} WHERE id > %s ORDER BY id LIMIT %s) s",
                [after, CHUNK],
            )
            (last,) = cursor.fetchone()
        if last is None:
            return
        yield after, last
        after = last


def _entry_chunks(edition: Edition) -> Iterator[list[EditionEntry]]:
    last = 0
    while True:
        chunk = list(
            EditionEntry.objects.filter(edition=edition, pk__gt=last)
            .order_by("pk")
            .only("pk", "data")[:CHUNK]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


@dataclass
class _Lookups:
    """The small tables an activity refers to, loaded once per publication."""

    organisations: dict[int, str]  # id -> key
    organisation_by_key: dict[str, tuple[int, str]]  # key -> (id, type)
    pillars: dict[int, int]  # id -> number
    countries: dict[int, str]  # id -> iso2
    country_by_iso2: dict[str, int]
    items: dict[int, str]  # id -> "plan/version/code"
    item_by_ref: dict[str, tuple[int, int]]  # ref -> (id, pillar number)
    sources: dict[int, str]  # id -> key
    area_by_ref: dict[str, tuple[int, int]]  # "framework/code" -> (area id, framework id)

    @classmethod
    def load(cls) -> "_Lookups":
        from jpoa.plan.models import FrameworkArea, Pillar

        orgs = list(Organisation.objects.values_list("pk", "key", "type"))
        countries = dict(Country.objects.values_list("pk", "iso2"))
        items = {
            pk: (f"{plan}/{version}/{code}", pillar)
            for pk, plan, version, code, pillar in ActionItem.objects.values_list(
                "pk", "version__plan__key", "version__label", "code", "pillar__number"
            )
        }
        return cls(
            organisations={pk: key for pk, key, _type in orgs},
            organisation_by_key={key: (pk, type_) for pk, key, type_ in orgs},
            pillars=dict(Pillar.objects.values_list("pk", "number")),
            countries=countries,
            country_by_iso2={iso2: pk for pk, iso2 in countries.items()},
            items={pk: ref for pk, (ref, _pillar) in items.items()},
            item_by_ref={ref: (pk, pillar) for pk, (ref, pillar) in items.items()},
            sources=dict(Source.objects.values_list("pk", "key")),
            area_by_ref={
                f"{framework_key}/{code}": (pk, framework_id)
                for pk, framework_key, code, framework_id in FrameworkArea.objects.values_list(
                    "pk", "framework__key", "code", "framework_id"
                )
            },
        )


def _year(iso_date: str | None) -> int | None:
    return int(iso_date[:4]) if iso_date else None


ENTRY_COLUMNS = (
    "edition_id",
    "activity_id",
    "activity_key",
    "lead_organisation_id_at",
    "status",
    "start_year",
    "end_year",
    "data",
)


def _write_entries(
    statement: str, edition: Edition, previous: Edition | None, after: int, last: int
) -> int:
    """Write the entries of the activities with ids in (AFTER, LAST] by the STATEMENT of
    `_entries_statement`; return how many."""
    with connection.cursor() as cursor:
        cursor.execute(statement, [edition.pk, after, last, previous.pk if previous else None])
        return cursor.rowcount


def _entries_statement() -> str:
    """The INSERT ... SELECT writing the entries of a range of activities (see
    `_write_entries` for its parameters).

    The database builds each snapshot itself: the record `activity_record` gives, as
    JSON, from the activity's row and its links. No row passes through Python (building
    a million records there and binding them back took half of a publication). On
    SQLite the text is the compact UTF-8 one that Python's JSON writers give of the
    same record, so that an unchanged activity's snapshot equals the one an earlier
    release wrote byte for byte. A test holds the snapshots to `activity_record` on
    both databases.

    Each entry also says whether its snapshot is the one of the PREVIOUS edition
    (`same_as_previous`), compared here while the new one is at hand: search then
    re-indexes only the activities that changed. The snapshots are built in a
    subquery the database may not merge into the join (`FENCE`), so each is built once.
    """
    sql = _Snapshot.for_connection()
    table = _table_names()
    q = connection.ops.quote_name
    return (
        f"INSERT INTO {table['entry']} ({_names((*ENTRY_COLUMNS, 'same_as_previous'))}) "
        "SELECT %s, x.id, x.activity_key, x.lead_organisation_id, x.status, x.start_year, "
        f"x.end_year, x.data, {sql.same('prev.data', 'x.data')} FROM ("
        f"SELECT a.id, a.{q('key')} AS activity_key, a.lead_organisation_id, a.status, "
        f"{sql.year('a.start_date')} AS start_year, {sql.year('a.end_date')} AS end_year, "
        f"{sql.record()} AS data FROM {table['activity']} a "
        f"{_key_joins()} LEFT JOIN {table['source']} src ON src.id = a.source_id "
        f"WHERE a.id > %s AND a.id <= %s ORDER BY a.id {sql.FENCE}) x "
        f"LEFT JOIN {table['entry']} prev "
        "ON prev.edition_id = %s AND prev.activity_key = x.activity_key"
    )


def _joined(field: RecordField) -> str:
    """The alias of the record a KEY field names, joined to the activity `a`."""
    return f"k_{field.name}"


def _key_joins() -> str:
    """The joins of the records the KEY fields name (an inner join where one is required)."""
    joins = []
    for key in (f for f in registry.RECORD_FIELDS if f.published is Published.KEY):
        fk = key.model_field
        table = connection.ops.quote_name(fk.related_model._meta.db_table)
        alias = _joined(key)
        kind = "LEFT JOIN" if fk.null else "JOIN"
        joins.append(f"{kind} {table} {alias} ON {alias}.id = a.{fk.column}")
    return " ".join(joins)


def _link_names(target, by: str, q) -> tuple[str, str]:
    """(value, joins): how the record names a linked row `x` of model TARGET, in SQL."""
    if by != "ref":
        return f"x.{q(by)}", ""
    if target is ActionItem:  # plan/version/code, as `jpoa.dataset.export.item_ref`
        version, plan = (q(m._meta.db_table) for m in (PlanVersion, Plan))
        return (
            f"pl.{q('key')} || '/' || ver.label || '/' || x.code",
            f"JOIN {version} ver ON ver.id = x.version_id JOIN {plan} pl ON pl.id = ver.plan_id",
        )
    if target is FrameworkArea:  # framework/code, as `FrameworkArea.ref`
        framework = q(Framework._meta.db_table)
        return f"fw.{q('key')} || '/' || x.code", f"JOIN {framework} fw ON fw.id = x.framework_id"
    raise ValueError(f"No SQL for the references of {target.__name__}")


class _Snapshot(abc.ABC):
    """The SQL of an activity's record (`activity_record`) on one database.

    The fields, their order and their kinds come from the field registry
    (`jpoa.matrix.fields.RECORD_FIELDS`); this class gives the SQL of each kind. The
    activity is `a`, the record a KEY field names `k_NAME`, its source `src`. Keys come
    in the record's order; lists sorted as Python sorts them (code points, numbers).
    """

    OBJECT = ""  # the function building a JSON object of names and values
    FENCE = ""  # what keeps a subquery in FROM from being merged into the outer query

    def __init__(self) -> None:
        self.q = connection.ops.quote_name

    @staticmethod
    def for_connection() -> "_Snapshot":
        if connection.vendor == "postgresql":
            return _PostgresSnapshot()
        _register_sqlite_functions()
        return _SQLiteSnapshot()

    def record(self) -> str:
        """The record's fields, in its order, from the field registry (`RECORD_FIELDS`):
        each written by the SQL of its kind (`Published`)."""
        fields, optional = {}, []
        for rf in registry.RECORD_FIELDS:
            value = self._published(rf)
            if rf.when_any:
                optional.append((rf, value))
            else:
                fields[rf.name] = value
        record = self.object(fields)
        # Last, and only where the activity has some (as `activity_record` writes it): the
        # snapshot of an activity classified under no framework stays the text it was
        # before frameworks existed, so it is still "the same as in the previous edition"
        # and search does not re-index every activity once after the upgrade.
        for rf, value in optional:
            m2m = rf.model_field
            links = self.q(m2m.remote_field.through._meta.db_table)
            has_some = f"EXISTS (SELECT 1 FROM {links} WHERE {m2m.m2m_column_name()} = a.id)"
            record = f"CASE WHEN {has_some} THEN {self.with_field(record, rf.name, value)} ELSE {record} END"
        return record

    def _published(self, rf: RecordField) -> str:
        column = "a." + self.q(rf.model_name)
        match rf.published:
            case Published.VALUE:
                boolean = isinstance(rf.model_field, BooleanField)
                return self.boolean(column) if boolean else column
            case Published.TRANSLATED:
                return self.translated(rf.model_name)
            case Published.DATE:
                return self.date(column)
            case Published.DECIMAL:
                return self.decimal(column)
            case Published.KEY:
                return f"{_joined(rf)}.{self.q(rf.by)}"
            case Published.LINKS:
                return self._links(rf)
            case Published.PROVENANCE:
                return self._provenance()
        raise ValueError(rf.published)

    def _links(self, rf: RecordField) -> str:
        """The names of the activity's links (`t`) to their records (`x`), sorted."""
        m2m = rf.model_field
        target = m2m.related_model
        value, joins = _link_names(target, rf.by, self.q)
        through = self.q(m2m.remote_field.through._meta.db_table)
        table = self.q(target._meta.db_table)
        linked = self.linked(value, f"{through} t", f"{table} x", m2m.m2m_reverse_name(), joins)
        return self.numbers(*linked) if rf.numbered else self.texts(*linked)

    def _provenance(self) -> str:
        """The record's "provenance" (`jpoa.dataset.export.provenance_of`); the source is `src`."""
        provenance = {
            "source": "src." + self.q("key"),
            "locator": "a.source_locator",
            "basis": "a.classification_basis",
        }
        noted = " OR ".join(f"COALESCE(a.provenance_note_{lang}, '') <> ''" for lang in LANGUAGES)
        with_note = {**provenance, "note": self.translated("provenance_note")}
        return self.json(
            f"CASE WHEN {noted} THEN {self.object(with_note)} ELSE {self.object(provenance)} END"
        )

    @abc.abstractmethod
    def with_field(self, record: str, name: str, value: str) -> str:
        """RECORD (a JSON object) with NAME: VALUE added as its last field."""

    def object(self, fields: dict[str, str]) -> str:
        pairs = ", ".join(f"'{name}', {value}" for name, value in fields.items())
        return f"{self.OBJECT}({pairs})"

    def translated(self, name: str) -> str:
        return self.object({lang: f"COALESCE(a.{name}_{lang}, '')" for lang in LANGUAGES})

    @abc.abstractmethod
    def linked(self, value: str, links: str, target: str, fk: str, joins: str) -> tuple[str, str]:
        """(VALUE, FROM) giving, for each link row `t`, VALUE of its row `x` in TARGET
        (and the rows JOINS adds)."""

    @abc.abstractmethod
    def texts(self, value: str, source: str) -> str:
        """A JSON array of VALUE for the activity's links `t` in SOURCE, sorted as text."""

    @abc.abstractmethod
    def numbers(self, value: str, source: str) -> str:
        """The same, of numbers sorted as numbers."""

    def json(self, expression: str) -> str:
        return expression

    def same(self, before: str, after: str) -> str:
        """Whether snapshot AFTER is BEFORE (false when there is none before)."""
        return f"COALESCE({before} = {after}, FALSE)"

    def boolean(self, column: str) -> str:
        return column

    @abc.abstractmethod
    def date(self, column: str) -> str:
        """A date column as ISO text."""

    @abc.abstractmethod
    def decimal(self, column: str) -> str:
        """A decimal column as str(Decimal) writes the ORM's value."""

    @abc.abstractmethod
    def year(self, column: str) -> str:
        """The year of a date column, as an integer."""


class _SQLiteSnapshot(_Snapshot):
    OBJECT = "json_object"

    def with_field(self, record: str, name: str, value: str) -> str:
        return f"json_set({record}, '$.{name}', {value})"  # a new key goes last

    FENCE = "LIMIT -1"  # SQLite never flattens a subquery with a LIMIT into a join
    # An ORDER BY in the subquery of an aggregate is kept (SQLite never flattens it
    # into the aggregate), so json_group_array takes the values in that order. json()
    # marks the subquery's text as JSON for json_object, as it marks a CASE's.

    def linked(self, value: str, links: str, target: str, fk: str, joins: str) -> tuple[str, str]:
        # A join: SQLite walks the links by the activity's index and looks each target
        # up by primary key, as written; half the time of a subquery for each link.
        return value, f"{links} JOIN {target} ON x.id = t.{fk} {joins}"

    def texts(self, value: str, source: str) -> str:
        return (
            f"json((SELECT json_group_array(v) FROM (SELECT {value} AS v FROM {source} "
            "WHERE t.activity_id = a.id ORDER BY v)))"
        )

    numbers = texts

    def json(self, expression: str) -> str:
        return f"json({expression})"

    def boolean(self, column: str) -> str:
        return f"json(CASE WHEN {column} THEN 'true' ELSE 'false' END)"

    def date(self, column: str) -> str:
        return column  # Django keeps dates as ISO text on SQLite

    def decimal(self, column: str) -> str:
        # Below 10^12 SQLite's REAL holds a value of two places exactly enough that
        # printf writes it as str(Decimal) does; bigger ones go through the conversion
        # the ORM applies (`jpoa_budget_text`), which rounds what SQLite kept.
        places = Activity._meta.get_field("budget").decimal_places
        return (
            f"CASE WHEN {column} IS NULL THEN NULL WHEN abs({column}) < 1e12 "
            f"THEN printf('%%.{places}f', {column}) ELSE jpoa_budget_text({column}) END"
        )

    def year(self, column: str) -> str:
        return f"CAST(substr({column}, 1, 4) AS INTEGER)"


class _PostgresSnapshot(_Snapshot):
    # jsonb, as the column keeps it: built once, never parsed again to be stored or
    # compared with the previous snapshot.
    OBJECT = "jsonb_build_object"
    FENCE = "OFFSET 0"  # nor PostgreSQL one with an OFFSET

    def with_field(self, record: str, name: str, value: str) -> str:
        return f"({record} || jsonb_build_object('{name}', {value}))"

    def linked(self, value: str, links: str, target: str, fk: str, joins: str) -> tuple[str, str]:
        # A scalar subquery by primary key for each link, so the links are the only
        # table the subquery scans. As a join, PostgreSQL without statistics yet (a
        # freshly loaded database) chose to scan every organisation and probe the
        # links for each: minutes for 100,000 activities.
        return f"(SELECT {value} FROM {target} {joins} WHERE x.id = t.{fk})", links

    def texts(self, value: str, source: str) -> str:
        # COLLATE "C": code point order, as Python sorts, whatever the database's locale.
        return self._array(value, source, ' COLLATE "C"')

    def numbers(self, value: str, source: str) -> str:
        return self._array(value, source, "")

    def _array(self, value: str, source: str, collate: str) -> str:
        return (
            f"COALESCE((SELECT jsonb_agg(v ORDER BY v{collate}) FROM (SELECT {value} AS v "
            f"FROM {source} WHERE t.activity_id = a.id) s), '[]'::jsonb)"
        )

    def date(self, column: str) -> str:
        return f"to_char({column}, 'YYYY-MM-DD')"

    def decimal(self, column: str) -> str:
        return f"{column}::text"  # numeric(16, 2) writes its two places, as str(Decimal)

    def year(self, column: str) -> str:
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"


def _register_sqlite_functions() -> None:
    """`jpoa_budget_text(value)`: a budget as the ORM reads it, then as str() writes it."""
    read = orm_reader(Activity, "budget", connection)

    def budget_text(value):
        value = read(value)
        return None if value is None else str(value)

    connection.ensure_connection()
    connection.connection.create_function("jpoa_budget_text", 1, budget_text, deterministic=True)


FACT_COLUMNS = (
    "edition_id",
    "entry_id",
    "pillar_number",
    "country_id",
    "region_wide",
    "lead_organisation_id",
    "organisation_type",
    "status",
    "start_year",
    "end_year",
)
AREA_FACT_COLUMNS = (
    "edition_id",
    "entry_id",
    "area_id",
    "framework_id",
    "country_id",
    "region_wide",
    "lead_organisation_id",
    "organisation_type",
    "status",
    "start_year",
    "end_year",
)
ITEM_FACT_COLUMNS = (
    "edition_id",
    "entry_id",
    "action_item_id",
    "item_pillar",
    "country_id",
    "region_wide",
    "lead_organisation_id",
    "organisation_type",
    "status",
    "start_year",
    "end_year",
)


def _places(record: dict, lookups: _Lookups) -> list[tuple[int | None, bool]]:
    """(country id, region-wide) of each place: the named countries, the region, or none."""
    places = [(lookups.country_by_iso2[iso2], False) for iso2 in record["countries"]]
    if record["region_wide"]:
        places.append((None, True))
    return places or [(None, False)]


def _write_facts(edition: Edition, entries: Iterable[tuple[int, dict]], lookups: _Lookups) -> None:
    """Write the facts of entries given as (entry id, record)."""
    facts, item_facts, area_facts = [], [], []
    for entry_id, record in entries:
        org_id, org_type = lookups.organisation_by_key[record["lead_organisation"]]
        common = (
            org_id,
            org_type,
            record["status"],
            _year(record["start_date"]),
            _year(record["end_date"]),
        )
        places = _places(record, lookups)
        for pillar, (country, region) in itertools.product(record["pillars"] or [None], places):
            facts.append((edition.pk, entry_id, pillar, country, region, *common))
        for ref in record["action_items"]:
            item_id, item_pillar = lookups.item_by_ref[ref]
            for country, region in places:
                item_facts.append(
                    (edition.pk, entry_id, item_id, item_pillar, country, region, *common)
                )
        # Snapshots written before frameworks existed have no such field.
        for ref in record.get("framework_areas", ()):
            area_id, framework_id = lookups.area_by_ref[ref]
            for country, region in places:
                area_facts.append(
                    (edition.pk, entry_id, area_id, framework_id, country, region, *common)
                )
    _insert(EditionFact, FACT_COLUMNS, facts)
    _insert(EditionItemFact, ITEM_FACT_COLUMNS, item_facts)
    _insert(EditionAreaFact, AREA_FACT_COLUMNS, area_facts)


def _write_facts_in_sql(edition: Edition) -> None:
    """Write the facts of the edition's entries from their activities' links, in the
    database (INSERT ... SELECT), once all the entries are written.

    They are the facts `_write_facts` derives from the same entries' records (a test holds
    the two to the same rows), at a fraction of the cost: no row passes through Python,
    and one statement for the whole edition costs a quarter less than one a chunk. The
    records were read from these links in this transaction, which sees no other writer's
    changes (SQLite's write lock; REPEATABLE READ on PostgreSQL).
    """
    q = connection.ops.quote_name
    table = _table_names()
    # Each activity's places: its countries; the region, if region-wide; else no place.
    places = (
        f"SELECT activity_id, country_id, FALSE AS region_wide FROM {table['countries']} "
        f"UNION ALL SELECT id, NULL, TRUE FROM {table['activity']} WHERE region_wide "
        f"UNION ALL SELECT a.id, NULL, FALSE FROM {table['activity']} a "
        "WHERE NOT a.region_wide AND NOT EXISTS "
        f"(SELECT 1 FROM {table['countries']} c WHERE c.activity_id = a.id)"
    )
    common = (
        f"pl.country_id, pl.region_wide, e.lead_organisation_id_at, o.{q('type')}, "
        "e.status, e.start_year, e.end_year "
        f"FROM {table['entry']} e "
        f"JOIN {table['organisation']} o ON o.id = e.lead_organisation_id_at "
        f"JOIN ({places}) pl ON pl.activity_id = e.activity_id "
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table['fact']} ({_names(FACT_COLUMNS)}) "
            f"SELECT e.edition_id, e.id, p.{q('number')}, {common}"
            f"LEFT JOIN {table['pillars']} ap ON ap.activity_id = e.activity_id "
            f"LEFT JOIN {table['pillar']} p ON p.id = ap.pillar_id WHERE e.edition_id = %s",
            [edition.pk],
        )
        cursor.execute(
            f"INSERT INTO {table['item_fact']} ({_names(ITEM_FACT_COLUMNS)}) "
            f"SELECT e.edition_id, e.id, ai.actionitem_id, p.{q('number')}, {common}"
            f"JOIN {table['items']} ai ON ai.activity_id = e.activity_id "
            f"JOIN {table['item']} i ON i.id = ai.actionitem_id "
            f"JOIN {table['pillar']} p ON p.id = i.pillar_id WHERE e.edition_id = %s",
            [edition.pk],
        )
        cursor.execute(
            f"INSERT INTO {table['area_fact']} ({_names(AREA_FACT_COLUMNS)}) "
            f"SELECT e.edition_id, e.id, aa.frameworkarea_id, fa.framework_id, {common}"
            f"JOIN {table['areas']} aa ON aa.activity_id = e.activity_id "
            f"JOIN {table['area']} fa ON fa.id = aa.frameworkarea_id WHERE e.edition_id = %s",
            [edition.pk],
        )


def _refresh_statistics(*models) -> None:
    """PostgreSQL: ANALYZE the tables just written, inside the publication.

    The planner knows nothing yet of the new edition: from statistics of the earlier
    editions it expects one row under its number, and then joins the facts' sources
    row by row, rescanning the activities for each entry (a publication of 100,000
    activities ran for minutes and did not finish). ANALYZE in the transaction that
    wrote the rows samples them too; it also gives the public views' first queries on
    the new edition their plans. SQLite plans without such statistics.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextlib.contextmanager
def _page_cache_for_publishing(megabytes: int) -> Iterator[None]:
    """SQLite: a page cache of MEGABYTES while publishing, instead of the 64 MB of settings.

    A publication writes gigabytes at a million activities, and the indexes take the new
    rows in no order of theirs: with 256 MB a publication took 108 s instead of 139 s,
    with 1 GB 51 s instead of 57 s (later code). The cache fills only as far as the data
    needs; the memory is the connection's, given back after.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(megabytes) * 1024}")  # negative: KiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _table_names() -> dict[str, str]:
    from jpoa.plan.models import Pillar

    models = {
        "activity": Activity,
        "entry": EditionEntry,
        "fact": EditionFact,
        "item_fact": EditionItemFact,
        "area_fact": EditionAreaFact,
        "area": FrameworkArea,
        "organisation": Organisation,
        "pillar": Pillar,
        "item": ActionItem,
        "source": Source,
        "countries": Activity.countries.through,
        "pillars": Activity.pillars.through,
        "items": Activity.action_items.through,
        "areas": Activity.framework_areas.through,
    }
    return {name: connection.ops.quote_name(m._meta.db_table) for name, m in models.items()}


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in columns)


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows: the facts are many and need no model instances nor signals."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


# -- comparing --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of an activity that differs between two editions."""

    field: str
    language: str | None
    before: Any
    after: Any

    @property
    def added(self) -> list:
        """For a list field: the values the later edition has and the earlier had not."""
        if isinstance(self.before, list) and isinstance(self.after, list):
            return [v for v in self.after if v not in self.before]
        return []

    @property
    def removed(self) -> list:
        if isinstance(self.before, list) and isinstance(self.after, list):
            return [v for v in self.before if v not in self.after]
        return []


@dataclass
class ChangedActivity:
    key: str
    before: dict
    after: dict
    changes: list[FieldChange]


@dataclass
class EditionComparison:
    old: Edition
    new: Edition
    added: list[dict] = field(default_factory=list)
    ended: list[dict] = field(default_factory=list)
    changed: list[ChangedActivity] = field(default_factory=list)

    @property
    def unchanged_count(self) -> int:
        return self.new.activity_count - len(self.added) - len(self.changed)


def record_changes(before: dict, after: dict) -> list[FieldChange]:
    """Field-by-field differences of two records; translated fields per language."""
    changes = []
    for name in _field_order(before, after):
        if name == "key":
            continue
        empty = [] if name in ABSENT_WHEN_EMPTY else None
        old, new = before.get(name, empty), after.get(name, empty)
        if old == new:
            continue
        if isinstance(old, dict) or isinstance(new, dict):
            old, new = old or {}, new or {}
            language = name in TRANSLATED_FIELDS
            for sub in _field_order(old, new):
                if old.get(sub) != new.get(sub):
                    changes.append(
                        FieldChange(
                            name if language else f"{name}.{sub}",
                            sub if language else None,
                            old.get(sub),
                            new.get(sub),
                        )
                    )
        else:
            changes.append(FieldChange(name, None, old, new))
    return changes


# List fields a record holds only when not empty (and snapshots from before they existed lack).
ABSENT_WHEN_EMPTY = tuple(f.name for f in registry.RECORD_FIELDS if f.when_any)


# The order in which an activity's changes are listed, whatever order the database
# kept the snapshot's JSON keys in (PostgreSQL's jsonb sorts them its own way).
FIELD_ORDER = (
    "title",
    "description",
    "lead_organisation",
    "partners",
    "donors",
    "pillars",
    "action_items",
    "framework_areas",
    "countries",
    "region_wide",
    "start_date",
    "end_date",
    "status",
    "budget",
    "currency",
    "iati_identifier",
    "source_url",
    "last_verified",
    "provenance",
)


def _field_order(a: dict, b: dict) -> list[str]:
    names = set(a) | set(b)
    known = [name for name in FIELD_ORDER if name in names]
    return known + sorted(names - set(FIELD_ORDER))


def compare_editions(old: Edition, new: Edition) -> EditionComparison:
    """Activities added in `new`, ended (absent from `new`) and changed field by field."""
    result = EditionComparison(old=old, new=new)
    before_rows, after_rows = _keyed_data(old), _keyed_data(new)
    before, after = next(before_rows, None), next(after_rows, None)
    # Both sides come ordered by key: walk them together, as a merge join does.
    while before or after:
        if after is None or (before is not None and before[0] < after[0]):
            result.ended.append(before[1])
            before = next(before_rows, None)
        elif before is None or after[0] < before[0]:
            result.added.append(after[1])
            after = next(after_rows, None)
        else:
            if before[1] != after[1]:
                changes = record_changes(before[1], after[1])
                result.changed.append(ChangedActivity(after[0], before[1], after[1], changes))
            before, after = next(before_rows, None), next(after_rows, None)
    return result


@dataclass(frozen=True)
class ChangeCounts:
    added: int
    changed: int
    ended: int


def count_changes(old: Edition, new: Edition) -> ChangeCounts:
    """How many activities `compare_editions` finds added, changed and ended, counted.

    When NEW is the edition published right after OLD, its entries say which snapshots
    are not the ones of OLD (`same_as_previous`, compared as publishing wrote them): the
    changed are those of them whose activity OLD has too, the added the rest. Only those
    entries are looked at (an index keeps them), not every snapshot of both editions:
    comparing a million of each took 90 s. Otherwise (entries written from a data set
    file, which do not say; editions further apart) the editions are compared.
    """
    entries = EditionEntry.objects.filter(edition=new)
    just_before = Edition.objects.filter(number__lt=new.number).order_by("-number").first()
    if just_before != old or entries.filter(same_as_previous__isnull=True).exists():
        comparison = compare_editions(old, new)
        return ChangeCounts(len(comparison.added), len(comparison.changed), len(comparison.ended))
    in_old = EditionEntry.objects.filter(edition=old, activity_key=OuterRef("activity_key"))
    not_same = entries.filter(same_as_previous=False)
    changed = not_same.filter(Exists(in_old)).count()
    added = not_same.count() - changed
    kept = entries.count() - added  # the activities of NEW that OLD has too
    return ChangeCounts(added, changed, EditionEntry.objects.filter(edition=old).count() - kept)


def _keyed_data(edition: Edition) -> Iterator[tuple[str, dict]]:
    last = ""
    while True:
        chunk = list(
            EditionEntry.objects.filter(edition=edition, activity_key__gt=last)
            .order_by("activity_key")
            .values_list("activity_key", "data")[:CHUNK]
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1][0]


@dataclass
class HistoryStep:
    """An activity as one edition has it, with what changed since the edition before."""

    edition: Edition
    data: dict | None  # the record in this edition; None: not in it (ended or paused)
    changes: list[FieldChange]
    is_new: bool

    @property
    def present(self) -> bool:
        return self.data is not None


def activity_history(key: str) -> list[HistoryStep]:
    """Every edition from the activity's first, newest first: present or not, and changes."""
    entries = {
        e.edition_id: e.data
        for e in EditionEntry.objects.filter(activity_key=key).only("edition_id", "data")
    }
    if not entries:
        return []
    editions = list(Edition.objects.order_by("number"))
    steps, previous, seen = [], None, False
    for edition in editions:
        data = entries.get(edition.pk)
        if data is None and not seen:
            continue
        seen = True
        changes = record_changes(previous, data) if previous and data else []
        steps.append(HistoryStep(edition, data, changes, data is not None and not previous))
        previous = data
    return steps[::-1]
