"""Search: one function that the page, the API and the benchmark call alike.

    search("конференции", SearchFilters(pillar="2"), language="ru", page=1)

returns a `SearchResults`: the page of hits (best first, each with its title, page
and a snippet with the matches marked), the number of hits, and the count of hits
under each value of each facet, with the current filters applied. Two queries (the
facet counts with the page's ids, the page's documents), plus one for the names of
pillars and one for those of countries when the hits have any: whatever the number of
documents.
"""

import math
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString

from jpoa.core.models import Country
from jpoa.lib.languages import LANGUAGES
from jpoa.lib.params import whole_number
from jpoa.plan.models import Pillar

from . import backends, memory, text
from .models import Document, Facet

PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
FACETS = [name for name, _label in Facet.choices]


@dataclass(frozen=True)
class SearchFilters:
    """One chosen value per facet, or None; values as the index has them."""

    kind: str | None = None
    pillar: str | None = None
    country: str | None = None
    language: str | None = None
    year: str | None = None

    def chosen(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in asdict(self).items() if value]

    def without(self, name: str) -> "SearchFilters":
        return SearchFilters(**{**asdict(self), name: None})


@dataclass
class Hit:
    kind: str
    kind_label: str
    object_id: int
    title: SafeString  # escaped, matches marked
    title_language: str
    titles: dict[str, str]
    url: str
    urls: dict[str, str]
    snippet: SafeString  # escaped, matches marked
    snippet_language: str


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResults:
    query: str
    terms: list[str]
    filters: SearchFilters
    language: str
    page: int
    page_size: int
    count: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))


def search(
    query: str,
    filters: SearchFilters | None = None,
    language: str = "en",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchResults:
    """The documents matching every word of QUERY (by stem) under FILTERS, best first.

    LANGUAGE is the reader's: titles, snippets and links are given in it where the
    record has it. A query with no letter or digit matches nothing.
    """
    filters = filters or SearchFilters()
    language = language if language in LANGUAGES else LANGUAGES[0]
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    results = SearchResults(
        query=query,
        terms=text.query_terms(query),
        filters=filters,
        language=language,
        page=max(page, 1),
        page_size=page_size,
    )
    if not results.terms:
        return results
    offset = (results.page - 1) * page_size
    search_page = memory.search_page if memory.usable() else backends.search_page
    counts, page = search_page(results.terms, filters.chosen(), page_size, offset)
    # Every document has exactly one kind: the kinds' counts add up to the hits.
    results.count = sum(n for name, _value, n in counts if name == Facet.KIND)
    if results.count == 0:
        return results
    with translation.override(language):
        results.facets = _facets(counts, filters)
        rows = backends.documents(page)
        results.hits = [_hit(row, results.terms, language) for row in rows]
    return results


def _hit(row: dict, terms: list[str], language: str) -> Hit:
    order = [language, *(lang for lang in LANGUAGES if lang != language)]
    titles = {lang: row[f"title_{lang}"] for lang in LANGUAGES}
    title_language = next((lang for lang in order if titles[lang]), language)
    # The reader's language when its text matches, else another that matches, else the
    # beginning of the first text there is.
    texts = [lang for lang in order if row[f"text_{lang}"]]
    snippet, snippet_language = None, title_language
    for lang in texts:
        candidate = text.snippet(row[f"text_{lang}"], terms)
        if snippet is None or candidate.matched:
            snippet, snippet_language = candidate, lang
        if candidate.matched:
            break
    urls = {lang: row[f"url_{lang}"] for lang in LANGUAGES}
    return Hit(
        kind=row["kind"],
        kind_label=str(Document.Kind(row["kind"]).label),
        object_id=row["object_id"],
        title=text.highlight(titles[title_language], terms),
        title_language=title_language,
        titles=titles,
        url=urls.get(language) or urls[title_language],
        urls=urls,
        snippet=snippet.html if snippet else SafeString(""),
        snippet_language=snippet_language,
    )


FACET_ORDER = {
    Facet.KIND: lambda v: [k for k, _ in Document.Kind.choices].index(v.value),
    Facet.PILLAR: lambda v: int(v.value),
    Facet.COUNTRY: lambda v: v.label,
    Facet.LANGUAGE: lambda v: v.value,
    Facet.YEAR: lambda v: -int(v.value),
}


def _facets(counts: list[tuple[str, str, int]], filters: SearchFilters) -> dict:
    labels = _labels(counts)
    chosen = dict(filters.chosen())
    facets: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    for name, value, count in counts:
        if name in facets:
            label = labels.get((name, value), value)
            facets[name].append(FacetValue(value, label, count, chosen.get(name) == value))
    for name, values in facets.items():
        values.sort(key=FACET_ORDER[name])
    return facets


def chosen_filters(results: SearchResults) -> list[tuple[str, str, str]]:
    """(facet, value, label) of each filter of a search, to show and to remove."""
    labels = {(n, v.value): v.label for n, values in results.facets.items() for v in values}
    chosen = results.filters.chosen()
    missing = [(n, v, 0) for n, v in chosen if (n, v) not in labels]
    if missing:  # a filter that nothing matched: its name is looked up
        with translation.override(results.language):
            labels |= _labels(missing)
    return [(name, value, labels.get((name, value), value)) for name, value in chosen]


def _labels(counts: list[tuple[str, str, int]]) -> dict[tuple[str, str], str]:
    labels = {(Facet.KIND, k): str(label) for k, label in Document.Kind.choices}
    labels |= {(Facet.LANGUAGE, code): str(name) for code, name in settings.LANGUAGES}
    values = {name: {v for n, v, _c in counts if n == name} for name in FACETS}
    pillars = {n for n in map(whole_number, values[Facet.PILLAR]) if n is not None}
    if pillars:
        for p in Pillar.objects.filter(number__in=pillars).order_by("number", "pk"):
            labels.setdefault((Facet.PILLAR, str(p.number)), str(p))
    if values[Facet.COUNTRY]:
        for c in Country.objects.filter(iso2__in=values[Facet.COUNTRY]):
            labels[(Facet.COUNTRY, c.iso2)] = c.name
    return labels
