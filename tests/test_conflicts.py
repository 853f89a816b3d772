"""Two editors, one activity (or one proposal): the second save is refused, the first kept."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from jpoa.matrix.editing import ActivityEditForm, EditConflict
from jpoa.matrix.models import Activity
from jpoa.matrix.writes import update_activity
from jpoa.rounds import services
from jpoa.rounds.models import Proposal
from tests.factories import coordinator, focal_point, proposal_post, titled_activity


@pytest.fixture
def activity(default_data):
    return titled_activity("osce", "Police reform")


def test_the_second_save_is_refused_and_the_first_kept(activity):
    alice, bob = coordinator("alice"), coordinator("bob")
    loaded = activity.version  # both open the editor
    update_activity(
        activity_id=activity.pk,
        data={"title_en": "Alice's title"},
        expected_version=loaded,
        user=alice,
    )
    with pytest.raises(EditConflict) as refused:
        update_activity(
            activity_id=activity.pk,
            data={"title_en": "Bob's title"},
            expected_version=loaded,
            user=bob,
        )
    assert "alice" in refused.value.message
    assert "Police reform" not in refused.value.message or "Alice's title" in refused.value.message
    activity.refresh_from_db()
    assert activity.title_en == "Alice's title"
    assert activity.version == loaded + 1


def test_a_focal_point_cannot_update_another_organisations_activity(activity):
    unodc_fp = focal_point("unodc")
    with pytest.raises(services.PermissionDenied):
        update_activity(
            activity_id=activity.pk,
            data={"title_en": "x"},
            expected_version=activity.version,
            user=unodc_fp,
        )
    activity.refresh_from_db()
    assert activity.title_en == "Police reform" and activity.version == 1


def form_data(activity, **changes):
    data = proposal_post(activity)
    data.update(
        key=activity.key,
        lead_organisation=activity.lead_organisation_id,
        classification_basis="stated",
        loaded_version=activity.version,
        **changes,
    )
    return data


def test_the_back_office_form_refuses_a_stale_save(activity):
    alice_loads = form_data(activity, title_en="Alice's title")
    bob_loads = form_data(activity, title_en="Bob's title")
    with transaction.atomic():
        form = ActivityEditForm(alice_loads, instance=Activity.objects.get(pk=activity.pk))
        assert form.is_valid(), form.errors
        form.save()
    with transaction.atomic():
        form = ActivityEditForm(bob_loads, instance=Activity.objects.get(pk=activity.pk))
        assert not form.is_valid()
        assert "changed" in " ".join(form.non_field_errors())
    activity.refresh_from_db()
    assert (activity.title_en, activity.version) == ("Alice's title", 2)


def test_two_focal_points_editing_one_proposal(client, activity):
    coord = coordinator()
    ann, ben = focal_point("osce", "ann"), focal_point("osce", "ben")
    services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=coord)
    url = reverse("rounds:edit", args=[activity.pk])

    client.force_login(ann)
    ann_form = client.get(url).context["form"]
    client.force_login(ben)
    ben_form = client.get(url).context["form"]
    assert ann_form["proposal_version"].value() == ben_form["proposal_version"].value() == 0

    client.force_login(ann)
    assert client.post(url, proposal_post(activity, title_en="Ann's title")).status_code == 302
    client.force_login(ben)
    response = client.post(url, proposal_post(activity, title_en="Ben's title"))
    assert response.status_code == 409
    assert "ann" in response.content.decode()
    proposal = Proposal.objects.get()
    assert proposal.data["title_en"] == "Ann's title" and proposal.updated_by == ann

    # Ben reloads, sees Ann's proposal, and saves over it knowingly.
    form = client.get(url).context["form"]
    assert form["title_en"].value() == "Ann's title"
    response = client.post(
        url, proposal_post(activity, title_en="Ben's title", proposal_version=proposal.version)
    )
    assert response.status_code == 302
    assert Proposal.objects.get().data["title_en"] == "Ben's title"


def test_a_proposal_on_an_activity_changed_meanwhile_is_refused(client, activity):
    coord = coordinator()
    fp = focal_point("osce")
    services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=coord)
    client.force_login(fp)
    stale = proposal_post(activity, title_en="Focal point's title")
    update_activity(
        activity_id=activity.pk,
        data={"status": "completed"},
        expected_version=activity.version,
        user=coord,
    )
    response = client.post(reverse("rounds:edit", args=[activity.pk]), stale)
    assert response.status_code == 409
    assert "coord" in response.content.decode()
    assert not Proposal.objects.exists()


def test_publishing_refuses_a_proposal_whose_activity_moved_on(activity):
    coord, fp = coordinator(), focal_point("osce")
    update_round = services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=coord)
    submission = services.submission_of(user=fp, round=update_round)
    services.save_proposal(
        submission=submission, user=fp, kind=Proposal.Kind.END, activity=activity
    )
    services.submit(submission=submission, user=fp)
    services.accept(submission=submission, user=coord)
    update_activity(
        activity_id=activity.pk,
        data={"title_en": "Coordinator's fix"},
        expected_version=activity.version,
        user=coord,
    )
    with pytest.raises(EditConflict):
        services.publish_round(round=update_round, title="E2", user=coord)
    activity.refresh_from_db()
    assert (activity.title_en, activity.status) == ("Coordinator's fix", "ongoing")
    update_round.refresh_from_db()
    assert update_round.status == "open" and update_round.edition is None
