"""The coordinator's plain edit of an event, finding or resource, as the back office makes it.

It checks permission, runs in a transaction and in `acting_as(user)` so that the
audit trail names the token's user.
"""

from django import forms
from django.db import transaction

from jpoa.accounts.access import require_coordinator
from jpoa.accounts.audit import acting_as


def save_record(*, form: forms.ModelForm, user):
    """Save a valid back-office form of an event, finding or resource, as a coordinator."""
    require_coordinator(user)
    with transaction.atomic(), acting_as(user):
        return form.save()
