"""Open-data hooks: canonical and hreflang links, the sitemap, robots.txt, each page's data twin."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from jpoa.library.models import Resource

PAGES_WITH_TWINS = [
    ("public:plan", "public:plan_data"),
    ("public:events", "public:events_data"),
    ("public:participants", "public:participants_data"),
    ("public:findings", "public:findings_data"),
    ("public:library", "public:library_data"),
]


def head_links(html: str) -> dict[str, str]:
    links = re.findall(
        r'<link rel="(canonical|alternate)"(?: hreflang="([\w-]+)")? href="([^"]+)"', html
    )
    return {hreflang or rel: href for rel, hreflang, href in links}


def rows_of_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_every_page_names_its_canonical_url_and_its_translations(default_data, client):
    for path in ["/en/", "/ru/events/high-level-meeting-2011/", "/en/library/jpoa-2011/"]:
        links = head_links(client.get(path).content.decode())
        english, russian = path.replace("/ru/", "/en/"), path.replace("/en/", "/ru/")
        assert links["canonical"] == f"http://testserver{path}"
        assert links["en"] == f"http://testserver{english}"
        assert links["ru"] == f"http://testserver{russian}"
        assert links["x-default"] == links["en"]


def test_the_canonical_url_leaves_out_the_filters(default_data, client):
    links = head_links(client.get("/en/events/?kind=expert_meeting").content.decode())
    assert links["canonical"] == "http://testserver/en/events/"


def test_the_sitemap_lists_every_page_in_both_languages(default_data, client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ["/", "/events/high-level-meeting-2011/", "/library/jpoa-2011/", "/states/kz/"]:
        for language in ("en", "ru"):
            assert f"<loc>http://testserver/{language}{path}</loc>" in body
    assert 'hreflang="ru" href="http://testserver/ru/matrix/heatmap/"' in body
    assert "/en/matrix/" in body


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


@pytest.mark.parametrize("page, twin", PAGES_WITH_TWINS)
def test_each_list_page_links_to_its_json_and_csv_twins(default_data, client, page, twin):
    html = client.get(reverse(page)).content.decode()
    assert "Download this page:" in html
    for format, content_type in [("json", "application/json"), ("csv", "text/csv")]:
        url = reverse(twin, kwargs={"format": format})
        assert f'href="{url}"' in html
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith(content_type)


def test_the_events_twin_honours_the_pages_filters(default_data, client):
    html = client.get("/en/events/?kind=expert_meeting&country=tj").content.decode()
    assert 'href="/en/events.csv?kind=expert_meeting&amp;country=tj"' in html
    rows = rows_of_csv(client.get("/en/events.csv?kind=expert_meeting&country=tj"))
    assert [row["key"] for row in rows] == ["expert-meeting-2"]
    assert rows[0]["city"] == "Dushanbe" and rows[0]["pillars"] == "2"
    everything = json.loads(client.get("/en/events.json").content)
    assert everything["count"] == 14 and everything["page"] == "http://testserver/en/events/"


def test_a_twin_speaks_the_pages_language(default_data, client):
    rows = json.loads(client.get("/ru/library.json").content)["rows"]
    titles = {row["key"]: row["title"] for row in rows}
    assert titles["un-gcts"].startswith("Глобальная контртеррористическая стратегия")
    assert {row["key"] for row in rows} >= {"jpoa-2011", "unrcca-resources-page"}
    links = {row["key"]: row["languages"] for row in rows}
    assert links["unrcca-resources-page"] == ["en"]


def test_the_participants_twin_adds_up_like_the_page(default_data, client):
    rows = rows_of_csv(client.get("/en/events/participants.csv"))
    overall = next(row for row in rows if row["group"] == "programme")
    assert overall["participants"] == "54"
    assert {row["group"] for row in rows} == {"programme", "phase", "year", "event"}


def test_csv_cells_cannot_run_as_formulas(default_data, client):
    Resource.objects.create(
        key="hostile", kind="other", title_en='=HYPERLINK("http://evil.example","x")'
    )
    rows = rows_of_csv(client.get("/en/library.csv"))
    hostile = next(row for row in rows if row["key"] == "hostile")
    assert hostile["title"].startswith("'=HYPERLINK")


def test_a_twin_with_no_rows_still_names_its_columns(default_data, client):
    response = client.get("/en/findings.csv?kind=gap&status=closed")
    lines = response.content.decode().splitlines()
    assert lines == [
        "key,kind,status,text,event,pillars,addressed_to_countries,addressed_to_organisations,url"
    ]
    assert json.loads(client.get("/en/findings.json?kind=gap").content)["count"] == 0
