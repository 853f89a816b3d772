"""Reads for the public site: one function per page, each a fixed number of queries.

The public site shows one plan (the first recorded); its strategy gives the
pillars and its countries the states of the region. Nothing here is tied to the
Central Asia data set.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, F, Prefetch, QuerySet
from django.http import Http404

from jpoa.core.models import Country, Source
from jpoa.events import selectors as event_selectors
from jpoa.events.models import Event, EventDocument, EventParticipants, Finding
from jpoa.events.selectors import EventFilters, FindingFilters, is_upcoming
from jpoa.events.statistics import event_statistics, events_with_participants, participants_report
from jpoa.library.models import Resource, ResourceVersion
from jpoa.matrix.models import Activity
from jpoa.matrix.published import latest_edition
from jpoa.plan.comparison import compare_versions
from jpoa.plan.models import ActionItem, Participation, Phase, Pillar, Plan, PlanVersion
from jpoa.plan.published import pillars_of
from jpoa.public.citations import citing_records

from .coverage import plan_coverage


@dataclass
class YearGroup:
    year: int
    events: list[Event]


@dataclass
class PhaseGroup:
    """The events of one phase (or of no phase), in date order, also split by year."""

    phase: Phase | None
    events: list[Event] = field(default_factory=list)

    @property
    def years(self) -> list[YearGroup]:
        return [
            YearGroup(year, list(events))
            for year, events in groupby(self.events, key=lambda e: e.start_date.year)
        ]


@dataclass
class StateRow:
    """A state with its participation under each plan version (None: not recorded)."""

    country: Country
    cells: list[Participation | None]


@dataclass
class PillarItems:
    pillar: Pillar
    items: list[ActionItem]


# -- building blocks ---------------------------------------------------------------


def _events() -> QuerySet[Event]:
    """Events as the timeline lists them: place, phase, pillars and partners."""
    return Event.objects.select_related("country", "phase").prefetch_related(
        "pillars", "co_organisers"
    )


def group_by_phase(events: list[Event]) -> list[PhaseGroup]:
    """Events grouped by phase in phase order, events without a phase last."""
    groups: dict[int | None, PhaseGroup] = {}
    for event in sorted(events, key=lambda e: (e.start_date, e.pk)):
        groups.setdefault(event.phase_id, PhaseGroup(event.phase)).events.append(event)
    return sorted(groups.values(), key=_phase_order)


def _phase_order(group: PhaseGroup) -> tuple:
    if group.phase is None:
        return (1, 0, 0)
    return (0, group.phase.number, group.phase.pk)


def _versions(plan: Plan | None) -> list[PlanVersion]:
    if plan is None:
        return []
    return list(plan.versions.select_related("adopted_at_event", "source"))


def plan_versions(plan: Plan | None) -> list[PlanVersion]:
    return _versions(plan)


def region_countries(plan: Plan | None) -> QuerySet[Country]:
    """The states of the plan's region, by name."""
    return plan.countries.order_by("name") if plan else Country.objects.none()


def state_rows(plan: Plan | None, versions: list[PlanVersion]) -> list[StateRow]:
    """The states of the plan's region, each with its standing under every version."""
    if plan is None:
        return []
    by_state: dict[int, dict[int, Participation]] = defaultdict(dict)
    states = {c.pk: c for c in plan.countries.all()}
    for p in Participation.objects.filter(version__plan=plan).select_related("country"):
        by_state[p.country_id][p.version_id] = p
        states.setdefault(p.country_id, p.country)
    return [
        StateRow(country, [by_state[country.pk].get(v.pk) for v in versions])
        for country in sorted(states.values(), key=lambda c: c.name)
    ]


def _phases(plan: Plan | None) -> QuerySet[Phase]:
    phases = Phase.objects.select_related("source").prefetch_related(
        "implementing_offices", "donors"
    )
    return phases.filter(plan=plan) if plan else phases.none()


# -- pages -------------------------------------------------------------------------


def home_page(plan: Plan | None) -> dict:
    versions = _versions(plan)
    return {
        "pillars": list(pillars_of(plan)),
        "versions": versions,
        "state_rows": state_rows(plan, versions),
        "phases": list(_phases(plan)),
        "timeline": group_by_phase(list(_events())),
    }


def plan_page(plan: Plan | None) -> dict:
    if plan is None:
        return {"versions": []}
    versions = list(
        plan.versions.select_related("adopted_at_event", "source").prefetch_related(
            Prefetch("items", ActionItem.objects.select_related("pillar")),
            Prefetch("participations", Participation.objects.select_related("country")),
        )
    )
    edition = latest_edition()
    coverage = plan_coverage([i for v in versions for i in v.items.all()], edition)
    for version in versions:
        version.pillar_items = [
            PillarItems(pillar, [coverage[i.pk] for i in items])
            for pillar, items in groupby(version.items.all(), key=lambda i: i.pillar)
        ]
        version.gap_count = sum(
            not c.has_current_activity for group in version.pillar_items for c in group.items
        )
    return {"versions": versions, "edition": edition}


