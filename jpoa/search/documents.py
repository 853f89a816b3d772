"""What search indexes of each public record: titles, texts, facets and page, per language.

Only what the public site shows is read: activities from the latest published matrix
edition (never the current, draft rows, never internal notes); events, findings,
library resources and plan action items as their public pages show them.
"""

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator

from jpoa.core.models import Country, Organisation
from jpoa.events.models import Event, Finding
from jpoa.lib.languages import LANGUAGES
from jpoa.library.models import Resource, ResourceVersion
from jpoa.matrix.models import EditionEntry
from jpoa.matrix.published import latest_edition
from jpoa.plan.models import ActionItem, Pillar

from . import text
from .models import Document, facet_columns, spaced

CHUNK = 2000
MAX_YEARS = 30  # an activity is under each year it runs, up to this many


@dataclass
class Entry:
    """One document to write, with its facets."""

    kind: str
    object_id: int
    titles: dict[str, str]
    texts: dict[str, str]
    urls: dict[str, str]
    facets: set[tuple[str, str]] = field(default_factory=set)
    keywords: str = ""  # searched as part of the title (a symbol, a code), in no language
    languages: set[str] = field(default_factory=set)  # those of its titles when empty

    def row(self) -> dict:
        """The document's columns (field name -> value), as `Document` would have them."""
        titles = {lang: _title(self.titles.get(lang, "")) for lang in LANGUAGES}
        texts = {lang: self.texts.get(lang, "")[: text.MAX_INDEXED_CHARS] for lang in LANGUAGES}
        return {
            "kind": str(self.kind),
            "object_id": self.object_id,
            **{f"title_{lang}": titles[lang] for lang in LANGUAGES},
            **{f"text_{lang}": texts[lang] for lang in LANGUAGES},
            **{f"url_{lang}": self.urls[lang] for lang in LANGUAGES},
            "title_stems": text.stem_text([*titles.values(), self.keywords]),
            "body_stems": text.stem_text(texts.values()),
            **facet_columns(self.facet_values()),
        }

    def facet_values(self) -> set[tuple[str, str]]:
        languages = self.languages or {lang for lang in LANGUAGES if self.titles.get(lang)}
        return self.facets | {("language", lang) for lang in languages}


TITLE_LIMIT = Document._meta.get_field("title_en").max_length


def _title(title: str) -> str:
    return title if len(title) <= TITLE_LIMIT else Truncator(title).chars(TITLE_LIMIT)


