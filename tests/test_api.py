"""The read API: every endpoint, pagination, filters that mirror the pages, HTTP caching."""

import gzip
import json

import pytest
from django.utils.http import http_date

from jpoa.matrix import selectors
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.selectors import MatrixFilters
from tests.factories import PUBLISHER, make_activity, make_items

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def editions(default_data):
    make_items()
    make_activity("osce-border", "osce", pillars=(2, 3), countries=("KZ", "KG"), items=("II.1",))
    make_activity("unodc-prisons", "unodc", pillars=(1,), countries=(), region_wide=True)
    first = publish_edition(by=PUBLISHER, title="First")
    make_activity("eu-kz", "eu", pillars=(2,), countries=("KZ",), status="planned")
    second = publish_edition(by=PUBLISHER, title="Second")
    return first, second


def get(client, path, **headers):
    return client.get(API + path, **headers)


READS = [
    "/pillars",
    "/pillars/2",
    "/plans",
    "/phases",
    "/countries",
    "/countries/KZ",
    "/organisations",
    "/organisations/osce",
    "/sources",
    "/activities",
    "/activities?edition=1",
    "/activities/osce-border",
    "/activities/osce-border?edition=1",
    "/editions",
    "/editions/1",
    "/editions/compare?from=1&to=2",
    "/matrix/organisations-pillars",
    "/matrix/countries-pillars?edition=1",
    "/matrix/items-countries",
    "/events",
    "/findings",
    "/resources",
]


