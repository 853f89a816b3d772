"""The one way to write activities: add, change and delete them, one or 100,000 at a time.

The editor (back office), the write API, update rounds, imports and the data-set
loader all write here; one edit is a batch of one. Whoever calls, the same rules hold:

- permission: the actor (a user, or a `jpoa.accounts.actors.SystemActor`) must be
  allowed to edit the rows of every lead organisation involved, before and after a
  change; a focal point changes only the fields of `fields.FOCAL_POINT_FIELDS`;
- conflicts: a changed (or deleted) activity must still be at the version the caller
  read, or `EditConflict` is raised and nothing is written. The version is raised with
  ``UPDATE ... WHERE id = ? AND version = ?``, so of two concurrent saves exactly one wins;
- keys: a new activity without a key gets one from its organisation and title
  (`derived_key`), made unique;
- years: the start and end years follow the dates (`models.activity_years`);
- audit: every activity added, changed or deleted gets the entries django-auditlog
  itself would write (each field's before and after; a change of links as an entry of
  its own, in auditlog's m2m form; a new activity's links within its creation entry),
  naming the actor, written in bulk instead of by signals, with ``audit_data`` (e.g.
  the import's number) kept in each.

The caller validates input with the editor's form rules (`editing.ActivityFormMixin`;
imports do it in their preview); ``validate=True`` (the single-row services) also runs
the model's own validation.
"""

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, disable_auditlog
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.text import slugify
from modeltranslation.utils import build_localized_fieldname, get_language

from jpoa.accounts.access import can_edit_activity, is_coordinator
from jpoa.accounts.actors import audit_fields
from jpoa.lib.audit import translated_originals
from jpoa.lib.database import insert_rows

from .editing import activity_conflict
from .fields import FOCAL_POINT_FIELDS
from .models import Activity, activity_years

BATCH = 1000
KEY_LENGTH = 140  # a derived key's length, suffix included (the column holds 150)
LANGUAGE_ORDER = [code for code, _ in settings.LANGUAGES]
TRANSLATED = translated_originals(Activity)


@dataclass
class NewActivity:
    lead_organisation_id: int
    data: dict[str, Any]  # field name -> value; many-to-many as primary keys (or objects)


@dataclass
class ActivityChange:
    activity_id: int
    expected_version: int
    data: dict[str, Any]  # only the fields that change


@dataclass
class ActivityDeletion:
    activity_id: int
    expected_version: int | None = None  # None: whatever its version


@dataclass
class Written:
    added: list[int] = field(default_factory=list)  # ids, in the order of the new activities
    changed: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)


# -- keys --------------------------------------------------------------------------------


def derived_key(organisation_key: str, title: str) -> str:
    """The key a new activity of that organisation and title gets (before making it unique)."""
    return slugify(f"{organisation_key}-{title}")[:KEY_LENGTH].strip("-") or "activity"


def numbered_key(stem: str, n: int) -> str:
    """The Nth key of a stem taken by others: ``stem-N``, no longer than a derived key."""
    return f"{stem[: KEY_LENGTH - len(str(n)) - 1]}-{n}"


def _free_keys(rows: list[dict[str, Any]]) -> None:
    """Give each new activity without a key one that no other activity has."""
    from jpoa.core.models import Organisation

    wanted = [row for row in rows if not row.get("key")]
    organisations = Organisation.objects.in_bulk({row["lead_organisation"] for row in wanted})
    stems = []
    for row in wanted:
        organisation = organisations[row["lead_organisation"]]
        stems.append((row, derived_key(organisation.key, row.get("title_en") or row.get("title"))))
    taken = set()
    for chunk in _batches(sorted({stem for _, stem in stems}), 500):
        taken.update(Activity.objects.filter(key__in=chunk).values_list("key", flat=True))
    taken.update(row["key"] for row in rows if row.get("key"))
    for row, stem in stems:
        candidate, n = stem, 1
        while candidate in taken:
            n += 1
            candidate = numbered_key(stem, n)
            if candidate not in taken and Activity.objects.filter(key=candidate).exists():
                taken.add(candidate)
        row["key"] = candidate
        taken.add(candidate)


# -- values ------------------------------------------------------------------------------


def _batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


MANY = {f.name: f for f in Activity._meta.many_to_many}


PLAIN = {str, int, bool, type(None)}


