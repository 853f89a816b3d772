"""The public site in headless Chromium: language switch, links, a phone-sized screen."""

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def site(live_server):
    """The live server's address, with the default data set loaded into its database."""
    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset

    load_dataset(DEFAULT_DATASET)
    return live_server.url


def test_it_switches_to_russian_and_follows_an_event(site, browser):
    page = browser.new_page()
    page.goto(f"{site}/en/")
    assert page.locator("h1").inner_text().startswith("Joint Plan of Action")

    page.get_by_role("link", name="Русский").click()
    page.wait_for_url(f"{site}/ru/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Совместный план действий" in page.locator("h1").inner_text()

    page.get_by_role("link", name="Совещание высокого уровня по Совместному плану").click()
    page.wait_for_url(f"{site}/ru/events/high-level-meeting-2011/")
    main = page.locator("main").inner_text()
    assert "Ашхабад" in main and "30 ноября 2011" in main
    assert "54" in main
    assert "Узбекистан" in main

    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{site}/en/events/high-level-meeting-2011/")
    assert "High Level Meeting" in page.locator("h1").inner_text()


RU_SEARCH_PILLAR_2 = "/ru/search/?q=семинар&pillar=2"


def test_it_fits_a_phone_screen(site, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    # The last: a chosen filter whose name is wider than the screen.
    for path in ["/en/", "/ru/", "/ru/events/", "/en/plan/", "/ru/library/", RU_SEARCH_PILLAR_2]:
        page.goto(f"{site}{path}")
        navigation = page.locator("nav.site-nav")
        assert navigation.is_visible()
        for link in navigation.get_by_role("link").all():
            assert link.is_visible()
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths}"


def test_the_skip_link_moves_focus_to_the_main_content(site, browser):
    page = browser.new_page()
    page.goto(f"{site}/en/events/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_event_filter_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/en/events/")
    page.get_by_label("Kind of event").select_option("expert_meeting")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(re.escape(f"{site}/en/events/?kind=expert_meeting") + r"(&|$)"))
    assert "3 events" in page.locator("main").inner_text()
    context.close()


def test_the_api_docs_render_the_operations(site, browser):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/api/v1/docs")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for()
    paths = operations.all_inner_texts()
    assert any(p.startswith("/api/v1/activities") for p in paths), paths
    assert errors == []
