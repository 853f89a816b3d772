"""Editing activities without losing anybody's work.

Every activity carries a ``version``. An editor saves against the version they
loaded; if someone saved in between, the save is refused with `EditConflict`,
naming who changed the row and when, and the first save stays as it was. The
version is raised with ``UPDATE ... WHERE id = ? AND version = ?`` so that of
two concurrent saves exactly one wins.
"""

import datetime
from typing import Any

from auditlog.models import LogEntry
from django import forms
from django.db import models, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Activity

# What an activity's editors (back office and focal points alike) may change.
EDITABLE_FIELDS = (
    "title_en",
    "title_ru",
    "description_en",
    "description_ru",
    "pillars",
    "countries",
    "region_wide",
    "start_date",
    "end_date",
    "status",
    "partners",
    "donors",
    "budget",
    "currency",
)


class EditConflict(Exception):
    """Someone saved the record after the editor loaded it; nothing was written."""

    def __init__(self, *, record: str, changed_by=None, changed_at=None):
        self.record = record
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.changed_by and self.changed_at:
            who = gettext("by %(user)s on %(when)s") % {
                "user": self.changed_by,
                "when": formats.date_format(timezone.localtime(self.changed_at), "DATETIME_FORMAT"),
            }
        elif self.changed_by:
            who = gettext("by %(user)s") % {"user": self.changed_by}
        else:
            who = gettext("by someone else")
        return gettext(
            "“%(record)s” was changed %(who)s after you opened it. Your changes were not "
            "saved, and theirs are kept: reload the page to see them, then make your "
            "changes again."
        ) % {"record": self.record, "who": who}


def last_change(obj: models.Model) -> tuple[Any, datetime.datetime | None]:
    """Who last changed a record and when, from the audit trail (None if unknown)."""
    entry = LogEntry.objects.get_for_object(obj).select_related("actor").first()
    if entry is None:
        return None, None
    return entry.actor, entry.timestamp


def activity_conflict(activity_id: int) -> EditConflict:
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        return EditConflict(record=gettext("The activity"))
    changed_by, changed_at = last_change(activity)
    return EditConflict(record=activity.title, changed_by=changed_by, changed_at=changed_at)


def claim_version(model: type[models.Model], pk: int, expected_version: int) -> int:
    """Raise the record's version if it is still ``expected_version``; return the new one.

    Returns 0 when the record has moved on: the caller raises its conflict.
    """
    updated = model._default_manager.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1
    )
    return expected_version + 1 if updated else 0


def set_values(instance: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    """Assign plain field values; return the many-to-many values to set after saving."""
    many = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            many[name] = value
        else:
            setattr(instance, field.attname if field.is_relation else name, value)
    return many


def update_activity(*, activity_id: int, data: dict[str, Any], expected_version: int, user):
    """Change an activity as loaded at ``expected_version``; `EditConflict` if it moved on.

    ``data`` maps field names (see EDITABLE_FIELDS; coordinators may give any
    editable field) to values; many-to-many values are objects or primary keys.
    """
    from jpoa.accounts.access import is_coordinator, require_can_edit_activity
    from jpoa.accounts.audit import acting_as

    with transaction.atomic(), acting_as(user):
        activity = Activity.objects.get(pk=activity_id)
        require_can_edit_activity(user, activity)
        if not is_coordinator(user) and set(data) - set(EDITABLE_FIELDS):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("You may not change these fields.")
        new_version = claim_version(Activity, activity_id, expected_version)
        if not new_version:
            raise activity_conflict(activity_id)
        activity.version = new_version
        many = set_values(activity, data)
        activity.full_clean()
        activity.save()
        for name, values in many.items():
            getattr(activity, name).set(values)
        return activity


def delete_activity(*, activity_id: int, user, expected_version: int | None = None) -> None:
    """Delete an activity (published editions keep their copies); EditConflict if it moved on."""
    from jpoa.accounts.access import require_can_edit_activity
    from jpoa.accounts.audit import acting_as

    with transaction.atomic(), acting_as(user):
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        require_can_edit_activity(user, activity)
        if expected_version is not None and activity.version != expected_version:
            raise activity_conflict(activity_id)
        activity.delete()


def unique_activity_key(base: str) -> str:
    from django.utils.text import slugify

    stem = slugify(base)[:140].strip("-") or "activity"
    key, n = stem, 1
    while Activity.objects.filter(key=key).exists():
        n += 1
        key = f"{stem}-{n}"
    return key


def create_activity(*, lead_organisation, data: dict[str, Any], user, **extra) -> Activity:
    """Add an activity led by ``lead_organisation`` (the user must be allowed to edit its rows)."""
    from django.core.exceptions import PermissionDenied

    from jpoa.accounts.access import can_edit_activity
    from jpoa.accounts.audit import acting_as

    with transaction.atomic(), acting_as(user):
        activity = Activity(lead_organisation=lead_organisation, **extra)
        if not can_edit_activity(user, activity):
            raise PermissionDenied("You may not add activities for this organisation.")
        many = set_values(activity, data)
        if not activity.key:
            activity.key = unique_activity_key(
                f"{lead_organisation.key}-{data.get('title_en') or activity.title}"
            )
        activity.full_clean()
        activity.save()
        for name, values in many.items():
            getattr(activity, name).set(values)
        return activity


def check_activity_rules(form: forms.Form) -> None:
    """Rules an activity obeys however it is entered: back office, round proposal, import."""
    data = form.cleaned_data
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        form.add_error("end_date", _("The end date is before the start date."))
    if data.get("budget") is not None and "currency" in data and not data.get("currency"):
        form.add_error("currency", _("Give the currency of the budget (e.g. USD, EUR)."))


class VersionedModelForm(forms.ModelForm):
    """A ModelForm for a model with a ``version``: a stale save becomes a form error.

    The version the editor loaded travels in a hidden field. On a change, the
    row is locked (inside the view's transaction, as the admin's change view
    is) and its version compared; if it moved on, the form is invalid with the
    conflict message; otherwise the instance is saved with the next version.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].required = True
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if not self.instance.pk or loaded is None:
            return cleaned
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        if current != loaded:
            changed_by, changed_at = last_change(self.instance)
            conflict = EditConflict(
                record=str(self.instance), changed_by=changed_by, changed_at=changed_at
            )
            raise forms.ValidationError(conflict.message, code="edit_conflict")
        self.instance.version = loaded + 1
        return cleaned


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityFormMixin(forms.ModelForm):
    """The editor's rules for an activity's fields, shared by every form that edits one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title_en" in self.fields:
            self.fields["title_en"].required = True
        for name in ("start_date", "end_date"):
            if name in self.fields:
                self.fields[name].widget = DATE_INPUT

    def clean(self):
        cleaned = super().clean()
        check_activity_rules(self)
        return cleaned


class ActivityEditForm(ActivityFormMixin, VersionedModelForm):
    """The back office's form for an activity: the editor's rules plus the conflict check."""

    class Meta:
        model = Activity
        fields = (
            "key",
            "iati_identifier",
            "lead_organisation",
            *EDITABLE_FIELDS,
            "action_items",
            "framework_areas",
            "source_url",
            "last_verified",
            "internal_notes",
            "source",
            "source_locator",
            "classification_basis",
            "provenance_note",
        )
