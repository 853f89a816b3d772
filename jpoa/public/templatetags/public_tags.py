"""Template helpers of the public site: language switch, navigation, dates."""

import datetime
from pathlib import PurePath

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from jpoa.events.statistics import UNKNOWN
from jpoa.lib import dates
from jpoa.lib.charts import Bar, bar_chart
from jpoa.lib.urls import kept_reverse, kept_translate_url

register = template.Library()

# (URL name, label, the views that belong to the section as "namespace:name" or "namespace:*")
NAVIGATION = [
    ("public:home", _("Home"), ("public:home",)),
    ("public:plan", _("Plan"), ("public:plan",)),
    ("public:pillars", _("Pillars"), ("public:pillars", "public:pillar")),
    ("public:states", _("States"), ("public:states", "public:state")),
    ("matrix:organisations", _("Matrix"), ("matrix:*",)),
    ("public:events", _("Events"), ("public:events", "public:event", "public:phase")),
    ("public:library", _("Library"), ("public:library", "public:resource", "library:*")),
    ("analysis:gaps", _("Analysis"), ("analysis:*",)),
    ("exchange:downloads", _("Data"), ("exchange:downloads",)),
]


@register.simple_tag(takes_context=True)
def navigation(context) -> list[dict]:
    """The main navigation, marking the current page and the current section."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = {f"{match.namespace}:{match.url_name}", f"{match.namespace}:*"} if match else set()
    links = []
    for name, label, url_names in NAVIGATION:
        url = kept_reverse(name)
        state = ""
        if current & set(url_names):
            state = "page" if request.path == url else "true"
        links.append({"url": url, "label": label, "current": state})
    return links


@register.simple_tag(takes_context=True)
def other_languages(context) -> list[dict]:
    """Links to this same page in every other language of the site."""
    request = context.get("request")
    # The path is translated (kept: `kept_translate_url`), the query string kept as it is.
    path = escape_uri_path(request.path) if request else "/"
    query = request.META.get("QUERY_STRING", "") if request else ""
    query = f"?{iri_to_uri(query)}" if query else ""
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        info = translation.get_language_info(code)
        url = kept_translate_url(path, code) + query
        links.append({"code": code, "name": info["name_local"], "url": url})
    return links


@register.filter
def language_name(code: str) -> str:
    """A language's own name for itself ('Русский'), or the code when Django does not know it."""
    try:
        return translation.get_language_info(code)["name_local"]
    except KeyError:
        return code


@register.simple_tag
def date_range(start: datetime.date | None, end: datetime.date | None = None) -> str:
    """'15–16 December 2010', '29 March – 2 April 2011', or one date."""
    return dates.date_range(start, end)


@register.filter
def file_name(path: str) -> str:
    """The last part of a stored file's path: 'plan.pdf' for 'library/2026/plan.pdf'."""
    return PurePath(path).name


@register.filter
def local_date(value: datetime.date | None) -> str:
    return dates.local_date(value)


@register.simple_tag
def source_language() -> str:
    """The language of untranslated record fields (locators, provenance notes)."""
    return getattr(settings, "MODELTRANSLATION_DEFAULT_LANGUAGE", settings.LANGUAGE_CODE)


@register.simple_tag
def breakdown_chart(breakdown, title: str, description: str, value_label: str, chart_id: str = ""):
    """A participants breakdown (`jpoa.events.statistics.Breakdown`) as an SVG bar chart."""
    bars = [
        Bar(str(capfirst(row.label)), row.count, UNKNOWN if row.key == UNKNOWN else "")
        for row in breakdown.rows
    ]
    return bar_chart(
        title=title,
        description=description,
        bars=bars,
        value_label=value_label,
        chart_id=chart_id or None,
    )


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}\u00a0%"


@register.inclusion_tag("public/includes/data_links.html", takes_context=True)
def data_links(context, url_name: str) -> dict:
    """'Download this page: JSON · CSV', each link keeping the page's filters."""
    request = context.get("request")
    query = request.GET.urlencode() if request else ""
    suffix = f"?{query}" if query else ""
    return {
        "links": [
            (label, reverse(url_name, kwargs={"format": format}) + suffix)
            for label, format in (("JSON", "json"), ("CSV", "csv"))
        ]
    }


@register.inclusion_tag("public/includes/canonical.html", takes_context=True)
def canonical_links(context) -> dict:
    """The page's canonical URL and its address in every language (hreflang, x-default)."""
    request = context.get("request")
    if request is None:
        return {}
    path = request.path
    current = translation.get_language()
    alternates = [
        (code, request.build_absolute_uri(kept_translate_url(path, code)))
        for code, _name in settings.LANGUAGES
    ]
    default = dict(alternates).get(settings.LANGUAGE_CODE)
    return {
        "canonical": request.build_absolute_uri(kept_translate_url(path, current)),
        "alternates": [*alternates, ("x-default", default)] if default else alternates,
    }