def _pk(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    """DATA with records given as primary keys, and a translated field's plain name
    (``provenance_note``) as the field of the active language, as a model instance takes it."""
    out = {}
    for name, value in data.items():
        if name in TRANSLATED:
            name = build_localized_fieldname(name, get_language())
        if name in MANY:
            # Imports give ints: checked by class first, as a batch of 100,000 rows adds up.
            value = list(
                dict.fromkeys(v if v.__class__ is int else int(_pk(v)) for v in value or ())
            )
        elif value.__class__ not in PLAIN:
            value = _pk(value)
        out[name] = value
    return out


class _PythonValues:
    """``field.to_python(value)`` for the fields of new activities, at a batch's pace.

    A str for a plain text field is itself; a value of another kind (a date, a
    status, an organisation) is converted once for each distinct value. Budgets are
    converted every time: equal decimals (1.0 and 1.00) may differ in how they are written.
    """

    def __init__(self):
        self.fields: dict[str, tuple[models.Field, bool]] = {}
        self.memo: dict[tuple[str, Any], Any] = {}

    def field(self, name: str) -> tuple[models.Field, bool]:
        try:
            return self.fields[name]
        except KeyError:
            model_field = Activity._meta.get_field(name)
            text = type(model_field).to_python in (
                models.CharField.to_python,
                models.TextField.to_python,
            )
            self.fields[name] = (model_field, text)
            return self.fields[name]

    def __call__(self, name: str, value: Any) -> tuple[str, Any]:
        """The model field's name and the value it holds."""
        model_field, text = self.field(name)
        if text and (value.__class__ is str or value is None):
            return model_field.name, value
        if isinstance(model_field, models.DecimalField) or value.__class__ is list:
            return model_field.name, model_field.to_python(value)
        key = (name, value)
        try:
            return model_field.name, self.memo[key]
        except KeyError:
            if len(self.memo) > 10_000:
                self.memo.clear()
            converted = self.memo[key] = model_field.to_python(value)
            return model_field.name, converted
        except TypeError:  # not hashable
            return model_field.name, model_field.to_python(value)


def _new_row(values: dict[str, Any], now, python: _PythonValues) -> tuple[dict, dict[str, list]]:
    """The column values of a new activity (by field name) and its many-to-many values."""
    row: dict[str, Any] = {"created_at": now, "updated_at": now, "version": 1}
    links = {}
    for name, value in values.items():
        if name in MANY:
            links[name] = value
        else:
            field_name, row[field_name] = python(name, value)
    for name in TRANSLATED:
        # What save() writes to the untranslated column: the first language given.
        row[name] = next(
            (row[f"{name}_{code}"] for code in LANGUAGE_ORDER if row.get(f"{name}_{code}")), ""
        )
    row["start_year"], row["end_year"] = activity_years(row.get("start_date"), row.get("end_date"))
    return row, links


def _apply(activity: Activity, data: dict[str, Any]) -> dict[str, list]:
    """Set the plain fields of ``data`` on ``activity``; return its many-to-many values."""
    links = {}
    for name, value in data.items():
        if name in MANY:
            links[name] = value
        else:
            model_field = Activity._meta.get_field(name)
            setattr(activity, model_field.attname, model_field.to_python(value))
    activity.start_year, activity.end_year = activity_years(activity.start_date, activity.end_date)
    return links


def _validate_new(row: dict[str, Any]) -> None:
    """The model's own checks (lengths, choices, unique key) on a new row."""
    values = {
        Activity._meta.get_field(name).attname: value
        for name, value in row.items()
        if name not in TRANSLATED
    }
    Activity(**values).full_clean()


# -- permission --------------------------------------------------------------------------


def _check_organisations(user, organisation_ids: Iterable[int]) -> None:
    for organisation_id in set(organisation_ids):
        if not can_edit_activity(user, Activity(lead_organisation_id=organisation_id)):
            raise PermissionDenied("You may not write activities of this organisation.")


def _check_fields(user, changes: Sequence[ActivityChange]) -> None:
    if is_coordinator(user):
        return
    allowed = set(FOCAL_POINT_FIELDS)
    if any(set(change.data) - allowed for change in changes):
        raise PermissionDenied("You may not change these fields.")


# -- audit -------------------------------------------------------------------------------


class _Audit:
    """The audit entries of one write, as django-auditlog's signals would make them."""

    def __init__(self, user, audit_data: dict[str, Any] | None):
        names = audit_fields(user)
        actor = names["actor"]
        context = auditlog_value.get({})
        self.common = {
            "content_type": ContentType.objects.get_for_model(Activity).pk,
            "changes_text": "",
            "actor": actor.pk if actor else None,
            "actor_email": names["actor_email"],
            "remote_addr": context.get("remote_addr"),
            "cid": get_cid(),
            # One dictionary for every entry: `insert_rows` prepares it once.
            "additional_data": {**(audit_data or {}), **names.get("additional_data", {})} or None,
            "timestamp": timezone.now(),
        }
        audited = auditlog.get_model_fields(Activity)["exclude_fields"]
        # What auditlog logs as a new record's "before" of each audited field.
        self.defaults = {
            f.name: smart_str(f.default() if callable(f.default) else f.default)
            if f.has_default()
            else "None"
            for f in Activity._meta.concrete_fields
            if f.name not in audited and not f.primary_key
        }
        self.entries: list[dict[str, Any]] = []
        self.related: list[tuple[type, dict]] = []  # m2m changes still naming primary keys

    def _entry(self, pk: int, text: str, action: int, changes: dict | None) -> None:
        self.entries.append(
            {
                **self.common,
                "object_pk": str(pk),
                "object_id": pk,
                "object_repr": str(text)[:10000],
                "action": action,
                "changes": changes,
            }
        )

    def created(self, pk: int, row: dict[str, Any], links: dict[str, list]) -> None:
        changes = {"id": ["None", str(pk)]}
        defaults = self.defaults
        for name, value in row.items():  # a column not in the row gets its default: no change
            if name in defaults:
                value = smart_str(value)
                if value != defaults[name]:
                    changes[name] = [defaults[name], value]
        # Its links are part of its creation: in the same entry, in auditlog's m2m form
        # (one entry per activity, where auditlog writes one more per relation).
        for name, values in links.items():
            if values:
                changes[name] = {"type": "m2m", "operation": "add", "objects": set(values)}
                self.related.append((MANY[name].related_model, changes[name]))
        self._entry(pk, row["title"], LogEntry.Action.CREATE, changes)

    def changed(
        self, before: Activity, after: Activity, plain: list[str], links: dict[str, list]
    ) -> None:
        from auditlog.diff import model_instance_diff

        # Only the fields given can differ (the version was raised before `before` was read).
        changes = model_instance_diff(before, after, fields_to_check=plain) if plain else None
        if changes:
            self._entry(after.pk, str(after), LogEntry.Action.UPDATE, changes)
        old = {name: [o.pk for o in getattr(before, name).all()] for name in links}
        self.links(after.pk, str(after), old, links)

    def links(self, pk: int, text: str, old: dict[str, list], new: dict[str, list]) -> None:
        """A many-to-many change as auditlog logs it: removals, then additions, each an entry."""
        for name, values in new.items():
            before = set(old.get(name, ()))
            for operation, pks in (
                ("delete", before - set(values)),
                ("add", set(values) - before),
            ):
                if pks:
                    change = {"type": "m2m", "operation": operation, "objects": pks}
                    self._entry(pk, text, LogEntry.Action.UPDATE, {name: change})
                    self.related.append((MANY[name].related_model, change))

    def deleted(self, activity: Activity) -> None:
        from auditlog.diff import model_instance_diff

        changes = model_instance_diff(activity, None)
        self._entry(activity.pk, str(activity), LogEntry.Action.DELETE, changes)

    def write(self) -> None:
        self._name_related()
        insert_rows(LogEntry, self.entries)
        self.entries = []

    def _name_related(self) -> None:
        """Replace the primary keys in the batch's many-to-many entries by the records'
        names, in their model's order as auditlog lists them: one query per model."""
        wanted: dict[type, set[int]] = {}
        for model, change in self.related:
            wanted.setdefault(model, set()).update(change["objects"])
        for model, pks in wanted.items():
            found = list(model._default_manager.filter(pk__in=pks))  # in the model's order
            position = {obj.pk: n for n, obj in enumerate(found)}
            names = {obj.pk: smart_str(obj) for obj in found}
            for related_model, change in self.related:
                if related_model is model:
                    kept = sorted(change["objects"] & names.keys(), key=position.__getitem__)
                    change["objects"] = [names[pk] for pk in kept]
        self.related = []


# -- writing -----------------------------------------------------------------------------


def _ids_by_key(keys: list[str]) -> dict[str, int]:
    """The ids of the activities with these keys (just inserted: no ids came back)."""
    quote, meta = connection.ops.quote_name, Activity._meta
    key, pk = quote(meta.get_field("key").column), quote(meta.pk.column)
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, {pk} FROM {quote(meta.db_table)} WHERE {key} IN ({marks})", keys
        )
        return dict(cursor.fetchall())


