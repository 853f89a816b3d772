"""Rounds that run themselves: e-mails, a round that can be corrected, offline answers, the API.

E-mail is Django's test outbox; tasks run at once (the immediate backend), so a message
queued by a change is in the outbox when the change returns.
"""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from jpoa.core.models import Country
from jpoa.matrix.editions import publish_edition
from jpoa.rounds import services
from jpoa.rounds.models import (
    Frequency,
    Message,
    MessagePreference,
    Proposal,
    Submission,
    UpdateRound,
)
from jpoa.rounds.proposals import offered_countries
from tests.factories import bearer, coordinator, focal_point, titled_activity

TODAY = timezone.localdate()
DEADLINE = TODAY + datetime.timedelta(days=30)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def with_email(user):
    user.email = f"{user.username}@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def world(default_data):
    w = {
        "coord": with_email(coordinator()),
        "osce_fp": with_email(focal_point("osce")),
        "unodc_fp": with_email(focal_point("unodc")),
        "border": titled_activity(
            "osce", "Border management", end_date=datetime.date(2016, 12, 31)
        ),
        "police": titled_activity("osce", "Police reform"),
        "legal": titled_activity("unodc", "Legal assistance"),
    }
    publish_edition(title="First edition", by=w["coord"])
    return w


def open_round(world, deadline=DEADLINE, **kw) -> UpdateRound:
    return services.open_round(title="Autumn round", deadline=deadline, user=world["coord"], **kw)


def to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def submit(world, who: str, update_round) -> Submission:
    user = world[who]
    submission = services.submission_of(user=user, round=update_round)
    return services.submit(submission=submission, user=user)


# -- invitations, notices, preferences -------------------------------------------------------


def test_opening_a_round_invites_every_focal_point_with_the_link_and_deadline(world):
    update_round = open_round(world)
    [osce] = to(world["osce_fp"])
    assert osce.subject.startswith("Update round “Autumn round”: please answer by")
    assert "http://localhost:8000/en/rounds/mine/" in osce.body
    assert DEADLINE.strftime("%Y") in osce.subject
    assert "OSCE" in osce.body
    assert len(to(world["unodc_fp"])) == 1
    recorded = Message.objects.get(recipient=world["osce_fp"], kind=Message.Kind.INVITATION)
    assert (recorded.status, recorded.round) == (Message.Status.SENT, update_round)
    assert recorded.sent_at is not None


def test_a_focal_point_reading_russian_gets_russian(world):
    MessagePreference.objects.create(user=world["osce_fp"], language="ru")
    open_round(world)
    [osce] = to(world["osce_fp"])
    assert "Цикл обновления «Autumn round»" in osce.subject
    assert "/ru/rounds/mine/" in osce.body
    assert to(world["unodc_fp"])[0].subject.startswith("Update round")


def test_returned_accepted_and_published_answers_are_told(world):
    update_round = open_round(world)
    mail.outbox.clear()
    osce = submit(world, "osce_fp", update_round)
    services.return_submission(submission=osce, user=world["coord"], comment="Add the dates.")
    [returned] = to(world["osce_fp"])
    assert "returned with a comment" in returned.subject
    assert "Add the dates." in returned.body
    osce = submit(world, "osce_fp", update_round)
    services.accept(submission=osce, user=world["coord"])
    assert "was accepted" in to(world["osce_fp"])[-1].subject
    unodc = submit(world, "unodc_fp", update_round)
    services.accept(submission=unodc, user=world["coord"])
    services.publish_round(round=update_round, title="Edition 2", user=world["coord"])
    assert to(world["unodc_fp"])[-1].subject == "“Autumn round” is published"
    assert "http://localhost:8000/en/matrix/" in to(world["unodc_fp"])[-1].body


