"""Every door that writes an activity keeps the same rules: who may, conflicts, audit.

The editing service (as the analysis page's pillar suggestions call it), the back
office's change form, the write API, an update round's accepted answer, an import and
the data-set loader all write through `jpoa.matrix.writes`. Each door is driven here from the outside as a person or a
process would use it, and the same three things are checked of each: a person who
may not edit the row changes nothing; a save over someone else's newer save changes
nothing; a save is in the audit trail, naming who made it and the before and after.
"""

import datetime
import json

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jpoa.accounts.actors import AUDIT_KEY, DATASET_LOADER, SystemActor
from jpoa.dataset import DEFAULT_DATASET
from jpoa.dataset.export import activity_record
from jpoa.dataset.load import load_dataset
from jpoa.exchange.apply import ImportFailed, apply_import, start_import_from_path
from jpoa.matrix import fields
from jpoa.matrix.editing import EditConflict
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity, Edition
from jpoa.matrix.writes import update_activity
from jpoa.rounds import services
from jpoa.rounds.models import Proposal
from jpoa.rounds.proposals import activity_data
from jpoa.rounds.services import RoundError
from tests.factories import bearer, coordinator, focal_point, titled_activity

NEW_TITLE = "Police reform, second phase"
STALE = object()  # the import reads the version itself: someone saves after its preview
REFUSED = (PermissionDenied, EditConflict, RoundError, ImportFailed)


@pytest.fixture
def police(default_data):
    return titled_activity("osce", "Police reform")


def someone_else_saves(activity: Activity) -> None:
    update_activity(
        activity_id=activity.pk,
        data={"status": "completed"},
        expected_version=activity.version,
        user=coordinator("other-coordinator"),
    )


# -- the doors: each tries to give POLICE the title NEW_TITLE as USER, having read VERSION


def through_the_service(client, user, police, version, tmp_path):
    update_activity(
        activity_id=police.pk, data={"title_en": NEW_TITLE}, expected_version=version, user=user
    )


def through_the_admin(client, user, police, version, tmp_path, **values):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*_permissions("change_activity", "view_activity"))
    client.force_login(user)
    form = {
        "key": police.key,
        "iati_identifier": "",
        "lead_organisation": police.lead_organisation_id,
        "title_en": NEW_TITLE,
        "title_ru": "",
        "description_en": "",
        "description_ru": "",
        "status": police.status,
        "start_date": police.start_date.isoformat(),
        "end_date": "",
        "pillars": [p.pk for p in police.pillars.all()],
        "budget": "",
        "currency": "",
        "source_url": "",
        "last_verified": "",
        "internal_notes": "",
        "classification_basis": "stated",
        "loaded_version": version,
        **values,
    }
    url = reverse("admin:matrix_activity_change", args=[police.pk])
    response = client.post(url, form)
    assert response.status_code in (302, 200, 403), response.status_code


def through_the_api(client, user, police, version, tmp_path):
    body = {"title": {"en": NEW_TITLE}, "version": version}
    response = client.patch(
        f"/api/v1/activities/{police.key}",
        body,
        content_type="application/json",
        **bearer(user),
    )
    assert response.status_code in (200, 403, 409), response.content


def through_a_round(client, user, police, version, tmp_path):
    """The organisation proposed the new title; USER accepts and publishes the round."""
    coord = coordinator("round-coordinator")
    round = services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=coord)
    fp = focal_point("osce", "fp-osce-round")
    submission = services.submission_of(user=fp, round=round)
    data = {**activity_data(police), "title_en": NEW_TITLE}
    services.save_proposal(
        submission=submission,
        user=fp,
        kind=Proposal.Kind.CHANGE,
        activity=police,
        data=data,
        activity_version=version,
    )
    services.submit(submission=submission, user=fp)
    services.accept(submission=submission, user=coord)
    services.publish_round(round=round, title="After the round", user=user)


def through_an_import(client, user, police, version, tmp_path):
    path = tmp_path / "change.csv"
    path.write_text(
        "Key,Lead organisation,Title (English),Pillars,Status,Start date\n"
        f'{police.key},OSCE,"{NEW_TITLE}",II,{police.status},2014-01-01\n'
    )
    record, preview = start_import_from_path(path, user=coordinator("importer"))
    if version is STALE:
        someone_else_saves(police)  # after the preview was checked, before it is confirmed
    apply_import(record=record, user=user, preview=preview)


DOORS = {
    "service": through_the_service,
    "admin": through_the_admin,
    "api": through_the_api,
    "round": through_a_round,
    "import": through_an_import,
}


def _permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="matrix", codename__in=codenames)


def attempt(door, client, user, police, version, tmp_path) -> None:
    try:
        DOORS[door](client, user, police, version, tmp_path)
    except REFUSED:
        pass


def audit_mark() -> int:
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize("door", DOORS)
def test_a_person_who_may_not_edit_the_row_changes_nothing(door, client, police, tmp_path):
    outsider = focal_point("unodc", "fp-unodc")
    mark = audit_mark()
    attempt(door, client, outsider, police, police.version, tmp_path)
    police.refresh_from_db()
    assert police.title_en == "Police reform" and police.version == 1
    assert not LogEntry.objects.get_for_object(police).filter(pk__gt=mark, actor=outsider).exists()


@pytest.mark.parametrize("door", DOORS)
def test_a_save_over_a_newer_save_changes_nothing(door, client, police, tmp_path):
    loaded = police.version
    if door == "import":  # the other save comes between the preview and its confirmation
        loaded = STALE
    else:
        someone_else_saves(police)
        police.refresh_from_db()
    attempt(door, client, coordinator(), police, loaded, tmp_path)
    police.refresh_from_db()
    assert police.title_en == "Police reform"
    assert police.status == "completed"  # the other save is kept


