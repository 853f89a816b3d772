"""Reading rounds: who sees which submission, and what a dashboard or review page shows.

Submissions and proposals are drafts: only reviewers (and coordinators) read
them all; an organisation focal point reads its own organisation's only.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from jpoa.accounts.access import is_reviewer, organisation_of
from jpoa.matrix.models import Activity

from .models import Proposal, Submission, UpdateRound
from .proposals import Difference, activity_data, differences


def submissions_visible_to(user) -> QuerySet[Submission]:
    qs = Submission.objects.select_related("round", "organisation")
    if is_reviewer(user):
        return qs
    organisation = organisation_of(user)
    if organisation is None:
        return qs.none()
    return qs.filter(organisation=organisation)


def submission_visible_to(user, pk: int) -> Submission:
    try:
        return submissions_visible_to(user).get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404("No such submission.") from None


@dataclass
class Dashboard:
    round: UpdateRound
    submissions: list[Submission]
    unanswered: list[Submission] = field(default_factory=list)
    awaiting_review: list[Submission] = field(default_factory=list)

    @property
    def answered_count(self) -> int:
        return len(self.submissions) - len(self.unanswered)

    @property
    def overdue(self) -> list[Submission]:
        """The organisations that have not answered by a deadline now past."""
        return self.unanswered if self.round.is_overdue else []


def round_dashboard(update_round: UpdateRound) -> Dashboard:
    submissions = list(
        update_round.submissions.select_related("organisation", "submitted_by", "reviewed_by")
    )
    return Dashboard(
        round=update_round,
        submissions=submissions,
        unanswered=[s for s in submissions if not s.has_answered],
        awaiting_review=[s for s in submissions if s.status == Submission.Status.SUBMITTED],
    )


@dataclass
class ReviewRow:
    """One activity of a submission as the reviewer sees it."""

    title: str
    proposal: Proposal | None
    activity: Activity | None
    changes: list[Difference]

    @property
    def kind_label(self) -> str:
        return self.proposal.get_kind_display() if self.proposal else ""


def review_rows(submission: Submission) -> list[ReviewRow]:
    """Every activity of the organisation (proposed or not) and every proposed new one."""
    proposals = {
        p.activity_id: p
        for p in submission.proposals.filter(activity__isnull=False).select_related("activity")
    }
    rows = []
    activities = Activity.objects.filter(lead_organisation=submission.organisation).order_by(
        "title"
    )
    for activity in activities:
        proposal = proposals.get(activity.pk)
        changes = []
        if proposal and proposal.data:
            changes = differences(activity_data(activity), proposal.data)
        rows.append(ReviewRow(activity.title, proposal, activity, changes))
    for proposal in submission.proposals.filter(kind=Proposal.Kind.NEW).order_by("pk"):
        changes = differences({}, proposal.data, skip_empty=True)
        rows.append(ReviewRow(proposal.data.get("title_en") or "", proposal, None, changes))
    return rows


def upload_rows(upload) -> list[ReviewRow]:
    """What an uploaded workbook proposes, shown as the review page shows an answer."""
    activities = Activity.objects.in_bulk(
        [item["activity"] for item in upload.proposals if item["activity"]]
    )
    rows = []
    for item in upload.proposals:
        activity = activities.get(item["activity"])
        proposal = Proposal(kind=item["kind"], data=item["data"])
        if activity is None:
            changes = differences({}, item["data"], skip_empty=True)
            title = item["data"].get("title_en") or ""
        else:
            changes = differences(activity_data(activity), item["data"]) if item["data"] else []
            title = activity.title
        rows.append(ReviewRow(title, proposal, activity, changes))
    return rows
