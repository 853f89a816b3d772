"""The activity's field registry (`jpoa.matrix.fields`) is the one declaration its outputs follow.

The published record, the snapshot an edition writes in SQL, the write API's fields and
the tabular exports and the API's schemas take their fields from the registry: a field
renamed or added there is renamed or added in each of them, with nothing else changed.
What is still declared beside its use (the file columns, the API's words for each field)
is held to it here.
"""

import dataclasses
import datetime
import typing

import pytest
from django.db import connection

from jpoa.accounts.actors import SystemActor
from jpoa.accounts.internal import INTERNAL_FIELDS
from jpoa.api import schemas
from jpoa.api.writes import (
    ACTIVITY_CHANGE_DOCS,
    ACTIVITY_FIELDS,
    ActivityChanges,
    _activity_changes,
    activity_fields,
)
from jpoa.dataset.export import activities_to_export, activity_record
from jpoa.exchange import columns
from jpoa.exchange.exports import ExportData, flat_row
from jpoa.exchange.parquet import parquet_row
from jpoa.matrix import fields
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.fields import ActivityField, Published, RecordField
from jpoa.matrix.models import EditionEntry
from tests.factories import titled_activity


@pytest.fixture
def police(default_data):
    activity = titled_activity("osce", "Police reform", currency="EUR")
    activity.donors.set(activity.partners.model.objects.filter(key="osce"))
    return activity


def _renamed(name: str, new: str) -> tuple[RecordField, ...]:
    """The registry's record fields, with NAME published as NEW."""
    return tuple(
        dataclasses.replace(f, name=new) if f.name == name else f for f in fields.RECORD_FIELDS
    )


def _with(extra: RecordField) -> tuple[RecordField, ...]:
    """The registry's record fields with EXTRA added before those published only when any."""
    always = tuple(f for f in fields.RECORD_FIELDS if not f.when_any)
    return (*always, extra, *(f for f in fields.RECORD_FIELDS if f.when_any))


def _snapshot(activity) -> dict:
    edition = publish_edition(title="Check", by=SystemActor("tests"))
    return EditionEntry.objects.get(edition=edition, activity_key=activity.key).data


@pytest.fixture
def registry(monkeypatch):
    """Change the registry's record fields for one test (and the exports' reading of it)."""

    def change(record_fields: tuple[RecordField, ...]) -> None:
        monkeypatch.setattr(fields, "RECORD_FIELDS", record_fields)
        columns.published.cache_clear()

    yield change
    columns.published.cache_clear()


def test_a_field_renamed_in_the_registry_is_renamed_in_every_output(police, registry):
    registry(_renamed("currency", "currency_code"))
    activity = activities_to_export().get(pk=police.pk)

    record = activity_record(activity)
    assert record["currency_code"] == "EUR" and "currency" not in record
    assert list(record) == [f.name for f in fields.RECORD_FIELDS if not f.when_any]
    snapshot = _snapshot(activity)
    assert snapshot == record
    if connection.vendor == "sqlite":  # SQLite keeps the order; jsonb its own
        assert list(snapshot) == list(record)
    assert activity_fields()["currency_code"] == ("currency", None)
    assert "currency" not in activity_fields()
    data = ExportData(edition=None, filters=None, count=1, organisations={}, countries={})
    assert flat_row(data, snapshot)["currency"] == "EUR"  # the file's column keeps its name
    assert parquet_row(data, snapshot)["currency"] == "EUR"


def test_the_api_documents_a_field_of_the_registry_under_its_name_or_refuses_to_start(
    registry, monkeypatch
):
    registry(_renamed("currency", "currency_code"))
    with pytest.raises(ValueError, match="Document each field"):
        schemas._activity_record()
    with pytest.raises(ValueError, match="Document each field"):
        _activity_changes()

    for docs in (schemas.ACTIVITY_RECORD_DOCS, ACTIVITY_CHANGE_DOCS):
        monkeypatch.setitem(docs, "currency_code", docs["currency"])
        monkeypatch.delitem(docs, "currency")
    record = schemas._activity_record().model_json_schema()
    changes = _activity_changes().model_json_schema()
    assert "currency" not in record["properties"] and "currency" not in changes["properties"]
    assert record["properties"]["currency_code"]["type"] == "string"
    assert "currency_code" in record["required"]
    assert changes["properties"]["currency_code"]["anyOf"][0] == {"maxLength": 3, "type": "string"}


