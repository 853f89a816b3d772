"""GET /api/v1/search: the site's search (`jpoa.search.services.search`) as JSON."""

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from pydantic import BaseModel, Field

from jpoa.lib.languages import LANGUAGES
from jpoa.search.models import Document
from jpoa.search.services import SearchFilters, search

from .pagination import PageNotFound, PageParams
from .schemas import Translated, choice

router = Router()


class SearchQuery(Schema):
    q: str = Field(
        min_length=1,
        max_length=2000,
        description="Words to find, in English or Russian; every word must match, in any of "
        "its forms (workshops finds workshop). Only letters and digits count: quotes, "
        "operators and punctuation are ignored.",
    )
    kind: choice(Document.Kind.values) | None = Field(None, description="Kind of record.")
    pillar: int | None = Field(None, ge=1, le=99, description="Pillar number.")
    country: str | None = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2 code of a country."
    )
    language: choice(LANGUAGES) | None = Field(
        None, description="Records that have a text (or a file) in this language."
    )
    year: int | None = Field(
        None, ge=1900, le=2200, description="Year (activities: any year they run)."
    )


class SearchHit(BaseModel):
    kind: str = Field(description="resource, activity, event, finding or plan_item.")
    id: int = Field(
        description="The record's id (for an activity, its entry in the latest edition)."
    )
    title: Translated = Field(description="The record's title in each language (may be empty).")
    url: str = Field(description="The record's public page, in the request's language.")
    snippet: str = Field(
        description="HTML: a passage of the record's text, escaped, with the matching words "
        "in <mark>."
    )
    snippet_language: str = Field(description="The language of the snippet.")


class FacetValue(BaseModel):
    value: str = Field(description="The value, as the filter of the same name takes it.")
    label: str = Field(description="Its name, in the request's language.")
    count: int = Field(description="Results with this value, under the current filters.")
    selected: bool = Field(description="Whether the request filters by this value.")


class Facets(BaseModel):
    kind: list[FacetValue] = Field(description="Kinds of record.")
    pillar: list[FacetValue] = Field(description="Pillars.")
    country: list[FacetValue] = Field(description="Countries.")
    language: list[FacetValue] = Field(description="Languages.")
    year: list[FacetValue] = Field(description="Years.")


class SearchPage(BaseModel):
    count: int = Field(description="Results in all pages.")
    next: str | None = Field(description="Absolute URL of the next page (null on the last).")
    previous: str | None = Field(description="Absolute URL of the previous page.")
    terms: list[str] = Field(description="The stems searched for (empty: nothing to search).")
    results: list[SearchHit] = Field(description="This page's results, best first.")
    facets: Facets = Field(description="Counts of the results under each facet's values.")


@router.get("/search", response=SearchPage, tags=["search"])
def search_records(request: HttpRequest, query: Query[SearchQuery], page: Query[PageParams]):
    """Full-text search over the library, the latest published matrix, events, findings
    and plan items, with facet counts."""
    filters = SearchFilters(
        kind=query.kind,
        pillar=str(query.pillar) if query.pillar else None,
        country=query.country.upper() if query.country else None,
        language=query.language,
        year=str(query.year) if query.year else None,
    )
    results = search(
        query.q, filters, language=get_language(), page=page.page, page_size=page.page_size
    )
    if page.page > results.num_pages:
        raise PageNotFound(f"There is no page {page.page}; the last is {results.num_pages}.")
    return {
        "count": results.count,
        "next": _link(request, page.page + 1) if page.page < results.num_pages else None,
        "previous": _link(request, page.page - 1) if page.page > 1 else None,
        "terms": results.terms,
        "results": [
            {
                "kind": hit.kind,
                "id": hit.object_id,
                "title": hit.titles,
                "url": request.build_absolute_uri(hit.url),
                "snippet": str(hit.snippet),
                "snippet_language": hit.snippet_language,
            }
            for hit in results.hits
        ],
        "facets": {
            name: [vars(value) for value in values]
            for name, values in (results.facets or {n: [] for n in Facets.model_fields}).items()
        },
    }


def _link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