def test_a_focal_point_can_ask_for_fewer_emails_or_none(world, client):
    client.force_login(world["osce_fp"])
    response = client.post(
        reverse("rounds:preferences"), {"language": "en", "frequency": "essential"}
    )
    assert response.status_code == 302
    MessagePreference.objects.create(user=world["unodc_fp"], frequency=Frequency.NONE)
    update_round = open_round(world)
    assert len(to(world["osce_fp"])) == 1  # the invitation needs their action
    assert to(world["unodc_fp"]) == []
    osce = submit(world, "osce_fp", update_round)
    services.accept(submission=osce, user=world["coord"])
    assert len(to(world["osce_fp"])) == 1  # no "accepted" notice
    services.reopen_submission(submission=osce, user=world["coord"])
    assert "open for changes again" in to(world["osce_fp"])[-1].subject


def test_a_round_recorded_after_the_fact_sends_nothing(world):
    open_round(
        world,
        deadline=TODAY - datetime.timedelta(days=400),
        send_email=False,
        allow_past_deadline=True,
    )
    assert mail.outbox == []
    assert Message.objects.count() == 0


def test_a_failed_delivery_is_recorded_and_shown_to_the_coordinator(world, client, settings):
    settings.EMAIL_BACKEND = "tests.test_rounds_run_themselves.BrokenBackend"
    update_round = open_round(world)
    failed = Message.objects.filter(status=Message.Status.FAILED)
    assert failed.count() == 2
    assert "ConnectionRefusedError" in failed.first().error
    client.force_login(world["coord"])
    page = client.get(reverse("rounds:messages", args=[update_round.pk])).content.decode()
    assert page.count("failed") >= 2 and "fp-osce@example.org" in page
    dashboard = client.get(reverse("rounds:dashboard", args=[update_round.pk])).content.decode()
    assert "2 failed" in dashboard
    client.force_login(world["osce_fp"])
    assert client.get(reverse("rounds:messages", args=[update_round.pk])).status_code == 403


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


# -- the daily run ----------------------------------------------------------------------------


def test_the_daily_command_reminds_before_on_and_after_the_deadline_once_each(world):
    update_round = open_round(world, reminder_days=3)
    submit(world, "unodc_fp", update_round)
    mail.outbox.clear()
    day = lambda n: (DEADLINE + datetime.timedelta(days=n)).isoformat()  # noqa: E731
    assert "Queued 0 reminders" in run("round", "remind", "--date", day(-4))
    out = run("round", "remind", "--date", day(-3))
    assert "Queued 1 reminders" in out and "1 digests" in out
    [reminder] = to(world["osce_fp"])
    assert reminder.subject.startswith("Reminder: “Autumn round” closes on")
    assert to(world["unodc_fp"]) == []  # it has answered
    assert "Queued 0 reminders" in run("round", "remind", "--date", day(-2))  # once only
    assert "1 due-today notices" in run("round", "remind", "--date", day(0))
    assert "1 overdue notices" in run("round", "remind", "--date", day(1))
    assert "0 overdue notices" in run("round", "remind", "--date", day(2))
    kinds = [m.kind for m in Message.objects.filter(recipient=world["osce_fp"]).order_by("pk")]
    assert kinds == ["invitation", "reminder", "due_today", "overdue"]
    digests = to(world["coord"])
    assert len(digests) == 6  # one for each day it ran
    assert "Not answered yet:\n- OSCE" in digests[0].body


def test_extending_the_deadline_arms_the_reminders_again(world):
    update_round = open_round(world, reminder_days=0)
    after = (DEADLINE + datetime.timedelta(days=1)).isoformat()
    assert "2 overdue notices" in run("round", "remind", "--date", after)
    later = DEADLINE + datetime.timedelta(days=10)
    run("round", "extend", "--deadline", later.isoformat(), "--user", "coord")
    assert "the deadline is now" in to(world["osce_fp"])[-1].subject
    update_round.refresh_from_db()
    assert update_round.deadline == later
    assert "0 overdue notices" in run("round", "remind", "--date", after)
    assert "2 due-today notices" in run("round", "remind", "--date", later.isoformat())
    after_later = (later + datetime.timedelta(days=1)).isoformat()
    assert "2 overdue notices" in run("round", "remind", "--date", after_later)


