"""Write a data set in jpoa's data set format (see docs/data-format.md).

Two kinds, said plainly in the file's own description:

- **public** (the default): the activities as the latest published edition of the matrix
  holds them, so nothing a coordinator has not published leaves this way;
- **full** (``drafts=True``, `jpoa export json --full`): the activities as they are now,
  unpublished changes included: a copy of the records for another jpoa (a backup of the
  whole database is `jpoa backup`), not for publication.

Internal fields (an activity's internal notes) are in neither. The output is stable:
records in a fixed order, so two exports of the same data differ only in ``exported_at``.
The record functions (``event_record``, ``plan_record``, ...) are also the API's.
"""

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model, Prefetch
from django.utils import timezone

from jpoa.core.models import Country, Organisation, Source
from jpoa.events.models import Event, Finding
from jpoa.lib.languages import LANGUAGES
from jpoa.library.models import Resource
from jpoa.matrix import fields as registry
from jpoa.matrix.fields import Published, RecordField
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


def translated(obj: Model, name: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{name}_{lang}") or "" for lang in LANGUAGES}


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _keys(objs: Iterable, attr: str = "key") -> list:
    return sorted(getattr(o, attr) for o in objs)


def provenance_of(obj: Model) -> dict:
    out = {
        "source": obj.source.key if obj.source_id else None,
        "locator": obj.source_locator,
        "basis": obj.classification_basis,
    }
    note = translated(obj, "provenance_note")
    if any(note.values()):
        out["note"] = note
    return out


def item_ref(item: ActionItem) -> str:
    return f"{item.version.plan.key}/{item.version.label}/{item.code}"


def export_dataset(*, key: str = "jpoa-export", drafts: bool = False) -> dict[str, Any]:
    """The data set as one JSON-ready dictionary: public (published activities) or full."""
    edition = Edition.objects.order_by("-number").first()
    if drafts:
        activities = [activity_record(a) for a in activities_to_export()]
        description = {
            "en": "Full export: every record as it is now, unpublished changes to activities "
            "included. Not for publication.",
            "ru": "Полная выгрузка: все записи в их текущем виде, включая неопубликованные "
            "изменения мероприятий. Не для публикации.",
        }
    else:
        activities = published_records(edition)
        description = _public_description(edition)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().replace(microsecond=0).isoformat(),
        "dataset": {
            "key": key,
            "title": {"en": "jpoa data set export", "ru": "Выгрузка набора данных jpoa"},
            "description": description,
            "synthetic": False,
        },
        "sources": [source_record(s) for s in Source.objects.order_by("key")],
        "countries": [
            country_record(c) for c in Country.objects.select_related("source").order_by("iso2")
        ],
        "organisations": [
            organisation_record(o)
            for o in Organisation.objects.select_related("source", "parent", "country").order_by(
                "key"
            )
        ],
        "strategies": [
            _strategy(s)
            for s in Strategy.objects.select_related("source").prefetch_related("pillars__source")
        ],
        "frameworks": [
            framework_record(f)
            for f in Framework.objects.select_related("source").prefetch_related(
                Prefetch("areas", FrameworkArea.objects.select_related("source"))
            )
        ],
        "plans": [plan_record(p) for p in plans_to_export()],
        "phases": [
            phase_record(p)
            for p in Phase.objects.select_related("plan", "source")
            .prefetch_related("implementing_offices", "donors")
            .order_by("plan__key", "number")
        ],
        "events": [event_record(e) for e in events_to_export()],
        "resources": [resource_record(r) for r in resources_to_export()],
        "activities": activities,
        "findings": [finding_record(f) for f in findings_to_export()],
        "editions": [_edition(e) for e in Edition.objects.order_by("number")],
    }


def source_record(s: Source) -> dict:
    return {
        "key": s.key,
        "kind": s.kind,
        "title": translated(s, "title"),
        "publisher": translated(s, "publisher"),
        "url": s.url,
        "date": _date(s.date),
        "citation": translated(s, "citation"),
    }


def country_record(c: Country) -> dict:
    return {
        "iso2": c.iso2,
        "iso3": c.iso3,
        "name": translated(c, "name"),
        "in_region": c.in_region,
        "provenance": provenance_of(c),
    }


