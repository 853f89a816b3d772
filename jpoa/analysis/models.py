"""What the analysis keeps: dismissed overlap suggestions, and the reports asked for on the web."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OverlapDismissal(models.Model):
    """A suggested overlap of two activities that a coordinator judged not to be one.

    Keyed by the activities' keys (in sorted order), not by rows of an edition, so a
    dismissal holds in every later edition that has both activities.
    """

    first_key = models.CharField(_("first activity key"), max_length=150)
    second_key = models.CharField(_("second activity key"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed"), auto_now_add=True)

    class Meta:
        verbose_name = _("dismissed overlap")
        verbose_name_plural = _("dismissed overlaps")
        ordering = ["-dismissed_at"]
        constraints = [
            models.UniqueConstraint(fields=["first_key", "second_key"], name="overlap_pair_once"),
            models.CheckConstraint(
                condition=models.Q(first_key__lt=models.F("second_key")),
                name="overlap_pair_sorted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_key} / {self.second_key}"


class ReportRequest(models.Model):
    """A donor progress report a coordinator asked for on the web, written by a task.

    The file is written into the data directory (`reports/`) by `jpoa worker`; the page
    lists the requests with their state and links the finished files.
    """

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"
        XLSX = "xlsx", "XLSX"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    phase = models.ForeignKey(
        "plan.Phase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phase"),
    )
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    task_id = models.CharField(_("task"), max_length=64, blank=True, editable=False)
    file_name = models.CharField(_("file"), max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, editable=False)
    period = models.CharField(_("period"), max_length=100, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.period or self.requested_at.date()}"

    @property
    def done(self) -> bool:
        return bool(self.file_name)

    @property
    def failed(self) -> bool:
        return bool(self.error)
