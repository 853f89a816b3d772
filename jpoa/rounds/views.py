"""Pages of an update round: thin views over `services` (writes) and `selectors` (reads)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jpoa.accounts.access import (
    is_coordinator,
    organisation_of,
    require_coordinator,
    require_organisation_of,
    require_reviewer,
)
from jpoa.matrix.editing import EditConflict
from jpoa.matrix.models import Activity

from . import services
from .forms import OpenRoundForm, PublishForm, ReturnForm, VersionForm
from .models import Proposal, Submission, UpdateRound
from .proposals import cleaned_to_data, proposal_form
from .selectors import review_rows, round_dashboard, submission_visible_to

signin_required = login_required(login_url="accounts:login")


def _index(request, open_form=None, status=200):
    context = {
        "rounds": UpdateRound.objects.select_related("edition", "opened_by"),
        "current": services.current_round(),
        "open_form": open_form or OpenRoundForm(),
        "can_open": is_coordinator(request.user),
    }
    return render(request, "rounds/index.html", context, status=status)


@signin_required
def index(request):
    if organisation_of(request.user) is not None:
        return redirect("rounds:mine")
    require_reviewer(request.user)
    return _index(request)


@signin_required
@require_POST
def open_round(request):
    require_coordinator(request.user)
    form = OpenRoundForm(request.POST)
    if not form.is_valid():
        return _index(request, open_form=form, status=400)
    try:
        update_round = services.open_round(**form.cleaned_data, user=request.user)
    except services.RoundError as exc:
        messages.error(request, str(exc))
        return redirect("rounds:index")
    messages.success(
        request,
        _("Round opened: %(count)s organisations are asked to answer by %(deadline)s.")
        % {
            "count": update_round.submissions.count(),
            "deadline": date_format(update_round.deadline, "DATE_FORMAT"),
        },
    )
    return redirect("rounds:dashboard", pk=update_round.pk)


def _dashboard(request, update_round, publish_form=None, status=200):
    context = {
        "dashboard": round_dashboard(update_round),
        "publish_form": publish_form or PublishForm(),
        "can_publish": is_coordinator(request.user),
    }
    return render(request, "rounds/dashboard.html", context, status=status)


@signin_required
def dashboard(request, pk: int):
    require_reviewer(request.user)
    return _dashboard(request, get_object_or_404(UpdateRound, pk=pk))


@signin_required
@require_POST
def publish(request, pk: int):
    require_coordinator(request.user)
    update_round = get_object_or_404(UpdateRound, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _dashboard(request, update_round, publish_form=form, status=400)
    try:
        done = services.publish_round(
            round=update_round, title=form.cleaned_data["title"], user=request.user
        )
    except (services.RoundError, EditConflict) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Published edition %(number)s. The public matrix now shows it.")
            % {"number": done.edition.number},
        )
    return redirect("rounds:dashboard", pk=pk)


def _review(request, submission, return_form=None, status=200):
    rows = review_rows(submission)
    context = {
        "submission": submission,
        "rows": rows,
        "summary": {"changed": sum(1 for r in rows if r.proposal and r.proposal.data)},
        "return_form": return_form or ReturnForm(),
    }
    return render(request, "rounds/review.html", context, status=status)


@signin_required
def review(request, pk: int):
    require_reviewer(request.user)
    return _review(request, submission_visible_to(request.user, pk))


@signin_required
@require_POST
def accept(request, pk: int):
    require_reviewer(request.user)
    submission = submission_visible_to(request.user, pk)
    try:
        services.accept(submission=submission, user=request.user)
    except services.RoundError as exc:
        messages.error(request, str(exc))
        return redirect("rounds:review", pk=pk)
    messages.success(
        request,
        _("Accepted the submission of %(organisation)s.")
        % {"organisation": submission.organisation},
    )
    return redirect("rounds:dashboard", pk=submission.round_id)


@signin_required
@require_POST
def return_submission(request, pk: int):
    require_reviewer(request.user)
    submission = submission_visible_to(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _review(request, submission, return_form=form, status=400)
    try:
        services.return_submission(
            submission=submission,
            user=request.user,
            comment=form.cleaned_data["comment"],
        )
    except services.RoundError as exc:
        messages.error(request, str(exc))
        return redirect("rounds:review", pk=pk)
    messages.success(
        request,
        _("Returned to %(organisation)s with your comment.")
        % {"organisation": submission.organisation},
    )
    return redirect("rounds:dashboard", pk=submission.round_id)


# -- the organisation focal point's pages ----------------------------------------------


def _own_submission(request) -> Submission | None:
    """The focal point's organisation's submission to the open round (None if none is open)."""
    require_organisation_of(request.user)
    update_round = services.current_round()
    if update_round is None:
        return None
    return services.submission_of(user=request.user, round=update_round)


def _own_activity(request, activity_id: int) -> Activity:
    """One of the user's organisation's activities; another organisation's is not found."""
    organisation = require_organisation_of(request.user)
    return get_object_or_404(Activity, pk=activity_id, lead_organisation=organisation)


