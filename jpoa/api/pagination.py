"""Page-number pagination with absolute links to the next and previous pages."""

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from .problems import problem

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Records per page (at most {MAX_PAGE_SIZE}).",
    )


class PageNotFound(Exception):
    pass


def _link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(request: HttpRequest, items, params: PageParams, serialize) -> dict:
    """One page of ``items`` (a queryset in a stable order, or a list) as the API gives it."""
    paginator = Paginator(items, params.page_size, allow_empty_first_page=True)
    if params.page > paginator.num_pages:
        raise PageNotFound(f"There is no page {params.page}; the last is {paginator.num_pages}.")
    page = paginator.page(params.page)
    return {
        "count": paginator.count,
        "next": _link(request, page.next_page_number()) if page.has_next() else None,
        "previous": _link(request, page.previous_page_number()) if page.has_previous() else None,
        "results": [serialize(item) for item in page.object_list],
    }


def page_not_found(request, exc: PageNotFound):
    return problem(404, str(exc), [{"field": "query.page", "message": str(exc)}])
