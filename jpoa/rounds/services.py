"""Every change an update round makes: each checks permission, runs in a transaction, is audited.

Pages, the command line and tests call these functions and nothing else to
change a round, a submission or a proposal.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jpoa.accounts.access import organisation_of, require_coordinator, require_reviewer
from jpoa.accounts.audit import acting_as
from jpoa.accounts.models import Profile, Role
from jpoa.core.models import Organisation
from jpoa.matrix.editing import EditConflict, activity_conflict, claim_version
from jpoa.matrix.models import Activity
from jpoa.matrix.writes import create_activity, update_activity

from . import mail
from .models import Message, Proposal, Submission, UpdateRound, WorkbookUpload
from .proposals import activity_data, data_to_values


class RoundError(Exception):
    """A round action that cannot be done now; the message says why."""


def current_round() -> UpdateRound | None:
    return UpdateRound.objects.filter(status=UpdateRound.Status.OPEN).first()


def _require_future(deadline: datetime.date) -> None:
    if deadline < timezone.localdate():
        raise RoundError(
            _("The deadline %(deadline)s is in the past; give today or a later day.")
            % {"deadline": date_format(deadline, "DATE_FORMAT")}
        )


def open_round(
    *,
    title: str,
    deadline: datetime.date,
    user,
    reminder_days: int = 7,
    send_email: bool = True,
    allow_past_deadline: bool = False,
) -> UpdateRound:
    """Open a round and a (not started) submission for every organisation that answers it,
    and invite their focal points by e-mail.

    Those are the organisations that lead an activity or have a focal point.
    ``allow_past_deadline`` is for recording a round after the fact (the demonstration
    data): anyone else's past deadline is refused.
    """
    require_coordinator(user)
    if not title.strip():
        raise RoundError(_("Give the round a title."))
    if not allow_past_deadline:
        _require_future(deadline)
    if reminder_days < 0:
        raise RoundError(_("The reminder cannot come after the deadline."))
    with transaction.atomic(), acting_as(user):
        if current_round() is not None:
            raise RoundError(
                _("A round is already open; publish, close or cancel it first (on its page).")
            )
        update_round = UpdateRound.objects.create(
            title=title.strip(),
            deadline=deadline,
            opened_by=user,
            reminder_days=reminder_days,
            send_email=send_email,
        )
        focal = Profile.objects.filter(role=Role.ORGANISATION_FOCAL_POINT).values("organisation")
        answering = Organisation.objects.filter(
            Q(pk__in=Activity.objects.values("lead_organisation")) | Q(pk__in=focal)
        )
        submissions = [
            Submission.objects.create(round=update_round, organisation=organisation)
            for organisation in answering
        ]
        mail.tell_organisations(Message.Kind.INVITATION, update_round, submissions, once="open")
        return update_round


def _lock_open(round: UpdateRound) -> UpdateRound:
    round = UpdateRound.objects.select_for_update().get(pk=round.pk)
    if round.status != UpdateRound.Status.OPEN:
        raise RoundError(
            _("This round is %(status)s, no longer open.") % {"status": round.get_status_display()}
        )
    return round


def extend_deadline(*, round: UpdateRound, deadline: datetime.date, user) -> UpdateRound:
    """Give the organisations more time; those that have not answered are told."""
    require_coordinator(user)
    _require_future(deadline)
    with transaction.atomic(), acting_as(user):
        round = _lock_open(round)
        if deadline <= round.deadline:
            raise RoundError(
                _("The new deadline must be after the current one (%(deadline)s).")
                % {"deadline": date_format(round.deadline, "DATE_FORMAT")}
            )
        round.deadline = deadline
        round.save()
        waiting = round.submissions.filter(status__in=Submission.UNANSWERED)
        mail.tell_organisations(
            Message.Kind.EXTENDED, round, waiting.select_related("round"), once=deadline.isoformat()
        )
        return round


def _end(round: UpdateRound, user, reason: str, status: str) -> UpdateRound:
    round.status = status
    round.ended_at = timezone.now()
    round.ended_by = user
    round.end_reason = reason.strip()
    round.save()
    everyone = round.submissions.select_related("round")
    mail.tell_organisations(Message.Kind.ENDED, round, everyone, once=status)
    return round


def close_round(*, round: UpdateRound, user, reason: str) -> UpdateRound:
    """Stop the round without publishing it: focal points can no longer change their answers.

    Its accepted answers can still be published later; a new round can be opened.
    """
    require_coordinator(user)
    if not reason.strip():
        raise RoundError(_("Say why the round is closed; the organisations are told."))
    with transaction.atomic(), acting_as(user):
        round = _lock_open(round)
        return _end(round, user, reason, UpdateRound.Status.CLOSED)


def cancel_round(*, round: UpdateRound, user, reason: str) -> UpdateRound:
    """Drop the round: nothing of it will be published (its answers stay on record)."""
    require_coordinator(user)
    if not reason.strip():
        raise RoundError(_("Say why the round is cancelled; the organisations are told."))
    with transaction.atomic(), acting_as(user):
        round = UpdateRound.objects.select_for_update().get(pk=round.pk)
        if not round.can_be_published:
            raise RoundError(
                _("This round is %(status)s; it cannot be cancelled.")
                % {"status": round.get_status_display()}
            )
        return _end(round, user, reason, UpdateRound.Status.CANCELLED)


def submission_of(*, user, round: UpdateRound) -> Submission:
    """The user's organisation's submission to ``round`` (created if it came late)."""
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied("Only an organisation's focal point answers a round.")
    submission, _created = Submission.objects.get_or_create(round=round, organisation=organisation)
    return submission


def _require_own_editable(submission: Submission, user) -> Submission:
    """Lock the submission; check the user speaks for its organisation and may still edit."""
    organisation = organisation_of(user)
    if organisation is None or organisation.pk != submission.organisation_id:
        raise PermissionDenied("This is another organisation's submission.")
    submission = (
        Submission.objects.select_for_update().select_related("round").get(pk=submission.pk)
    )
    if not submission.is_editable:
        raise RoundError(
            _("This submission can no longer be changed (it is %(status)s).")
            % {"status": submission.get_status_display()}
        )
    return submission


def _proposal_conflict(proposal: Proposal | None) -> EditConflict:
    if proposal is None:
        return EditConflict(record=_("This proposal"))
    proposal.refresh_from_db()
    return EditConflict(
        record=str(proposal), changed_by=proposal.updated_by, changed_at=proposal.updated_at
    )


def save_proposal(
    *,
    submission: Submission,
    user,
    kind: str,
    activity: Activity | None = None,
    proposal: Proposal | None = None,
    data: dict[str, Any] | None = None,
    expected_version: int = 0,
    activity_version: int | None = None,
) -> Proposal:
    """Record what the organisation proposes for an activity (or a new one).

    ``expected_version`` is the proposal's version the focal point loaded (0
    when there was none), ``activity_version`` the activity's; if either moved
    on, `EditConflict` is raised and nothing is written.
    """
    with transaction.atomic(), acting_as(user):
        submission = _require_own_editable(submission, user)
        if activity is not None:
            activity = Activity.objects.get(pk=activity.pk)
            if activity.lead_organisation_id != submission.organisation_id:
                raise PermissionDenied("This is another organisation's activity.")
            if activity_version is not None and activity.version != activity_version:
                raise activity_conflict(activity.pk)
            existing = Proposal.objects.filter(submission=submission, activity=activity).first()
        elif proposal is not None:
            existing = Proposal.objects.filter(
                pk=proposal.pk, submission=submission, kind=Proposal.Kind.NEW
            ).first()
            if existing is None:
                raise RoundError(_("This proposal no longer exists."))
        else:
            existing = None
        data = _proposed_data(kind, activity, data or {})
        if kind == Proposal.Kind.CHANGE and data == activity_data(activity):
            kind, data = Proposal.Kind.CONFIRM, {}
        if existing is not None:
            if not claim_version(Proposal, existing.pk, expected_version):
                raise _proposal_conflict(existing)
            existing.refresh_from_db(fields=["version"])
            result = existing
        elif expected_version:
            raise _proposal_conflict(None)  # it was discarded after the user loaded it
        else:
            result = Proposal(submission=submission, activity=activity)
        result.kind = kind
        result.data = data
        result.base_version = activity.version if activity is not None else None
        result.updated_by = user
        try:
            with transaction.atomic():
                result.save()
        except IntegrityError:  # another focal point created it meanwhile
            raise _proposal_conflict(
                Proposal.objects.filter(submission=submission, activity=activity).first()
            ) from None
        if submission.status == Submission.Status.NOT_STARTED:
            submission.status = Submission.Status.DRAFT
            submission.save()
        return result


def _proposed_data(kind: str, activity: Activity | None, data: dict[str, Any]) -> dict:
    if kind == Proposal.Kind.CONFIRM:
        return {}
    if kind == Proposal.Kind.END:
        ended = activity_data(activity)
        ended["status"] = Activity.Status.COMPLETED
        ended["end_date"] = ended["end_date"] or timezone.localdate().isoformat()
        return ended
    if kind in (Proposal.Kind.CHANGE, Proposal.Kind.NEW):
        if (kind == Proposal.Kind.NEW) != (activity is None):
            raise RoundError(_("A new activity has no existing activity, a change has one."))
        return data
    raise RoundError(_("Unknown kind of proposal."))


def discard_proposal(*, proposal: Proposal, expected_version: int, user) -> None:
    """Withdraw a proposal: the activity is again taken as unchanged (or not added)."""
    with transaction.atomic(), acting_as(user):
        _require_own_editable(proposal.submission, user)
        if not claim_version(Proposal, proposal.pk, expected_version):
            raise _proposal_conflict(proposal)
        Proposal.objects.filter(pk=proposal.pk).delete()


def submit(*, submission: Submission, user) -> Submission:
    """Send the organisation's answer for review; activities without a proposal are unchanged."""
    with transaction.atomic(), acting_as(user):
        submission = _require_own_editable(submission, user)
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = timezone.now()
        submission.submitted_by = user
        submission.save()
        return submission