def organisation_record(o: Organisation) -> dict:
    return {
        "key": o.key,
        "acronym": translated(o, "acronym"),
        "name": translated(o, "name"),
        "type": o.type,
        "parent": o.parent.key if o.parent_id else None,
        "country": o.country.iso2 if o.country_id else None,
        "website": o.website,
        "iati_id": o.iati_id,
        "description": translated(o, "description"),
        "provenance": provenance_of(o),
    }


def _strategy(s: Strategy) -> dict:
    return {
        "key": s.key,
        "title": translated(s, "title"),
        "symbol": s.symbol,
        "description": translated(s, "description"),
        "provenance": provenance_of(s),
        "pillars": [
            {
                "number": p.number,
                "short_title": translated(p, "short_title"),
                "title": translated(p, "title"),
                "provenance": provenance_of(p),
            }
            for p in sorted(s.pillars.all(), key=lambda p: p.number)
        ],
    }


def framework_record(f: Framework) -> dict:
    return {
        "key": f.key,
        "title": translated(f, "title"),
        "short_title": translated(f, "short_title"),
        "symbol": f.symbol,
        "description": translated(f, "description"),
        "position": f.position,
        "provenance": provenance_of(f),
        "areas": [
            {
                "code": a.code,
                "title": translated(a, "title"),
                "position": a.position,
                "provenance": provenance_of(a),
            }
            for a in f.areas.all()
        ],
    }


def plans_to_export():
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


def plan_record(p: Plan) -> dict:
    return {
        "key": p.key,
        "strategy": p.strategy.key,
        "title": translated(p, "title"),
        "short_title": translated(p, "short_title"),
        "region": translated(p, "region"),
        "countries": _keys(p.countries.all(), "iso2"),
        "description": translated(p, "description"),
        "provenance": provenance_of(p),
        "versions": [_plan_version(v) for v in p.versions.all()],
    }


def _plan_version(v: PlanVersion) -> dict:
    return {
        "label": v.label,
        "adopted_on": _date(v.adopted_on),
        "adopted_at": translated(v, "adopted_at"),
        "adopted_at_event": v.adopted_at_event.key if v.adopted_at_event_id else None,
        "notes": translated(v, "notes"),
        "provenance": provenance_of(v),
        "items": [
            {
                "code": i.code,
                "pillar": i.pillar.number,
                "title": translated(i, "title"),
                "text": translated(i, "text"),
                "position": i.position,
                "provenance": provenance_of(i),
            }
            for i in v.items.all()
        ],
        "participation": [
            {
                "country": s.country.iso2,
                "status": s.status,
                "date": _date(s.date),
                "place": translated(s, "place"),
                "provenance": provenance_of(s),
            }
            for s in sorted(v.participations.all(), key=lambda s: s.country.iso2)
        ],
    }


def phase_record(p: Phase) -> dict:
    return {
        "key": p.key,
        "plan": p.plan.key,
        "number": p.number,
        "title": translated(p, "title"),
        "description": translated(p, "description"),
        "start_year": p.start_year,
        "end_year": p.end_year,
        "end_note": translated(p, "end_note"),
        "implementing_offices": _keys(p.implementing_offices.all()),
        "donors": _keys(p.donors.all()),
        "provenance": provenance_of(p),
    }


def events_to_export():
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


def event_record(e: Event) -> dict:
    return {
        "key": e.key,
        "kind": e.kind,
        "number": e.number,
        "title": translated(e, "title"),
        "summary": translated(e, "summary"),
        "outcome": translated(e, "outcome"),
        "phase": e.phase.key if e.phase_id else None,
        "start_date": _date(e.start_date),
        "end_date": _date(e.end_date),
        "city": translated(e, "city"),
        "country": e.country.iso2 if e.country_id else None,
        "pillars": _keys(e.pillars.all(), "number"),
        "action_items": sorted(item_ref(i) for i in e.action_items.all()),
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
                "title": translated(d, "title"),
                "resource": d.resource.key if d.resource_id else None,
                "url": d.url,
            }
            for d in sorted(e.documents.all(), key=lambda d: d.pk)
        ],
        "provenance": provenance_of(e),
    }


