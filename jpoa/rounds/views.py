"""Pages of an update round: thin views over `services` (writes) and `selectors` (reads)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
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
from jpoa.lib.tasks import state_of
from jpoa.matrix.editing import EditConflict
from jpoa.matrix.models import Activity

from . import services, tasks, workbook
from .forms import (
    EndForm,
    ExtendForm,
    OpenRoundForm,
    PreferenceForm,
    PublishForm,
    ReopenForm,
    ReturnForm,
    UploadForm,
    VersionForm,
)
from .mail import preference_of
from .models import Message, Proposal, Submission, UpdateRound, WorkbookUpload
from .proposals import cleaned_to_data, proposal_form
from .selectors import review_rows, round_dashboard, submission_visible_to, upload_rows

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


def _dashboard(request, update_round, status=200, **forms):
    context = {
        "dashboard": round_dashboard(update_round),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "close_form": forms.get("close_form") or EndForm(prefix="close"),
        "cancel_form": forms.get("cancel_form") or EndForm(prefix="cancel"),
        "can_publish": is_coordinator(request.user),
        "publishing": state_of(update_round.publish_task_id),
        "message_count": update_round.messages.count(),
        "failed_count": update_round.messages.filter(status=Message.Status.FAILED).count(),
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
    running = state_of(update_round.publish_task_id)
    if running is not None and not running.finished:
        messages.error(request, _("The round is already being published."))
        return redirect("rounds:dashboard", pk=pk)
    tasks.start_publishing(
        update_round=update_round,
        title=form.cleaned_data["title"],
        as_of=form.cleaned_data["as_of"],
        user=request.user,
    )
    update_round.refresh_from_db()
    if update_round.edition_id:
        messages.success(
            request,
            _("Published edition %(number)s. The public matrix now shows it.")
            % {"number": update_round.edition.number},
        )
    elif update_round.publish_error:
        messages.error(request, update_round.publish_error)
    else:
        messages.info(request, _("The round is being published; this page shows when it is done."))
    return redirect("rounds:dashboard", pk=pk)


def _round_action(request, pk: int, form_class, action, done: str, form_name: str, **form_kw):
    """A coordinator's change to a round from its page: the form, the service, the message."""
    require_coordinator(request.user)
    update_round = get_object_or_404(UpdateRound, pk=pk)
    form = form_class(request.POST, **form_kw)
    if not form.is_valid():
        return _dashboard(request, update_round, status=400, **{form_name: form})
    try:
        changed = action(round=update_round, user=request.user, **form.cleaned_data)
    except services.RoundError as exc:
        form.add_error(None, str(exc))
        return _dashboard(request, update_round, status=409, **{form_name: form})
    messages.success(request, done % {"deadline": date_format(changed.deadline, "DATE_FORMAT")})
    return redirect("rounds:dashboard", pk=pk)


@signin_required
@require_POST
def extend(request, pk: int):
    return _round_action(
        request,
        pk,
        ExtendForm,
        services.extend_deadline,
        _("The deadline is now %(deadline)s; those who have not answered are told."),
        "extend_form",
    )


@signin_required
@require_POST
def close(request, pk: int):
    return _round_action(
        request,
        pk,
        EndForm,
        services.close_round,
        _(
            "The round is closed: answers can no longer be changed. Its accepted answers can "
            "still be published, and a new round can be opened."
        ),
        "close_form",
        prefix="close",
    )


@signin_required
@require_POST
def cancel(request, pk: int):
    return _round_action(
        request,
        pk,
        EndForm,
        services.cancel_round,
        _("The round is cancelled: nothing of it will be published."),
        "cancel_form",
        prefix="cancel",
    )


@signin_required
def round_messages(request, pk: int):
    """Every e-mail the round has sent or tried to: to whom, what, when, and the outcome."""
    require_coordinator(request.user)
    update_round = get_object_or_404(UpdateRound, pk=pk)
    rows = update_round.messages.select_related("recipient", "submission__organisation")
    context = {"round": update_round, "rows": rows[:1000], "total": rows.count()}
    return render(request, "rounds/messages.html", context)


@signin_required
def preferences(request):
    """Anyone signed in chooses the language and number of the rounds' e-mails."""
    preference = preference_of(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved your choice of e-mails."))
        return redirect("rounds:preferences")
    return render(request, "rounds/preferences.html", {"form": form})


def _review(request, submission, return_form=None, status=200):
    rows = review_rows(submission)
    context = {
        "submission": submission,
        "rows": rows,
        "summary": {"changed": sum(1 for r in rows if r.proposal and r.proposal.data)},
        "return_form": return_form or ReturnForm(),
        "reopen_form": ReopenForm(),
        "can_reopen": is_coordinator(request.user) and submission.round.is_open,
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


@signin_required
@require_POST
def reopen(request, pk: int):
    require_coordinator(request.user)
    submission = submission_visible_to(request.user, pk)
    form = ReopenForm(request.POST)
    form.is_valid()
    try:
        services.reopen_submission(
            submission=submission, user=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except services.RoundError as exc:
        messages.error(request, str(exc))
        return redirect("rounds:review", pk=pk)
    messages.success(
        request,
        _("Reopened the answer of %(organisation)s: it can change it and submit again.")
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
        "upload_form": UploadForm(),
    }
    return render(request, "rounds/mine.html", context)


@signin_required
def download_workbook(request):
    """The organisation's rows as a workbook to fill in offline."""
    submission = _require_submission(request)
    data = workbook.build_workbook(submission)
    name = f"{submission.organisation.key}-round-{submission.round_id}.xlsx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@signin_required
@require_POST
def upload_workbook(request):
    submission = _require_submission(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the workbook to upload."))
        return redirect("rounds:mine")
    file = form.cleaned_data["file"]
    if file.size > workbook.MAX_BYTES:
        messages.error(request, _("The file is larger than 5 MB."))
        return redirect("rounds:mine")
    try:
        upload = services.receive_workbook(
            submission=submission, user=request.user, data=file.read(), file_name=file.name
        )
    except (workbook.WorkbookError, services.RoundError) as exc:
        messages.error(request, str(exc))
        return redirect("rounds:mine")
    return redirect("rounds:upload", pk=upload.pk)


def _own_upload(request, pk: int) -> WorkbookUpload:
    submission = _require_submission(request)
    return get_object_or_404(WorkbookUpload, pk=pk, submission=submission)


@signin_required
def upload_preview(request, pk: int):
    upload = _own_upload(request, pk)
    rows = upload_rows(upload)
    context = {"upload": upload, "rows": rows, "submission": upload.submission}
    return render(request, "rounds/upload.html", context)


@signin_required
@require_POST
def upload_confirm(request, pk: int):
    upload = _own_upload(request, pk)
    then_submit = request.POST.get("then") == "submit"
    try:
        services.apply_workbook(upload=upload, user=request.user, then_submit=then_submit)
    except EditConflict as exc:
        messages.error(request, exc.message)
        return redirect("rounds:upload", pk=pk)
    except services.RoundError as exc:
        messages.error(request, str(exc))
        return redirect("rounds:upload", pk=pk)
    if then_submit:
        messages.success(
            request, _("Your workbook is your answer, submitted for review. Thank you.")
        )
    else:
        messages.success(
            request, _("Your workbook is your answer. Check it below, then submit it for review.")
        )
    return redirect("rounds:mine")


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