def _lock_for_review(submission: Submission, user, allowed: tuple) -> Submission:
    require_reviewer(user)
    submission = (
        Submission.objects.select_for_update().select_related("round").get(pk=submission.pk)
    )
    if submission.round.status == UpdateRound.Status.PUBLISHED:
        raise RoundError(_("This round has been published."))
    if submission.round.status == UpdateRound.Status.CANCELLED:
        raise RoundError(_("This round was cancelled; nothing of it is published."))
    if submission.status not in allowed:
        raise RoundError(
            _("This submission is %(status)s, not awaiting review.")
            % {"status": submission.get_status_display()}
        )
    return submission


def accept(*, submission: Submission, user) -> Submission:
    """Accept a submission: its proposals will be applied when the round is published."""
    with transaction.atomic(), acting_as(user):
        submission = _lock_for_review(submission, user, (Submission.Status.SUBMITTED,))
        stale = [p for p in submission.proposals.select_related("activity") if p.is_stale]
        if stale:
            raise RoundError(
                _(
                    "These activities were changed after the organisation proposed its "
                    "changes: %(titles)s. Return the submission so that it can check them."
                )
                % {"titles": ", ".join(p.activity.title for p in stale)}
            )
        submission.status = Submission.Status.ACCEPTED
        submission.reviewed_at = timezone.now()
        submission.reviewed_by = user
        submission.save()
        mail.tell_organisation(Message.Kind.ACCEPTED, submission)
        return submission


