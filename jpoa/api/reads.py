"""Read endpoints over everything public; each one calls the query function its page uses."""

from dataclasses import asdict

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import http_date
from ninja import Query, Router, Schema
from pydantic import Field

from jpoa.core.models import Country, Organisation, Source
from jpoa.dataset import export
from jpoa.events.models import Event, Finding
from jpoa.lib import pagecache
from jpoa.lib.pagecache import cache_edition, data_changed_at
from jpoa.library.models import Resource
from jpoa.matrix import selectors
from jpoa.matrix.editions import compare_editions
from jpoa.matrix.forms import MatrixFilterForm
from jpoa.matrix.models import Activity, Edition
from jpoa.matrix.selectors import Matrix, MatrixFilters
from jpoa.plan.models import Framework, Pillar, Plan
from jpoa.plan.published import pillars_of, site_plan

from . import schemas as s
from .pagination import PageParams, paginate
from .schemas import choice


class InvalidQuery(Exception):
    """A query parameter the pages' filter form refuses; `errors` as problem errors.

    ``status`` is 404 when every refused value is well formed but names nothing known
    (a country, organisation, pillar or plan item that is not recorded), 422 otherwise.
    """

    def __init__(self, errors: list[dict], status: int = 422):
        self.errors = errors
        self.status = status
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


router = Router()


# -- editions and filters, read as the matrix pages read them ----------------------------


class EditionQuery(Schema):
    edition: int | None = Field(
        None,
        ge=1,
        le=2_147_483_647,
        description="A published edition's number; the latest when omitted. Responses for "
        "a named edition never change and are cached for a long time.",
    )


class MatrixQuery(EditionQuery):
    country: str | None = Field(
        None,
        pattern=r"^([A-Za-z]{2}|region|none)$",
        description="ISO alpha-2 code; `region` for region-wide activities, `none` for "
        "activities that name no place.",
    )
    pillar: str | None = Field(
        None, pattern=r"^([0-9]{1,2}|none)$", description="Pillar number, or `none`."
    )
    item: int | None = Field(
        None, ge=1, le=2_147_483_647, description="A plan action item's id (see /plans)."
    )
    organisation: str | None = Field(
        None, max_length=100, description="Key of the lead organisation."
    )
    organisation_type: choice(Organisation.Type.values) | None = Field(
        None,
        description="Type of the lead organisation.",
    )
    status: choice(Activity.Status.values) | None = Field(
        None,
        description="Activity status.",
    )
    year_from: int | None = Field(
        None, ge=1900, le=2200, description="Activities running in or after this year."
    )
    year_to: int | None = Field(
        None, ge=1900, le=2200, description="Activities running in or before this year."
    )
    framework: str | None = Field(
        None,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Key of a framework (see /frameworks): its areas are the columns instead "
        "of the pillars, and only activities classified under them are counted.",
    )
    area: str | None = Field(
        None, max_length=30, description="An area's code in the chosen `framework`."
    )


def _edition(request: HttpRequest, response: HttpResponse) -> Edition:
    """The edition the request names (404 if unpublished) or the latest; sets the caching."""
    editions = selectors.published_editions()
    raw = request.GET.get("edition")
    number = int(raw) if raw else None
    edition = selectors.pick_edition(editions, number)
    if edition is None or (number is not None and edition.number != number):
        raise Http404(
            f"Edition {number} is not published." if number else "No edition is published yet."
        )
    cache_edition(response, explicit=number is not None)
    return edition


def _filters(request: HttpRequest) -> MatrixFilters:
    """The filters as the matrix pages' form reads them; a value it refuses is a 422."""
    query = request.GET.copy()
    if query.get("country") and len(query["country"]) == 2:
        query["country"] = query["country"].upper()
    query.pop("edition", None)
    form = MatrixFilterForm(
        query, options=selectors.filter_options(), editions=selectors.published_editions()
    )
    if not form.is_valid():
        refused = form.errors.as_data()
        unknown = all(e.code == "invalid_choice" for errors in refused.values() for e in errors)
        raise InvalidQuery(
            [
                {"field": f"query.{name}", "message": message}
                for name, errors in refused.items()
                for error in errors
                for message in error.messages
            ],
            status=404 if unknown else 422,
        )
    return form.filters()


