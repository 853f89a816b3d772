"""Writes the API needs that have no service of their own yet.

Each checks permission, runs in a transaction and in `acting_as(user)` so that the
audit trail names the token's user. (`delete_activity` belongs beside create/update in
`jpoa.matrix.editing`; `save_record` is the coordinator's plain edit of an event,
finding or resource, as the back office makes it.)
"""

from django import forms
from django.db import transaction

from jpoa.accounts.access import require_can_edit_activity, require_coordinator
from jpoa.accounts.audit import acting_as
from jpoa.matrix.editing import activity_conflict
from jpoa.matrix.models import Activity


def delete_activity(*, activity_id: int, user, expected_version: int | None = None) -> None:
    """Delete an activity (published editions keep their copies); EditConflict if it moved on."""
    with transaction.atomic(), acting_as(user):
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        require_can_edit_activity(user, activity)
        if expected_version is not None and activity.version != expected_version:
            raise activity_conflict(activity_id)
        activity.delete()


def save_record(*, form: forms.ModelForm, user):
    """Save a valid back-office form of an event, finding or resource, as a coordinator."""
    require_coordinator(user)
    with transaction.atomic(), acting_as(user):
        return form.save()
