"""Write the public data set in jpoa's data set format (see docs/data-format.md).

Only public data is written: internal fields (an activity's internal notes) never
leave the database this way. The output is stable: records in a fixed order, so
two exports of the same data differ only in ``exported_at``.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, Prefetch
from django.utils import timezone

from jpoa.core.models import Country, Organisation, Source
from jpoa.events.models import Event, Finding
from jpoa.lib.languages import LANGUAGES
from jpoa.library.models import Resource
from jpoa.matrix.models import Activity, Edition
from jpoa.plan.models import (
    ActionItem,
    Framework,
    FrameworkArea,
    Phase,
    Plan,
    PlanVersion,
    Strategy,
)

from . import FORMAT, FORMAT_VERSION


def _tr(obj: Model, name: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{name}_{lang}") or "" for lang in LANGUAGES}


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _keys(objs: Iterable, attr: str = "key") -> list:
    return sorted(getattr(o, attr) for o in objs)


def _provenance(obj: Model) -> dict:
    out = {
        "source": obj.source.key if obj.source_id else None,
        "locator": obj.source_locator,
        "basis": obj.classification_basis,
    }
    note = _tr(obj, "provenance_note")
    if any(note.values()):
        out["note"] = note
    return out


def _item_ref(item: ActionItem) -> str:
    return f"{item.version.plan.key}/{item.version.label}/{item.code}"


def export_dataset(*, key: str = "jpoa-export") -> dict[str, Any]:
    """The whole public data set as one JSON-ready dictionary."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().replace(microsecond=0).isoformat(),
        "dataset": {
            "key": key,
            "title": {"en": "jpoa data set export", "ru": "Выгрузка набора данных jpoa"},
            "description": {"en": "", "ru": ""},
            "synthetic": False,
        },
        "sources": [_source(s) for s in Source.objects.order_by("key")],
        "countries": [
            _country(c) for c in Country.objects.select_related("source").order_by("iso2")
        ],
        "organisations": [
            _organisation(o)
            for o in Organisation.objects.select_related("source", "parent", "country").order_by(
                "key"
            )
        ],
        "strategies": [
            _strategy(s)
            for s in Strategy.objects.select_related("source").prefetch_related("pillars__source")
        ],
        "frameworks": [
            _framework(f)
            for f in Framework.objects.select_related("source").prefetch_related(
                Prefetch("areas", FrameworkArea.objects.select_related("source"))
            )
        ],
        "plans": [_plan(p) for p in _plans()],
        "phases": [
            _phase(p)
            for p in Phase.objects.select_related("plan", "source")
            .prefetch_related("implementing_offices", "donors")
            .order_by("plan__key", "number")
        ],
        "events": [_event(e) for e in _events()],
        "resources": [_resource(r) for r in _resources()],
        "activities": [_activity(a) for a in _activities()],
        "findings": [_finding(f) for f in _findings()],
        "editions": [_edition(e) for e in Edition.objects.order_by("number")],
    }


def _source(s: Source) -> dict:
    return {
        "key": s.key,
        "kind": s.kind,
        "title": _tr(s, "title"),
        "publisher": _tr(s, "publisher"),
        "url": s.url,
        "date": _date(s.date),
        "citation": _tr(s, "citation"),
    }


def _country(c: Country) -> dict:
    return {
        "iso2": c.iso2,
        "iso3": c.iso3,
        "name": _tr(c, "name"),
        "in_region": c.in_region,
        "provenance": _provenance(c),
    }


def _organisation(o: Organisation) -> dict:
    return {
        "key": o.key,
        "acronym": _tr(o, "acronym"),
        "name": _tr(o, "name"),
        "type": o.type,
        "parent": o.parent.key if o.parent_id else None,
        "country": o.country.iso2 if o.country_id else None,
        "website": o.website,
        "iati_id": o.iati_id,
        "description": _tr(o, "description"),
        "provenance": _provenance(o),
    }


def _strategy(s: Strategy) -> dict:
    return {
        "key": s.key,
        "title": _tr(s, "title"),
        "symbol": s.symbol,
        "description": _tr(s, "description"),
        "provenance": _provenance(s),
        "pillars": [
            {
                "number": p.number,
                "short_title": _tr(p, "short_title"),
                "title": _tr(p, "title"),
                "provenance": _provenance(p),
            }
            for p in sorted(s.pillars.all(), key=lambda p: p.number)
        ],
    }


