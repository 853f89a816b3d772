"""Reads of events and findings for the public: timeline filters, findings and their story.

Activities that follow a finding up are shown as the latest published matrix
edition has them (`jpoa.plan.coverage.published_activities`): a draft, or an
activity not yet published, is not shown.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from jpoa.core.models import Country
from jpoa.matrix.models import Edition, EditionEntry
from jpoa.matrix.published import PublishedActivity, latest_edition, published_activities
from jpoa.plan.models import ActionItem, Pillar

from .models import Event, Finding, FindingStatusChange

UPCOMING = "upcoming"
PAST = "past"


# -- events --------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilters:
    kind: str = ""
    pillar: Pillar | None = None
    country: Country | None = None
    year: int | None = None
    when: str = ""  # UPCOMING, PAST or "" for all


def is_upcoming(event: Event, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (event.end_date or event.start_date) >= today


def filter_events(events: QuerySet[Event], filters: EventFilters) -> QuerySet[Event]:
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.pillar is not None:
        events = events.filter(pillars=filters.pillar)
    if filters.country is not None:
        events = events.filter(country=filters.country)
    if filters.year is not None:
        events = events.filter(start_date__year=filters.year)
    today = timezone.localdate()
    ongoing_or_later = Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today)
    if filters.when == UPCOMING:
        events = events.filter(ongoing_or_later)
    elif filters.when == PAST:
        events = events.exclude(ongoing_or_later)
    return events


def event_years() -> list[int]:
    """The years in which events took place, for the timeline's year filter."""
    return sorted({d.year for d in Event.objects.dates("start_date", "year")})


def event_countries() -> QuerySet[Country]:
    """The countries where events took place, for the timeline's country filter."""
    return Country.objects.filter(events__isnull=False).distinct().order_by("name")


def upcoming_events() -> QuerySet[Event]:
    """Events not yet over, soonest first: the iCalendar feed."""
    events = Event.objects.select_related("country", "phase")
    return filter_events(events, EventFilters(when=UPCOMING)).order_by("start_date", "pk")


# -- findings ------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingFilters:
    kind: str = ""
    status: str = ""
    pillar: Pillar | None = None
    country: Country | None = None
    event: Event | None = None

    @property
    def active(self) -> bool:
        return any((self.kind, self.status, self.pillar, self.country, self.event))


def findings(filters: FindingFilters) -> list[Finding]:
    """The findings that pass the filters, by the date of the event that raised them."""
    qs = Finding.objects.select_related("event", "plan_version__plan").prefetch_related(
        "pillars", "addressed_to_countries", "addressed_to_organisations"
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.pillar is not None:
        qs = qs.filter(pillars=filters.pillar)
    if filters.country is not None:
        qs = qs.filter(addressed_to_countries=filters.country)
    if filters.event is not None:
        qs = qs.filter(event=filters.event)
    return list(qs.order_by("event__start_date", "key"))


def events_with_findings() -> QuerySet[Event]:
    """The events that raised findings, for the findings filter."""
    return Event.objects.filter(findings__isnull=False).distinct().order_by("start_date")


@dataclass
class FindingStory:
    """A finding from the meeting that raised it to what was done about it."""

    finding: Finding
    history: list[FindingStatusChange]
    edition: Edition | None
    activities: list[PublishedActivity]
    later_events: list[Event]


def finding_story(key: str) -> FindingStory | None:
    finding = (
        Finding.objects.select_related("event__country", "plan_version__plan", "source")
        .prefetch_related(
            "pillars",
            "addressed_to_countries",
            "addressed_to_organisations",
            Prefetch("action_items", ActionItem.objects.select_related("version", "pillar")),
            Prefetch(
                "follow_up_events",
                Event.objects.select_related("country").order_by("start_date", "pk"),
            ),
        )
        .filter(key=key)
        .first()
    )
    if finding is None:
        return None
    edition = latest_edition()
    activities = []
    if edition is not None:
        activity_ids = Finding.follow_up_activities.through.objects.filter(finding=finding)
        entries = EditionEntry.objects.filter(
            edition=edition, activity_id__in=activity_ids.values("activity_id")
        )
        activities = published_activities(entries)
    return FindingStory(
        finding=finding,
        history=list(finding.status_changes.order_by("date", "pk")),
        edition=edition,
        activities=activities,
        later_events=list(finding.follow_up_events.all()),
    )
