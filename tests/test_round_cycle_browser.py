"""The whole update round in headless Chromium, as its users walk it.

A coordinator opens a round; the OSCE focal point corrects an activity (after
an error shown next to its field), confirms one, marks one ended, adds one and
submits; the UNODC focal point confirms and submits; the coordinator returns
OSCE's answer with a comment, OSCE fixes it and submits again, the coordinator
accepts both and publishes; the public matrix shows the new edition and the
comparison with the previous one lists exactly what changed.

Skipped without Chromium, unless JPOA_REQUIRE_BROWSER=1 (as in CI): then it fails.
"""

import datetime
import re

import pytest

from tests.factories import coordinator, focal_point, signed_in_page, titled_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server):
    """The default data set, a coordinator, two focal points, their activities, edition 1."""
    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset
    from jpoa.matrix.editions import publish_edition

    load_dataset(DEFAULT_DATASET)
    coord = coordinator()
    focal_point("osce")
    focal_point("unodc")
    titled_activity("osce", "Border management")
    titled_activity("osce", "Police reform")
    titled_activity("osce", "Internet safety")
    titled_activity("unodc", "Legal assistance")
    publish_edition(title="First edition", as_of=datetime.date(2015, 10, 1), by=coord)
    return live_server.url


def test_the_whole_round_in_the_browser(world, browser):
    from playwright.sync_api import expect

    site = world

    def sign_in(username: str):
        return signed_in_page(browser, site, username)

    def message(page):
        return page.get_by_role("status")

    # The coordinator opens a round; an empty form is answered next to its fields.
    coord = sign_in("coord")
    expect(coord.get_by_role("heading", name="Update rounds", level=1)).to_be_visible()
    coord.get_by_role("button", name="Open the round").click()
    expect(coord.locator(".field-error")).to_have_count(2)
    expect(coord.get_by_role("alert")).to_contain_text("Title: This field is required.")
    coord.get_by_label("Title").fill("Autumn 2016 update")
    coord.get_by_label("Deadline").fill("2030-11-30")
    coord.get_by_role("button", name="Open the round").click()
    expect(coord.get_by_role("heading", name="Autumn 2016 update")).to_be_visible()
    expect(message(coord)).to_contain_text("2 organisations are asked to answer")
    unanswered = coord.locator(".unanswered")
    expect(unanswered.get_by_role("listitem")).to_have_count(2)
    expect(unanswered).to_contain_text("OSCE")
    expect(unanswered).to_contain_text("UNODC")
    dashboard = coord.url

    # OSCE's focal point sees only OSCE's activities.
    osce = sign_in("fp-osce")
    expect(osce.get_by_role("heading", name="OSCE: your activities")).to_be_visible()
    expect(osce.locator(".proposal-row")).to_have_count(3)
    expect(osce.get_by_role("main")).not_to_contain_text("Legal assistance")

    # A correction: the end date before the start date is refused next to the field.
    osce.get_by_role("region", name="Border management").get_by_role("link", name="Edit").click()
    osce.get_by_label("End date").fill("2010-01-01")
    osce.get_by_role("button", name="Save").click()
    end_date = osce.locator(".field-error", has=osce.get_by_label("End date"))
    expect(end_date).to_contain_text("The end date is before the start date.")
    osce.get_by_label("End date").fill("2018-12-31")
    osce.get_by_label("Title in English").fill("Border management college")
    osce.get_by_role("group", name="Countries").get_by_role("checkbox", name="Tajikistan").check()
    osce.get_by_role("group", name="Partners").get_by_role("checkbox", name="UNODC").check()
    osce.get_by_role("button", name="Save").click()
    expect(message(osce)).to_contain_text("Saved your proposal for “Border management college”")
    border = osce.get_by_role("region", name="Border management")
    expect(border.locator(".changes tbody tr")).to_have_count(4)
    expect(border.locator(".changes")).to_contain_text("2018-12-31")

    osce.get_by_role("region", name="Police reform").get_by_role(
        "button", name="Confirm unchanged"
    ).click()
    expect(message(osce)).to_contain_text("Confirmed “Police reform” unchanged.")
    osce.get_by_role("region", name="Internet safety").get_by_role(
        "button", name="Mark ended"
    ).click()
    expect(message(osce)).to_contain_text("“Internet safety” will be marked ended")

    osce.get_by_role("link", name="Add a new activity").click()
    osce.get_by_label("Title in English").fill("Community policing")
    osce.get_by_label("Status").select_option("planned")
    osce.get_by_role("button", name="Save").click()
    expect(osce.get_by_role("region", name="Community policing")).to_contain_text("new activity")
    osce.get_by_role("button", name="Submit for review").click()
    expect(message(osce)).to_contain_text("Submitted for review")
    expect(osce.get_by_role("button", name="Submit for review")).to_have_count(0)

    # UNODC confirms its one activity and submits.
    unodc = sign_in("fp-unodc")
    expect(unodc.locator(".proposal-row")).to_have_count(1)
    unodc.get_by_role("region", name="Legal assistance").get_by_role(
        "button", name="Confirm unchanged"
    ).click()
    unodc.get_by_role("button", name="Submit for review").click()
    expect(message(unodc)).to_contain_text("Submitted for review")

    # The coordinator reviews OSCE's answer and returns it with a comment.
    coord.goto(dashboard)
    expect(coord.get_by_text("Every organisation has answered.")).to_be_visible()
    coord.get_by_role("link", name="Review OSCE").click()
    expect(coord.locator(".review-row")).to_have_count(4)
    expect(coord.get_by_role("region", name="Border management")).to_contain_text(
        "Border management college"
    )
    coord.get_by_role("button", name="Return with comment").click()
    expect(coord.locator(".field-error")).to_contain_text("This field is required.")
    coord.get_by_label("What should the organisation fix?").fill("Say where it takes place.")
    coord.get_by_role("button", name="Return with comment").click()
    expect(message(coord)).to_contain_text("Returned to OSCE with your comment.")
    expect(coord.locator(".unanswered")).to_contain_text("OSCE")

    # OSCE reads the comment, fixes the new activity and submits again.
    osce.goto(f"{site}/en/rounds/mine/")
    expect(osce.locator(".comment")).to_contain_text("Say where it takes place.")
    osce.get_by_role("region", name="Community policing").get_by_role("link", name="Edit").click()
    osce.get_by_role("group", name="Countries").get_by_role("checkbox", name="Kyrgyzstan").check()
    osce.get_by_role("button", name="Save").click()
    osce.get_by_role("button", name="Submit for review").click()
    expect(message(osce)).to_contain_text("Submitted for review")

    # The coordinator accepts both and publishes edition 2.
    coord.goto(dashboard)
    for organisation in ("OSCE", "UNODC"):
        coord.get_by_role("link", name=f"Review {organisation}").click()
        coord.get_by_role("button", name="Accept").click()
        expect(message(coord)).to_contain_text(f"Accepted the submission of {organisation}.")
    coord.get_by_label("Title of the edition").fill("December 2016")
    coord.get_by_role("button", name="Publish").click()
    expect(message(coord)).to_contain_text("Published edition 2.")

    # The public matrix shows edition 2, and the comparison lists exactly the changes.
    public = browser.new_page()
    public.goto(f"{site}/en/matrix/")
    expect(public.locator(".matrix-edition")).to_contain_text("Edition 2: December 2016")
    expect(public.get_by_role("table")).to_contain_text("Community policing")
    expect(public.get_by_role("table")).to_contain_text("Border management college")
    public.goto(f"{site}/en/matrix/editions/")
    public.get_by_role("link", name="compare with edition 1").click()
    added = public.locator(".matrix-compare-added li")
    expect(added).to_have_count(1)
    expect(added).to_contain_text("Community policing")
    expect(public.locator(".matrix-compare-ended li")).to_have_count(0)
    changed = public.locator("section[aria-labelledby=changed] h3")
    expect(changed).to_have_text(
        [re.compile("^Border management college"), re.compile("^Internet safety")]
    )
    border_changes = public.locator(".matrix-compare-changes").first.get_by_role("listitem")
    expect(border_changes).to_have_count(4)
    for text in ("Title (en)", "Countries: added Tajikistan", "End date", "Partners: added UNODC"):
        expect(border_changes.filter(has_text=text)).to_have_count(1)
    # The order of the fields follows the stored JSON, which PostgreSQL's jsonb reorders.
    ended = public.locator(".matrix-compare-changes").nth(1).get_by_role("listitem")
    expect(ended).to_have_count(2)
    expect(ended.filter(has_text=re.compile(r"End date:\s*—\s*→\s*\d{4}-\d\d-\d\d"))).to_have_count(
        1
    )
    expect(ended.filter(has_text=re.compile(r"Status:\s*ongoing\s*→\s*completed"))).to_have_count(1)
    expect(public.get_by_role("main")).to_contain_text("2 activities unchanged")
    expect(public.get_by_role("main")).not_to_contain_text("Police reform")

    # The round's pages fit a phone screen.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    phone.add_cookies(coord.context.cookies())
    small = phone.new_page()
    for path in (dashboard, f"{site}/en/matrix/heatmap/", f"{site}/en/matrix/"):
        small.goto(path)
        widths = small.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{path} scrolls sideways on a phone: {widths}"
