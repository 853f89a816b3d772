"""The home page answers "what is happening" once an edition exists, and explains before."""

import datetime

import pytest

from jpoa.events.models import Event, Finding
from jpoa.matrix.editions import publish_edition
from tests.factories import PUBLISHER, make_activity


def _now_section(html: str) -> str:
    start = html.index('aria-labelledby="now-title"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_before_any_edition_the_home_page_explains_in_words(client, default_data, language):
    now = _now_section(client.get(f"/{language}/").content.decode())
    assert "<svg" not in now and "jpoa publish" not in now
    expected = {
        "en": "No edition of the matrix has been published yet",
        "ru": "Выпуски матрицы ещё не публиковались",
    }
    assert expected[language] in now


@pytest.fixture
def two_editions(default_data):
    make_activity("a", "osce", pillars=(2,), countries=("KZ",))
    make_activity("b", "unodc", pillars=(1,), countries=("TJ",))
    make_activity("region", "eu", pillars=(4,), region_wide=True, countries=())
    publish_edition(by=PUBLISHER, title="First", as_of=datetime.date(2015, 10, 1))
    make_activity("c", "osce", pillars=(3,), countries=("UZ",))
    from jpoa.matrix.models import Activity

    Activity.objects.filter(key="b").delete()
    publish_edition(
        by=PUBLISHER, title="Second", title_ru="Второй", as_of=datetime.date(2016, 10, 1)
    )
    event = Event.objects.get(key="regional-workshop-3")
    Finding.objects.create(
        key="f1", kind="gap", text_en="Border posts share no lists.", event=event
    )
    Finding.objects.create(
        key="f2", kind="need", text_en="Done already.", event=event, status="addressed"
    )


def test_the_home_page_shows_the_latest_edition_and_what_changed(client, two_editions):
    now = _now_section(client.get("/en/").content.decode())
    assert (
        "The latest edition of the matrix, “Second” (edition 2, as of 1 October 2016), lists 3 activities"
        in " ".join(now.split())
    )
    assert "<svg" in now and ">Region-wide</text>" in now
    assert "Since edition 1: 1 added, 0 changed, 1 ended." in " ".join(now.split())
    assert "/en/matrix/editions/compare/?from=1&amp;to=2" in now
    assert (
        "1 finding or recommendation of the programme" in now
        and "Border posts share no lists." in now
    )
    assert "Done already." not in now
    assert "No update round has been held yet." in now
    assert 'href="/en/data/matrix.xlsx"' in now and 'href="/en/data/"' in now


def test_the_home_page_names_the_last_round_and_who_answered(client, two_editions):
    from jpoa.rounds import services
    from tests.factories import coordinator, focal_point

    coord = coordinator()
    focal = focal_point("osce")
    round = services.open_round(
        title="Autumn round", deadline=datetime.date(2030, 11, 30), user=coord
    )
    services.submit(submission=services.submission_of(user=focal, round=round), user=focal)
    now = " ".join(_now_section(client.get("/en/").content.decode()).split())
    assert "Autumn round: 1 of 2 organisations answered." in now
    assert "Open; answers are due by 30 November 2030." in now


def test_the_russian_home_page_is_in_russian(client, two_editions):
    now = " ".join(_now_section(client.get("/ru/").content.decode()).split())
    assert "Второй" in now and "1 октября 2016" in now


def test_the_change_figures_are_those_of_comparing_the_editions_entry_by_entry(default_data):
    from jpoa.matrix.editions import compare_editions, count_changes
    from jpoa.matrix.models import Activity

    make_activity("kept", "osce")
    make_activity("edited", "unodc", pillars=(2,))
    make_activity("moved", "eu", countries=("KZ",))
    make_activity("removed", "osce")
    first = publish_edition(by=PUBLISHER, title="First")
    Activity.objects.filter(key="edited").update(title_en="Edited title")
    moved = Activity.objects.get(key="moved")
    moved.countries.set(moved.countries.model.objects.filter(iso2__in=("TJ", "UZ")))
    Activity.objects.filter(key="removed").delete()
    make_activity("new", "eu")
    make_activity("newer", "unodc")
    second = publish_edition(by=PUBLISHER, title="Second")
    make_activity("newest", "osce")
    Activity.objects.filter(key="kept").delete()
    third = publish_edition(by=PUBLISHER, title="Third")

    def compared(old, new):
        comparison = compare_editions(old, new)
        return (len(comparison.added), len(comparison.changed), len(comparison.ended))

    for old, new in [(first, second), (second, third), (first, third)]:
        counts = count_changes(old, new)
        assert (counts.added, counts.changed, counts.ended) == compared(old, new)
    counts = count_changes(first, second)
    assert (counts.added, counts.changed, counts.ended) == (2, 2, 1)
    # Editions further apart are compared entry by entry: their entries do not say.
    counts = count_changes(first, third)
    assert (counts.added, counts.changed, counts.ended) == (3, 2, 2)
