"""Editing activities without losing anybody's work: the conflict, and the editor's forms.

Every activity carries a ``version``. An editor saves against the version they
loaded; if someone saved in between, the save is refused with `EditConflict`,
naming who changed the row and when, and the first save stays as it was. The
writes themselves (and the version check that decides) are `jpoa.matrix.writes`.
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

from .fields import EDITOR_FIELDS
from .models import Activity


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
    from jpoa.accounts.actors import AUDIT_KEY, SystemActor

    entry = LogEntry.objects.get_for_object(obj).select_related("actor").first()
    if entry is None:
        return None, None
    system = (entry.additional_data or {}).get(AUDIT_KEY) if entry.actor is None else None
    return (SystemActor(system) if system else entry.actor), entry.timestamp


def activity_conflict(activity_id: int) -> EditConflict:
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        return EditConflict(record=gettext("The activity"))
    changed_by, changed_at = last_change(activity)
    return EditConflict(record=activity.title, changed_by=changed_by, changed_at=changed_at)


def claim_version(model: type[models.Model], pk: int, expected_version: int) -> int:
    """Raise the record's version if it is still ``expected_version``; return the new one.

    Returns 0 when the record has moved on: the caller raises its conflict. (For the
    versioned records of other apps, e.g. round proposals; activities are written by
    `jpoa.matrix.writes`.)
    """
    updated = model._default_manager.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1
    )
    return expected_version + 1 if updated else 0


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
            rows = rows.select_for_update(no_key=True)  # as the write path locks (writes.py)
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
        fields = EDITOR_FIELDS
