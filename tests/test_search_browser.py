"""Search in headless Chromium: a Russian query typed in the header box, a result opened."""

import pytest

from tests.test_browser import CHROMIUM, site  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


def test_it_searches_in_russian_from_the_header_and_opens_a_result(site, browser):  # noqa: F811
    page = browser.new_page()
    page.goto(f"{site}/ru/events/")
    box = page.locator("header").get_by_role("searchbox")
    box.fill("семинары по терроризму")
    box.press("Enter")

    page.wait_for_url(f"{site}/ru/search/?q=*")
    status = page.get_by_role("status")
    assert "семинары по терроризму" in status.inner_text()
    results = page.locator("ol.hits > li")
    assert results.count() >= 2
    first = results.first.get_by_role("heading").get_by_role("link")
    assert first.locator("mark").count() >= 1
    title = first.inner_text()

    first.click()
    page.wait_for_url(f"{site}/ru/events/*/")
    assert page.locator("h1").inner_text() in title


def test_facet_links_narrow_the_results_without_javascript(site, browser):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/en/search/?q=workshops")
    before = page.locator("ol.hits > li").count()
    page.get_by_role("complementary").get_by_role("link", name="Turkmenistan").click()
    page.wait_for_url("**country=TM*")
    after = page.locator("ol.hits > li").count()
    assert 0 < after < before
    assert "Country: Turkmenistan" in page.locator(".chosen-filters").inner_text()
    context.close()
