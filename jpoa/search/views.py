"""The search page: a form in the URL, results from `services.search`, no script needed."""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language

from jpoa.lib.pagecache import published_page
from jpoa.plan.published import site_plan

from .forms import SearchForm
from .models import Facet
from .services import chosen_filters, search


# A visitor who is not signed in gets a search seen before from the cache until any
# public record changes, as the matrix pages are (`published_page`).
@published_page(params=tuple(SearchForm.base_fields))
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    arguments = form.search_arguments()
    results = search(**arguments, language=get_language())
    # Links keep the search's own parameters only: the page cache serves this page to
    # whoever asks with the same search, whatever else their address held.
    params = QueryDict(mutable=True)
    for name in SearchForm.base_fields:
        if name != "page" and name in request.GET:
            params.setlist(name, request.GET.getlist(name))
    context = {
        "plan": site_plan(),  # the header and footer of every public page show it
        "form": form,
        "results": results,
        "facet_groups": _facet_groups(results, params),
        "chosen": [
            {"name": Facet(name).label, "label": label, "remove_url": _url(params, name)}
            for name, _value, label in chosen_filters(results)
        ],
        "first_number": (results.page - 1) * results.page_size + 1,
        "first_page_url": _url(params, "page", 1),
        "previous_url": _url(params, "page", results.page - 1) if results.page > 1 else "",
        "next_url": (
            _url(params, "page", results.page + 1) if results.page < results.num_pages else ""
        ),
    }
    return render(request, "search/search.html", context)


def _facet_groups(results, params: QueryDict) -> list[dict]:
    groups = []
    for name, values in results.facets.items():
        if not values:
            continue
        groups.append(
            {
                "name": name,
                "label": Facet(name).label,
                "values": [
                    {
                        "label": v.label,
                        "count": v.count,
                        "selected": v.selected,
                        "url": _url(params, name, None if v.selected else v.value),
                    }
                    for v in values
                ],
            }
        )
    return groups


def _url(params: QueryDict, name: str, value=None) -> str:
    """This page's URL with NAME set to VALUE (or removed, with the page number)."""
    query = params.copy()
    if value is None:
        query.pop(name, None)
        query.pop("page", None)
    else:
        query[name] = str(value)
    return "?" + query.urlencode() if query else "?"