def plan_compare_page(plan: Plan | None, labels: tuple[str, str] | None) -> dict:
    """Two versions of the plan compared; by default the last two."""
    versions = _versions(plan)
    by_label = {v.label: v for v in versions}
    if labels is None:
        pair = (versions[-2], versions[-1]) if len(versions) > 1 else None
    else:
        pair = (by_label[labels[0]], by_label[labels[1]])
    return {
        "versions": versions,
        "comparison": compare_versions(*pair) if pair else None,
    }


def pillar_list_page(plan: Plan | None) -> dict:
    pillars = list(pillars_of(plan))
    counts = {
        "events": _count_by_pillar(Event.pillars.through),
        "resources": _count_by_pillar(Resource.pillars.through),
        "activities": _count_by_pillar(Activity.pillars.through),
    }
    for pillar in pillars:
        pillar.counts = {name: c.get(pillar.pk, 0) for name, c in counts.items()}
    return {"pillars": pillars}


def _count_by_pillar(through) -> dict[int, int]:
    rows = through.objects.values("pillar_id").annotate(n=Count("pk"))
    return {row["pillar_id"]: row["n"] for row in rows}


def pillar_page(plan: Plan | None, number: int) -> dict:
    pillar = pillars_of(plan).filter(number=number).first()
    if pillar is None:
        raise Http404("No such pillar")
    return {
        "pillar": pillar,
        "events": list(
            pillar.events.select_related("country", "phase", "source").prefetch_related(
                "pillars", "co_organisers"
            )
        ),
        "resources": list(pillar.resources.select_related("source")),
        "action_items": list(pillar.action_items.select_related("version")),
        "activity_count": pillar.activities.count(),
    }


def state_list_page(plan: Plan | None) -> dict:
    versions = _versions(plan)
    rows = state_rows(plan, versions)
    events = Country.objects.filter(pk__in=[r.country.pk for r in rows]).annotate(n=Count("events"))
    event_counts = {c.pk: c.n for c in events}
    for row in rows:
        row.event_count = event_counts.get(row.country.pk, 0)
    return {"versions": versions, "state_rows": rows}


def state_page(iso2: str) -> dict:
    country = Country.objects.select_related("source").filter(iso2=iso2.upper()).first()
    if country is None or not country.in_region:
        raise Http404("No such state of the region")
    return {
        "country": country,
        "participations": list(
            country.participations.select_related("version__plan", "version__adopted_at_event")
        ),
        "events": list(_events().filter(country=country)),
        "activity_count": country.activities.count(),
    }


def phase_page(key: str) -> dict:
    phase = Phase.objects.select_related("source").prefetch_related(
        "implementing_offices", "donors"
    )
    phase = phase.filter(key=key).first()
    if phase is None:
        raise Http404("No such phase")
    return {"phase": phase, "events": list(_events().filter(phase=phase))}


def event_list_page(*, filters: EventFilters | None = None) -> dict:
    events = list(event_selectors.filter_events(_events(), filters or EventFilters()))
    for event in events:
        event.upcoming = is_upcoming(event)
    return {"timeline": group_by_phase(events), "event_count": len(events)}


def participants_page() -> dict:
    report = participants_report(events_with_participants())
    return {"report": report}


def findings_page(filters: FindingFilters) -> dict:
    found = event_selectors.findings(filters)
    return {"findings": found, "finding_count": len(found)}


def finding_page(key: str) -> dict:
    story = event_selectors.finding_story(key)
    if story is None:
        raise Http404("No such finding")
    return {"story": story, "finding": story.finding}


def event_page(key: str) -> dict:
    event = (
        Event.objects.select_related("country", "phase", "source")
        .prefetch_related(
            "pillars",
            "organisers",
            "co_organisers",
            "donors",
            Prefetch(
                "participant_groups",
                EventParticipants.objects.select_related("country", "organisation"),
            ),
            Prefetch("documents", EventDocument.objects.select_related("resource")),
            Prefetch("adopted_plan_versions", PlanVersion.objects.select_related("plan")),
            Prefetch("findings", Finding.objects.order_by("key")),
        )
        .filter(key=key)
        .first()
    )
    if event is None:
        raise Http404("No such event")
    groups = list(event.participant_groups.all())
    return {
        "event": event,
        "statistics": event_statistics(event, groups),
        "findings": list(event.findings.all()),
        "by_country": [g for g in groups if g.country_id],
        "by_organisation": [g for g in groups if g.organisation_id and not g.country_id],
        "has_sex_breakdown": any(g.women is not None or g.men is not None for g in groups),
    }


def _resources() -> QuerySet[Resource]:
    return Resource.objects.select_related(
        "source", "source_organisation", "event"
    ).prefetch_related(
        Prefetch("versions", ResourceVersion.objects.order_by("language").defer("text")),
        "pillars",
        Prefetch("countries", Country.objects.order_by("name")),
    )


def library_page() -> dict:
    resources = _resources().order_by(
        F("year").desc(nulls_last=True), F("date").desc(nulls_last=True), "pk"
    )
    return {"resources": list(resources)}


def resource_page(key: str) -> dict:
    resource = _resources().filter(key=key).first()
    if resource is None:
        raise Http404("No such resource")
    return {"resource": resource}


def sources_page() -> dict:
    """Each source with the records that cite it (one query per kind of record)."""
    sources = list(Source.objects.all())
    citing = citing_records()
    for source in sources:
        source.citing = citing.get(source.pk, [])
    return {"sources": sources}
