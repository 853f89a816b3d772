"""Update rounds through the API: the web's services and permissions, with a token.

Coordinators open, extend, close, cancel and publish a round and review its answers
(reviewers review); an organisation's focal point reads and changes its own answer to
the open round (`/rounds/current/answer`) and submits it. Proposed fields use the
activity write API's names and go through the web form's rules.
"""

import datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Schema
from pydantic import Field

from jpoa.accounts.access import require_coordinator, require_reviewer
from jpoa.lib.tasks import state_of
from jpoa.matrix.models import Activity
from jpoa.rounds import services, tasks
from jpoa.rounds.models import Proposal, Submission, UpdateRound
from jpoa.rounds.proposals import activity_data, cleaned_to_data, proposal_form
from jpoa.rounds.selectors import submission_visible_to

from .reads import router
from .writes import ACTIVITY_FIELDS, AUTH, ActivityChanges, InvalidInput, _form_data

TAGS = ["rounds"]


class RoundProblem(Exception):
    """A round action refused now (409), with the service's reason."""


class SubmissionOut(Schema):
    id: int = Field(description="The answer's number.")
    organisation: str = Field(description="The organisation's key.")
    organisation_name: str = Field(description="The organisation's name.")
    status: str = Field(description="not_started, draft, submitted, accepted or returned.")
    status_label: str = Field(description="The status in words.")
    overdue: bool = Field(description="The deadline has passed and it has not answered.")
    submitted_at: datetime.datetime | None = Field(None, description="When it was submitted.")
    reviewed_at: datetime.datetime | None = Field(None, description="When it was last reviewed.")
    reviewer_comment: str = Field("", description="The reviewer's comment, if returned.")
    page: str = Field(description="The answer's review page on the web.")


class RoundOut(Schema):
    id: int = Field(description="The round's number.")
    title: str = Field(description="The round's title.")
    status: str = Field(description="open, closed, published or cancelled.")
    status_label: str = Field(description="The status in words.")
    deadline: datetime.date = Field(description="The date answers are due.")
    overdue: bool = Field(description="Open and past its deadline.")
    reminder_days: int = Field(description="Reminders go out this many days before.")
    opened_at: datetime.datetime = Field(description="When it was opened.")
    published_at: datetime.datetime | None = Field(None, description="When it was published.")
    edition: int | None = Field(None, description="The edition it published.")
    end_reason: str = Field("", description="Why it was closed or cancelled.")
    publishing: str | None = Field(None, description="The publication task's state, if any.")
    publish_error: str = Field("", description="Why the last publication failed.")
    page: str = Field(description="The round's page on the web.")
    submissions: list[SubmissionOut] = Field(
        default_factory=list, description="Each organisation's answer."
    )


class ProposalOut(Schema):
    id: int = Field(description="The proposal's number.")
    activity: str | None = Field(None, description="The activity's key; null: a new one.")
    kind: str = Field(description="confirm, change, end or new.")
    version: int = Field(description="Send it back to change the proposal (conflicts: 409).")
    stale: bool = Field(description="The activity changed after the proposal was written.")
    data: dict = Field(description="The proposed fields (primary keys for related records).")


class AnswerOut(SubmissionOut):
    round: int = Field(description="The round's number.")
    deadline: datetime.date = Field(description="The date the answer is due.")
    editable: bool = Field(description="The organisation may still change it.")
    proposals: list[ProposalOut] = Field(
        default_factory=list, description="What the organisation proposes, activity by activity."
    )


class OpenIn(Schema):
    title: str = Field(max_length=300, description="The round's title.")
    deadline: datetime.date = Field(description="Today or later.")
    reminder_days: int = Field(
        7, ge=0, le=60, description="Remind those who have not answered this many days before."
    )


class DeadlineIn(Schema):
    deadline: datetime.date = Field(description="Later than the current one, not past.")


class ReasonIn(Schema):
    reason: str = Field(max_length=5000, description="Told to the organisations.")


class CommentIn(Schema):
    comment: str = Field("", max_length=5000, description="To the organisation.")


class PublishIn(Schema):
    title: str = Field(max_length=300, description="The new edition's title.")
    as_of: datetime.date | None = Field(None, description="The date it describes; default today.")


class ProposalIn(Schema):
    activity: str | None = Field(None, description="Key of one of your activities; null: new.")
    kind: Literal["confirm", "change", "end", "new"] = Field(
        description="confirm (unchanged), change, end, or new (a new activity)."
    )
    version: int = Field(0, ge=0, description="The proposal's version you read; 0 if none.")
    fields: ActivityChanges | None = Field(
        None, description="For change and new: the fields that differ (activity write names)."
    )


