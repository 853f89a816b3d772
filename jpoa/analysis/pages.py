"""What the analysis pages and reports show: the analyses of an edition, cached, and their charts.

Published editions never change, so an edition's gap analysis and activity trends
are computed once per edition, language and year range and kept in Django's cache;
events change, so their trends are read anew (a small table).
"""

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jpoa.lib.charts import Bar, Moment, bar_chart, column_chart, heatmap, timeline
from jpoa.matrix.models import Edition

from .gaps import GapAnalysis, coverage_gaps
from .trends import ActivityTrends, EventTrends, activity_trends

CACHE_SECONDS = 60 * 60 * 24 * 30


def _cached(kind: str, edition: Edition, compute, *extra):
    key = ":".join(str(p) for p in ("jpoa-analysis", kind, edition.pk, get_language(), *extra))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def edition_gaps(edition: Edition, year_from=None, year_to=None, framework=None) -> GapAnalysis:
    return _cached(
        "gaps",
        edition,
        lambda: coverage_gaps(edition, year_from=year_from, year_to=year_to, framework=framework),
        year_from,
        year_to,
        *([framework] if framework else []),
    )


def edition_trends(edition: Edition) -> ActivityTrends:
    return _cached("trends", edition, lambda: activity_trends(edition))


def gaps_heatmap(analysis: GapAnalysis):
    """Pillars by state, and a last column of each pillar's region-wide activities."""
    grid = analysis.grid()
    return heatmap(
        title=_("Current activities by pillar and state"),
        description=_(
            "Number of planned or ongoing activities of edition %(n)s in each pillar and "
            "state, and region-wide in the last column; a dash marks a cell with none."
        )
        % {"n": analysis.edition.number},
        rows=[_("Pillar %(n)s") % {"n": pillar.numeral} for pillar, _cells in grid],
        columns=[*(c.name for c in analysis.countries), _("Region-wide")],
        values=[
            [*(cell.current for cell in cells), cells[0].region_wide if cells else 0]
            for _pillar, cells in grid
        ],
    )


def _years(series, years):
    return [series.at(y) for y in years]


def activity_charts(trends: ActivityTrends) -> dict:
    years = trends.years
    labels = [str(y) for y in years]
    return {
        "activities": column_chart(
            title=_("Activities by year"),
            description=_("Number of activities running in each year."),
            categories=labels,
            series=[(_("activities"), _years(trends.activities, years))],
            value_label=_("activities"),
            category_label=_("year"),
        ),
        "organisations": column_chart(
            title=_("Lead organisations by year"),
            description=_("Number of organisations leading an activity in each year."),
            categories=labels,
            series=[(_("organisations"), _years(trends.organisations, years))],
            value_label=_("organisations"),
            category_label=_("year"),
        ),
        "pillars": column_chart(
            title=_("Activities by pillar and year"),
            description=_("Number of activities running in each year under each pillar."),
            categories=labels,
            series=[
                (_("Pillar %(n)s") % {"n": s.label}, _years(s, years)) for s in trends.by_pillar
            ],
            value_label=_("activities"),
            category_label=_("year"),
        ),
        "countries": column_chart(
            title=_("Activities by state and year"),
            description=_("Number of activities running in each year in each state."),
            categories=labels,
            series=[(s.label, _years(s, years)) for s in trends.by_country],
            value_label=_("activities"),
            category_label=_("year"),
        ),
    }


def event_charts(trends: EventTrends, events=()) -> dict:
    labels = [str(y) for y in trends.years]
    charts = {
        "events": column_chart(
            title=_("Events by year"),
            description=_("Number of the programme's events held in each year."),
            categories=labels,
            series=[(_("events"), _years(trends.events, trends.years))],
            value_label=_("events"),
            category_label=_("year"),
        ),
    }
    bars = participant_bars(trends)
    if bars:
        charts["participants"] = bar_chart(
            title=_("Participants by sex and year"),
            description=_(
                "Women, men and participants of unrecorded sex in each year's events; a "
                "year or a sex with nothing recorded has no bar (not a bar of zero)."
            ),
            bars=bars,
            value_label=_("participants"),
        )
    if events:
        charts["timeline"] = timeline(
            title=_("Events on a timeline"),
            description=_("The events in date order, with their first day."),
            moments=[Moment(e.start_date, e.label) for e in events],
        )
    return charts


def participant_bars(trends: EventTrends) -> list[Bar]:
    """Bars of what was recorded only: an unrecorded count is left out, never drawn as 0."""
    return [
        Bar(f"{row.year}: {label}", value, kind)
        for row in trends.participants
        if row.total is not None
        for label, value, kind in (
            (_("women"), row.women, ""),
            (_("men"), row.men, ""),
            (_("unknown"), row.unknown, "unknown"),
        )
        if value is not None and (value or kind != "unknown")
    ]


def activity_rows(trends: ActivityTrends) -> list[list]:
    """The numbers behind the activity charts: year, activities, organisations, each pillar."""
    return [
        [
            year,
            trends.activities.at(year),
            trends.organisations.at(year),
            *(s.at(year) for s in trends.by_pillar),
        ]
        for year in trends.years
    ]