# -- correcting a round ----------------------------------------------------------------------


def test_a_deadline_in_the_past_is_refused_everywhere(world, client):
    past = TODAY - datetime.timedelta(days=1)
    with pytest.raises(services.RoundError, match="is in the past"):
        open_round(world, deadline=past)
    with pytest.raises(CommandError, match="is in the past"):
        run("round", "open", "--title", "X", "--deadline", past.isoformat(), "--user", "coord")
    client.force_login(world["coord"])
    response = client.post(reverse("rounds:open"), {"title": "X", "deadline": past.isoformat()})
    assert UpdateRound.objects.count() == 0
    assert "is in the past" in client.get(response.url).content.decode()


def test_extending_refuses_an_earlier_deadline_and_a_focal_point(world, client):
    update_round = open_round(world)
    with pytest.raises(services.RoundError, match="must be after the current one"):
        services.extend_deadline(round=update_round, deadline=DEADLINE, user=world["coord"])
    client.force_login(world["osce_fp"])
    later = (DEADLINE + datetime.timedelta(days=5)).isoformat()
    response = client.post(reverse("rounds:extend", args=[update_round.pk]), {"deadline": later})
    assert response.status_code == 403
    client.force_login(world["coord"])
    response = client.post(reverse("rounds:extend", args=[update_round.pk]), {"deadline": later})
    assert response.status_code == 302
    update_round.refresh_from_db()
    assert update_round.deadline.isoformat() == later


def test_closing_without_publishing_frees_the_way_for_the_next_round(world, client):
    update_round = open_round(world)
    osce = submit(world, "osce_fp", update_round)
    services.accept(submission=osce, user=world["coord"])
    client.force_login(world["coord"])
    url = reverse("rounds:close", args=[update_round.pk])
    assert client.post(url, {"close-reason": ""}).status_code == 400
    assert client.post(url, {"close-reason": "Superseded by the spring round."}).status_code == 302
    update_round.refresh_from_db()
    assert update_round.status == UpdateRound.Status.CLOSED
    assert update_round.end_reason == "Superseded by the spring round."
    assert "has ended" in to(world["unodc_fp"])[-1].subject
    assert "Superseded by the spring round." in to(world["unodc_fp"])[-1].body
    # Focal points can no longer change their answers ...
    unodc = Submission.objects.get(round=update_round, organisation__key="unodc")
    with pytest.raises(services.RoundError, match="can no longer be changed"):
        services.submit(submission=unodc, user=world["unodc_fp"])
    # ... its accepted answers can still be published, and a new round can be opened.
    done = services.publish_round(round=update_round, title="Edition 2", user=world["coord"])
    assert done.edition.number == 2
    assert open_round(world).is_open


def test_a_cancelled_round_publishes_nothing(world):
    update_round = open_round(world)
    with pytest.raises(services.RoundError, match="Say why"):
        services.cancel_round(round=update_round, user=world["coord"], reason=" ")
    out = run("round", "cancel", "--reason", "Opened by mistake.", "--user", "coord")
    assert "Cancelled “Autumn round”" in out
    with pytest.raises(services.RoundError, match="was cancelled"):
        services.publish_round(round=update_round, title="E", user=world["coord"])
    assert "“Autumn round”: cancelled, deadline" in run("round", "status")


def test_reopening_one_answer_lets_the_organisation_change_it(world, client):
    update_round = open_round(world)
    osce = submit(world, "osce_fp", update_round)
    client.force_login(world["osce_fp"])
    assert client.post(reverse("rounds:reopen", args=[osce.pk])).status_code == 403
    client.force_login(world["coord"])
    response = client.post(reverse("rounds:reopen", args=[osce.pk]), {"comment": "Go on."})
    assert response.status_code == 302
    osce.refresh_from_db()
    assert osce.status == Submission.Status.DRAFT and osce.is_editable
    services.save_proposal(
        submission=osce,
        user=world["osce_fp"],
        kind=Proposal.Kind.CONFIRM,
        activity=world["police"],
        activity_version=world["police"].version,
    )


