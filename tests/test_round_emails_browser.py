"""A round that runs itself, in headless Chromium, with its e-mail captured (Django's outbox).

The coordinator opens a round (both focal points are invited by e-mail, each in their
language); the daily command sends a reminder; OSCE's focal point downloads the
workbook, fills it in offline and uploads it, sees the preview and makes it the answer;
UNODC answers in the browser; the coordinator returns OSCE's answer with a comment
(e-mailed), OSCE corrects it in the browser and submits again; the coordinator accepts
both (e-mailed) and publishes (e-mailed), and the round's page lists every e-mail.

Skipped without Chromium, unless JPOA_REQUIRE_BROWSER=1 (as in CI): then it fails.
"""

import datetime
import io
import os
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import coordinator, focal_point, signed_in_page, titled_activity

SCREENSHOTS = os.environ.get("JPOA_SCREENSHOT_DIR")  # set to keep the round page's picture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server, settings):
    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset
    from jpoa.matrix.editions import publish_edition
    from jpoa.rounds.models import MessagePreference

    settings.JPOA_SITE_URL = live_server.url
    load_dataset(DEFAULT_DATASET)
    coord = coordinator()
    for user in (coord, focal_point("osce"), focal_point("unodc")):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    MessagePreference.objects.create(user=user, language="ru")  # UNODC's reads Russian
    titled_activity("osce", "Border management")
    titled_activity("osce", "Police reform")
    titled_activity("unodc", "Legal assistance")
    publish_edition(title="First edition", as_of=datetime.date(2015, 10, 1), by=coord)
    return live_server.url


def inbox(username: str) -> list:
    return [m for m in mail.outbox if m.to == [f"{username}@example.org"]]