def _submission(s: Submission) -> dict:
    return {
        "id": s.pk,
        "organisation": s.organisation.key,
        "organisation_name": str(s.organisation),
        "status": s.status,
        "status_label": s.get_status_display(),
        "overdue": s.is_overdue,
        "submitted_at": s.submitted_at,
        "reviewed_at": s.reviewed_at,
        "reviewer_comment": s.reviewer_comment,
        "page": reverse("rounds:review", args=[s.pk]),
    }


def _round(r: UpdateRound) -> dict:
    state = state_of(r.publish_task_id)
    return {
        "id": r.pk,
        "title": r.title,
        "status": r.status,
        "status_label": r.get_status_display(),
        "deadline": r.deadline,
        "overdue": r.is_overdue,
        "reminder_days": r.reminder_days,
        "opened_at": r.opened_at,
        "published_at": r.published_at,
        "edition": r.edition.number if r.edition_id else None,
        "end_reason": r.end_reason,
        "publishing": state.label if state else None,
        "publish_error": r.publish_error,
        "page": reverse("rounds:dashboard", args=[r.pk]),
        "submissions": [_submission(s) for s in r.submissions.select_related("organisation")],
    }


def _answer(s: Submission) -> dict:
    proposals = s.proposals.select_related("activity")
    return {
        **_submission(s),
        "page": reverse("rounds:mine"),
        "round": s.round_id,
        "deadline": s.round.deadline,
        "editable": s.is_editable,
        "proposals": [
            {
                "id": p.pk,
                "activity": p.activity.key if p.activity_id else None,
                "kind": p.kind,
                "version": p.version,
                "stale": p.is_stale,
                "data": p.data,
            }
            for p in proposals
        ],
    }


def _do(action, **kwargs):
    try:
        return action(**kwargs)
    except services.RoundError as exc:
        raise RoundProblem(str(exc)) from None


def _get_round(round_id: int) -> UpdateRound:
    return get_object_or_404(UpdateRound.objects.select_related("edition"), pk=round_id)


@router.get("/rounds", response=list[RoundOut], auth=AUTH, tags=TAGS)
def round_list(request: HttpRequest):
    """Every round, newest first, with each organisation's answer (reviewers)."""
    require_reviewer(request.auth)
    return [_round(r) for r in UpdateRound.objects.select_related("edition")]


@router.post("/rounds", response={201: RoundOut}, auth=AUTH, tags=TAGS)
def round_open(request: HttpRequest, payload: OpenIn):
    """Open a round (coordinators); the organisations' focal points are invited by e-mail."""
    done = _do(services.open_round, user=request.auth, **payload.dict())
    return 201, _round(done)


@router.get("/rounds/current/answer", response=AnswerOut, auth=AUTH, tags=TAGS)
def answer_read(request: HttpRequest):
    """Your organisation's answer to the open round, with its proposals (focal points)."""
    return _answer(_own_answer(request))


@router.post("/rounds/current/answer/proposals", response=AnswerOut, auth=AUTH, tags=TAGS)
def answer_propose(request: HttpRequest, payload: ProposalIn):
    """Confirm, change or end one of your activities, or propose a new one."""
    submission = _own_answer(request)
    activity = _own_activity(submission, payload.activity) if payload.activity else None
    if (payload.kind == "new") != (activity is None):
        raise InvalidInput(
            [
                {
                    "field": "body.activity",
                    "message": "A new activity has no key; "
                    "confirm, change and end name one of your activities.",
                }
            ]
        )
    existing = _existing_proposal(submission, activity)
    data = None
    if payload.kind in ("change", "new"):
        data = _proposed(submission, activity, existing, payload)
    _do(
        services.save_proposal,
        submission=submission,
        user=request.auth,
        kind=payload.kind,
        activity=activity,
        proposal=existing if activity is None else None,
        data=data,
        expected_version=payload.version,
        activity_version=activity.version if activity else None,
    )
    return _answer(Submission.objects.get(pk=submission.pk))


@router.post("/rounds/current/answer/submit", response=AnswerOut, auth=AUTH, tags=TAGS)
def answer_submit(request: HttpRequest):
    """Send your organisation's answer for review."""
    submission = _do(services.submit, submission=_own_answer(request), user=request.auth)
    return _answer(submission)


@router.get("/rounds/{round_id}", response=RoundOut, auth=AUTH, tags=TAGS)
def round_read(request: HttpRequest, round_id: int):
    """One round, with each organisation's answer (reviewers)."""
    require_reviewer(request.auth)
    return _round(_get_round(round_id))


@router.post("/rounds/{round_id}/extend", response=RoundOut, auth=AUTH, tags=TAGS)
def round_extend(request: HttpRequest, round_id: int, payload: DeadlineIn):
    """Move the deadline later; those who have not answered are told."""
    _do(services.extend_deadline, round=_get_round(round_id), user=request.auth, **payload.dict())
    return _round(_get_round(round_id))


