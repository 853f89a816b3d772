"""One date format per language: pages, reports and charts write a date the same way."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from jpoa.lib.dates import date_range, local_date

DAY = datetime.date(2011, 11, 30)


@pytest.mark.parametrize(
    ("language", "written"), [("en", "30 November 2011"), ("ru", "30 ноября 2011")]
)
def test_every_way_of_writing_a_date_agrees(language, written):
    with translation.override(language):
        assert local_date(DAY) == written
        assert Template("{{ day }}").render(Context({"day": DAY})) == written
        assert Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": DAY})) == written
        assert (
            Template("{% load public_tags %}{{ day|local_date }}").render(Context({"day": DAY}))
            == written
        )


def test_ranges_are_written_in_the_language():
    with translation.override("ru"):
        assert date_range(datetime.date(2013, 11, 20), datetime.date(2013, 11, 22)) == (
            "20–22 ноября 2013"
        )
    with translation.override("en"):
        assert date_range(datetime.date(2011, 3, 29), datetime.date(2011, 4, 2)) == (
            "29 March – 2 April 2011"
        )


def test_a_chart_writes_dates_as_the_page_does():
    from jpoa.lib.charts import Moment, timeline

    with translation.override("ru"):
        chart = timeline(title="t", description="d", moments=[Moment(DAY, "Совещание")])
    assert "30 ноября 2011  Совещание" in chart