def test_a_round_runs_itself_with_email_and_an_offline_answer(
    world, browser, tmp_path, monkeypatch
):
    from playwright.sync_api import expect

    # The daily command runs in this thread, where Playwright keeps its event loop: Django
    # would refuse a database query there, though nothing here is asynchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    site = world
    deadline = timezone.localdate() + datetime.timedelta(days=20)

    def sign_in(username: str):
        return signed_in_page(browser, site, username, accept_downloads=True)

    def message(page):
        return page.get_by_role("status")

    # The coordinator opens a round; a deadline in the past is refused first.
    coord = sign_in("coord")
    coord.get_by_label("Title").fill("Spring update")
    coord.get_by_label("Deadline").fill("2015-01-01")
    coord.get_by_role("button", name="Open the round").click()
    expect(coord.locator(".messages")).to_contain_text("is in the past")
    coord.get_by_label("Title").fill("Spring update")
    coord.get_by_label("Deadline").fill(deadline.isoformat())
    coord.get_by_label("Reminder, days ahead").fill("5")
    coord.get_by_role("button", name="Open the round").click()
    expect(message(coord)).to_contain_text("2 organisations are asked to answer")
    dashboard = coord.url

    # Both focal points are invited, each in their language, with the link and deadline.
    [osce_invite] = inbox("fp-osce")
    assert f"{site}/en/rounds/mine/" in osce_invite.body
    [unodc_invite] = inbox("fp-unodc")
    assert unodc_invite.subject.startswith("Цикл обновления «Spring update»")
    assert f"{site}/ru/rounds/mine/" in unodc_invite.body

    # The daily run, five days before the deadline, reminds both.
    day = (deadline - datetime.timedelta(days=5)).isoformat()
    call_command("round", "remind", "--date", day, stdout=io.StringIO())
    assert inbox("fp-osce")[-1].subject.startswith("Reminder: “Spring update” closes on")
    assert len(inbox("fp-unodc")) == 2

    # OSCE answers offline: download, fill in, upload, check the preview, confirm.
    osce = sign_in("fp-osce")
    if SCREENSHOTS:
        osce.screenshot(path=str(Path(SCREENSHOTS) / "focal-point-page.png"), full_page=True)
    with osce.expect_download() as download:
        osce.get_by_role("link", name="Download the workbook (XLSX)").click()
    downloaded = tmp_path / download.value.suggested_filename
    download.value.save_as(downloaded)
    assert downloaded.name.startswith("osce-round-")
    book = load_workbook(downloaded)
    sheet = book["Activities"]
    cols = {c.value.split(" / ")[0]: c.column for c in sheet[1]}
    rows = {sheet.cell(row=r, column=cols["Title in English"]).value: r for r in range(2, 4)}
    border = rows["Border management"]
    sheet.cell(row=border, column=cols["Title in English"], value="Border management college")
    sheet.cell(row=border, column=cols["Tajikistan"], value="yes")
    sheet.cell(row=border, column=cols["End date"], value=datetime.datetime(2018, 12, 31))
    sheet.cell(row=rows["Police reform"], column=cols["Your answer"], value="unchanged")
    sheet.cell(row=4, column=cols["Title in English"], value="Community policing")
    sheet.cell(row=4, column=cols["Status"], value="planned")
    filled = tmp_path / "osce-answer.xlsx"
    book.save(filled)
    osce.get_by_label("Your filled-in workbook (XLSX)").set_input_files(str(filled))
    osce.get_by_role("button", name="Upload and check").click()
    expect(osce.get_by_role("heading", name="Your workbook: osce-answer.xlsx")).to_be_visible()
    expect(osce.locator(".review-row")).to_have_count(3)
    border_row = osce.get_by_role("region", name="Border management")
    expect(border_row).to_contain_text("Border management college")
    expect(border_row).to_contain_text("2018-12-31")
    if SCREENSHOTS:
        osce.screenshot(path=str(Path(SCREENSHOTS) / "upload-preview.png"), full_page=True)
    osce.get_by_role("button", name="Use as our answer and submit for review").click()
    expect(message(osce)).to_contain_text("submitted for review")

    # UNODC answers in the browser.
    unodc = sign_in("fp-unodc")
    unodc.get_by_role("region", name="Legal assistance").get_by_role(
        "button", name="Confirm unchanged"
    ).click()
    unodc.get_by_role("button", name="Submit for review").click()
    expect(message(unodc)).to_contain_text("Submitted for review")

    # The coordinator returns OSCE's answer with a comment: OSCE is told by e-mail.
    coord.goto(dashboard)
    coord.get_by_role("link", name="Review OSCE").click()
    expect(coord.get_by_role("region", name="Border management")).to_contain_text(
        "Border management college"
    )
    coord.get_by_label("What should the organisation fix?").fill("Say where the new one runs.")
    coord.get_by_role("button", name="Return with comment").click()
    expect(message(coord)).to_contain_text("Returned to OSCE with your comment.")
    returned = inbox("fp-osce")[-1]
    assert "returned with a comment" in returned.subject
    assert "Say where the new one runs." in returned.body

    # OSCE follows the e-mail's link, corrects the new activity and submits again.
    osce.goto(f"{site}/en/rounds/mine/")
    expect(osce.locator(".comment")).to_contain_text("Say where the new one runs.")
    osce.get_by_role("region", name="Community policing").get_by_role("link", name="Edit").click()
    countries = osce.get_by_role("group", name="Countries")
    expect(countries.get_by_role("checkbox")).to_have_count(5)  # the plan's states only
    countries.get_by_role("checkbox", name="Kyrgyzstan").check()
    osce.get_by_role("button", name="Save").click()
    osce.get_by_role("button", name="Submit for review").click()
    expect(message(osce)).to_contain_text("Submitted for review")

    # The coordinator accepts both (each told) and publishes (everyone told).
    coord.goto(dashboard)
    for organisation in ("OSCE", "UNODC"):
        coord.get_by_role("link", name=f"Review {organisation}").click()
        coord.get_by_role("button", name="Accept").click()
        expect(message(coord)).to_contain_text(f"Accepted the submission of {organisation}.")
    assert "was accepted" in inbox("fp-osce")[-1].subject
    assert "принят" in inbox("fp-unodc")[-1].subject
    coord.get_by_label("Title of the edition").fill("Spring 2016")
    coord.get_by_label("As of").fill("2016-04-30")
    if SCREENSHOTS:
        coord.screenshot(path=str(Path(SCREENSHOTS) / "round-page.png"), full_page=True)
    coord.get_by_role("button", name="Publish").click()
    expect(message(coord)).to_contain_text("Published edition 2.")
    assert inbox("fp-osce")[-1].subject == "“Spring update” is published"
    assert f"{site}/en/matrix/" in inbox("fp-osce")[-1].body

    # The round's page lists every e-mail, each delivered.
    coord.get_by_role("link", name="e-mails sent for this round").click()
    table = coord.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(len(mail.outbox))
    expect(table).not_to_contain_text("failed")
    expect(table).to_contain_text("invitation")
    expect(table).to_contain_text("reminder before the deadline")