def test_overdue_organisations_are_flagged_in_words(world, client):
    update_round = open_round(world)
    submit(world, "unodc_fp", update_round)
    UpdateRound.objects.filter(pk=update_round.pk).update(
        deadline=TODAY - datetime.timedelta(days=2)
    )
    client.force_login(world["coord"])
    page = client.get(reverse("rounds:dashboard", args=[update_round.pk])).content.decode()
    assert "has passed and 1 organisation has not answered" in page
    assert page.count('badge-overdue">overdue') >= 3  # the deadline, the list, the table
    status = run("round", "status")
    assert "open, deadline" in status and "(overdue)" in status
    assert "OSCE                 not started, overdue" in status
    assert "UNODC                submitted" in status
    assert "not_started" not in status


def test_publishing_waits_for_review_and_says_where(world):
    update_round = open_round(world)
    submit(world, "osce_fp", update_round)
    with pytest.raises(CommandError, match=rf"first: OSCE\. .*/en/rounds/{update_round.pk}/"):
        run("round", "publish", "--title", "E", "--user", "coord")


def test_round_publish_takes_as_of(world):
    open_round(world)
    out = run("round", "publish", "--title", "E2", "--as-of", "2016-12-31", "--user", "coord")
    assert "as of 2016-12-31" in out
    assert UpdateRound.objects.get().edition.as_of == datetime.date(2016, 12, 31)


def test_publishing_from_the_page_is_a_task_whose_state_the_page_shows(world, client):
    update_round = open_round(world)
    client.force_login(world["coord"])
    url = reverse("rounds:publish", args=[update_round.pk])
    response = client.post(url, {"title": "Edition 2", "as_of": "2016-12-31"}, follow=True)
    update_round.refresh_from_db()
    assert update_round.publish_task_id
    assert update_round.edition.as_of == datetime.date(2016, 12, 31)
    assert "Published edition 2." in response.content.decode()


def test_a_refused_publication_from_the_page_says_why(world, client):
    update_round = open_round(world)
    submit(world, "osce_fp", update_round)
    client.force_login(world["coord"])
    url = reverse("rounds:publish", args=[update_round.pk])
    page = client.post(url, {"title": "Edition 2"}, follow=True).content.decode()
    assert "Review these submissions first: OSCE." in page
    update_round.refresh_from_db()
    assert update_round.edition is None and "OSCE" in update_round.publish_error


# -- the right choices -------------------------------------------------------------------------


def test_the_countries_offered_are_the_plans_states(world, client):
    offered = set(offered_countries().values_list("iso2", flat=True))
    assert offered == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert Country.objects.filter(iso2__in=["NO", "SK"]).count() == 2
    update_round = open_round(world)
    client.force_login(world["osce_fp"])
    page = client.get(reverse("rounds:edit", args=[world["border"].pk])).content.decode()
    countries = page[
        page.index("<legend>Countries") : page.index("</fieldset>", page.index("<legend>Countries"))
    ]
    assert "Tajikistan" in countries and "Norway" not in countries and "Slovakia" not in countries
    del update_round


# -- answering offline -------------------------------------------------------------------------