def _link_rows(links: list[tuple[int, dict[str, list]]]) -> None:
    """Insert the many-to-many rows of ``links``: two integers each, so one plain
    ``executemany`` per relation (building a model instance per row would cost more)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, model_field in MANY.items():
            through = model_field.remote_field.through
            own = through._meta.get_field(model_field.m2m_field_name()).column
            other = through._meta.get_field(model_field.m2m_reverse_field_name()).column
            rows = [
                (activity_id, pk) for activity_id, values in links for pk in values.get(name, ())
            ]
            if rows:
                cursor.executemany(
                    f"INSERT INTO {quote(through._meta.db_table)} "
                    f"({quote(own)}, {quote(other)}) VALUES (%s, %s)",
                    rows,
                )


def _update_rows(activities: list[Activity], names: list[str]) -> None:
    """Write the NAMES columns of ACTIVITIES: one ``executemany`` (``bulk_update`` builds a
    CASE per row and column, which took most of the time of a batch of changes)."""
    quote, meta = connection.ops.quote_name, Activity._meta
    columns = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [f.get_db_prep_save(getattr(activity, f.attname), connection) for f in columns]
        + [activity.pk]
        for activity in activities
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _claim_versions(changes: Sequence[ActivityChange]) -> None:
    """Raise each activity's version if it is still the expected one; else `EditConflict`."""
    quote, meta = connection.ops.quote_name, Activity._meta
    version, pk = quote(meta.get_field("version").column), quote(meta.pk.column)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {version} = {version} + 1 "
        f"WHERE {pk} = %s AND {version} = %s"
    )
    with connection.cursor() as cursor:
        for change in changes:
            cursor.execute(sql, [change.activity_id, change.expected_version])
            if cursor.rowcount != 1:
                raise activity_conflict(change.activity_id)