@pytest.mark.parametrize("path", READS)
def test_every_read_endpoint_answers(client, editions, path):
    response = get(client, path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() is not None


def test_records_of_one_kind_open_by_key(client, editions):
    for kind, key in [("plans", "key"), ("phases", "key"), ("events", "key"), ("resources", "key")]:
        listing = get(client, f"/{kind}").json()
        records = listing["results"] if isinstance(listing, dict) else listing
        assert records, kind
        one = get(client, f"/{kind}/{records[0][key]}")
        assert one.status_code == 200 and one.json()[key] == records[0][key]


def test_translated_fields_are_objects_of_both_languages(client, editions):
    pillar = get(client, "/pillars/1").json()
    assert set(pillar["title"]) == {"en", "ru"}
    assert pillar["title"]["ru"]


def test_an_activity_is_its_edition_record(client, editions):
    first, _second = editions
    body = get(client, "/activities/osce-border?edition=1").json()
    assert body["record"] == first.entries.get(activity_key="osce-border").data
    assert [h["edition"] for h in body["history"]] == [2, 1]


def test_activities_of_an_edition_are_the_pages_list(client, editions):
    _first, second = editions
    body = get(client, "/activities?country=KZ&pillar=2").json()
    expected = selectors.activity_list(second, MatrixFilters(country="KZ", pillar="2"))
    assert [r["key"] for r in body["results"]] == [row.key for row in expected.object_list]
    assert body["count"] == 2
    assert get(client, "/activities?edition=1&country=KZ&pillar=2").json()["count"] == 1


@pytest.mark.parametrize(
    "path, build",
    [
        ("organisations-pillars", selectors.organisations_by_pillars),
        ("countries-pillars", selectors.countries_by_pillars),
        ("items-countries", selectors.items_by_countries),
    ],
)
@pytest.mark.parametrize("query", ["", "country=KZ", "pillar=2&status=ongoing", "year_from=2015"])
def test_matrix_counts_are_the_pages_counts(client, editions, path, build, query):
    _first, second = editions
    params = dict(p.split("=") for p in query.split("&") if p)
    matrix = build(second, MatrixFilters(**params))
    body = get(client, f"/matrix/{path}?{query}").json()
    assert body["activity_count"] == matrix.activity_count
    assert [[c["count"] for c in r["cells"]] for r in body["rows"]] == [
        [c.count for c in r.cells] for r in matrix.rows
    ]
    assert [r["label"] for r in body["rows"]] == [r.label for r in matrix.rows]


def test_a_filter_naming_nothing_known_is_a_404_problem_naming_the_field(client, editions):
    response = get(client, "/matrix/countries-pillars?organisation=nobody")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and problem["title"] and problem["type"]
    assert problem["errors"][0]["field"] == "query.organisation"


def test_a_filter_the_page_refuses_is_a_422_problem(client, editions):
    response = get(client, "/activities?year_from=2016&year_to=2014")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.year_to"


def test_a_repeated_parameter_is_a_422_problem(client, editions):
    response = get(client, "/activities?status=planned&status=ongoing")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.status"


def test_a_bad_type_is_a_422_problem(client, editions):
    response = get(client, "/activities?year_from=soon")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.year_from"


def test_unknown_things_are_404_problems(client, editions):
    for path in [
        "/activities?edition=9",
        "/activities/nothing",
        "/editions/9",
        "/nowhere",
        "/events/nothing",
        "/editions/compare?from=1&to=9",
    ]:
        response = get(client, path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404


def test_nothing_published_yet_is_a_404_problem(client, default_data):
    assert get(client, "/matrix/organisations-pillars").status_code == 404


def test_pages_link_to_each_other_with_absolute_urls(client, default_data):
    first = get(client, "/organisations?page_size=2").json()
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/organisations?")
    assert "page_size=2" in first["next"] and "page=2" in first["next"]
    keys = [o["key"] for o in first["results"]]
    assert keys == sorted(keys) and len(keys) == 2
    second = client.get(first["next"]).json()
    assert second["previous"].endswith("page=1") or "page=1" in second["previous"]
    assert not set(keys) & {o["key"] for o in second["results"]}
    assert first["count"] == second["count"]


def test_page_size_is_bounded(client, default_data):
    assert get(client, "/organisations?page_size=1000").status_code == 422
    assert get(client, "/organisations?page=99").status_code == 404


def test_an_etag_answers_if_none_match_with_304(client, editions):
    response = get(client, "/pillars")
    etag = response["ETag"]
    assert etag
    again = get(client, "/pillars", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert get(client, "/pillars", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_last_modified_answers_if_modified_since_with_304(client, editions):
    response = get(client, "/editions")
    last_modified = response["Last-Modified"]
    assert get(client, "/editions", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert get(client, "/editions", HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200


def test_a_change_changes_the_validators(client, editions):
    etag = get(client, "/activities")["ETag"]
    make_activity("osce-new", "osce", pillars=(4,))
    publish_edition(by=PUBLISHER, title="Third")
    assert get(client, "/activities", HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/matrix/organisations-pillars?country=KZ",
        "/matrix/countries-pillars?edition=1",
        "/activities?country=KZ&page_size=1&page=2",
    ],
)
def test_a_matrix_asked_before_comes_whole_from_the_page_cache(client, editions, settings, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MATRIX_PAGE_CACHE_SECONDS = 0
    built = get(client, path)  # ninja validates and renders it, as before the cache
    settings.MATRIX_PAGE_CACHE_SECONDS = 3600
    with CaptureQueriesContext(connection) as first:
        stored = get(client, path)
    with CaptureQueriesContext(connection) as again:
        kept = get(client, path)
    assert built.status_code == stored.status_code == kept.status_code == 200
    assert built.content == stored.content == kept.content
    assert kept["Content-Type"] == built["Content-Type"] == "application/json; charset=utf-8"
    assert kept["Cache-Control"] == built["Cache-Control"]
    assert kept["ETag"] == built["ETag"] and kept["Last-Modified"] == built["Last-Modified"]
    # No filter form, no matrix: the editions, and when the data last changed (one ask).
    assert len(again) == 2 < len(first)
    assert get(client, path, HTTP_IF_NONE_MATCH=kept["ETag"]).status_code == 304


def test_a_cached_matrix_answer_follows_a_new_edition(client, editions, settings):
    settings.MATRIX_PAGE_CACHE_SECONDS = 3600
    path = "/matrix/organisations-pillars?country=KZ"
    assert get(client, path).json()["edition"] == 2
    make_activity("eu-kz-2", "eu", pillars=(1,), countries=("KZ",))
    publish_edition(by=PUBLISHER, title="Third")
    answer = get(client, path).json()
    assert answer["edition"] == 3 and answer["activity_count"] == 3
    assert get(client, "/matrix/organisations-pillars?country=ZZ").status_code == 404


def test_a_named_edition_is_cached_long_the_latest_briefly(client, editions):
    named = get(client, "/matrix/countries-pillars?edition=1")["Cache-Control"]
    latest = get(client, "/matrix/countries-pillars")["Cache-Control"]
    assert "public" in named and "max-age=2592000" in named and "immutable" in named
    assert "public" in latest and "max-age=300" in latest


def test_answers_are_gzipped_when_the_client_accepts_it(client, editions):
    response = get(client, "/plans", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))


def test_anonymous_callers_are_rate_limited_with_a_problem(client, default_data, settings):
    settings.API_ANON_RATE = "3/min"
    statuses = [get(client, "/pillars").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = get(client, "/pillars")
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 429 and int(response["Retry-After"]) > 0


def test_a_forged_forwarded_for_does_not_escape_the_rate_limit(client, default_data, settings):
    settings.API_ANON_RATE = "3/min"
    statuses = [
        get(client, "/pillars", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_rate(client, default_data, settings):
    settings.API_ANON_RATE = "3/min"
    settings.TRUSTED_PROXIES = 1
    for _ in range(3):
        get(client, "/pillars", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    limited = get(client, "/pillars", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = get(client, "/pillars", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert (limited.status_code, other.status_code) == (429, 200)


def test_the_openapi_description_validates(client, default_data):
    from openapi_spec_validator import validate

    response = get(client, "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["info"]["version"] == "1"


def test_every_field_is_described(client, default_data):
    schemas = get(client, "/openapi.json").json()["components"]["schemas"]
    undescribed = [
        f"{name}.{field}"
        for name, schema in schemas.items()
        for field, prop in schema.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undescribed == []


def test_the_docs_load_nothing_from_elsewhere(client, default_data):
    page = get(client, "/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert get(client, "/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert get(client, "/docs/assets/..%2Fsettings.py").status_code == 404


def test_the_docs_settings_are_json_the_browser_can_parse(client, default_data):
    """The settings sit in a JSON <script>: HTML-escaping them there breaks the page."""
    import re

    html = get(client, "/docs").content.decode()
    found = re.search(r'<script id="swagger-settings" type="application/json">(.*?)</script>', html)
    assert found, html
    settings = json.loads(found.group(1))
    assert settings["url"] == "/api/v1/openapi.json"


def test_the_root_of_the_api_is_a_json_index(client, default_data):
    response = get(client, "/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    index = response.json()
    assert index["openapi"] == "http://testserver/api/v1/openapi.json"
    assert index["docs"] == "http://testserver/api/v1/docs"
    assert index["endpoints"]["activities"] == "http://testserver/api/v1/activities"
    pillars = index["endpoints"]["pillars"].removeprefix("http://testserver")
    assert client.get(pillars).status_code == 200
