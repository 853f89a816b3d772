"""An update round walked through the pages: open, answer, review, return, accept, publish."""

import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from jpoa.core.models import Country, Organisation
from jpoa.matrix.editions import compare_editions, publish_edition
from jpoa.matrix.models import Activity, EditionEntry
from jpoa.rounds import services
from jpoa.rounds.models import Proposal, Submission, UpdateRound
from tests.factories import coordinator, focal_point, proposal_post, titled_activity

DEADLINE = "2030-10-01"


@pytest.fixture(autouse=True)
def english():
    """Other tests may leave Russian active; these read English labels and URLs."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(default_data):
    """Two organisations with activities, their focal points, a coordinator, edition 1."""
    w = {
        "coord": coordinator(),
        "osce_fp": focal_point("osce"),
        "unodc_fp": focal_point("unodc"),
        "osce_police": titled_activity("osce", "Police reform"),
        "osce_border": titled_activity("osce", "Border management"),
        "unodc_legal": titled_activity("unodc", "Legal assistance"),
    }
    w["first"] = publish_edition(title="First edition", by=w["coord"])
    return w


def login(client, user):
    client.force_login(user)
    return client


def open_round_through_page(client, coord) -> UpdateRound:
    login(client, coord)
    response = client.post(reverse("rounds:open"), {"title": "Autumn 2015", "deadline": DEADLINE})
    update_round = UpdateRound.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("rounds:dashboard", args=[update_round.pk])
    return update_round


def test_it_walks_the_whole_cycle(client, world):
    update_round = open_round_through_page(client, world["coord"])
    orgs = set(update_round.submissions.values_list("organisation__key", flat=True))
    assert {"osce", "unodc"} <= orgs

    # OSCE: edits one activity, ends another, adds a new one, submits.
    login(client, world["osce_fp"])
    page = client.get(reverse("rounds:mine"))
    assert page.status_code == 200
    assert "Police reform" in page.content.decode()
    assert "Legal assistance" not in page.content.decode()
    police = world["osce_police"]
    kz = Country.objects.get(iso2="KZ")
    response = client.post(
        reverse("rounds:edit", args=[police.pk]),
        proposal_post(police, title_en="Police reform and training", countries=[kz.pk]),
    )
    assert response.status_code == 302, response.content.decode()
    border = world["osce_border"]
    client.post(
        reverse("rounds:mark", args=[border.pk, "end"]),
        {"proposal_version": 0, "activity_version": border.version},
    )
    response = client.post(
        reverse("rounds:new"),
        proposal_post(None, title_en="Cyber security workshop", status="planned"),
    )
    assert response.status_code == 302, response.content.decode()
    # Nothing is applied to the matrix while the round runs.
    police.refresh_from_db()
    assert police.title_en == "Police reform"
    assert client.post(reverse("rounds:submit")).status_code == 302

    # The coordinator sees that UNODC has not answered yet.
    login(client, world["coord"])
    dashboard = client.get(reverse("rounds:dashboard", args=[update_round.pk]))
    unanswered = dashboard.context["dashboard"].unanswered
    assert "unodc" in {s.organisation.key for s in unanswered}
    assert "osce" not in {s.organisation.key for s in unanswered}

    # UNODC confirms its activity and submits.
    login(client, world["unodc_fp"])
    legal = world["unodc_legal"]
    client.post(
        reverse("rounds:mark", args=[legal.pk, "confirm"]),
        {"proposal_version": 0, "activity_version": legal.version},
    )
    client.post(reverse("rounds:submit"))

    # Review OSCE's differences field by field; return it with a comment.
    login(client, world["coord"])
    osce = Submission.objects.get(round=update_round, organisation__key="osce")
    review = client.get(reverse("rounds:review", args=[osce.pk]))
    html = review.content.decode()
    assert "Police reform and training" in html and "Kazakhstan" in html
    assert "Cyber security workshop" in html
    changes = {row.title: [c.field for c in row.changes] for row in review.context["rows"]}
    assert changes["Police reform"] == ["title_en", "countries"]
    assert changes["Border management"] == ["end_date", "status"]
    client.post(reverse("rounds:return", args=[osce.pk]), {"comment": "Add the Russian title"})
    osce.refresh_from_db()
    assert osce.status == Submission.Status.RETURNED

    # OSCE sees the comment, fixes, resubmits.
    login(client, world["osce_fp"])
    assert "Add the Russian title" in client.get(reverse("rounds:mine")).content.decode()
    proposal = Proposal.objects.get(submission=osce, activity=police)
    response = client.post(
        reverse("rounds:edit", args=[police.pk]),
        proposal_post(
            police,
            proposal_version=proposal.version,
            title_en="Police reform and training",
            title_ru="Реформа полиции и обучение",
            countries=[kz.pk],
        ),
    )
    assert response.status_code == 302
    client.post(reverse("rounds:submit"))

    # Accept both; publish.
    login(client, world["coord"])
    unodc = Submission.objects.get(round=update_round, organisation__key="unodc")
    for submission in (osce, unodc):
        assert client.post(reverse("rounds:accept", args=[submission.pk])).status_code == 302
    response = client.post(
        reverse("rounds:publish", args=[update_round.pk]), {"title": "October 2015"}
    )
    assert response.status_code == 302
    update_round.refresh_from_db()
    assert update_round.status == UpdateRound.Status.PUBLISHED
    second = update_round.edition
    assert second.number == world["first"].number + 1

    comparison = compare_editions(world["first"], second)
    assert [a["title"]["en"] for a in comparison.added] == ["Cyber security workshop"]
    assert comparison.ended == []
    changed = {c.key: {f.field for f in c.changes} for c in comparison.changed}
    assert changed == {
        police.key: {"title", "countries"},
        border.key: {"end_date", "status"},
    }
    police.refresh_from_db()
    assert (police.title_en, police.title_ru) == (
        "Police reform and training",
        "Реформа полиции и обучение",
    )
    entry = EditionEntry.objects.get(edition=second, activity_key=border.key)
    assert entry.data["status"] == "completed"
    # The changes are audited with the coordinator who published them.
    assert LogEntry.objects.get_for_object(police).filter(actor=world["coord"]).exists()


def test_it_applies_only_accepted_submissions(world):
    coord = world["coord"]
    update_round = services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=coord)
    police = world["osce_police"]
    osce = services.submission_of(user=world["osce_fp"], round=update_round)
    services.save_proposal(
        submission=osce,
        user=world["osce_fp"],
        kind=Proposal.Kind.END,
        activity=police,
    )
    services.submit(submission=osce, user=world["osce_fp"])
    services.return_submission(submission=osce, user=coord, comment="No")
    services.publish_round(round=update_round, title="Second", user=coord)
    police.refresh_from_db()
    assert police.status == Activity.Status.ONGOING


def test_it_refuses_to_publish_while_submissions_await_review(world):
    coord = world["coord"]
    update_round = services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=coord)
    osce = services.submission_of(user=world["osce_fp"], round=update_round)
    services.submit(submission=osce, user=world["osce_fp"])
    with pytest.raises(services.RoundError, match="Review these submissions first"):
        services.publish_round(round=update_round, title="Second", user=coord)


def test_it_refuses_a_second_open_round(world):
    services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=world["coord"])
    with pytest.raises(services.RoundError):
        services.open_round(title="S", deadline=datetime.date(2030, 1, 1), user=world["coord"])


def test_it_validates_proposals_with_the_editors_rules(client, world):
    services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=world["coord"])
    login(client, world["osce_fp"])
    police = world["osce_police"]
    response = client.post(
        reverse("rounds:edit", args=[police.pk]),
        proposal_post(police, start_date="2015-01-01", end_date="2014-01-01", title_en=""),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"end_date", "title_en"}
    assert not Proposal.objects.exists()


def test_a_submitted_answer_cannot_be_changed(client, world):
    services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=world["coord"])
    login(client, world["osce_fp"])
    client.post(reverse("rounds:submit"))
    police = world["osce_police"]
    response = client.post(
        reverse("rounds:edit", args=[police.pk]), proposal_post(police, title_en="Changed")
    )
    assert response.status_code == 409
    assert not Proposal.objects.exists()


def test_the_cli_opens_reports_and_publishes_a_round(world):
    out = io.StringIO()
    call_command(
        "round",
        "open",
        "--title",
        "CLI round",
        "--deadline",
        DEADLINE,
        "--user",
        "coord",
        stdout=out,
    )
    assert "Opened round" in out.getvalue()
    update_round = UpdateRound.objects.get(title="CLI round")
    assert update_round.deadline == datetime.date(2030, 10, 1)
    osce = services.submission_of(user=world["osce_fp"], round=update_round)
    services.submit(submission=osce, user=world["osce_fp"])
    services.accept(submission=osce, user=world["coord"])

    out = io.StringIO()
    call_command("round", "status", stdout=out)
    text = out.getvalue()
    assert "OSCE" in text and "accepted" in text
    assert "Not answered yet:" in text and "UNODC" in text

    out = io.StringIO()
    call_command("round", "publish", "--title", "CLI edition", "--user", "coord", stdout=out)
    assert "Published edition 2" in out.getvalue()
    update_round.refresh_from_db()
    assert update_round.edition.title == "CLI edition"
    assert LogEntry.objects.get_for_object(update_round).filter(actor=world["coord"]).exists()


def test_the_cli_refuses_a_focal_point_and_bad_dates(world):
    with pytest.raises(CommandError, match="not a coordinator"):
        call_command("round", "open", "--title", "X", "--deadline", DEADLINE, "--user", "fp-osce")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("round", "open", "--title", "X", "--deadline", "1/10/30", "--user", "coord")
    with pytest.raises(CommandError, match="no active user"):
        call_command("round", "open", "--title", "X", "--deadline", DEADLINE, "--user", "nobody")
    assert not UpdateRound.objects.exists()
    assert Organisation.objects.filter(key="osce").exists()