def resources_to_export():
    return (
        Resource.objects.select_related("source_organisation", "event", "source")
        .prefetch_related("pillars", "countries", "versions")
        .order_by("key")
    )


def resource_record(r: Resource) -> dict:
    return {
        "key": r.key,
        "kind": r.kind,
        "title": translated(r, "title"),
        "description": translated(r, "description"),
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
        "provenance": provenance_of(r),
    }


def published_records(edition: Edition | None) -> list[dict]:
    """The activities of EDITION as it keeps them (none before the first publication)."""
    if edition is None:
        return []
    return sorted(
        edition.entries.values_list("data", flat=True).iterator(chunk_size=2000),
        key=lambda record: record["key"],
    )


def _public_description(edition: Edition | None) -> dict[str, str]:
    if edition is None:
        return {
            "en": "Public export. No edition of the matrix is published yet, so it holds no "
            "activities.",
            "ru": "Открытая выгрузка. Ни один выпуск матрицы ещё не опубликован, поэтому "
            "мероприятий в ней нет.",
        }
    as_of = edition.as_of.isoformat()
    return {
        "en": f"Public export: the activities as published in edition {edition.number} of the "
        f"matrix (as of {as_of}).",
        "ru": f"Открытая выгрузка: мероприятия в том виде, в каком они опубликованы в выпуске "
        f"{edition.number} матрицы (по состоянию на {as_of}).",
    }


def activities_to_export():
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

    Its fields, their order and how each is written come from the field registry
    (`jpoa.matrix.fields.RECORD_FIELDS`). `framework_areas` comes last and only when
    the activity has some: an activity classified under no framework is the record it
    was before frameworks existed.
    """
    record = {}
    for field in registry.RECORD_FIELDS:
        value = _PUBLISHED[field.published](a, field)
        if value or not field.when_any:
            record[field.name] = value
    return record


def _linked_name(obj: Model, by: str):
    """How a record names a linked record: by a field of it, or a plan item's reference."""
    if by == "ref" and isinstance(obj, ActionItem):
        return item_ref(obj)
    return getattr(obj, by)


def _decimal(value) -> str | None:
    return str(value) if value is not None else None


# How the record writes a field of each kind (`jpoa.matrix.fields.Published`).
_PUBLISHED: dict[Published, Callable[[Activity, RecordField], Any]] = {
    Published.VALUE: lambda a, f: getattr(a, f.model_name),
    Published.TRANSLATED: lambda a, f: translated(a, f.model_name),
    Published.DATE: lambda a, f: _date(getattr(a, f.model_name)),
    Published.DECIMAL: lambda a, f: _decimal(getattr(a, f.model_name)),
    Published.KEY: lambda a, f: _linked_name(getattr(a, f.model_name), f.by),
    Published.LINKS: lambda a, f: sorted(
        _linked_name(x, f.by) for x in getattr(a, f.model_name).all()
    ),
    Published.PROVENANCE: lambda a, f: provenance_of(a),
}


def findings_to_export():
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


def finding_record(f: Finding) -> dict:
    return {
        "key": f.key,
        "kind": f.kind,
        "text": translated(f, "text"),
        "event": f.event.key if f.event_id else None,
        "status": f.status,
        "pillars": _keys(f.pillars.all(), "number"),
        "action_items": sorted(item_ref(i) for i in f.action_items.all()),
        "addressed_to_countries": _keys(f.addressed_to_countries.all(), "iso2"),
        "addressed_to_organisations": _keys(f.addressed_to_organisations.all()),
        "follow_up_activities": _keys(f.follow_up_activities.all()),
        "follow_up_events": _keys(f.follow_up_events.all()),
        "status_changes": [
            {"date": _date(c.date), "status": c.status, "explanation": translated(c, "explanation")}
            for c in f.status_changes.all()
        ],
        "provenance": provenance_of(f),
    }


def _edition(e: Edition) -> dict:
    return {
        "number": e.number,
        "title": translated(e, "title"),
        "notes": translated(e, "notes"),
        "as_of": _date(e.as_of),
        "published_at": e.published_at.replace(microsecond=0).isoformat(),
        "entries": [x.data for x in e.entries.order_by("activity_key")],
    }
