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
from django.utils.translation import gettext_lazy as _


class UpdateRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("published")

    title = models.CharField(_("title"), max_length=300)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    deadline = models.DateField(_("deadline"))
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
