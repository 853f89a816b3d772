"""Journeys in headless Chromium: a coordinator uploads a document, a visitor downloads it;
switching language keeps the page and its filters."""

import re

import pytest
from library_files import pdf_with_text
from test_browser import CHROMIUM, site  # noqa: F401 (fixtures)

from tests.factories import PASSWORD, coordinator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def site_with_coordinator(site):  # noqa: F811
    """Users are made before the browser starts (Playwright's loop makes the thread async)."""
    coordinator("coord")
    return site


def test_a_coordinator_uploads_a_pdf_and_a_visitor_downloads_it(
    site_with_coordinator,
    browser,  # noqa: F811
    tmp_path,
):
    base = site_with_coordinator
    document = tmp_path / "Joint Plan.pdf"
    document.write_bytes(pdf_with_text("Joint Plan of Action for Central Asia"))

    staff = browser.new_page()
    staff.goto(f"{base}/en/accounts/login/?next=/en/library/jpoa-2011/files/")
    staff.get_by_label("Username").fill("coord")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    staff.wait_for_url(f"{base}/en/library/jpoa-2011/files/")
    staff.get_by_role("combobox", name="Language").select_option("en")
    staff.get_by_label("File").set_input_files(str(document))
    staff.get_by_role("button", name="Upload").click()
    assert "characters of text extracted" in staff.get_by_role("status").inner_text()

    visitor = browser.new_context(accept_downloads=True).new_page()
    visitor.goto(f"{base}/ru/library/")
    # The 2011 plan ("по осуществлению"), not its 2022 update ("по реализации")
    title = re.compile("^Совместный план действий по осуществлению")
    visitor.get_by_role("link", name=title).first.click()
    visitor.wait_for_url(f"{base}/ru/library/jpoa-2011/")
    with visitor.expect_download() as download_info:
        visitor.locator("main").get_by_role("link", name=re.compile(r"^English \(")).click()
    download = download_info.value
    assert download.suggested_filename == "jpoa-2011-en.pdf"
    assert open(download.path(), "rb").read().startswith(b"%PDF-")


def test_switching_language_keeps_the_page_and_its_filters(site, browser):  # noqa: F811
    page = browser.new_page()
    page.goto(f"{site}/en/events/?kind=expert_meeting")
    assert "3 events" in page.locator("main").inner_text()
    page.get_by_role("link", name="Русский").click()
    page.wait_for_url(f"{site}/ru/events/?kind=expert_meeting")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_label("Вид мероприятия").input_value() == "expert_meeting"

    page.goto(f"{site}/ru/library/jpoa-2011/")
    page.get_by_role("link", name="English", exact=True).click()  # not "English (ссылка)"
    page.wait_for_url(f"{site}/en/library/jpoa-2011/")
    assert page.locator("h1").inner_text().startswith("Joint Plan of Action")