def _add(batch, *, user, extra, audit: _Audit, python: _PythonValues, validate: bool) -> list[int]:
    rows, links = [], []
    for new in batch:
        values = _normalised({**extra, **new.data, "lead_organisation": new.lead_organisation_id})
        row, row_links = _new_row(values, audit.common["timestamp"], python)
        rows.append(row)
        links.append(row_links)
    _check_organisations(user, (row["lead_organisation"] for row in rows))
    _free_keys(rows)
    if validate:
        for row in rows:
            _validate_new(row)
    insert_rows(Activity, rows)
    ids = _ids_by_key([row["key"] for row in rows])
    added = [ids[row["key"]] for row in rows]
    _link_rows(list(zip(added, links, strict=True)))
    for pk, row, row_links in zip(added, rows, links, strict=True):
        audit.created(pk, row, row_links)
    return added


def _change(batch, *, user, audit: _Audit, validate: bool) -> list[int]:
    _check_fields(user, batch)
    ids = [c.activity_id for c in batch]
    leads = Activity.objects.filter(pk__in=ids).values_list("lead_organisation_id", flat=True)
    _check_organisations(user, leads)
    _claim_versions(batch)
    data = {c.activity_id: _normalised(c.data) for c in batch}
    touched_many = {n for values in data.values() for n in values if n in MANY}
    # FOR NO KEY UPDATE: a change never touches an activity's id, and a plain FOR UPDATE
    # would make PostgreSQL treat it as if it did, failing a publication running meanwhile
    # (its foreign-key checks lock the activities it froze FOR KEY SHARE).
    current = (
        Activity.objects.select_for_update(no_key=True).prefetch_related(*touched_many).in_bulk(ids)
    )
    activities, links, fields = [], [], {"version", "updated_at"}
    for pk in ids:
        activity = current[pk]
        before = copy.copy(activity)
        values = _apply(activity, data[pk])
        activity.updated_at = audit.common["timestamp"]
        if validate:
            activity.full_clean()
        plain = [Activity._meta.get_field(n).name for n in data[pk] if n not in MANY]
        fields.update(plain)
        if {"start_date", "end_date"} & set(plain):
            fields.update(("start_year", "end_year"))
        audit.changed(before, activity, plain, values)
        activities.append(activity)
        links.append((pk, values))
    # A change may hand a row to another organisation: the actor must be allowed that too.
    _check_organisations(user, (a.lead_organisation_id for a in activities))
    # The untranslated column follows its language fields, as in save().
    fields.update(name for name in TRANSLATED if any(f.startswith(f"{name}_") for f in fields))
    _update_rows(activities, sorted(fields))
    for name, model_field in MANY.items():
        touched = [pk for pk, values in links if name in values]
        if touched:
            through = model_field.remote_field.through
            source = model_field.m2m_field_name()
            through.objects.filter(**{f"{source}_id__in": touched}).delete()
    _link_rows(links)
    return ids


