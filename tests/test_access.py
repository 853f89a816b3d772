"""Who may see and change what: a focal point never reaches another organisation's rows."""

import datetime

import pytest
from django.urls import reverse

from jpoa.accounts.access import (
    can_edit_activity,
    is_coordinator,
    organisation_of,
)
from jpoa.matrix.models import Activity
from jpoa.rounds import services
from jpoa.rounds.models import Proposal, Submission, UpdateRound
from tests.factories import (
    PASSWORD,
    coordinator,
    focal_point,
    make_user,
    proposal_post,
    titled_activity,
)


@pytest.fixture
def world(default_data):
    coord = coordinator()
    w = {
        "coord": coord,
        "osce_fp": focal_point("osce"),
        "unodc_fp": focal_point("unodc"),
        "osce_act": titled_activity("osce", "Police reform"),
        "unodc_act": titled_activity("unodc", "Legal assistance"),
        "round": services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=coord),
    }
    unodc = services.submission_of(user=w["unodc_fp"], round=w["round"])
    w["unodc_new"] = services.save_proposal(
        submission=unodc,
        user=w["unodc_fp"],
        kind=Proposal.Kind.NEW,
        data={"title_en": "UNODC secret draft", "status": "planned"},
    )
    w["unodc_submission"] = unodc
    return w


def test_access_functions(world):
    osce_fp, coord = world["osce_fp"], world["coord"]
    assert is_coordinator(coord) and not is_coordinator(osce_fp)
    assert is_coordinator(make_user("root", is_superuser=True))
    assert organisation_of(osce_fp).key == "osce" and organisation_of(coord) is None
    assert can_edit_activity(osce_fp, world["osce_act"])
    assert not can_edit_activity(osce_fp, world["unodc_act"])
    assert not can_edit_activity(make_user("plain"), world["osce_act"])


def test_a_focal_point_sees_only_its_own_organisation(client, world):
    client.force_login(world["osce_fp"])
    html = client.get(reverse("rounds:mine")).content.decode()
    assert "Police reform" in html
    assert "Legal assistance" not in html and "UNODC secret draft" not in html


def test_a_focal_point_cannot_reach_another_organisations_rows(client, world):
    client.force_login(world["osce_fp"])
    other, new = world["unodc_act"], world["unodc_new"]
    before = (Activity.objects.get(pk=other.pk).title_en, Proposal.objects.count())
    urls = [
        reverse("rounds:edit", args=[other.pk]),
        reverse("rounds:mark", args=[other.pk, "confirm"]),
        reverse("rounds:mark", args=[other.pk, "end"]),
        reverse("rounds:edit_new", args=[new.pk]),
        reverse("rounds:discard_new", args=[new.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in (403, 404, 405), url
        response = client.post(url, proposal_post(other, title_en="Hijacked"))
        assert response.status_code in (403, 404), url
    review = reverse("rounds:review", args=[world["unodc_submission"].pk])
    assert client.get(review).status_code == 403
    assert (
        client.post(reverse("rounds:accept", args=[world["unodc_submission"].pk])).status_code
        == 403
    )
    assert (Activity.objects.get(pk=other.pk).title_en, Proposal.objects.count()) == before
    new.refresh_from_db()
    assert new.data["title_en"] == "UNODC secret draft"


def test_a_focal_point_cannot_accept_return_open_or_publish(client, world):
    client.force_login(world["unodc_fp"])
    submission = world["unodc_submission"]
    services.submit(submission=submission, user=world["unodc_fp"])
    for url, data in [
        (reverse("rounds:accept", args=[submission.pk]), {}),
        (reverse("rounds:return", args=[submission.pk]), {"comment": "x"}),
        (reverse("rounds:publish", args=[world["round"].pk]), {"title": "x"}),
        (reverse("rounds:open"), {"title": "x", "deadline": "2031-01-01"}),
        (reverse("rounds:dashboard", args=[world["round"].pk]), None),
    ]:
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code == 403, url
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert UpdateRound.objects.get().status == UpdateRound.Status.OPEN
    with pytest.raises(services.PermissionDenied):
        services.accept(submission=submission, user=world["unodc_fp"])


def test_services_refuse_another_organisations_submission(world):
    with pytest.raises(services.PermissionDenied):
        services.save_proposal(
            submission=world["unodc_submission"],
            user=world["osce_fp"],
            kind=Proposal.Kind.CONFIRM,
            activity=world["unodc_act"],
        )
    osce = services.submission_of(user=world["osce_fp"], round=world["round"])
    with pytest.raises(services.PermissionDenied):
        services.save_proposal(
            submission=osce,
            user=world["osce_fp"],
            kind=Proposal.Kind.END,
            activity=world["unodc_act"],
        )
    with pytest.raises(services.PermissionDenied):
        services.submit(submission=world["unodc_submission"], user=world["osce_fp"])


@pytest.mark.parametrize("name", ["rounds:index", "rounds:mine", "rounds:new"])
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_anonymous_posts_change_nothing(client, world):
    response = client.post(reverse("rounds:publish", args=[world["round"].pk]), {"title": "x"})
    assert response.status_code == 302
    assert UpdateRound.objects.get().status == UpdateRound.Status.OPEN


def test_a_user_without_a_role_is_refused(client, world):
    client.force_login(make_user("plain"))
    assert client.get(reverse("rounds:index")).status_code == 403
    assert client.get(reverse("rounds:mine")).status_code == 403


def test_sign_in_and_out(client, world):
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    response = client.post(reverse("accounts:login"), {"username": "fp-osce", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("rounds:index")).url == reverse("rounds:mine")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("rounds:mine")).status_code == 302