def _matrix(m: Matrix) -> dict:
    return {
        "edition": m.edition.number,
        "filters": m.filters.params(),
        "columns": [asdict(c) for c in m.columns],
        "rows": [
            {
                "label": r.label,
                "kind": r.kind,
                "note": str(r.note),
                "params": r.params,
                "total": r.total,
                "cells": [
                    {"count": c.count, "params": c.params, "activities": c.activities}
                    for c in r.cells
                ],
            }
            for r in m.rows
        ],
        "activity_count": m.activity_count,
        **({"framework": m.framework.key} if m.framework else {}),
    }


def _kept_answer(request: HttpRequest, response: HttpResponse, *, kind, params, schema, answer):
    """ANSWER() as ninja renders it against SCHEMA, kept whole in the page cache until
    the data changes, under a key of the request's PARAMS (None: all of them).

    An answer asked for before then costs no filter form (a dozen queries) and no
    validation of some thousand cells or records against the schema. Only answers that
    passed both are kept (an error raises before).
    """
    seconds = pagecache.cache_seconds()
    changed = data_changed_at() if seconds else None
    if changed is None:
        return answer()
    response["Last-Modified"] = http_date(changed.timestamp())
    key = pagecache.cache_key(request, kind=kind, params=params, changed_at=changed)
    content = cache.get(key)
    if content is None:
        rendered = schema.model_validate(answer()).model_dump(exclude_unset=True)
        from .urls import api  # (which imports this module)

        api.create_response(request, rendered, temporal_response=response)  # as ninja does
        cache.set(key, response.content, seconds)
    else:
        response.content = content
    return response


def _matrix_endpoint(build):
    def endpoint(request: HttpRequest, response: HttpResponse, query: Query[MatrixQuery]):
        edition = _edition(request, response)
        return _kept_answer(
            request,
            response,
            kind="api-matrix",
            params=MatrixQuery.model_fields,  # what ninja reads: no other parameter counts
            schema=s.Matrix,
            answer=lambda: _matrix(build(edition, _filters(request))),
        )

    endpoint.__doc__ = build.__doc__
    return endpoint


router.get(
    "/matrix/organisations-pillars",
    response=s.Matrix,
    tags=["matrix"],
    exclude_unset=True,
    operation_id="matrix_organisations_pillars",
    summary="Organisations × pillars (the classic matrix)",
)(_matrix_endpoint(selectors.organisations_by_pillars))
router.get(
    "/matrix/countries-pillars",
    response=s.Matrix,
    tags=["matrix"],
    exclude_unset=True,
    operation_id="matrix_countries_pillars",
    summary="Countries × pillars (the coverage heatmap)",
)(_matrix_endpoint(selectors.countries_by_pillars))
router.get(
    "/matrix/items-countries",
    response=s.Matrix,
    tags=["matrix"],
    exclude_unset=True,
    operation_id="matrix_items_countries",
    summary="Plan action items × countries",
)(_matrix_endpoint(selectors.items_by_countries))


# -- activities and editions ----------------------------------------------------------


ActivityPage = s.page_of(s.ActivityRecord, "ActivityPage")


@router.get("/activities", response=ActivityPage, exclude_unset=True, tags=["matrix"])
def activities(
    request: HttpRequest,
    response: HttpResponse,
    query: Query[MatrixQuery],
    page: Query[PageParams],
):
    """The activities of an edition that pass the filters (the matrix cells' lists), by key."""
    edition = _edition(request, response)
    return _kept_answer(
        request,
        response,
        kind="api-activities",
        params=None,  # the links to the pages around repeat the whole query
        schema=ActivityPage,
        answer=lambda: paginate(
            request, selectors.matching_records(edition, _filters(request)), page, lambda d: d
        ),
    )


@router.get("/activities/{key}", response=s.ActivityInEdition, exclude_unset=True, tags=["matrix"])
def activity(request: HttpRequest, response: HttpResponse, key: str, query: Query[EditionQuery]):
    """One activity as an edition has it (or as last published), with its history."""
    edition = _edition(request, response)
    found = selectors.activity_page(key, edition)
    if found is None:
        raise Http404("This activity is in no published edition.")
    return {
        "edition": found.edition.number,
        "in_requested_edition": found.in_chosen_edition,
        "record": found.record,
        "history": [
            {
                "edition": step.edition.number,
                "present": step.present,
                "is_new": step.is_new,
                "changes": [asdict(c) for c in step.changes],
            }
            for step in found.history
        ],
    }


def _edition_record(e: Edition) -> dict:
    return {
        "number": e.number,
        "title": export.translated(e, "title"),
        "notes": export.translated(e, "notes"),
        "as_of": e.as_of,
        "published_at": e.published_at,
        "activity_count": e.activity_count,
    }


