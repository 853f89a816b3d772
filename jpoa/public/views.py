"""The public site's pages: each view reads through `selectors` and renders one template."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jpoa.accounts.access import is_coordinator
from jpoa.events import selectors as event_selectors
from jpoa.events.calendar import events_calendar
from jpoa.plan.published import pillars_of, site_plan

from . import data, selectors
from .forms import EventFilterForm, FindingFilterForm, VersionCompareForm
from .now import what_is_happening


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Render a page; every page's header and footer show the site's plan."""
    if "plan" not in context:
        context["plan"] = site_plan()
    return render(request, f"public/{template}", context, status=status)


def _page_or_data(
    request: HttpRequest, template: str, context: dict, *, name: str, format: str | None
) -> HttpResponse:
    """The page, or with `format` its data twin built from the same context."""
    if format is None:
        return _page(request, template, context)
    query = request.GET.urlencode()
    page = request.build_absolute_uri(reverse(f"public:{name}") + (f"?{query}" if query else ""))
    rows = data.ROWS[name](request, context)
    return data.respond(request, format, name, rows, page)


def home(request: HttpRequest) -> HttpResponse:
    plan = site_plan()
    context = {"plan": plan, **selectors.home_page(plan), "now": what_is_happening()}
    return _page(request, "home.html", context)


def plan(request: HttpRequest, format: str | None = None) -> HttpResponse:
    plan = site_plan()
    context = {"plan": plan, **selectors.plan_page(plan)}
    return _page_or_data(request, "plan.html", context, name="plan", format=format)


def plan_compare(request: HttpRequest) -> HttpResponse:
    plan = site_plan()
    versions = selectors.plan_versions(plan)
    form = VersionCompareForm(request.GET or None, versions=versions)
    pair = form.pair()
    if request.GET and pair is None:
        return _page(request, "plan_compare.html", {"plan": plan, "form": form}, status=400)
    labels = (pair[0].label, pair[1].label) if pair else None
    context = selectors.plan_compare_page(plan, labels)
    return _page(request, "plan_compare.html", {"plan": plan, "form": form, **context})


def pillar_list(request: HttpRequest) -> HttpResponse:
    plan = site_plan()
    return _page(request, "pillar_list.html", {"plan": plan, **selectors.pillar_list_page(plan)})


def pillar_detail(request: HttpRequest, number: int) -> HttpResponse:
    plan = site_plan()
    context = selectors.pillar_page(plan, number)
    return _page(request, "pillar_detail.html", {"plan": plan, **context})


def state_list(request: HttpRequest) -> HttpResponse:
    plan = site_plan()
    return _page(request, "state_list.html", {"plan": plan, **selectors.state_list_page(plan)})


def state_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    if iso2 != iso2.lower():
        raise Http404("State codes are lower case in URLs")
    return _page(request, "state_detail.html", selectors.state_page(iso2))


def phase_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _page(request, "phase_detail.html", selectors.phase_page(key))


def event_list(request: HttpRequest, format: str | None = None) -> HttpResponse:
    plan = site_plan()
    form = EventFilterForm(
        request.GET,
        pillars=list(pillars_of(plan)),
        countries=list(event_selectors.event_countries()),
        years=event_selectors.event_years(),
    )
    context = selectors.event_list_page(filters=form.event_filters())
    context = {"plan": plan, "form": form, **context}
    return _page_or_data(request, "event_list.html", context, name="events", format=format)


def upcoming_calendar(request: HttpRequest) -> HttpResponse:
    plan = site_plan()
    body = events_calendar(
        event_selectors.upcoming_events(),
        name=_("Upcoming events: %(plan)s") % {"plan": plan or "jpoa"},
        domain=request.get_host().split(":")[0],
        url_of=lambda event: request.build_absolute_uri(reverse("public:event", args=[event.key])),
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="upcoming-events.ics"'
    return response


def participants(request: HttpRequest, format: str | None = None) -> HttpResponse:
    context = selectors.participants_page()
    return _page_or_data(request, "participants.html", context, name="participants", format=format)


def finding_list(request: HttpRequest, format: str | None = None) -> HttpResponse:
    plan = site_plan()
    form = FindingFilterForm(
        request.GET,
        pillars=list(pillars_of(plan)),
        countries=list(selectors.region_countries(plan)),
        events=list(event_selectors.events_with_findings()),
    )
    context = selectors.findings_page(form.finding_filters())
    context = {"plan": plan, "form": form, **context}
    return _page_or_data(request, "finding_list.html", context, name="findings", format=format)


def finding_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _page(request, "finding_detail.html", selectors.finding_page(key))


def event_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _page(request, "event_detail.html", selectors.event_page(key))


def library(request: HttpRequest, format: str | None = None) -> HttpResponse:
    context = selectors.library_page()
    return _page_or_data(request, "library.html", context, name="library", format=format)


def resource_detail(request: HttpRequest, key: str) -> HttpResponse:
    context = selectors.resource_page(key)
    context["can_upload"] = is_coordinator(request.user)
    return _page(request, "resource_detail.html", context)


def sources(request: HttpRequest) -> HttpResponse:
    return _page(request, "sources.html", selectors.sources_page())


def robots(request: HttpRequest) -> HttpResponse:
    """Everything public may be indexed; the sitemap lists it."""
    lines = [
        "User-agent: *",
        "Disallow: /*/admin/",
        "Disallow: /*/accounts/",
        "Disallow: /*/rounds/",
        "Disallow: /*/data/import/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