def _delete(batch, *, user, audit: _Audit, validate: bool) -> list[int]:
    ids = [d.activity_id for d in batch]
    current = Activity.objects.select_for_update().in_bulk(ids)
    for deletion in batch:
        found = current.get(deletion.activity_id)
        if found is None or (
            deletion.expected_version is not None and found.version != deletion.expected_version
        ):
            raise activity_conflict(deletion.activity_id)
    _check_organisations(user, (a.lead_organisation_id for a in current.values()))
    for pk in ids:
        audit.deleted(current[pk])
    Activity.objects.filter(pk__in=ids).delete()
    return ids


def write_activities(
    *,
    user,
    adds: Sequence[NewActivity] = (),
    changes: Sequence[ActivityChange] = (),
    deletes: Sequence[ActivityDeletion] = (),
    extra: dict[str, Any] | None = None,
    audit_data: dict[str, Any] | None = None,
    validate: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Written:
    """Add ``adds``, apply ``changes`` and make ``deletes`` in one transaction.

    ``user`` is the actor: a user, or a `SystemActor`. ``extra`` sets fields on every
    new activity (e.g. its ``source``); ``audit_data`` is kept with every audit entry
    (e.g. the import's number). Returns the ids written.
    """
    total, done = len(adds) + len(changes) + len(deletes), 0
    written = Written()
    python = _PythonValues()
    with transaction.atomic(), disable_auditlog():
        audit = _Audit(user, audit_data)
        steps = (
            (adds, written.added, partial(_add, extra=extra or {}, python=python)),
            (changes, written.changed, _change),
            (deletes, written.deleted, _delete),
        )
        for items, ids, write in steps:
            for batch in _batches(items, BATCH):
                ids.extend(write(batch, user=user, audit=audit, validate=validate))
                audit.write()
                done += len(batch)
                if progress:
                    progress(done, total)
    return written


# -- one activity: a batch of one -----------------------------------------------------------


def create_activity(*, lead_organisation, data: dict[str, Any], user, **extra) -> Activity:
    """Add an activity led by ``lead_organisation`` (the user must be allowed to edit its rows).

    ``extra`` sets other fields (``key``, ``source``, ``provenance_note``...); without a
    key the activity gets one from its organisation and English title.
    """
    written = write_activities(
        user=user,
        adds=[NewActivity(_pk(lead_organisation), {**extra, **data})],
        validate=True,
    )
    return Activity.objects.get(pk=written.added[0])


def update_activity(*, activity_id: int, data: dict[str, Any], expected_version: int, user):
    """Change an activity as loaded at ``expected_version``; `EditConflict` if it moved on.

    ``data`` maps field names (a focal point: those of `FOCAL_POINT_FIELDS`) to values;
    records (many-to-many or not) as objects or primary keys.
    """
    write_activities(
        user=user,
        changes=[ActivityChange(activity_id, expected_version, data)],
        validate=True,
    )
    return Activity.objects.get(pk=activity_id)


def delete_activity(*, activity_id: int, user, expected_version: int | None = None) -> None:
    """Delete an activity (published editions keep their copies); EditConflict if it moved on."""
    write_activities(user=user, deletes=[ActivityDeletion(activity_id, expected_version)])