@router.get("/editions", response=list[s.EditionOut], exclude_unset=True, tags=["matrix"])
def editions(request: HttpRequest):
    """The published editions of the matrix, newest first."""
    return [_edition_record(e) for e in selectors.published_editions()]


class CompareQuery(Schema):
    from_: int = Field(..., alias="from", ge=1, le=2_147_483_647, description="Earlier edition.")
    to: int = Field(..., ge=1, le=2_147_483_647, description="Later edition.")


@router.get(
    "/editions/compare", response=s.Comparison, exclude_unset=True, tags=["matrix"], by_alias=True
)
def compare(request: HttpRequest, response: HttpResponse, query: Query[CompareQuery]):
    """What changed from one edition to another: activities added, ended and changed."""
    by_number = {e.number: e for e in selectors.published_editions()}
    old, new = by_number.get(query.from_), by_number.get(query.to)
    if old is None or new is None:
        missing = query.from_ if old is None else query.to
        raise Http404(f"Edition {missing} is not published.")
    comparison = compare_editions(old, new)
    cache_edition(response, explicit=True)
    return {
        "from": old.number,
        "to": new.number,
        "added": comparison.added,
        "ended": comparison.ended,
        "changed": [
            {"key": c.key, "changes": [asdict(f) for f in c.changes]} for c in comparison.changed
        ],
        "unchanged_count": comparison.unchanged_count,
    }


@router.get("/editions/{number}", response=s.EditionOut, exclude_unset=True, tags=["matrix"])
def edition(request: HttpRequest, response: HttpResponse, number: int):
    """One published edition."""
    found = get_object_or_404(Edition, number=number)
    cache_edition(response, explicit=True)
    return _edition_record(found)


# -- the plan -------------------------------------------------------------------------


def _pillar(p: Pillar) -> dict:
    return {
        "number": p.number,
        "numeral": p.numeral,
        "short_title": export.translated(p, "short_title"),
        "title": export.translated(p, "title"),
        "provenance": export.provenance_of(p),
    }


@router.get("/pillars", response=list[s.Pillar], exclude_unset=True, tags=["plan"])
def pillars(request: HttpRequest):
    """The pillars of the Strategy the site's plan implements."""
    return [_pillar(p) for p in pillars_of(site_plan()).order_by("number")]


@router.get("/pillars/{number}", response=s.Pillar, exclude_unset=True, tags=["plan"])
def pillar(request: HttpRequest, number: int):
    """One pillar."""
    return _pillar(get_object_or_404(pillars_of(site_plan()), number=number))


@router.get("/frameworks", response=list[s.Framework], exclude_unset=True, tags=["plan"])
def frameworks(request: HttpRequest):
    """The frameworks beside the pillars (the PVE Plan of Action's priority areas, ...)."""
    qs = Framework.objects.select_related("source").prefetch_related("areas__source")
    return [export.framework_record(f) for f in qs]


@router.get("/plans", response=list[s.Plan], exclude_unset=True, tags=["plan"])
def plans(request: HttpRequest):
    """The plans with their versions, action items and each state's participation."""
    return [export.plan_record(p) for p in export.plans_to_export()]


@router.get("/plans/{key}", response=s.Plan, exclude_unset=True, tags=["plan"])
def plan(request: HttpRequest, key: str):
    """One plan with its versions, action items and participation."""
    return export.plan_record(get_object_or_404(export.plans_to_export(), key=key))


@router.get("/phases", response=list[s.Phase], exclude_unset=True, tags=["plan"])
def phases(request: HttpRequest):
    """The programme's phases, with implementing offices and donors."""
    qs = export.Phase.objects.select_related("plan", "source").prefetch_related(
        "implementing_offices", "donors"
    )
    return [export.phase_record(p) for p in qs.order_by("plan__key", "number", "key")]


@router.get("/phases/{key}", response=s.Phase, exclude_unset=True, tags=["plan"])
def phase(request: HttpRequest, key: str):
    """One phase."""
    return export.phase_record(get_object_or_404(export.Phase, key=key))


# -- who and where ----------------------------------------------------------------------


@router.get("/countries", response=list[s.Country], exclude_unset=True, tags=["reference"])
def countries(request: HttpRequest):
    """Countries: the plan's states and any other a record names, by ISO code."""
    return [
        export.country_record(c) for c in Country.objects.select_related("source").order_by("iso2")
    ]