@router.post("/rounds/{round_id}/close", response=RoundOut, auth=AUTH, tags=TAGS)
def round_close(request: HttpRequest, round_id: int, payload: ReasonIn):
    """Stop the answers without publishing (the accepted ones can still be published)."""
    _do(services.close_round, round=_get_round(round_id), user=request.auth, **payload.dict())
    return _round(_get_round(round_id))


@router.post("/rounds/{round_id}/cancel", response=RoundOut, auth=AUTH, tags=TAGS)
def round_cancel(request: HttpRequest, round_id: int, payload: ReasonIn):
    """Cancel the round: nothing of it is published."""
    _do(services.cancel_round, round=_get_round(round_id), user=request.auth, **payload.dict())
    return _round(_get_round(round_id))


@router.post("/rounds/{round_id}/publish", response={202: RoundOut}, auth=AUTH, tags=TAGS)
def round_publish(request: HttpRequest, round_id: int, payload: PublishIn):
    """Publish the accepted answers as the next edition, in the background: poll the round
    until `edition` is set (or `publish_error` says why not)."""
    require_coordinator(request.auth)
    update_round = _get_round(round_id)
    if not update_round.can_be_published:
        raise RoundProblem(f"This round is {update_round.get_status_display()}.")
    tasks.start_publishing(update_round=update_round, user=request.auth, **payload.dict())
    return 202, _round(_get_round(round_id))


def _review(request, submission_id: int, action, **kwargs) -> dict:
    require_reviewer(request.auth)
    submission = submission_visible_to(request.auth, submission_id)
    _do(action, submission=submission, user=request.auth, **kwargs)
    return _submission(
        Submission.objects.select_related("organisation", "round").get(pk=submission.pk)
    )


@router.post("/submissions/{submission_id}/accept", response=SubmissionOut, auth=AUTH, tags=TAGS)
def submission_accept(request: HttpRequest, submission_id: int):
    """Accept an answer: it is applied when the round is published."""
    return _review(request, submission_id, services.accept)


@router.post("/submissions/{submission_id}/return", response=SubmissionOut, auth=AUTH, tags=TAGS)
def submission_return(request: HttpRequest, submission_id: int, payload: CommentIn):
    """Return an answer with what to fix; its focal points are told."""
    return _review(request, submission_id, services.return_submission, comment=payload.comment)


@router.post("/submissions/{submission_id}/reopen", response=SubmissionOut, auth=AUTH, tags=TAGS)
def submission_reopen(request: HttpRequest, submission_id: int, payload: CommentIn):
    """Let the organisation change a submitted or accepted answer (coordinators)."""
    return _review(request, submission_id, services.reopen_submission, comment=payload.comment)


# -- the focal point's answer -------------------------------------------------------------


def _own_answer(request) -> Submission:
    update_round = services.current_round()
    if update_round is None:
        raise RoundProblem("No update round is open.")
    return services.submission_of(user=request.auth, round=update_round)


def _own_activity(submission: Submission, key: str) -> Activity:
    return get_object_or_404(Activity, key=key, lead_organisation=submission.organisation)


def _existing_proposal(submission, activity) -> Proposal | None:
    if activity is not None:
        return submission.proposals.filter(activity=activity).first()
    return None


def _proposed(submission, activity, existing, payload: ProposalIn) -> dict:
    """The proposal's data: what the activity (or the proposal so far) says, changed by the
    given fields, checked by the web form's rules."""
    base = dict(existing.data) if existing is not None and existing.data else {}
    if not base and activity is not None:
        base = activity_data(activity)
    base["region_wide"] = bool(base.get("region_wide"))
    base = {k: ("" if v is None else v) for k, v in base.items()}
    given = payload.fields.dict(exclude_unset=True) if payload.fields else {}
    unknown = set(given) - set(ROUND_API_FIELDS)
    if unknown:
        raise InvalidInput(
            [{"field": f"body.fields.{n}", "message": "Not proposed in a round."} for n in unknown]
        )
    values = {**base, **_form_data(given, ACTIVITY_FIELDS)}
    if values.get("region_wide") is False:
        values.pop("region_wide")
    form = proposal_form(
        activity=activity,
        proposal=existing,
        organisation=submission.organisation,
        data={**values, "proposal_version": payload.version, "activity_version": ""},
    )
    if not form.is_valid():
        raise InvalidInput(
            [
                {"field": f"body.fields.{name}", "message": str(message)}
                for name, messages in form.errors.items()
                for message in messages
            ]
        )
    return cleaned_to_data(form.cleaned_data)


ROUND_API_FIELDS = (
    "partners",
    "donors",
    "title",
    "description",
    "pillars",
    "action_items",
    "countries",
    "region_wide",
    "start_date",
    "end_date",
    "status",
    "budget",
    "currency",
)
