"""Update rounds: organisations confirm or correct their rows of the matrix.

Focal points write *proposals*, never activities: the matrix and its published
editions stay as they are until the coordinator accepts a submission and
publishes the round, when `services.publish_round` applies the accepted
proposals and freezes the next edition. Draft changes are therefore never seen
by the public.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UpdateRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    title = models.CharField(_("title"), max_length=300)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    deadline = models.DateField(_("deadline"))
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder, days before the deadline"),
        default=7,
        help_text=_(
            "Focal points who have not answered are reminded this many days before "
            "the deadline, and again on the day; 0: on the day only."
        ),
    )
    send_email = models.BooleanField(
        _("send e-mail"),
        default=True,
        help_text=_(
            "Invitations, reminders and notices by e-mail (off for a round recorded "
            "after the fact)."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    edition = models.OneToOneField(
        "matrix.Edition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="update_round",
        verbose_name=_("resulting edition"),
    )
    ended_at = models.DateTimeField(_("closed or cancelled"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed or cancelled by"),
    )
    end_reason = models.TextField(_("reason for closing or cancelling"), blank=True)
    # Publishing from the web is a task (jpoa.lib.tasks): its id, and why it failed if it did.
    publish_task_id = models.CharField(_("publication task"), max_length=64, blank=True)
    publish_error = models.TextField(_("why publication failed"), blank=True)

    class Meta:
        verbose_name = _("update round")
        verbose_name_plural = _("update rounds")
        ordering = ["-opened_at"]
        constraints = [
            # Focal points answer "the" open round: there is never more than one.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="open"), name="round_one_open"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        """Open, and its deadline has passed."""
        return self.is_open and self.deadline < timezone.localdate()

    @property
    def can_be_published(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.CLOSED)


class Submission(models.Model):
    """One organisation's answer to a round."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    # The organisation may still change its answer in these states.
    EDITABLE = (Status.NOT_STARTED, Status.DRAFT, Status.RETURNED)
    # ... and in these it has not answered yet.
    UNANSWERED = EDITABLE

    round = models.ForeignKey(
        UpdateRound, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("round")
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="round_submissions",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewer_comment = models.TextField(_("reviewer's comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["round", "organisation__acronym", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="submission_one_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.organisation}"

    @property
    def is_editable(self) -> bool:
        return self.round.is_open and self.status in self.EDITABLE

    @property
    def has_answered(self) -> bool:
        return self.status not in self.UNANSWERED

    @property
    def is_overdue(self) -> bool:
        """The round's deadline has passed and the organisation has not answered."""
        return self.round.is_overdue and not self.has_answered


class Proposal(models.Model):
    """What an organisation proposes for one activity: keep it, change it, end it, or add one."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("confirmed unchanged")
        CHANGE = "change", _("changed")
        NEW = "new", _("new activity")
        END = "end", _("ended")

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("submission"),
    )
    activity = models.ForeignKey(
        "matrix.Activity",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="round_proposals",
        verbose_name=_("activity"),
        help_text=_("Empty for a proposed new activity."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The activity's editable fields as proposed, JSON-ready (see rounds.proposals).
    data = models.JSONField(_("proposed data"), default=dict, blank=True)
    # The activity's version the proposal was written against: if the activity
    # moved on since, the proposal is stale and cannot be applied blindly.
    base_version = models.PositiveIntegerField(_("activity version"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    applied_to = models.ForeignKey(
        "matrix.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied to"),
        help_text=_("The activity a new-activity proposal created on publication."),
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["submission", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "activity"],
                condition=Q(activity__isnull=False),
                name="proposal_one_per_activity",
            ),
            models.CheckConstraint(
                condition=Q(kind="new", activity__isnull=True)
                | (~Q(kind="new") & Q(activity__isnull=False)),
                name="proposal_new_has_no_activity",
            ),
        ]

    def __str__(self) -> str:
        title = self.data.get("title_en") or (self.activity.title if self.activity_id else "")
        return f"{self.get_kind_display()}: {title}"

    @property
    def is_stale(self) -> bool:
        """The activity changed after the proposal was written against it."""
        return bool(
            self.activity_id and self.base_version and self.activity.version != self.base_version
        )


class Frequency(models.TextChoices):
    """How many of a round's e-mails a person wants."""

    ALL = "all", _("every message")
    ESSENTIAL = "essential", _("only what needs my action")
    NONE = "none", _("none")


class MessagePreference(models.Model):
    """A person's choice of language and number of the rounds' e-mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="round_messages",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language of e-mails"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    frequency = models.CharField(
        _("e-mails to receive"), max_length=10, choices=Frequency.choices, default=Frequency.ALL
    )

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}, {self.language}"


class Message(models.Model):
    """One e-mail about a round: to whom, what, when, and whether it was delivered."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder before the deadline")
        DUE_TODAY = "due_today", _("reminder on the day of the deadline")
        OVERDUE = "overdue", _("overdue notice")
        EXTENDED = "extended", _("deadline extended")
        RETURNED = "returned", _("answer returned")
        REOPENED = "reopened", _("answer reopened")
        ACCEPTED = "accepted", _("answer accepted")
        PUBLISHED = "published", _("round published")
        ENDED = "ended", _("round closed or cancelled")
        DIGEST = "digest", _("coordinator's daily digest")

    # What a person who asked for fewer e-mails still receives: what needs their action.
    ESSENTIAL = (
        Kind.INVITATION,
        Kind.DUE_TODAY,
        Kind.OVERDUE,
        Kind.EXTENDED,
        Kind.RETURNED,
        Kind.REOPENED,
        Kind.ENDED,
        Kind.DIGEST,
    )

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be sent")
        SENT = "sent", _("delivered to the mail server")
        FAILED = "failed", _("failed")

    round = models.ForeignKey(
        UpdateRound, on_delete=models.CASCADE, related_name="messages", verbose_name=_("round")
    )
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("submission"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="round_messages_received",
        verbose_name=_("recipient"),
    )
    address = models.EmailField(_("address"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    # Says what the message is about, so that a daily run sends each reminder once.
    key = models.CharField(_("key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.address}"


class WorkbookUpload(models.Model):
    """A focal point's filled-in workbook, read and checked, waiting for them to confirm it.

    ``proposals`` holds what confirming saves (the same shape as `Proposal`), ``issues``
    what is wrong with the file (row, column, message); a file with issues cannot be
    confirmed.
    """

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="uploads",
        verbose_name=_("submission"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    proposals = models.JSONField(_("proposals read"), default=list)
    issues = models.JSONField(_("problems found"), default=list)
    applied_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("uploaded workbook")
        verbose_name_plural = _("uploaded workbooks")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name