@router.get("/countries/{iso2}", response=s.Country, exclude_unset=True, tags=["reference"])
def country(request: HttpRequest, iso2: str):
    """One country."""
    return export.country_record(get_object_or_404(Country, iso2=iso2.upper()))


class OrganisationQuery(Schema):
    type: choice(Organisation.Type.values) | None = Field(
        None,
        description="Only organisations of this type.",
    )


@router.get(
    "/organisations",
    response=s.page_of(s.OrganisationRecord, "OrganisationPage"),
    tags=["reference"],
)
def organisations(request: HttpRequest, query: Query[OrganisationQuery], page: Query[PageParams]):
    """Organisations, by key."""
    qs = Organisation.objects.select_related("source", "parent", "country").order_by("key")
    if query.type:
        qs = qs.filter(type=query.type)
    return paginate(request, qs, page, export.organisation_record)


@router.get(
    "/organisations/{key}", response=s.OrganisationRecord, exclude_unset=True, tags=["reference"]
)
def organisation(request: HttpRequest, key: str):
    """One organisation."""
    return export.organisation_record(get_object_or_404(Organisation, key=key))


@router.get("/sources", response=list[s.Source], exclude_unset=True, tags=["reference"])
def sources(request: HttpRequest):
    """The documents, pages and imports that records cite."""
    return [export.source_record(x) for x in Source.objects.order_by("key")]


# -- events, findings, the library --------------------------------------------------------


class EventQuery(Schema):
    kind: choice(Event.Kind.values) | None = Field(None, description="Event kind.")
    pillar: int | None = Field(None, ge=1, le=99, description="Pillar number.")


@router.get(
    "/events", response=s.page_of(s.Event, "EventPage"), exclude_unset=True, tags=["events"]
)
def events(request: HttpRequest, query: Query[EventQuery], page: Query[PageParams]):
    """Events with participants and documents, in date order."""
    qs = export.events_to_export()
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.pillar:
        qs = qs.filter(pillars__number=query.pillar)
    return paginate(request, qs, page, export.event_record)


@router.get("/events/{key}", response=s.Event, exclude_unset=True, tags=["events"])
def event(request: HttpRequest, key: str):
    """One event with its participants and documents."""
    return export.event_record(get_object_or_404(export.events_to_export(), key=key))


class FindingQuery(Schema):
    kind: choice(Finding.Kind.values) | None = Field(None, description="Kind.")
    status: choice(Finding.Status.values) | None = Field(None, description="Status.")
    event: str | None = Field(None, max_length=100, description="Key of the event.")


@router.get(
    "/findings",
    response=s.page_of(s.FindingRecord, "FindingPage"),
    exclude_unset=True,
    tags=["events"],
)
def findings(request: HttpRequest, query: Query[FindingQuery], page: Query[PageParams]):
    """Findings and recommendations of events, by key."""
    qs = export.findings_to_export()
    for name in ("kind", "status"):
        if getattr(query, name):
            qs = qs.filter(**{name: getattr(query, name)})
    if query.event:
        qs = qs.filter(event__key=query.event)
    return paginate(request, qs, page, export.finding_record)


@router.get("/findings/{key}", response=s.FindingRecord, exclude_unset=True, tags=["events"])
def finding(request: HttpRequest, key: str):
    """One finding or recommendation with its status over time."""
    return export.finding_record(get_object_or_404(export.findings_to_export(), key=key))


class ResourceQuery(Schema):
    kind: choice(Resource.Kind.values) | None = Field(None, description="Kind.")
    pillar: int | None = Field(None, ge=1, le=99, description="Pillar number.")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO alpha-2.")


@router.get(
    "/resources",
    response=s.page_of(s.ResourceRecord, "ResourcePage"),
    exclude_unset=True,
    tags=["library"],
)
def resources(request: HttpRequest, query: Query[ResourceQuery], page: Query[PageParams]):
    """The library's documents and links, by key."""
    qs = export.resources_to_export()
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.pillar:
        qs = qs.filter(pillars__number=query.pillar)
    if query.country:
        qs = qs.filter(countries__iso2=query.country.upper())
    return paginate(request, qs, page, export.resource_record)


@router.get("/resources/{key}", response=s.ResourceRecord, exclude_unset=True, tags=["library"])
def resource(request: HttpRequest, key: str):
    """One resource with its language versions."""
    return export.resource_record(get_object_or_404(export.resources_to_export(), key=key))


__all__ = ["router", "InvalidQuery", "Plan"]
