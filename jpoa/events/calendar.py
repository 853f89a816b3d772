"""Events as an iCalendar (RFC 5545) feed, written with the `icalendar` library."""

import datetime
from collections.abc import Callable, Iterable

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .models import Event


def events_calendar(
    events: Iterable[Event],
    *,
    name: str,
    domain: str,
    url_of: Callable[[Event], str],
    stamp: datetime.datetime,
) -> bytes:
    """A VCALENDAR of all-day events: UID, DTSTART (a DATE), DTEND, SUMMARY, LOCATION, URL.

    The UID is the event's key at `domain`, so a calendar that subscribed keeps
    each event's identity across updates. DTEND is exclusive in RFC 5545: the day
    after the last day.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//jpoa//events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", f"event-{event.key}@{domain}")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.start_date)
        entry.add("dtend", (event.end_date or event.start_date) + datetime.timedelta(days=1))
        entry.add("summary", f"{event.label}: {event.title}")
        if event.place:
            entry.add("location", event.place)
        if event.summary:
            entry.add("description", event.summary)
        entry.add("url", url_of(event))
        calendar.add_component(entry)
    return calendar.to_ical()