@pytest.mark.parametrize("door", DOORS)
def test_a_save_is_audited_with_its_actor_and_before_and_after(door, client, police, tmp_path):
    user = coordinator()
    mark = audit_mark()
    attempt(door, client, user, police, police.version, tmp_path)
    police.refresh_from_db()
    assert police.title_en == NEW_TITLE and police.version == 2
    [entry] = LogEntry.objects.get_for_object(police).filter(
        pk__gt=mark, changes__has_key="title_en"
    )
    assert entry.actor == user and entry.action == LogEntry.Action.UPDATE
    assert entry.changes["title_en"] == ["Police reform", NEW_TITLE]


def test_the_back_office_saves_every_field_of_its_form(client, police, tmp_path):
    values = {
        "internal_notes": "Checked by phone",
        "source_locator": "p. 4",
        "provenance_note_en": "From the 2015 report",
        "provenance_note_ru": "Из отчёта 2015 года",
    }
    through_the_admin(client, coordinator(), police, police.version, tmp_path, **values)
    police.refresh_from_db()
    assert police.title_en == NEW_TITLE
    assert {name: getattr(police, name) for name in values} == values


def test_a_focal_point_changes_only_the_fields_given_to_focal_points(police):
    fp = focal_point("osce")
    update_activity(
        activity_id=police.pk, data={"title_en": NEW_TITLE}, expected_version=1, user=fp
    )
    with pytest.raises(PermissionDenied):
        update_activity(
            activity_id=police.pk,
            data={"internal_notes": "not theirs"},
            expected_version=2,
            user=fp,
        )
    police.refresh_from_db()
    assert police.title_en == NEW_TITLE and police.internal_notes == ""


def test_a_focal_point_cannot_hand_a_row_to_another_organisation(police):
    from jpoa.core.models import Organisation

    unodc = Organisation.objects.get(key="unodc")
    with pytest.raises(PermissionDenied):
        update_activity(
            activity_id=police.pk,
            data={"lead_organisation": unodc},
            expected_version=1,
            user=focal_point("osce"),
        )
    assert Activity.objects.get(pk=police.pk).lead_organisation.key == "osce"


# -- the data-set loader: a process, named in the audit trail


def test_the_loader_writes_through_the_same_path_and_is_named_in_the_audit(default_data, tmp_path):
    data = json.loads(DEFAULT_DATASET.read_text())
    data["dataset"]["key"] = "door-test"
    data["activities"] = [
        {
            "key": "osce-police-reform-loaded",
            "lead_organisation": "osce",
            "title": {"en": "Police reform (loaded)"},
            "status": "ongoing",
            "start_date": "2014-02-01",
            "end_date": "2015-06-30",
            "pillars": [2],
            "countries": ["KZ"],
        }
    ]
    # An edition of the past, from a document: the loader is recorded as its publisher.
    data["editions"] = [
        {"number": 1, "title": {"en": "The matrix, 2015"}, "as_of": "2015-10-01", "entries": []}
    ]
    path = tmp_path / "door.json"
    path.write_text(json.dumps(data))
    load_dataset(path)
    loaded = Activity.objects.get(key="osce-police-reform-loaded")
    assert (loaded.start_year, loaded.end_year) == (2014, 2015)
    assert list(loaded.countries.values_list("iso2", flat=True)) == ["KZ"]
    entries = LogEntry.objects.get_for_object(loaded)
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 1
    assert {e.actor for e in entries} == {None}
    assert {e.additional_data[AUDIT_KEY] for e in entries} == {DATASET_LOADER.name}
    assert Edition.objects.get(number=1).published_by_system == DATASET_LOADER.name


# -- publishing: a coordinator or a process, and who it was is kept


def test_publishing_needs_a_coordinator_or_a_process_and_records_which(police):
    with pytest.raises(PermissionDenied):
        publish_edition(title="By a focal point", by=focal_point("osce"))
    assert not Edition.objects.exists()
    coord = coordinator()
    by_person = publish_edition(title="By a person", by=coord)
    by_process = publish_edition(title="By a process", by=SystemActor("command line"))
    assert (by_person.published_by, by_person.publisher) == (coord, str(coord))
    assert by_process.published_by is None
    assert by_process.published_by_system == "command line"
    assert by_process.publisher == "jpoa (command line)"
    entry = LogEntry.objects.get_for_object(by_process).get(action=LogEntry.Action.CREATE)
    assert entry.additional_data == {AUDIT_KEY: "command line"}


# -- one list of fields (what else follows it: tests/test_field_registry.py)


def test_the_forms_take_their_fields_from_the_registry():
    from jpoa.api.writes import ApiActivityForm
    from jpoa.exchange.preview import FORM_FIELDS
    from jpoa.matrix.editing import ActivityEditForm

    assert ActivityEditForm.Meta.fields == fields.EDITOR_FIELDS
    assert ApiActivityForm.Meta.fields == fields.API_WRITE_FIELDS
    assert FORM_FIELDS == fields.IMPORTED_FIELDS


def test_the_published_record_holds_every_public_field_and_no_internal_one(police):
    record = activity_record(Activity.objects.get(pk=police.pk))
    provenance = {"source", "source_locator", "classification_basis", "provenance_note"}
    public = {
        name.removesuffix("_en").removesuffix("_ru")
        for name in fields.EDITOR_FIELDS
        if name not in fields.INTERNAL_FIELDS and name not in provenance
    }
    assert public - {"framework_areas"} <= set(record)  # areas: only when there are some
    assert "provenance" in record
    assert not set(fields.INTERNAL_FIELDS) & set(record)