def _framework(f: Framework) -> dict:
    return {
        "key": f.key,
        "title": _tr(f, "title"),
        "short_title": _tr(f, "short_title"),
        "symbol": f.symbol,
        "description": _tr(f, "description"),
        "position": f.position,
        "provenance": _provenance(f),
        "areas": [
            {
                "code": a.code,
                "title": _tr(a, "title"),
                "position": a.position,
                "provenance": _provenance(a),
            }
            for a in f.areas.all()
        ],
    }


def _plans():
    versions = PlanVersion.objects.select_related("adopted_at_event", "source").prefetch_related(
        Prefetch("items", ActionItem.objects.select_related("pillar", "source")),
        "participations__country",
        "participations__source",
    )
    return (
        Plan.objects.select_related("strategy", "source")
        .prefetch_related("countries", Prefetch("versions", versions))
        .order_by("key")
    )


def _plan(p: Plan) -> dict:
    return {
        "key": p.key,
        "strategy": p.strategy.key,
        "title": _tr(p, "title"),
        "short_title": _tr(p, "short_title"),
        "region": _tr(p, "region"),
        "countries": _keys(p.countries.all(), "iso2"),
        "description": _tr(p, "description"),
        "provenance": _provenance(p),
        "versions": [_plan_version(v) for v in p.versions.all()],
    }


def _plan_version(v: PlanVersion) -> dict:
    return {
        "label": v.label,
        "adopted_on": _date(v.adopted_on),
        "adopted_at": _tr(v, "adopted_at"),
        "adopted_at_event": v.adopted_at_event.key if v.adopted_at_event_id else None,
        "notes": _tr(v, "notes"),
        "provenance": _provenance(v),
        "items": [
            {
                "code": i.code,
                "pillar": i.pillar.number,
                "title": _tr(i, "title"),
                "text": _tr(i, "text"),
                "position": i.position,
                "provenance": _provenance(i),
            }
            for i in v.items.all()
        ],
        "participation": [
            {
                "country": s.country.iso2,
                "status": s.status,
                "date": _date(s.date),
                "place": _tr(s, "place"),
                "provenance": _provenance(s),
            }
            for s in sorted(v.participations.all(), key=lambda s: s.country.iso2)
        ],
    }


def _phase(p: Phase) -> dict:
    return {
        "key": p.key,
        "plan": p.plan.key,
        "number": p.number,
        "title": _tr(p, "title"),
        "description": _tr(p, "description"),
        "start_year": p.start_year,
        "end_year": p.end_year,
        "end_note": _tr(p, "end_note"),
        "implementing_offices": _keys(p.implementing_offices.all()),
        "donors": _keys(p.donors.all()),
        "provenance": _provenance(p),
    }


def _events():
    return (
        Event.objects.select_related("phase", "country", "source")
        .prefetch_related(
            "pillars",
            "action_items__version__plan",
            "organisers",
            "co_organisers",
            "donors",
            "participant_groups__country",
            "participant_groups__organisation",
            "documents__resource",
        )
        .order_by("start_date", "key")
    )


def _event(e: Event) -> dict:
    return {
        "key": e.key,
        "kind": e.kind,
        "number": e.number,
        "title": _tr(e, "title"),
        "summary": _tr(e, "summary"),
        "outcome": _tr(e, "outcome"),
        "phase": e.phase.key if e.phase_id else None,
        "start_date": _date(e.start_date),
        "end_date": _date(e.end_date),
        "city": _tr(e, "city"),
        "country": e.country.iso2 if e.country_id else None,
        "pillars": _keys(e.pillars.all(), "number"),
        "action_items": sorted(_item_ref(i) for i in e.action_items.all()),
        "organisers": _keys(e.organisers.all()),
        "co_organisers": _keys(e.co_organisers.all()),
        "donors": _keys(e.donors.all()),
        "participants_total": e.participants_total,
        "participants": [
            {
                "country": g.country.iso2 if g.country_id else None,
                "organisation": g.organisation.key if g.organisation_id else None,
                "women": g.women,
                "men": g.men,
                "total": g.total,
            }
            for g in sorted(e.participant_groups.all(), key=lambda g: g.pk)
        ],
        "documents": [
            {
                "kind": d.kind,
                "title": _tr(d, "title"),
                "resource": d.resource.key if d.resource_id else None,
                "url": d.url,
            }
            for d in sorted(e.documents.all(), key=lambda d: d.pk)
        ],
        "provenance": _provenance(e),
    }