def _translated(obj, name: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{name}_{lang}") or "" for lang in LANGUAGES}


def _urls(name: str, *args, anchor: str = "") -> dict[str, str]:
    urls = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            urls[lang] = reverse(name, args=args) + anchor
    return urls


class _KeyedUrls:
    """The pages of many records under one URL name and a slug: reversed once, then filled.

    Reversing costs more than the rest of a search document. The name is reversed once
    with a marker slug, and each address is the marker's split filled with the record's
    slug (letters, digits, hyphens, underscores: what `reverse` leaves as it is).
    """

    MARK = "jpoa-slug-mark"

    def __init__(self, name: str) -> None:
        self.name = name
        self.patterns = {lang: url.split(self.MARK) for lang, url in _urls(name, self.MARK).items()}

    def __call__(self, slug: str) -> dict[str, str]:
        if not SLUG.fullmatch(slug):
            return _urls(self.name, slug)
        return {lang: slug.join(parts) for lang, parts in self.patterns.items()}


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _join(*parts: str | None) -> str:
    return " · ".join(p.strip() for p in parts if p and p.strip())


def _in_each_language(build) -> dict[str, str]:
    out = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            out[lang] = build(lang)
    return out


def _chunks(queryset, ids: Iterable[int] | None) -> Iterator[list]:
    if ids is not None:
        # A chunk at a time: a database takes only so many parameters in one query.
        ids = iter(ids)
        while chunk := list(itertools.islice(ids, CHUNK)):
            yield list(queryset.filter(pk__in=chunk))
        return
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


# -- each kind of record -------------------------------------------------------------------


def resources(ids: Iterable[int] | None = None) -> Iterator[Entry]:
    queryset = Resource.objects.select_related("source_organisation").prefetch_related(
        "pillars", "countries", Prefetch("versions", ResourceVersion.objects.order_by("language"))
    )
    for chunk in _chunks(queryset, ids):
        for r in chunk:
            versions = list(r.versions.all())
            version_text = {v.language: v.text for v in versions}
            org = r.source_organisation
            description = _translated(r, "description")
            entry = Entry(
                kind=Document.Kind.RESOURCE,
                object_id=r.pk,
                titles=_translated(r, "title"),
                texts={
                    lang: _join(
                        description[lang],
                        org and (getattr(org, f"name_{lang}") or org.name),
                        org and (getattr(org, f"acronym_{lang}") or org.acronym),
                        version_text.get(lang, ""),
                    )
                    for lang in LANGUAGES
                },
                urls=_urls("public:library", anchor=f"#resource-{r.key}"),
                facets=_pillars_countries(r.pillars.all(), r.countries.all()),
                keywords=r.symbol,
            )
            year = r.year or (r.date.year if r.date else None)
            if year:
                entry.facets.add(("year", str(year)))
            # The languages of a resource are those of its files and links, when it has any.
            entry.languages = {v.language for v in versions} & set(LANGUAGES)
            yield entry


def events(ids: Iterable[int] | None = None) -> Iterator[Entry]:
    queryset = Event.objects.select_related("country").prefetch_related("pillars")
    for chunk in _chunks(queryset, ids):
        for e in chunk:
            # "Regional Workshop III: ...": a numbered meeting is known by its number too.
            labels = _in_each_language(lambda _lang, e=e: e.label if e.number else "")
            country = e.country
            entry = Entry(
                kind=Document.Kind.EVENT,
                object_id=e.pk,
                titles={
                    lang: f"{labels[lang]}: {title}" if title and labels[lang] else title
                    for lang, title in _translated(e, "title").items()
                },
                texts={
                    lang: _join(
                        getattr(e, f"summary_{lang}"),
                        getattr(e, f"outcome_{lang}"),
                        ", ".join(
                            p
                            for p in (
                                getattr(e, f"city_{lang}"),
                                country and getattr(country, f"name_{lang}"),
                            )
                            if p
                        ),
                    )
                    for lang in LANGUAGES
                },
                urls=_urls("public:event", e.key),
                facets=_pillars_countries(e.pillars.all(), [country] if country else []),
            )
            entry.facets.add(("year", str(e.start_date.year)))
            yield entry


def findings(ids: Iterable[int] | None = None) -> Iterator[Entry]:
    queryset = Finding.objects.select_related("event").prefetch_related(
        "pillars", "addressed_to_countries"
    )
    for chunk in _chunks(queryset, ids):
        for f in chunk:
            finding_text = _translated(f, "text")
            kinds = _in_each_language(lambda _lang, f=f: str(f.get_kind_display()).capitalize())
            entry = Entry(
                kind=Document.Kind.FINDING,
                object_id=f.pk,
                titles={
                    lang: f"{kinds[lang]}: {Truncator(t).words(14)}" if t else ""
                    for lang, t in finding_text.items()
                },
                texts=finding_text,
                urls=_urls("public:finding", f.key),
                facets=_pillars_countries(f.pillars.all(), f.addressed_to_countries.all()),
            )
            if f.event:
                entry.facets.add(("year", str(f.event.start_date.year)))
            yield entry


def plan_items(ids: Iterable[int] | None = None) -> Iterator[Entry]:
    queryset = ActionItem.objects.select_related("pillar", "version")
    for chunk in _chunks(queryset, ids):
        for item in chunk:
            entry = Entry(
                kind=Document.Kind.PLAN_ITEM,
                object_id=item.pk,
                titles={
                    lang: f"{item.code} {title}" if title else ""
                    for lang, title in _translated(item, "title").items()
                },
                texts=_translated(item, "text"),
                urls=_urls("public:plan", anchor=f"#item-{item.pk}"),
                facets={("pillar", str(item.pillar.number))},
                keywords=item.code,
            )
            adopted = item.version.adopted_on
            if adopted:
                entry.facets.add(("year", str(adopted.year)))
            yield entry


def activities(ids: Iterable[int] | None = None) -> Iterator[dict]:
    """The documents of the activities of the latest published edition, as its snapshots
    have them: the rows that `Entry.row` makes of them (a test holds the two equal),
    made straight from each snapshot, with the organisations' parts of the texts made
    once. A first edition has them all to index: a million of them spent most of their
    publication building entries and dictionaries before this."""
    edition = latest_edition()
    if edition is None:
        return
    # Each organisation's name and acronym in each language, as `_join` would add them.
    tails = {
        o.key: {
            lang: [
                part.strip()
                for part in (getattr(o, f"name_{lang}"), getattr(o, f"acronym_{lang}"))
                if part and part.strip()
            ]
            for lang in LANGUAGES
        }
        for o in Organisation.objects.only("key", *_fields("acronym", "name"))
    }
    no_organisation = {lang: [] for lang in LANGUAGES}
    activity_urls = _KeyedUrls("matrix:activity")
    kind = str(Document.Kind.ACTIVITY)
    for pk, record in _snapshots(edition, ids):
        titles, descriptions = record["title"], record.get("description") or {}
        tail = tails.get(record["lead_organisation"], no_organisation)
        row = {"kind": kind, "object_id": pk}
        languages = []
        for lang in LANGUAGES:
            title = titles.get(lang) or ""
            if title:
                languages.append(lang)
            row[f"title_{lang}"] = _title(title)
            description = descriptions.get(lang, "")
            head = [description.strip()] if description and description.strip() else []
            row[f"text_{lang}"] = " · ".join(head + tail[lang])[: text.MAX_INDEXED_CHARS]
        for lang, url in activity_urls(record["key"]).items():
            row[f"url_{lang}"] = url
        row["title_stems"] = text.stem_text([row[f"title_{lang}"] for lang in LANGUAGES])
        row["body_stems"] = text.stem_text([row[f"text_{lang}"] for lang in LANGUAGES])
        row["pillars"] = spaced([str(n) for n in record["pillars"]])
        row["countries"] = spaced(record["countries"])
        row["languages"] = spaced(languages)
        row["years"] = spaced([str(y) for y in _years(record)])
        yield row


def _snapshots(edition, ids: Iterable[int] | None) -> Iterator[tuple[int, dict]]:
    """(entry id, record) of the edition's entries with these ids (all: None), read with
    plain SQL: a model instance for each of a million entries cost more than indexing."""
    table = connection.ops.quote_name(EditionEntry._meta.db_table)
    select = f"SELECT id, data FROM {table} WHERE edition_id = %s AND "
    with connection.cursor() as cursor:
        if ids is not None:
            ids = iter(ids)
            while chunk := list(itertools.islice(ids, CHUNK)):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{select}id IN ({marks})", [edition.pk, *chunk])
                yield from _decoded(cursor.fetchall())
            return
        last = 0
        while True:
            cursor.execute(f"{select}id > %s ORDER BY id LIMIT %s", [edition.pk, last, CHUNK])
            rows = cursor.fetchall()
            if not rows:
                return
            yield from _decoded(rows)
            last = rows[-1][0]


def _decoded(rows: list[tuple]) -> Iterator[tuple[int, dict]]:
    # SQLite gives the JSON's text; PostgreSQL's driver may give it decoded already.
    for pk, data in rows:
        yield pk, json.loads(data) if isinstance(data, str | bytes) else data


def _fields(*names: str) -> list[str]:
    return [f"{name}_{lang}" for name in names for lang in LANGUAGES]


def _years(record: dict) -> range:
    start, end = record.get("start_date"), record.get("end_date")
    if not start:
        return range(0)
    first = int(start[:4])
    last = int(end[:4]) if end else first
    return range(first, min(max(last, first), first + MAX_YEARS - 1) + 1)


def _pillars_countries(pillars: Iterable[Pillar], countries: Iterable[Country]) -> set:
    return {("pillar", str(p.number)) for p in pillars} | {("country", c.iso2) for c in countries}


def _rows(build: Callable[..., Iterator[Entry]]) -> Callable[..., Iterator[dict]]:
    def rows(ids: Iterable[int] | None = None) -> Iterator[dict]:
        return (entry.row() for entry in build(ids))

    return rows


# Each kind's documents as rows to write (`Entry.row`), all or those of some ids.
BUILDERS = {
    Document.Kind.RESOURCE: _rows(resources),
    Document.Kind.ACTIVITY: activities,
    Document.Kind.EVENT: _rows(events),
    Document.Kind.FINDING: _rows(findings),
    Document.Kind.PLAN_ITEM: _rows(plan_items),
}
