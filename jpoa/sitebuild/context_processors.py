from django.urls import reverse

from .context import building


def static_site(request) -> dict:
    """`static_site` for templates: set only while `jpoa site build` renders the pages.

    Then `static_site.search_url` is the static search page, which the header's search
    form leads to instead of the server's search.
    """
    if not building():
        return {}
    return {"static_site": {"search_url": reverse("sitebuild-search")}}
