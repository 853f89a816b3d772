"""The public site's pages: each view reads through `selectors` and renders one template."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .forms import EventFilterForm


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Render a page; every page's header and footer show the site's plan."""
    if "plan" not in context:
        context["plan"] = selectors.site_plan()
    return render(request, f"public/{template}", context)


def home(request: HttpRequest) -> HttpResponse:
    plan = selectors.site_plan()
    return _page(request, "home.html", {"plan": plan, **selectors.home_page(plan)})


def plan(request: HttpRequest) -> HttpResponse:
    plan = selectors.site_plan()
    return _page(request, "plan.html", {"plan": plan, **selectors.plan_page(plan)})


def pillar_list(request: HttpRequest) -> HttpResponse:
    plan = selectors.site_plan()
    return _page(request, "pillar_list.html", {"plan": plan, **selectors.pillar_list_page(plan)})


def pillar_detail(request: HttpRequest, number: int) -> HttpResponse:
    plan = selectors.site_plan()
    context = selectors.pillar_page(plan, number)
    return _page(request, "pillar_detail.html", {"plan": plan, **context})


def state_list(request: HttpRequest) -> HttpResponse:
    plan = selectors.site_plan()
    return _page(request, "state_list.html", {"plan": plan, **selectors.state_list_page(plan)})


def state_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    if iso2 != iso2.lower():
        raise Http404("State codes are lower case in URLs")
    return _page(request, "state_detail.html", selectors.state_page(iso2))


def phase_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _page(request, "phase_detail.html", selectors.phase_page(key))


def event_list(request: HttpRequest) -> HttpResponse:
    plan = selectors.site_plan()
    form = EventFilterForm(request.GET, pillars=list(selectors.pillars_of(plan)))
    context = selectors.event_list_page(**form.filters())
    return _page(request, "event_list.html", {"plan": plan, "form": form, **context})


def event_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _page(request, "event_detail.html", selectors.event_page(key))


def library(request: HttpRequest) -> HttpResponse:
    return _page(request, "library.html", selectors.library_page())


def sources(request: HttpRequest) -> HttpResponse:
    return _page(request, "sources.html", selectors.sources_page())
