"""Writes of consequence on events and findings: one function each, used by the admin and code."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jpoa.accounts.access import require_coordinator
from jpoa.accounts.audit import acting_as

from .models import Finding, FindingStatusChange


def change_finding_status(
    *,
    finding: Finding,
    status: str,
    date: datetime.date,
    explanation: str,
    user,
) -> FindingStatusChange:
    """Record a dated, explained change of a finding's status, and set its current status.

    The explanation is stored in the language of the request (the other language
    is added later, as a translation). A change may be dated in the past: the
    finding's status is then that of its latest change by date.
    """
    require_coordinator(user)
    if status not in Finding.Status.values:
        raise ValidationError({"status": _("Unknown status: %(s)s.") % {"s": status}})
    if not explanation.strip():
        raise ValidationError({"explanation": _("Explain why the status changes.")})
    with transaction.atomic(), acting_as(user):
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if status == finding.status:
            raise ValidationError({"status": _("The finding already has this status.")})
        change = FindingStatusChange.objects.create(
            finding=finding, date=date, status=status, explanation=explanation.strip()
        )
        latest = finding.status_changes.order_by("-date", "-pk").first()
        finding.status = latest.status
        finding.save(update_fields=["status"])
    return change
