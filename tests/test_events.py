"""The events timeline, its filters, the iCalendar feed and participants statistics."""

import datetime
import re

import pytest
from icalendar import Calendar
from test_public_pages import main_text, page, url

from jpoa.core.models import Country, Organisation
from jpoa.events.models import Event, EventParticipants
from jpoa.events.statistics import combine, event_statistics
from jpoa.lib.charts import Bar, bar_chart
from jpoa.plan.models import Phase, Pillar

pytestmark = pytest.mark.django_db

TIMELINE = [
    "expert-meeting-1",
    "expert-meeting-2",
    "expert-meeting-3",
    "high-level-meeting-2011",
    "regional-workshop-1",
    "regional-workshop-2",
    "regional-workshop-3",
    "regional-workshop-4",
    "regional-workshop-5",
    "high-level-dialogue-2017",
    "coordination-meeting-2018",
    "coordination-meeting-2019",
    "regional-consultation-2012",  # events of no phase come last, in date order
    "tashkent-conference-2022",
]


def event_keys(html: str) -> list[str]:
    """The event pages the timeline links to, in the order shown."""
    pattern = r'class="event-title">.*?href="/(?:en|ru)/events/([a-z0-9-]+)/"'
    return re.findall(pattern, html.split('<main id="main"')[1], flags=re.S)


def workshop(key="regional-workshop-6", days_from_now=30, **values) -> Event:
    start = datetime.date.today() + datetime.timedelta(days=days_from_now)
    values = {
        "key": key,
        "kind": Event.Kind.REGIONAL_WORKSHOP,
        "number": 6,
        "title_en": "Protecting Critical Infrastructure",
        "start_date": start,
        "end_date": start + datetime.timedelta(days=2),
        "city_en": "Bishkek",
        "country": Country.objects.get(iso2="KG"),
        "phase": Phase.objects.get(key="phase-2"),
        **values,
    }
    return Event.objects.create(**values)


# -- the timeline ----------------------------------------------------------------------


def test_it_shows_phase_one_then_phase_two_in_date_order(client, default_data):
    html = page(client, "public:events")
    assert event_keys(html) == TIMELINE
    text = main_text(html)
    assert text.index("Phase I") < text.index("Expert Meeting I") < text.index("Phase II")
    assert text.index("High-level meeting") < text.index("Phase II (2013–2017)")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "?country=tm",
            [
                "high-level-meeting-2011",
                "regional-workshop-3",
                "regional-workshop-5",
                "high-level-dialogue-2017",
            ],
        ),
        ("?year=2016", ["regional-workshop-4", "regional-workshop-5"]),
        ("?year=2011&kind=expert_meeting", ["expert-meeting-2", "expert-meeting-3"]),
        (
            "?pillar=2&country=tm",
            ["high-level-meeting-2011", "regional-workshop-3", "regional-workshop-5"],
        ),
        ("?when=past", TIMELINE),
        ("?when=upcoming", []),
    ],
)
def test_it_filters_the_timeline_from_the_url(client, default_data, query, expected):
    html = page(client, "public:events", query=query)
    assert event_keys(html) == expected


def test_it_ignores_an_unknown_country_or_year(client, default_data):
    html = page(client, "public:events", query="?country=xx&year=1999")
    assert "A filter was not understood and was ignored." in html
    assert event_keys(html) == TIMELINE


def test_it_marks_an_upcoming_event_and_filters_it(client, default_data):
    workshop()
    html = page(client, "public:events", query="?when=upcoming")
    assert event_keys(html) == ["regional-workshop-6"]
    assert "upcoming" in main_text(html)
    assert event_keys(page(client, "public:events", query="?when=past")) == TIMELINE