def return_submission(*, submission: Submission, user, comment: str) -> Submission:
    """Send a submission back to its organisation with what to fix."""
    if not comment.strip():
        raise RoundError(_("Say what the organisation should fix."))
    with transaction.atomic(), acting_as(user):
        submission = _lock_for_review(
            submission, user, (Submission.Status.SUBMITTED, Submission.Status.ACCEPTED)
        )
        submission.status = Submission.Status.RETURNED
        submission.reviewer_comment = comment.strip()
        submission.reviewed_at = timezone.now()
        submission.reviewed_by = user
        submission.save()
        mail.tell_organisation(Message.Kind.RETURNED, submission)
        return submission


def reopen_submission(*, submission: Submission, user, comment: str = "") -> Submission:
    """Let an organisation change an answer it has submitted (or that was accepted)."""
    require_coordinator(user)
    with transaction.atomic(), acting_as(user):
        submission = _lock_for_review(
            submission, user, (Submission.Status.SUBMITTED, Submission.Status.ACCEPTED)
        )
        if not submission.round.is_open:
            raise RoundError(_("Only an answer to an open round can be reopened."))
        submission.status = Submission.Status.DRAFT
        if comment.strip():
            submission.reviewer_comment = comment.strip()
        submission.reviewed_at = timezone.now()
        submission.reviewed_by = user
        submission.save()
        mail.tell_organisation(Message.Kind.REOPENED, submission)
        return submission


def apply_proposal(proposal: Proposal, user) -> Activity | None:
    """Write one accepted proposal to the matrix; an activity that moved on is a conflict."""
    if proposal.kind == Proposal.Kind.CONFIRM:
        return proposal.activity
    values = data_to_values(proposal.data)
    if proposal.kind == Proposal.Kind.NEW:
        activity = create_activity(
            lead_organisation=proposal.submission.organisation,
            data=values,
            user=user,
            provenance_note=_("Proposed by %(organisation)s in the update round “%(round)s”.")
            % {
                "organisation": proposal.submission.organisation,
                "round": proposal.submission.round,
            },
        )
        proposal.applied_to = activity
        proposal.save(update_fields=["applied_to"])
        return activity
    return update_activity(
        activity_id=proposal.activity_id,
        data=values,
        expected_version=proposal.base_version,
        user=user,
    )