def download(client) -> bytes:
    response = client.get(reverse("rounds:workbook"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def upload(client, data: bytes):
    file = io.BytesIO(data)
    file.name = "answer.xlsx"
    return client.post(reverse("rounds:upload_workbook"), {"file": file})


def headers(sheet) -> dict[str, int]:
    return {cell.value.split(" / ")[0]: cell.column for cell in sheet[1]}


def test_the_workbook_is_made_for_filling_in(world, client):
    world["police"].title_en = '=HYPERLINK("http://evil.example","Police")'
    world["police"].save()
    open_round(world)
    client.force_login(world["osce_fp"])
    book = load_workbook(io.BytesIO(download(client)))
    assert book.sheetnames[:2] == ["Instructions", "Activities"]
    instructions = " ".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row)
    assert "How to answer offline" in instructions and "Как ответить" in instructions
    sheet = book["Activities"]
    cols = headers(sheet)
    assert {"Pillar I", "Kazakhstan", "Region-wide", "Status", "Start date"} <= set(cols)
    assert "Norway" not in cols
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    border = rows[world["border"].key]
    start = sheet.cell(row=border, column=cols["Start date"])
    assert start.is_date and start.value.date() == datetime.date(2014, 1, 1)
    assert sheet.cell(row=border, column=cols["End date"]).is_date
    lists = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    from openpyxl.utils import get_column_letter as letter

    assert (
        lists[f"{letter(cols['Status'])}2"].formula1
        == '"planned,ongoing,completed,suspended,cancelled"'
    )
    assert lists[f"{letter(cols['Pillar II'])}2"].formula1 == '"yes,no"'
    assert lists[f"{letter(cols['Kazakhstan'])}2"].formula1 == '"yes,no"'
    assert lists[f"{letter(cols['Start date'])}2"].type == "date"
    assert sheet.protection.sheet is True
    assert sheet.cell(row=border, column=1).protection.locked is True
    assert sheet.cell(row=border, column=cols["Title in English"]).protection.locked is False
    assert "Legal assistance" not in [sheet.cell(row=r, column=3).value for r in rows.values()]
    title = sheet.cell(row=rows[world["police"].key], column=cols["Title in English"])
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK")  # text, never run


def test_an_offline_answer_round_trips_through_preview_and_confirmation(world, client):
    update_round = open_round(world)
    client.force_login(world["osce_fp"])
    book = load_workbook(io.BytesIO(download(client)))
    sheet = book["Activities"]
    cols = headers(sheet)
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    border, police = rows[world["border"].key], rows[world["police"].key]
    sheet.cell(row=border, column=cols["Title in English"], value="Border management college")
    sheet.cell(row=border, column=cols["End date"], value=datetime.datetime(2018, 12, 31))
    sheet.cell(row=border, column=cols["Tajikistan"], value="yes")
    sheet.cell(row=police, column=cols["Your answer"], value="ended")
    new = max(r for r in rows.values() if r) + 1
    sheet.cell(row=new, column=cols["Title in English"], value="Community policing")
    sheet.cell(row=new, column=cols["Status"], value="planned")
    sheet.cell(row=new, column=cols["Pillar I"], value="yes")
    sheet.cell(row=new, column=cols["Region-wide"], value="yes")
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue())
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Border management college" in page and "2018-12-31" in page
    assert "Community policing" in page and "ended" in page
    assert Proposal.objects.count() == 0  # nothing changes before confirming
    confirm = response.url + "confirm/"
    response = client.post(confirm, {"then": "submit"})
    assert response.status_code == 302
    osce = Submission.objects.get(round=update_round, organisation__key="osce")
    assert osce.status == Submission.Status.SUBMITTED
    kinds = dict(osce.proposals.values_list("kind", "activity__key"))
    assert set(kinds) == {"change", "end", "new"}
    change = osce.proposals.get(kind="change")
    assert change.data["title_en"] == "Border management college"
    assert change.data["end_date"] == "2018-12-31"
    assert Country.objects.get(iso2="TJ").pk in change.data["countries"]
    # The upload is used once; the answer is the coordinator's to review as usual.
    assert client.post(confirm, {"then": "submit"}).status_code == 302
    assert osce.proposals.count() == 3