def test_a_field_added_to_the_registry_is_in_the_record_the_snapshot_and_the_api(police, registry):
    funders = ActivityField("donors", Published.LINKS, api=True, record="funders")
    registry(_with(RecordField("funders", Published.LINKS, (funders,))))
    activity = activities_to_export().get(pk=police.pk)

    record = activity_record(activity)
    assert record["funders"] == record["donors"] == ["osce"]
    assert list(record)[-2:] == ["provenance", "funders"]
    assert _snapshot(activity) == record
    assert activity_fields()["funders"] == ("donors", "organisation")


def test_a_field_published_only_when_there_are_some_is_left_out_when_there_are_none(
    police, registry
):
    optional = dataclasses.replace(
        next(f for f in fields.RECORD_FIELDS if f.name == "partners"), name="partners_if_any"
    )
    optional = dataclasses.replace(
        optional, fields=(dataclasses.replace(optional.fields[0], when_any=True),)
    )
    registry((*fields.RECORD_FIELDS, optional))
    activity = activities_to_export().get(pk=police.pk)
    assert "partners_if_any" not in activity_record(activity)
    assert _snapshot(activity) == activity_record(activity)

    activity.partners.set(activity.donors.all())
    activity = activities_to_export().get(pk=police.pk)
    assert list(activity_record(activity))[-1] == "partners_if_any"
    assert _snapshot(activity) == activity_record(activity)


def test_the_registry_refuses_a_published_field_the_record_does_not_place(monkeypatch):
    fields._record_fields()  # as it stands
    new = ActivityField("budget_note", Published.VALUE)
    monkeypatch.setattr(fields, "FIELDS", (*fields.FIELDS, new))
    with pytest.raises(ValueError, match="RECORD must name each published field once"):
        fields._record_fields()


def test_the_registry_refuses_an_optional_field_before_the_others(monkeypatch):
    monkeypatch.setattr(fields, "RECORD", ("framework_areas", *fields.RECORD[:-1]))
    with pytest.raises(ValueError, match="must come last"):
        fields._record_fields()


def test_the_internal_fields_are_the_unpublished_ones_and_declared_as_internal():
    assert fields.INTERNAL_FIELDS == ("internal_notes",)
    assert INTERNAL_FIELDS["matrix.Activity"] == fields.INTERNAL_FIELDS
    assert not {f.name for f in fields.FIELDS if f.internal} & {
        g.name for rf in fields.RECORD_FIELDS for g in rf.fields
    }


# -- the types the registry's kinds give, and what is declared beside its use

_TYPES = {
    Published.TRANSLATED: {schemas.Translated},
    Published.DATE: {datetime.date},
    Published.LINKS: {list},
    Published.PROVENANCE: {schemas.Provenance},
}


def _types(annotation) -> set:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is list:
        return {list}
    return set().union(*(_types(a) for a in args)) if args else {annotation}


def test_the_api_record_schema_has_the_record_fields_of_their_kinds():
    documented = schemas.ActivityRecord.model_fields
    assert set(documented) == set(fields.RECORD)
    for field in fields.RECORD_FIELDS:
        expected = _TYPES.get(field.published)
        if expected:
            assert expected <= _types(documented[field.name].annotation), field.name


def test_the_api_write_schema_has_the_fields_the_api_writes_in_the_record_order():
    assert list(ActivityChanges.model_fields) == list(ACTIVITY_FIELDS)
    assert list(ACTIVITY_FIELDS) == [f.name for f in fields.RECORD_FIELDS if f.api]
    assert {
        name.removesuffix("_en").removesuffix("_ru") for name in fields.API_WRITE_FIELDS
    } == set(ACTIVITY_FIELDS)


def test_every_file_column_of_an_activity_field_is_read_from_the_record():
    exported = {c.field for c in columns.EXPORT_COLUMNS}
    assert {c.field for c in columns.COLUMNS if c.kept} == set(fields.IMPORTED_FIELDS)
    for name in exported:
        assert columns.published(name).record in fields.RECORD


def test_the_changes_between_editions_are_listed_in_an_order_that_names_every_field():
    from jpoa.matrix.editions import FIELD_ORDER

    assert sorted((*FIELD_ORDER, "key")) == sorted(fields.RECORD)  # a key is not a change