def _require_submission(request) -> Submission:
    submission = _own_submission(request)
    if submission is None:
        raise PermissionDenied(_("No update round is open."))
    return submission


@signin_required
def mine(request):
    submission = _own_submission(request)
    rows = review_rows(submission) if submission else []
    context = {
        "submission": submission,
        "rows": rows,
        "pending_count": sum(1 for row in rows if row.proposal is None),
        "organisation": organisation_of(request.user),
    }
    return render(request, "rounds/mine.html", context)


def _edit(request, submission, *, activity=None, proposal=None):
    """Show or save the proposal form for an activity, or for a new one."""
    data = request.POST if request.method == "POST" else None
    form = proposal_form(
        activity=activity, proposal=proposal, organisation=submission.organisation, data=data
    )
    status = 200
    if data is not None and form.is_valid():
        kind = Proposal.Kind.NEW if activity is None else Proposal.Kind.CHANGE
        try:
            services.save_proposal(
                submission=submission,
                user=request.user,
                kind=kind,
                activity=activity,
                proposal=proposal,
                data=cleaned_to_data(form.cleaned_data),
                expected_version=form.cleaned_data["proposal_version"],
                activity_version=form.cleaned_data["activity_version"],
            )
        except EditConflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except services.RoundError as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(
                request,
                _("Saved your proposal for “%(title)s”. Submit when all your activities are done.")
                % {"title": form.cleaned_data.get("title_en") or ""},
            )
            return redirect("rounds:mine")
    context = {
        "form": form,
        "submission": submission,
        "activity": activity,
        "proposal": proposal,
    }
    return render(request, "rounds/proposal_form.html", context, status=status)


@signin_required
def edit_activity(request, activity_id: int):
    activity = _own_activity(request, activity_id)
    submission = _require_submission(request)
    proposal = submission.proposals.filter(activity=activity).first()
    return _edit(request, submission, activity=activity, proposal=proposal)


@signin_required
def new_activity(request):
    return _edit(request, _require_submission(request))


@signin_required
def edit_new(request, pk: int):
    submission = _require_submission(request)
    proposal = get_object_or_404(submission.proposals, pk=pk, kind=Proposal.Kind.NEW)
    return _edit(request, submission, proposal=proposal)


def _mark(request, *, activity, proposal, kind):
    submission = _require_submission(request)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("rounds:mine")
    try:
        if kind == "discard":
            if proposal is None:
                raise services.RoundError(_("There is nothing to withdraw."))
            services.discard_proposal(
                proposal=proposal,
                expected_version=form.cleaned_data["proposal_version"],
                user=request.user,
            )
        else:
            services.save_proposal(
                submission=submission,
                user=request.user,
                kind=kind,
                activity=activity,
                expected_version=form.cleaned_data["proposal_version"],
                activity_version=form.cleaned_data["activity_version"],
            )
    except EditConflict as exc:
        messages.error(request, exc.message)
    except services.RoundError as exc:
        messages.error(request, str(exc))
    else:
        title = activity.title if activity is not None else proposal.data.get("title_en", "")
        done = {
            Proposal.Kind.CONFIRM: _("Confirmed “%(title)s” unchanged."),
            Proposal.Kind.END: _("“%(title)s” will be marked ended when your answer is accepted."),
            "discard": _("Withdrew your proposal for “%(title)s”."),
        }
        messages.success(request, done[kind] % {"title": title})
    return redirect("rounds:mine")


@signin_required
@require_POST
def mark_activity(request, activity_id: int, action: str):
    activity = _own_activity(request, activity_id)
    submission = _require_submission(request)
    proposal = submission.proposals.filter(activity=activity).first()
    kinds = {"confirm": Proposal.Kind.CONFIRM, "end": Proposal.Kind.END, "discard": "discard"}
    if action not in kinds:
        raise Http404
    return _mark(request, activity=activity, proposal=proposal, kind=kinds[action])


@signin_required
@require_POST
def discard_new(request, pk: int):
    submission = _require_submission(request)
    proposal = get_object_or_404(submission.proposals, pk=pk, kind=Proposal.Kind.NEW)
    return _mark(request, activity=None, proposal=proposal, kind="discard")


@signin_required
@require_POST
def submit(request):
    submission = _require_submission(request)
    try:
        services.submit(submission=submission, user=request.user)
    except services.RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Submitted for review. Thank you."))
    return redirect("rounds:mine")
