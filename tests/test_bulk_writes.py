"""Writing many activities at once (imports): permission, conflicts, audit, links.

The audit entries are those django-auditlog's signals write for one record saved
by a form: the fields' before and after, each change of links an entry of its own
(a new activity's links are in its creation entry).
"""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from jpoa.core.models import Country, Organisation
from jpoa.matrix.editing import EditConflict
from jpoa.matrix.models import Activity
from jpoa.matrix.writes import ActivityChange, NewActivity, create_activity, write_activities
from jpoa.plan.models import Pillar
from tests.factories import coordinator, focal_point


def new(organisation, title, **data):
    return NewActivity(organisation.pk, {"title_en": title, "status": "ongoing", **data})


@pytest.fixture
def osce(default_data):
    return Organisation.objects.get(key="osce")


def test_adds_many_with_links_keys_years_and_their_audit_entries(osce):
    user = coordinator()
    kz, kg = Country.objects.get(iso2="KZ"), Country.objects.get(iso2="KG")
    pillar = Pillar.objects.order_by("number").first()
    written = write_activities(
        user=user,
        adds=[
            new(
                osce,
                "Border training",
                countries=[kz.pk, kg.pk],
                pillars=[pillar.pk],
                start_date="2015-03-01",
                end_date="2016-02-01",
            ),
            new(osce, "Border training"),  # same title: a key of its own
        ],
        audit_data={"import": 7},
    )
    first, second = Activity.objects.filter(pk__in=written.added).order_by("pk")
    assert [first.pk, second.pk] == written.added
    assert first.key == "osce-border-training" and second.key == "osce-border-training-2"
    assert sorted(first.countries.values_list("iso2", flat=True)) == ["KG", "KZ"]
    assert list(first.pillars.all()) == [pillar]
    assert (first.start_year, first.end_year) == (2015, 2016)
    entries = LogEntry.objects.get_for_object(first).order_by("pk")
    assert {e.actor for e in entries} == {user}
    assert all(e.additional_data == {"import": 7} for e in entries)
    [created] = entries  # one entry: the activity with its links
    assert created.action == LogEntry.Action.CREATE
    assert created.changes["title_en"] == ["None", "Border training"]
    assert created.changes["start_date"] == ["None", "2015-03-01"]
    assert created.changes["pillars"] == {
        "type": "m2m",
        "operation": "add",
        "objects": [str(pillar)],
    }
    assert sorted(created.changes["countries"]["objects"]) == sorted([str(kz), str(kg)])
    assert "countries" not in LogEntry.objects.get_for_object(second).get().changes


def test_changes_raise_the_version_and_log_before_and_after(osce):
    user = coordinator()
    activity = create_activity(
        lead_organisation=osce, data={"title_en": "Old title", "status": "planned"}, user=user
    )
    kz = Country.objects.get(iso2="KZ")
    write_activities(
        user=user,
        changes=[
            ActivityChange(
                activity.pk,
                activity.version,
                {"title_en": "New title", "countries": [kz.pk], "end_date": "2020-05-05"},
            )
        ],
    )
    activity.refresh_from_db()
    assert activity.title_en == "New title" and activity.version == 2
    assert activity.end_year == 2020
    assert list(activity.countries.values_list("iso2", flat=True)) == ["KZ"]
    fields, links = (
        LogEntry.objects.get_for_object(activity)
        .filter(action=LogEntry.Action.UPDATE)
        .order_by("pk")
    )
    assert fields.actor == user and links.actor == user
    assert fields.changes["title_en"] == ["Old title", "New title"]
    assert fields.changes["end_date"] == ["None", "2020-05-05"]
    assert "version" not in fields.changes
    assert links.changes == {"countries": {"type": "m2m", "operation": "add", "objects": [str(kz)]}}


def test_a_stale_version_writes_nothing_at_all(osce):
    user = coordinator()
    activity = create_activity(
        lead_organisation=osce, data={"title_en": "Kept", "status": "planned"}, user=user
    )
    before = Activity.objects.count()
    with pytest.raises(EditConflict):
        write_activities(
            user=user,
            adds=[new(osce, "Should not stay")],
            changes=[ActivityChange(activity.pk, activity.version + 5, {"title_en": "Lost"})],
        )
    assert Activity.objects.count() == before
    activity.refresh_from_db()
    assert activity.title_en == "Kept" and activity.version == 1


def test_a_focal_point_writes_only_their_own_organisation(osce):
    other = Organisation.objects.exclude(pk=osce.pk).first()
    user = focal_point(osce.key)
    written = write_activities(user=user, adds=[new(osce, "Ours")])
    assert len(written.added) == 1
    before = Activity.objects.count()
    with pytest.raises(PermissionDenied):
        write_activities(user=user, adds=[new(osce, "Ours too"), new(other, "Theirs")])
    assert Activity.objects.count() == before