def publish_round(
    *, round: UpdateRound, title: str, user, as_of=None, notes: str = "", title_ru: str = ""
):
    """Apply every accepted submission and publish the next edition of the matrix.

    All or nothing: if any proposal cannot be applied (its activity changed
    since), nothing is applied and nothing is published.
    """
    from jpoa.matrix.editions import publish_edition

    require_coordinator(user)
    if not title.strip():
        raise RoundError(_("Give the edition a title."))
    with transaction.atomic(), acting_as(user):
        round = UpdateRound.objects.select_for_update().get(pk=round.pk)
        if round.status == UpdateRound.Status.PUBLISHED:
            raise RoundError(_("This round has already been published."))
        if round.status == UpdateRound.Status.CANCELLED:
            raise RoundError(_("This round was cancelled; nothing of it is published."))
        waiting = round.submissions.filter(status=Submission.Status.SUBMITTED)
        if waiting.exists():
            raise RoundError(
                _(
                    "Review these submissions first: %(organisations)s. Accept or return "
                    "each on the round's page, %(page)s."
                )
                % {
                    "organisations": ", ".join(str(s.organisation) for s in waiting),
                    "page": reverse("rounds:dashboard", args=[round.pk]),
                }
            )
        proposals = (
            Proposal.objects.filter(
                submission__round=round, submission__status=Submission.Status.ACCEPTED
            )
            .select_related("submission__organisation", "submission__round", "activity")
            .order_by("pk")
        )
        for proposal in proposals:
            apply_proposal(proposal, user)
        edition = publish_edition(
            title=title.strip(), title_ru=title_ru.strip(), as_of=as_of, notes=notes, by=user
        )
        round.status = UpdateRound.Status.PUBLISHED
        round.published_at = timezone.now()
        round.edition = edition
        round.publish_error = ""
        round.save()
        everyone = round.submissions.select_related("round")
        mail.tell_organisations(Message.Kind.PUBLISHED, round, everyone, once="published")
        return round


def receive_workbook(*, submission: Submission, user, data: bytes, file_name: str):
    """Read a filled-in workbook into an upload to confirm; nothing of the answer changes.

    Raises `workbook.WorkbookError` for a file that cannot be read at all; problems of
    single rows are kept on the upload (which then cannot be confirmed).
    """
    from . import workbook

    with transaction.atomic(), acting_as(user):
        submission = _require_own_editable(submission, user)
        rows, issues = workbook.read_workbook(data, submission)
        versions = {p.activity_id or f"new:{p.pk}": p.version for p in submission.proposals.all()}
        proposals = workbook.proposals_json(rows)
        for item in proposals:
            item["proposal_version"] = versions.get(item["activity"], 0)
            if item["activity"]:
                item["activity_version"] = Activity.objects.get(pk=item["activity"]).version
        return WorkbookUpload.objects.create(
            submission=submission,
            file_name=file_name[:255],
            uploaded_by=user,
            proposals=proposals,
            issues=[vars(i) for i in issues],
        )


def apply_workbook(*, upload: WorkbookUpload, user, then_submit: bool = False) -> Submission:
    """Make a checked upload the organisation's answer: each row's proposal is saved as if
    typed in the web form (and the file's new activities replace the answer's new ones).

    All or nothing; `EditConflict` if a proposal or an activity changed since the upload.
    """
    with transaction.atomic(), acting_as(user):
        upload = WorkbookUpload.objects.select_for_update().get(pk=upload.pk)
        submission = _require_own_editable(upload.submission, user)
        if upload.applied_at is not None:
            raise RoundError(_("This file has already been used as your answer."))
        if upload.issues:
            raise RoundError(_("Correct the problems in the file and upload it again."))
        for old in submission.proposals.filter(kind=Proposal.Kind.NEW):
            discard_proposal(proposal=old, expected_version=old.version, user=user)
        for item in upload.proposals:
            activity = Activity.objects.get(pk=item["activity"]) if item["activity"] else None
            save_proposal(
                submission=submission,
                user=user,
                kind=item["kind"],
                activity=activity,
                data=item["data"],
                expected_version=item.get("proposal_version", 0) if activity else 0,
                activity_version=item.get("activity_version"),
            )
        upload.applied_at = timezone.now()
        upload.save(update_fields=["applied_at"])
        if then_submit:
            submit(submission=submission, user=user)
        submission.refresh_from_db()
        return submission