def test_a_changed_key_or_a_bad_date_is_refused_with_a_clear_error(world, client):
    open_round(world)
    client.force_login(world["osce_fp"])
    book = load_workbook(io.BytesIO(download(client)))
    sheet = book["Activities"]
    cols = headers(sheet)
    sheet.cell(row=2, column=1, value=world["legal"].key)  # UNODC's
    sheet.cell(row=3, column=cols["Start date"], value="next spring")
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue())
    page = client.get(response.url).content.decode()
    assert "the key column was changed" in page
    assert "Not a date: “next spring”" in page
    assert "Make it your answer" not in page
    assert client.post(response.url + "confirm/", {"then": "submit"}).status_code == 302
    assert Proposal.objects.count() == 0


def test_a_renamed_column_or_a_foreign_file_is_refused(world, client):
    open_round(world)
    client.force_login(world["osce_fp"])
    book = load_workbook(io.BytesIO(download(client)))
    book["Activities"].cell(row=1, column=3, value="Name")
    out = io.BytesIO()
    book.save(out)
    page = client.get(upload(client, out.getvalue()).url).content.decode()
    assert "was moved, renamed or removed" in page
    page = client.get(upload(client, b"not a workbook").url).content.decode()
    assert "This is not an XLSX workbook." in page


# -- the API -----------------------------------------------------------------------------------


def api(client, method, path, user, body=None):
    return getattr(client, method)(
        f"/api/v1{path}", body or {}, content_type="application/json", **bearer(user)
    )


def test_the_api_runs_a_round_with_the_webs_permissions(world, client):
    response = api(
        client, "post", "/rounds", world["osce_fp"], {"title": "R", "deadline": str(DEADLINE)}
    )
    assert response.status_code == 403
    past = str(TODAY - datetime.timedelta(days=1))
    response = api(client, "post", "/rounds", world["coord"], {"title": "R", "deadline": past})
    assert response.status_code == 409 and "in the past" in response.json()["detail"]
    response = api(
        client, "post", "/rounds", world["coord"], {"title": "R", "deadline": str(DEADLINE)}
    )
    assert response.status_code == 201
    round_id = response.json()["id"]
    later = str(DEADLINE + datetime.timedelta(days=7))
    response = api(
        client, "post", f"/rounds/{round_id}/extend", world["coord"], {"deadline": later}
    )
    assert response.json()["deadline"] == later

    # OSCE changes one activity, ends another, proposes a new one and submits.
    fp = world["osce_fp"]
    border = world["border"].key
    change = {
        "activity": border,
        "kind": "change",
        "fields": {"countries": ["TJ"], "end_date": "2018-12-31"},
    }
    response = api(client, "post", "/rounds/current/answer/proposals", fp, change)
    assert response.status_code == 200, response.json()
    norway = {"activity": border, "kind": "change", "version": 1, "fields": {"countries": ["NO"]}}
    response = api(client, "post", "/rounds/current/answer/proposals", fp, norway)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.fields.countries"
    legal = {"activity": world["legal"].key, "kind": "confirm"}
    assert api(client, "post", "/rounds/current/answer/proposals", fp, legal).status_code == 404
    end = {"activity": world["police"].key, "kind": "end"}
    assert api(client, "post", "/rounds/current/answer/proposals", fp, end).status_code == 200
    new = {"kind": "new", "fields": {"title": {"en": "Community policing"}, "status": "planned"}}
    answer = api(client, "post", "/rounds/current/answer/proposals", fp, new).json()
    assert sorted(p["kind"] for p in answer["proposals"]) == ["change", "end", "new"]
    answer = api(client, "post", "/rounds/current/answer/submit", fp).json()
    assert answer["status"] == "submitted"

    # The focal point cannot review; the coordinator returns, then accepts after a resubmit.
    path = f"/submissions/{answer['id']}"
    assert api(client, "post", f"{path}/accept", fp).status_code == 403
    response = api(client, "post", f"{path}/return", world["coord"], {"comment": "Say where."})
    assert response.json()["status"] == "returned"
    api(client, "post", "/rounds/current/answer/submit", fp)
    assert api(client, "post", f"{path}/accept", world["coord"]).json()["status"] == "accepted"
    round_view = api(client, "get", f"/rounds/{round_id}", world["coord"]).json()
    assert {s["organisation"]: s["status_label"] for s in round_view["submissions"]} == {
        "osce": "accepted",
        "unodc": "not started",
    }
    assert api(client, "get", f"/rounds/{round_id}", fp).status_code == 403

    # Close, then publish in the background (here: at once).
    response = api(
        client, "post", f"/rounds/{round_id}/close", world["coord"], {"reason": "Enough."}
    )
    assert response.json()["status"] == "closed"
    response = api(client, "post", f"/rounds/{round_id}/publish", world["coord"], {"title": "E2"})
    assert response.status_code == 202
    assert api(client, "get", f"/rounds/{round_id}", world["coord"]).json()["edition"] == 2


