"""Dates written for people, one format per language (see jpoa/formats): pages, reports, charts."""

import datetime

from django.utils.formats import date_format


def local_date(value: datetime.date | None, *, with_year: bool = True) -> str:
    """'30 November 2011' or '30 ноября 2011'; '' for no date."""
    if value is None:
        return ""
    return date_format(value, "DATE_FORMAT" if with_year else "MONTH_DAY_FORMAT")


def date_range(start: datetime.date | None, end: datetime.date | None = None) -> str:
    """'15–16 December 2010', '29 March – 2 April 2011', or one date."""
    if start is None:
        return ""
    if end is None or end == start:
        return local_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{local_date(end)}"
    if start.year == end.year:
        return f"{local_date(start, with_year=False)} – {local_date(end)}"
    return f"{local_date(start)} – {local_date(end)}"
