"""Each public list page's data twin: the rows it shows, as JSON or CSV.

A page's view builds its context with the page's selector and, asked for
``.json`` or ``.csv``, hands that same context to the page's row function here
instead of rendering it, so the twin honours the page's filters by construction.
Values are in the page's language; CSV cells are neutralised against formula
injection as the matrix exports are.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from jpoa.lib.cells import safe_cell

FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
LIST_SEPARATOR = "; "


class DataFormatConverter:
    """The ``json`` or ``csv`` of a page's twin URL (``events.json``)."""

    regex = "json|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def respond(request: HttpRequest, format: str, name: str, rows: list[dict], page: str):
    """The rows as a download named after the page (``events.csv``); `page` is its HTML URL."""
    if format == "csv":
        body = _csv(COLUMNS[name], rows)
    else:
        body = json.dumps(
            {"page": page, "count": len(rows), "rows": rows},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=1,
        )
    response = HttpResponse(body, content_type=FORMATS[format])
    response["Content-Disposition"] = f'inline; filename="{name}.{format}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _csv(columns: list[str], rows: list[dict]) -> str:
    """A header row (also when nothing matches), then the rows' cells, made safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(_flat(value)) for key, value in row.items()})
    return out.getvalue()


def _flat(value):
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if value is None:
        return ""
    return value


def _names(objects: Iterable, attribute: str = "label") -> list[str]:
    return [str(getattr(o, attribute)) for o in objects]


def _url(request: HttpRequest, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


# -- one function per page: the page's context to rows ----------------------------------


def plan_rows(request: HttpRequest, context: dict) -> list[dict]:
    """Every action item of every version with its coverage in the latest edition."""
    edition = context.get("edition")
    return [
        {
            "version": version.label,
            "pillar": group.pillar.number,
            "code": coverage.item.code,
            "title": coverage.item.title,
            "activities": coverage.activity_count,
            "current_activities": coverage.current_count,
            "gap": not coverage.has_current_activity,
            "countries": _names((p.country for p in coverage.places if p.country), "name"),
            "region_wide": any(p.region_wide for p in coverage.places),
            "events": [e.key for e in coverage.events],
            "edition": edition.number if edition else None,
        }
        for version in context["versions"]
        for group in version.pillar_items
        for coverage in group.items
    ]


def event_rows(request: HttpRequest, context: dict) -> list[dict]:
    return [
        {
            "key": event.key,
            "label": event.label,
            "title": event.title,
            "kind": event.kind,
            "start_date": event.start_date,
            "end_date": event.end_date,
            "city": event.city,
            "country": event.country.iso2 if event.country else "",
            "phase": event.phase.key if event.phase else "",
            "pillars": [p.number for p in event.pillars.all()],
            "co_organisers": _names(event.co_organisers.all()),
            "upcoming": getattr(event, "upcoming", False),
            "url": _url(request, "public:event", event.key),
        }
        for group in context["timeline"]
        for event in group.events
    ]


def finding_rows(request: HttpRequest, context: dict) -> list[dict]:
    return [
        {
            "key": finding.key,
            "kind": finding.kind,
            "status": finding.status,
            "text": finding.text,
            "event": finding.event.key if finding.event else "",
            "pillars": [p.number for p in finding.pillars.all()],
            "addressed_to_countries": [c.iso2 for c in finding.addressed_to_countries.all()],
            "addressed_to_organisations": _names(finding.addressed_to_organisations.all()),
            "url": _url(request, "public:finding", finding.key),
        }
        for finding in context["findings"]
    ]


def participant_rows(request: HttpRequest, context: dict) -> list[dict]:
    """The participants table: the whole programme, then each phase, year and event."""
    report = context["report"]
    groups = [
        ("programme", [report.overall]),
        ("phase", report.by_phase),
        ("year", report.by_year),
        ("event", report.by_event),
    ]
    return [
        {
            "group": group,
            "key": stats.key,
            "label": stats.label,
            "events": stats.events,
            "events_without_numbers": stats.events_without_numbers,
            "participants": stats.recorded_total,
            "women": stats.women,
            "men": stats.men,
        }
        for group, rows in groups
        for stats in rows
    ]


def resource_rows(request: HttpRequest, context: dict) -> list[dict]:
    return [
        {
            "key": resource.key,
            "kind": resource.kind,
            "title": resource.title,
            "symbol": resource.symbol,
            "date": resource.date,
            "year": resource.year,
            "source_organisation": resource.source_organisation.label
            if resource.source_organisation
            else "",
            "languages": [v.language for v in resource.versions.all()],
            "pillars": [p.number for p in resource.pillars.all()],
            "countries": [c.iso2 for c in resource.countries.all()],
            "url": _url(request, "public:resource", resource.key),
        }
        for resource in context["resources"]
    ]


ROWS: dict[str, Callable[[HttpRequest, dict], list[dict]]] = {
    "plan": plan_rows,
    "events": event_rows,
    "findings": finding_rows,
    "participants": participant_rows,
    "library": resource_rows,
}

# The CSV header of each twin: the keys its row function writes, in order.
COLUMNS: dict[str, list[str]] = {
    "plan": [
        "version",
        "pillar",
        "code",
        "title",
        "activities",
        "current_activities",
        "gap",
        "countries",
        "region_wide",
        "events",
        "edition",
    ],
    "events": [
        "key",
        "label",
        "title",
        "kind",
        "start_date",
        "end_date",
        "city",
        "country",
        "phase",
        "pillars",
        "co_organisers",
        "upcoming",
        "url",
    ],
    "findings": [
        "key",
        "kind",
        "status",
        "text",
        "event",
        "pillars",
        "addressed_to_countries",
        "addressed_to_organisations",
        "url",
    ],
    "participants": [
        "group",
        "key",
        "label",
        "events",
        "events_without_numbers",
        "participants",
        "women",
        "men",
    ],
    "library": [
        "key",
        "kind",
        "title",
        "symbol",
        "date",
        "year",
        "source_organisation",
        "languages",
        "pillars",
        "countries",
        "url",
    ],
}