def _resources():
    return (
        Resource.objects.select_related("source_organisation", "event", "source")
        .prefetch_related("pillars", "countries", "versions")
        .order_by("key")
    )


def _resource(r: Resource) -> dict:
    return {
        "key": r.key,
        "kind": r.kind,
        "title": _tr(r, "title"),
        "description": _tr(r, "description"),
        "symbol": r.symbol,
        "date": _date(r.date),
        "year": r.year,
        "source_organisation": r.source_organisation.key if r.source_organisation_id else None,
        "pillars": _keys(r.pillars.all(), "number"),
        "countries": _keys(r.countries.all(), "iso2"),
        "event": r.event.key if r.event_id else None,
        "versions": [
            {"language": v.language, "url": v.url, "file": v.file.name if v.file else None}
            for v in sorted(r.versions.all(), key=lambda v: v.language)
        ],
        "provenance": _provenance(r),
    }


def _activities():
    return (
        Activity.objects.select_related("lead_organisation", "source")
        .prefetch_related(
            "partners",
            "donors",
            "pillars",
            "countries",
            "action_items__version__plan",
            "framework_areas__framework",
        )
        .order_by("key")
    )


def activity_record(a: Activity) -> dict:
    """One activity in the data set format; also what an edition keeps of it.

    `framework_areas` comes last and only when the activity has some: an activity
    classified under no framework is the record it was before frameworks existed.
    """
    record = {
        "key": a.key,
        "iati_identifier": a.iati_identifier,
        "lead_organisation": a.lead_organisation.key,
        "partners": _keys(a.partners.all()),
        "donors": _keys(a.donors.all()),
        "title": _tr(a, "title"),
        "description": _tr(a, "description"),
        "pillars": _keys(a.pillars.all(), "number"),
        "action_items": sorted(_item_ref(i) for i in a.action_items.all()),
        "countries": _keys(a.countries.all(), "iso2"),
        "region_wide": a.region_wide,
        "start_date": _date(a.start_date),
        "end_date": _date(a.end_date),
        "status": a.status,
        "budget": str(a.budget) if a.budget is not None else None,
        "currency": a.currency,
        "source_url": a.source_url,
        "last_verified": _date(a.last_verified),
        "provenance": _provenance(a),
    }
    areas = sorted(x.ref for x in a.framework_areas.all())
    if areas:
        record["framework_areas"] = areas
    return record


_activity = activity_record


def _findings():
    return (
        Finding.objects.select_related("event", "source")
        .prefetch_related(
            "pillars",
            "action_items__version__plan",
            "addressed_to_countries",
            "addressed_to_organisations",
            "follow_up_activities",
            "follow_up_events",
            "status_changes",
        )
        .order_by("key")
    )


def _finding(f: Finding) -> dict:
    return {
        "key": f.key,
        "kind": f.kind,
        "text": _tr(f, "text"),
        "event": f.event.key if f.event_id else None,
        "status": f.status,
        "pillars": _keys(f.pillars.all(), "number"),
        "action_items": sorted(_item_ref(i) for i in f.action_items.all()),
        "addressed_to_countries": _keys(f.addressed_to_countries.all(), "iso2"),
        "addressed_to_organisations": _keys(f.addressed_to_organisations.all()),
        "follow_up_activities": _keys(f.follow_up_activities.all()),
        "follow_up_events": _keys(f.follow_up_events.all()),
        "status_changes": [
            {"date": _date(c.date), "status": c.status, "explanation": _tr(c, "explanation")}
            for c in f.status_changes.all()
        ],
        "provenance": _provenance(f),
    }


def _edition(e: Edition) -> dict:
    return {
        "number": e.number,
        "title": _tr(e, "title"),
        "notes": _tr(e, "notes"),
        "as_of": _date(e.as_of),
        "published_at": e.published_at.replace(microsecond=0).isoformat(),
        "entries": [x.data for x in e.entries.order_by("activity_key")],
    }
