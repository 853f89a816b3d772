"""At phone width (390 px) no page is wider than the screen: tables scroll in their own box.

Over the pages a newcomer opens first, in both languages, with a published edition so
the matrix, gaps and trends have content.
"""

import pytest
from test_browser import CHROMIUM, site  # noqa: F401 (fixtures)

PAGES = [
    "/",
    "/matrix/",
    "/matrix/heatmap/",
    "/matrix/plan-items/",
    "/matrix/activities/",
    "/analysis/gaps/",
    "/analysis/trends/",
    "/events/participants/",
    "/data/",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def site_with_editions(site):  # noqa: F811
    import datetime

    from jpoa.matrix.editions import publish_edition
    from tests.factories import PUBLISHER, make_activity

    make_activity("osce-police", "osce", pillars=(2, 3), countries=("KZ", "KG"))
    make_activity("eu-region", "eu", pillars=(1, 4), region_wide=True, countries=())
    make_activity("unodc-border", "unodc", pillars=(2,), countries=("TJ",), status="completed")
    publish_edition(by=PUBLISHER, title="First", as_of=datetime.date(2015, 10, 1))
    make_activity("osce-tm", "osce", pillars=(4,), countries=("TM",), start=2011, end=2017)
    publish_edition(by=PUBLISHER, title="Second", as_of=datetime.date(2016, 10, 1))
    return site


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_page_is_wider_than_a_phone(site_with_editions, browser, language):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    wide = {}
    for path in PAGES:
        page.goto(f"{site_with_editions}/{language}{path}")
        assert page.locator("main h1").first.inner_text().strip()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    page.goto(f"{site_with_editions}/api/v1/docs")
    page.locator(".opblock-summary-path").first.wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 390:
        wide["/api/v1/docs"] = width
    assert wide == {}


def test_the_matrix_filters_are_folded_on_a_phone(site_with_editions, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{site_with_editions}/en/matrix/")
    assert not page.get_by_label("Country").is_visible()
    page.locator("details.matrix-filters summary").click()
    assert page.get_by_label("Country").is_visible()
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(f"{site_with_editions}/en/matrix/")
    assert wide.get_by_label("Country").is_visible()
