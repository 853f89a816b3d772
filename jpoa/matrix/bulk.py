"""Writing thousands of activities at once, for imports.

`create_activity` and `update_activity` (in `editing`) spend a few queries and an
audit entry on every row: right for an editor, far too slow for a file of 100,000
activities. `write_activities` keeps what those services promise and does the work
a batch at a time:

- permission: the user must be allowed to edit every lead organisation involved;
- conflicts: every changed activity must still be at the version the caller read,
  or `EditConflict` is raised and nothing is written (the caller's transaction);
- audit: every activity added or changed gets its entry in the audit trail, with
  the acting user, the before and after of each changed field, and the import it
  came from (``additional_data``), written in bulk instead of by signals.

The caller validates each row beforehand with the editor's form rules (the import
preview does); this module writes what it is given.
"""

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from jpoa.lib.audit import translated_originals
from jpoa.lib.database import insert_rows

from .editing import activity_conflict
from .models import Activity

BATCH = 1000
LANGUAGE_ORDER = [code for code, _ in settings.LANGUAGES]


@dataclass
class NewActivity:
    lead_organisation_id: int
    data: dict[str, Any]  # field name -> value; many-to-many as lists of primary keys


@dataclass
class ActivityChange:
    activity_id: int
    expected_version: int
    data: dict[str, Any]  # only the fields that change


@dataclass
class Written:
    added: list[int] = field(default_factory=list)  # ids, in the order of the new activities
    changed: list[int] = field(default_factory=list)


def _batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _many_names() -> dict[str, Any]:
    return {f.name: f for f in Activity._meta.many_to_many}


def _check_permission(user, organisation_ids: Iterable[int]) -> None:
    from jpoa.accounts.access import can_edit_activity

    for organisation_id in set(organisation_ids):
        if not can_edit_activity(user, Activity(lead_organisation_id=organisation_id)):
            raise PermissionDenied("You may not write activities of this organisation.")


def _apply(activity: Activity, data: dict[str, Any], many: dict[str, Any]) -> dict[str, list]:
    """Set the plain fields of ``data`` on ``activity``; return its many-to-many values."""
    links = {}
    for name, value in data.items():
        if name in many:
            links[name] = list(dict.fromkeys(int(v) for v in value or ()))
        else:
            model_field = Activity._meta.get_field(name)
            setattr(activity, model_field.attname, model_field.to_python(value))
    activity.start_year = activity.start_date.year if activity.start_date else None
    activity.end_year = activity.end_date.year if activity.end_date else None
    return links


def _free_keys(rows: list[dict[str, Any]]) -> None:
    """Give each new activity without a key one that no other activity has."""
    from jpoa.core.models import Organisation

    wanted = [row for row in rows if not row.get("key")]
    organisations = Organisation.objects.in_bulk({row["lead_organisation"] for row in wanted})
    stems = []
    for row in wanted:
        # The key `create_activity` would give it.
        organisation = organisations[row["lead_organisation"]]
        stem = slugify(f"{organisation.key}-{row.get('title_en') or row.get('title', '')}")
        stems.append((row, stem[:140].strip("-") or "activity"))
    taken = set()
    for chunk in _batches(sorted({stem for _, stem in stems}), 500):
        taken.update(Activity.objects.filter(key__in=chunk).values_list("key", flat=True))
    taken.update(row["key"] for row in rows if row.get("key"))
    for row, stem in stems:
        candidate, n = stem, 1
        while candidate in taken:
            n += 1
            candidate = f"{stem[: 140 - len(str(n)) - 1]}-{n}"
            if candidate not in taken and Activity.objects.filter(key=candidate).exists():
                taken.add(candidate)
        row["key"] = candidate
        taken.add(candidate)


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


TRANSLATED = translated_originals(Activity)


def _new_row(
    values: dict[str, Any], many: dict[str, Any], now, python: _PythonValues
) -> tuple[dict, dict[str, list]]:
    """The column values of a new activity (by field name) and its many-to-many values."""
    row: dict[str, Any] = {"created_at": now, "updated_at": now, "version": 1}
    links = {}
    for name, value in values.items():
        if name in many:
            links[name] = list(dict.fromkeys(int(v) for v in value or ()))
        else:
            field_name, row[field_name] = python(name, value)
    for name in TRANSLATED:
        # What save() writes to the untranslated column: the first language given.
        row[name] = next(
            (row[f"{name}_{code}"] for code in LANGUAGE_ORDER if row.get(f"{name}_{code}")), ""
        )
    start, end = row.get("start_date"), row.get("end_date")
    row["start_year"], row["end_year"] = (
        (start.year if start else None),
        (end.year if end else None),
    )
    return row, links


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