def test_the_calendar_lists_upcoming_events_as_valid_icalendar(client, default_data):
    event = workshop()
    workshop(key="ongoing", number=7, days_from_now=-1)  # started yesterday, ends tomorrow
    response = client.get(url("public:events_ics"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    entries = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in entries] == [
        "event-ongoing@testserver",
        "event-regional-workshop-6@testserver",
    ]
    entry = entries[1]
    assert (
        entry["DTSTART"].params.get("VALUE") == "DATE"
        or entry.decoded("DTSTART") == event.start_date
    )
    assert entry.decoded("DTSTART") == event.start_date
    assert entry.decoded("DTEND") == event.end_date + datetime.timedelta(days=1)
    assert str(entry["SUMMARY"]) == "Regional Workshop VI: Protecting Critical Infrastructure"
    assert str(entry["LOCATION"]) == "Bishkek, Kyrgyzstan"
    assert str(entry["URL"]) == "http://testserver/en/events/regional-workshop-6/"
    assert b"DTSTART;VALUE=DATE:" in response.content
    assert b"\r\n" in response.content  # RFC 5545 line endings


def test_the_calendar_is_empty_but_valid_when_nothing_is_upcoming(client, default_data):
    response = client.get(url("public:events_ics", "ru"))
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


# -- participants arithmetic -------------------------------------------------------------


def group(event, total, country=None, organisation=None, women=None, men=None):
    return EventParticipants.objects.create(
        event=event,
        total=total,
        women=women,
        men=men,
        country=Country.objects.get(iso2=country) if country else None,
        organisation=Organisation.objects.get(key=organisation) if organisation else None,
    )


def stats_of(event):
    return event_statistics(event, list(event.participant_groups.all()))


def test_the_high_level_meeting_has_54_participants_of_unknown_sex(default_data):
    stats = stats_of(Event.objects.get(key="high-level-meeting-2011"))
    assert stats.total == 54
    assert [(str(r.label), r.count) for r in stats.by_sex.rows] == [("unknown", 54)]
    assert [(str(r.label), r.count) for r in stats.by_country.rows] == [("unknown", 54)]
    assert stats.women_share is None


def test_breakdowns_add_up_to_the_total_with_the_rest_unknown(default_data):
    event = workshop(participants_total=40)
    group(event, 12, "KZ", women=5, men=7)
    group(event, 10, "KG", women=4, men=None)
    group(event, 8, organisation="osce", women=3, men=5)
    stats = stats_of(event)
    for breakdown in (stats.by_country, stats.by_sex, stats.by_organisation_type):
        assert sum(r.count for r in breakdown.rows) == 40
        assert breakdown.excess == 0
    assert stats.by_country.unknown == 18  # 40 - 12 - 10
    assert (stats.women, stats.men, stats.by_sex.unknown) == (12, 12, 16)
    # Only groups that count both women and men give the share: 8 of 20.
    assert stats.women_share == 40.0
    assert stats.by_organisation_type.unknown == 32


def test_an_event_without_a_total_takes_the_sum_of_its_groups(default_data):
    event = workshop()
    group(event, 6, "TJ", women=2, men=4)
    group(event, 4, "UZ", women=1, men=3)
    stats = stats_of(event)
    assert stats.total == 10 and stats.by_country.unknown == 0 and stats.by_sex.unknown == 0


def test_parts_beyond_the_total_are_reported_not_hidden(default_data):
    event = workshop(participants_total=5)
    group(event, 7, "KZ")
    other = workshop(key="other", number=8, participants_total=10)
    group(other, 4, "KZ")
    stats = combine("both", [stats_of(event), stats_of(other)])
    assert stats.total == 15
    assert stats.by_country.excess == 2 and stats.by_country.unknown == 6
    assert stats.by_country.known + stats.by_country.unknown - stats.by_country.excess == 15


def test_a_group_cannot_count_more_women_and_men_than_its_total(default_data):
    from django.core.exceptions import ValidationError

    event = workshop()
    with pytest.raises(ValidationError, match="more than the total"):
        EventParticipants(event=event, total=3, women=2, men=2).full_clean()


def test_the_event_page_shows_participants_with_the_unknown_rest(client, default_data):
    html = page(client, "public:event", key="high-level-meeting-2011")
    text = main_text(html)
    assert "Participants 54" in text
    assert "Share of women unknown" in text
    assert "By sex Sex Participants Unknown 54 Total 54" in text


def test_the_statistics_page_adds_up_events_by_phase_year_and_event(client, default_data):
    event = workshop(participants_total=30)
    group(event, 20, "KG", women=8, men=12)
    html = page(client, "public:participants")
    text = main_text(html)
    assert "All events Participants 84" in text
    assert "Events 15 (13 without participant numbers)" in text
    assert "Share of women 40.0 % of the 20 participants whose sex is recorded" in text
    assert "Kyrgyzstan 20 Unknown 64 Total 84" in text
    assert "Phase I: Preparation" in text
    assert "High-level meeting: High Level Meeting" in text
    # An accessible chart: named by its title and description, with its values as text.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in html
    assert 'aria-labelledby="overall-country-title overall-country-desc"' in html
    assert '<title id="overall-country-title">By country</title>' in html
    assert "<script" not in html.split('<main id="main"')[1]


def test_the_chart_escapes_its_text_and_writes_its_values():
    svg = bar_chart(
        title="A < B",
        description="d",
        bars=[Bar("x & y", 3), Bar("unknown", 2, "unknown")],
        value_label="Participants",
        chart_id="t",
    )
    assert '<title id="t-title">A &lt; B</title>' in svg and "x &amp; y" in svg
    assert ">3</text>" in svg and ">2</text>" in svg and "url(#t-hatch)" in svg
    assert ">Participants</text>" in svg and "style=" not in svg


# -- languages and query counts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "query"),
    [("public:events", "?country=kz&year=2013&when=past"), ("public:participants", "")],
)
def test_the_new_event_pages_serve_russian(client, default_data, name, query):
    html = page(client, name, "ru", query=query)
    assert '<html lang="ru">' in html and html.count("<h1") == 1


@pytest.mark.parametrize(
    ("name", "kwargs", "queries"),
    [
        ("public:events", {}, 7),
        ("public:participants", {}, 3),
        ("public:event", {"key": "high-level-meeting-2011"}, 10),
    ],
)
def test_the_event_pages_take_a_fixed_number_of_queries(
    client, default_data, django_assert_num_queries, name, kwargs, queries
):
    with django_assert_num_queries(queries):
        page(client, name, **kwargs)
    workshop(participants_total=3)
    group(Event.objects.get(key="regional-workshop-6"), 3, "KZ", organisation="osce")
    Event.objects.get(key="regional-workshop-6").pillars.set(Pillar.objects.all())
    with django_assert_num_queries(queries):
        page(client, name, **kwargs)


def test_ics_takes_a_fixed_number_of_queries(client, default_data, django_assert_num_queries):
    workshop()
    with django_assert_num_queries(2):
        client.get(url("public:events_ics"))
