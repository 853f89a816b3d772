"""The whole update round from the command line, in process.

`jpoa round open`, the focal points' answers through the services (the CLI has
no focal-point commands), `jpoa round status` naming who has not answered,
`jpoa round publish`, then `jpoa publish`; each comparison of editions lists
exactly what changed.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import translation

from jpoa.core.models import Country
from jpoa.matrix.editions import compare_editions, publish_edition
from jpoa.matrix.models import Edition
from jpoa.matrix.writes import update_activity
from jpoa.rounds import services
from jpoa.rounds.models import Proposal, Submission, UpdateRound
from jpoa.rounds.proposals import activity_data
from tests.factories import coordinator, focal_point, titled_activity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def changes_of(comparison) -> dict[str, list[tuple]]:
    return {
        c.key: sorted((x.field, x.language, x.before, x.after) for x in c.changes)
        for c in comparison.changed
    }


def test_the_whole_round_on_the_command_line(default_data):
    coord = coordinator()
    osce_fp, unodc_fp = focal_point("osce"), focal_point("unodc")
    focal_point("eu")
    border = titled_activity("osce", "Border management")
    police = titled_activity("osce", "Police reform")
    legal = titled_activity("unodc", "Legal assistance")
    titled_activity("unodc", "Judicial training")
    first = publish_edition(title="First edition", by=coord)

    out = run(
        "round", "open", "--title", "Autumn round", "--deadline", "2030-11-30", "--user", "coord"
    )
    # Those that lead an activity, and the EU, which leads none but has a focal point.
    assert "3 organisations asked to answer" in out
    update_round = UpdateRound.objects.get()
    answering = set(update_round.submissions.values_list("organisation__key", flat=True))
    assert answering == {"osce", "unodc", "eu"}

    status = run("round", "status")
    assert "0 of 3 answered" in status
    assert "Not answered yet:" in status

    # OSCE changes one activity, ends another and proposes a new one.
    osce = services.submission_of(user=osce_fp, round=update_round)
    data = activity_data(border)
    data["countries"] = [Country.objects.get(iso2="TJ").pk]
    data["end_date"] = "2018-12-31"
    services.save_proposal(
        submission=osce,
        user=osce_fp,
        kind=Proposal.Kind.CHANGE,
        activity=border,
        data=data,
        activity_version=border.version,
    )
    services.save_proposal(
        submission=osce,
        user=osce_fp,
        kind=Proposal.Kind.END,
        activity=police,
        activity_version=police.version,
    )
    new = {**activity_data(border), "title_en": "Community policing", "description_en": ""}
    new.update(status="planned", countries=[], end_date=None)
    services.save_proposal(submission=osce, user=osce_fp, kind=Proposal.Kind.NEW, data=new)
    services.submit(submission=osce, user=osce_fp)

    # UNODC confirms one activity (the other is taken as unchanged) and submits.
    unodc = services.submission_of(user=unodc_fp, round=update_round)
    services.save_proposal(
        submission=unodc,
        user=unodc_fp,
        kind=Proposal.Kind.CONFIRM,
        activity=legal,
        activity_version=legal.version,
    )
    services.submit(submission=unodc, user=unodc_fp)

    status = run("round", "status")
    assert "2 of 3 answered; 2 awaiting review." in status
    not_answered = status.split("Not answered yet:")[1]
    assert "EU" in not_answered and "OSCE" not in not_answered and "UNODC" not in not_answered

    # The coordinator returns OSCE's answer; OSCE is again among those who have not answered.
    services.return_submission(submission=osce, user=coord, comment="Where is it?")
    assert "OSCE" in run("round", "status").split("Not answered yet:")[1]
    osce.refresh_from_db()
    services.submit(submission=osce, user=osce_fp)
    services.accept(submission=osce, user=coord)
    services.accept(submission=unodc, user=coord)

    out = run("round", "publish", "--title", "Second edition", "--user", "coord")
    assert "Published edition 2 “Second edition”" in out
    update_round.refresh_from_db()
    assert update_round.status == UpdateRound.Status.PUBLISHED
    assert update_round.submissions.get(organisation__key="eu").status == (
        Submission.Status.NOT_STARTED
    )

    second = update_round.edition
    comparison = compare_editions(first, second)
    assert [r["title"]["en"] for r in comparison.added] == ["Community policing"]
    assert comparison.ended == []
    today = datetime.date.today().isoformat()
    assert changes_of(comparison) == {
        border.key: [("countries", None, [], ["TJ"]), ("end_date", None, None, "2018-12-31")],
        police.key: [("end_date", None, None, today), ("status", None, "ongoing", "completed")],
    }
    assert comparison.unchanged_count == 2  # Legal assistance, Judicial training

    # A coordinator's later correction, published with `jpoa publish`.
    legal.refresh_from_db()
    update_activity(
        activity_id=legal.pk,
        data={"title_ru": "Правовая помощь"},
        expected_version=legal.version,
        user=coord,
    )
    out = run("publish", "--title", "Third edition", "--as-of", "2030-12-31")
    assert "Published edition 3: Third edition (as of 2030-12-31), 5 activities" in out
    third = Edition.objects.get(number=3)
    comparison = compare_editions(second, third)
    assert (comparison.added, comparison.ended) == ([], [])
    assert changes_of(comparison) == {legal.key: [("title", "ru", "", "Правовая помощь")]}
    assert compare_editions(third, third).changed == []