# -- with the task runner of production -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_emails_and_a_publication_wait_for_the_worker(client, settings):
    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset

    load_dataset(DEFAULT_DATASET)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    coord, fp = with_email(coordinator()), with_email(focal_point("osce"))
    titled_activity("osce", "Border management")
    update_round = services.open_round(title="R", deadline=DEADLINE, user=coord)
    assert mail.outbox == []  # queued, not sent, until a worker runs
    assert Message.objects.get(recipient=fp).status == Message.Status.QUEUED
    call_command("worker", batch=True, verbosity=0)
    assert [m.to for m in mail.outbox] == [[fp.email]]
    assert Message.objects.get(recipient=fp).status == Message.Status.SENT

    client.force_login(coord)
    dashboard = reverse("rounds:dashboard", args=[update_round.pk])
    response = client.post(reverse("rounds:publish", args=[update_round.pk]), {"title": "E2"})
    page = client.get(response["Location"]).content.decode()
    assert "The round is being published" in page and "Publication: waiting to start." in page
    assert '<meta http-equiv="refresh"' in page  # the page follows the task
    again = client.post(reverse("rounds:publish", args=[update_round.pk]), {"title": "E2"})
    assert "already being published" in client.get(again["Location"]).content.decode()
    call_command("worker", batch=True, verbosity=0)
    update_round.refresh_from_db()
    assert update_round.status == UpdateRound.Status.PUBLISHED
    page = client.get(dashboard).content.decode()
    assert "Published as edition 1" in page and 'http-equiv="refresh"' not in page


def test_plan_items_are_a_drop_down_and_come_back_as_the_activitys_items(world, client):
    from jpoa.plan.models import ActionItem, Pillar, PlanVersion

    version = PlanVersion.objects.get(label="2011")
    pillar = Pillar.objects.get(number=2)
    item = ActionItem.objects.create(version=version, pillar=pillar, code="II.1", title="Borders")
    ActionItem.objects.create(version=version, pillar=pillar, code="II.2", title="Police")
    update_round = open_round(world)
    client.force_login(world["osce_fp"])
    book = load_workbook(io.BytesIO(download(client)))
    assert book["Lists"].sheet_state == "hidden"
    assert [c.value for c in book["Lists"]["A"]] == ["II.1 Borders", "II.2 Police"]
    sheet = book["Activities"]
    cols = headers(sheet)
    from openpyxl.utils import get_column_letter as letter

    lists = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert lists[f"{letter(cols['Plan item 1'])}2"].formula1 == "Lists!$A$1:$A$2"
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(row=rows[world["border"].key], column=cols["Plan item 1"], value="II.1 Borders")
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue())
    assert "II.1 Borders" in client.get(response.url).content.decode()
    client.post(response.url + "confirm/", {"then": "keep"})
    osce = Submission.objects.get(round=update_round, organisation__key="osce")
    assert osce.status == Submission.Status.DRAFT
    assert osce.proposals.get(kind="change").data["action_items"] == [item.pk]
    services.submit(submission=osce, user=world["osce_fp"])
    services.accept(submission=osce, user=world["coord"])
    services.publish_round(round=update_round, title="Edition 2", user=world["coord"])
    assert list(world["border"].action_items.all()) == [item]