def _link_rows(many: dict[str, Any], links: list[tuple[int, dict[str, list]]]) -> None:
    """Insert the many-to-many rows of ``links``: two integers each, so one plain
    ``executemany`` per relation (building a model instance per row would cost more)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, model_field in many.items():
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


def write_activities(
    *,
    user,
    adds: Sequence[NewActivity] = (),
    changes: Sequence[ActivityChange] = (),
    extra: dict[str, Any] | None = None,
    audit_data: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Written:
    """Add ``adds`` and apply ``changes`` in one transaction; return the ids written.

    ``extra`` sets fields on every new activity (e.g. its ``source``);
    ``audit_data`` is kept with every audit entry (e.g. the import's number).
    """
    many = _many_names()
    content_type = ContentType.objects.get_for_model(Activity)
    now = timezone.now()
    actor = user if getattr(user, "is_authenticated", False) else None
    total, done = len(adds) + len(changes), 0
    written = Written()

    def log_row(pk: int, text: str, action: int, changed: dict | None) -> dict[str, Any]:
        return {
            "content_type": content_type.pk,
            "object_pk": str(pk),
            "object_id": pk,
            "object_repr": str(text)[:10000],
            "action": action,
            "changes": changed,
            "changes_text": "",
            "actor": actor.pk if actor else None,
            "actor_email": getattr(actor, "email", None) or None,
            "timestamp": now,
            "additional_data": audit_data,
        }

    python = _PythonValues()
    with transaction.atomic():
        _check_permission(user, (a.lead_organisation_id for a in adds))
        for batch in _batches(adds, BATCH):
            rows, links = [], []
            for new in batch:
                values = {
                    **(extra or {}),
                    **new.data,
                    "lead_organisation": new.lead_organisation_id,
                }
                row, row_links = _new_row(values, many, now, python)
                rows.append(row)
                links.append(row_links)
            _free_keys(rows)
            insert_rows(Activity, rows)
            ids = _ids_by_key([row["key"] for row in rows])
            added = [ids[row["key"]] for row in rows]
            _link_rows(many, list(zip(added, links, strict=True)))
            insert_rows(
                LogEntry,
                [
                    log_row(pk, row["title"], LogEntry.Action.CREATE, None)
                    for pk, row in zip(added, rows, strict=True)
                ],
            )
            written.added.extend(added)
            done += len(batch)
            if progress:
                progress(done, total)

        for batch in _batches(changes, BATCH):
            ids = [c.activity_id for c in batch]
            touched_many = {n for c in batch for n in c.data if n in many}
            current = (
                Activity.objects.select_for_update().prefetch_related(*touched_many).in_bulk(ids)
            )
            for change in batch:
                found = current.get(change.activity_id)
                if found is None or found.version != change.expected_version:
                    raise activity_conflict(change.activity_id)
            _check_permission(user, (a.lead_organisation_id for a in current.values()))
            activities, links, entries, fields = [], [], [], {"version", "updated_at"}
            for change in batch:
                activity = current[change.activity_id]
                before = copy.copy(activity)
                values = _apply(activity, change.data, many)
                activity.version = change.expected_version + 1
                activity.updated_at = now
                plain = [n for n in change.data if n not in many]
                fields.update(Activity._meta.get_field(n).name for n in plain)
                if {"start_date", "end_date"} & set(plain):
                    fields.update(("start_year", "end_year"))
                changed = model_instance_diff(before, activity) or {}
                for name, new_values in values.items():
                    old = sorted(o.pk for o in getattr(before, name).all())
                    changed[name] = [str(old), str(sorted(new_values))]
                activities.append(activity)
                links.append((activity.pk, values))
                entries.append(log_row(activity.pk, str(activity), LogEntry.Action.UPDATE, changed))
            # The untranslated column follows its language fields, as in save().
            fields.update(
                name
                for name in translated_originals(Activity)
                if any(f.startswith(f"{name}_") for f in fields)
            )
            Activity.objects.bulk_update(activities, sorted(fields))
            for name, model_field in many.items():
                touched = [pk for pk, values in links if name in values]
                if touched:
                    through = model_field.remote_field.through
                    source = model_field.m2m_field_name()
                    through.objects.filter(**{f"{source}_id__in": touched}).delete()
            _link_rows(many, links)
            insert_rows(LogEntry, entries)
            written.changed.extend(ids)
            done += len(batch)
            if progress:
                progress(done, total)
    return written
