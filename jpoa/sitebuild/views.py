from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jpoa.plan.published import site_plan


def search(request: HttpRequest) -> HttpResponse:
    """The static site's search page: the browser searches the index written beside it."""
    return render(request, "sitebuild/search.html", {"plan": site_plan()})
