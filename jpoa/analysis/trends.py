"""Trends: activities, organisations and events by year, pillar and state; participants by sex.

An activity counts in every year it ran, from its start year to its end year (an
activity with no end year runs to the edition's year if it is planned or ongoing,
else only in its start year); activities without any year are counted apart as
*undated*. Activity counts come from GROUP BY queries over a published edition's
facts, grouped by (start, end) years and expanded to years in Python: a few hundred
groups, whatever the size of the edition.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from jpoa.core.models import Country
from jpoa.events.models import Event
from jpoa.events.statistics import events_with_participants, participants_report
from jpoa.matrix.models import Edition, EditionEntry, EditionFact
from jpoa.plan.models import roman

from .gaps import CURRENT


@dataclass
class Series:
    """Counts by year of one thing (all activities, one pillar, one state)."""

    label: str
    counts: dict[int, int] = field(default_factory=dict)

    def at(self, year: int) -> int:
        return self.counts.get(year, 0)


@dataclass
class SexByYear:
    """One year's participants; None where nothing was recorded (never 0 for unknown)."""

    year: int
    events: int
    total: int | None  # None: no event of the year recorded a number
    women: int | None
    men: int | None
    unknown: int | None
    events_without_numbers: int = 0


@dataclass
class ActivityTrends:
    years: list[int]
    activities: Series
    organisations: Series
    undated_activities: int
    by_pillar: list[Series]
    by_country: list[Series]


@dataclass
class EventTrends:
    years: list[int]
    events: Series
    events_by_pillar: list[Series]
    events_by_country: list[Series]
    participants: list[SexByYear]


def _span(start: int | None, end: int | None, status: str | None, last: int) -> range:
    if start is None and end is None:
        return range(0)
    start = start or end
    if end is None:
        end = max(start, last) if status in CURRENT else start
    return range(start, end + 1)


def _expand(rows, key: str | None, last: int) -> tuple[dict, int]:
    """{group: {year: count}} from rows of (group, start_year, end_year, status, n)."""
    series: dict = defaultdict(Counter)
    undated = 0
    for row in rows:
        years = _span(row["start_year"], row["end_year"], row.get("status"), last)
        if not years:
            undated += row["n"]
        for year in years:
            series[row[key] if key else None][year] += row["n"]
    return series, undated


def activity_trends(edition: Edition) -> ActivityTrends:
    last = edition.as_of.year
    entries = EditionEntry.objects.filter(edition=edition)
    dated = ("start_year", "end_year", "status")
    totals, undated = _expand(entries.values(*dated).annotate(n=Count("pk")), None, last)
    orgs, _u = _expand(
        entries.values("lead_organisation_id_at", *dated).annotate(n=Count("pk")),
        "lead_organisation_id_at",
        last,
    )
    facts = EditionFact.objects.filter(edition=edition)
    pillar_rows = (
        facts.filter(pillar_number__isnull=False)
        .values("pillar_number", *dated)
        .annotate(n=Count("entry_id", distinct=True))
    )
    by_pillar, _u = _expand(pillar_rows, "pillar_number", last)
    country_rows = (
        facts.filter(country__isnull=False)
        .values("country_id", *dated)
        .annotate(n=Count("entry_id", distinct=True))
    )
    by_country, _u = _expand(country_rows, "country_id", last)

    organisations = Counter()
    for counts in orgs.values():
        for year in counts:
            organisations[year] += 1
    all_years = sorted(totals.get(None, {}))
    years = list(range(all_years[0], all_years[-1] + 1)) if all_years else []
    countries = Country.objects.in_bulk(list(by_country))
    return ActivityTrends(
        years=years,
        activities=Series("activities", dict(totals.get(None, {}))),
        organisations=Series("organisations", dict(organisations)),
        undated_activities=undated,
        by_pillar=[Series(roman(n), dict(by_pillar[n])) for n in sorted(by_pillar)],
        by_country=[
            Series(countries[pk].name, dict(by_country[pk]))
            for pk in sorted(by_country, key=lambda pk: countries[pk].name)
        ],
    )


def event_trends() -> EventTrends:
    """Events by year, pillar and state, and their participants by sex, per year."""
    events = events_with_participants(Event.objects.prefetch_related("pillars"))
    years = sorted({e.start_date.year for e in events})
    by_pillar: dict = defaultdict(Counter)
    by_country: dict = defaultdict(Counter)
    for event in events:
        for pillar in event.pillars.all():
            by_pillar[pillar.numeral][event.start_date.year] += 1
        if event.country:
            by_country[event.country.name][event.start_date.year] += 1
    report = participants_report(events)
    return EventTrends(
        years=list(range(years[0], years[-1] + 1)) if years else [],
        events=Series("events", dict(Counter(e.start_date.year for e in events))),
        events_by_pillar=[Series(k, dict(v)) for k, v in sorted(by_pillar.items())],
        events_by_country=[Series(k, dict(v)) for k, v in sorted(by_country.items())],
        participants=[
            SexByYear(
                int(s.key),
                s.events,
                s.recorded_total,
                s.women,
                s.men,
                s.by_sex.unknown if s.has_numbers else None,
                s.events_without_numbers,
            )
            for s in report.by_year
        ],
    )
