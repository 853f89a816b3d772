"""Every matrix view offers what it shows, as filtered, for download; the downloads are in the navigation."""

import csv
import html
import io
import json
import re

import pytest

from jpoa.matrix.editions import publish_edition
from tests.factories import PUBLISHER, make_activity

VIEWS = ["/en/matrix/", "/en/matrix/heatmap/", "/en/matrix/plan-items/", "/en/matrix/activities/"]


@pytest.fixture
def edition(default_data):
    make_activity("osce-kz", "osce", pillars=(2,), countries=("KZ",))
    make_activity("unodc-tj", "unodc", pillars=(2,), countries=("TJ",))
    make_activity("eu-kz", "eu", pillars=(1,), countries=("KZ",))
    return publish_edition(by=PUBLISHER, title="Test")


def _download_links(page: str) -> dict[str, str]:
    block = re.search(r'<p class="data-links">(.*?)</p>', page, re.S).group(1)
    return {
        label: html.unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', block)
    }


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_links_its_filtered_downloads(client, edition, view):
    from django.urls import resolve

    page = client.get(f"{view}?country=KZ&pillar=2").content.decode()
    links = _download_links(page)
    assert set(links) >= {"XLSX", "CSV with HXL hashtags", "JSON", "all downloads"}
    for label in ("XLSX", "CSV with HXL hashtags", "JSON"):
        assert "country=KZ" in links[label] and "pillar=2" in links[label]
        assert resolve(links[label].split("?")[0]).url_name.startswith("matrix_")


def test_the_csv_link_gives_what_the_page_shows(client, edition):
    page = client.get("/en/matrix/activities/?country=KZ&pillar=2").content.decode()
    link = _download_links(page)["CSV with HXL hashtags"]
    rows = list(csv.reader(io.StringIO(client.get(link).getvalue().decode("utf-8-sig"))))
    assert rows[1][0].startswith("#")  # the HXL row
    keys = {row[0] for row in rows[2:]}
    assert keys == {"osce-kz"}
    data = json.loads(client.get(_download_links(page)["JSON"]).getvalue())
    assert "osce-kz" in str(data) and "unodc-tj" not in str(data) and "eu-kz" not in str(data)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_downloads_page_is_in_the_navigation(client, default_data, language):
    page = client.get(f"/{language}/").content.decode()
    nav = page[page.index('class="site-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert f'href="/{language}/data/"' in nav
