"""Imports of spreadsheets and IATI XML, exports of the matrix."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jpoa.lib.provenance import Basis


class ImportRecord(models.Model):
    """One file offered for import: who, when, which file, what it did to the matrix.

    A record is *pending* between the preview and the confirmation (its file waits in
    the data directory), then *applied* or *failed*; the activities it touched are
    linked through `ImportedActivity`, so each activity's imports can be traced.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("being checked")
        PENDING = "pending", _("waiting for confirmation")
        WRITING = "writing", _("being written")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed, nothing written")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(_("stored as"), max_length=255, editable=False)
    task_id = models.CharField(_("task"), max_length=64, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    format = models.CharField(_("format"), max_length=10)
    include_outside_region = models.BooleanField(
        _("include activities outside the region"), default=False
    )
    date_format = models.CharField(
        _("date convention"),
        max_length=3,
        blank=True,
        choices=[("DMY", _("day/month/year")), ("MDY", _("month/day/year")), ("ISO", _("ISO"))],
        help_text=_("How the file writes dates like 01/02/2024; empty: not stated."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    counts = models.JSONField(_("counts"), default=dict)
    preview = models.JSONField(
        _("preview"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("What the check found: counts, errors and warnings, the first rows."),
    )
    message = models.TextField(_("message"), blank=True)
    activities = models.ManyToManyField(
        "matrix.Activity",
        through="ImportedActivity",
        related_name="imports",
        blank=True,
        verbose_name=_("activities touched"),
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class ImportedActivity(models.Model):
    """An activity an import added or updated."""

    class Action(models.TextChoices):
        ADDED = "add", _("added")
        UPDATED = "update", _("updated")

    record = models.ForeignKey(ImportRecord, on_delete=models.CASCADE, related_name="links")
    activity = models.ForeignKey(
        "matrix.Activity", on_delete=models.CASCADE, related_name="import_links"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    row = models.PositiveIntegerField(_("row"))

    class Meta:
        verbose_name = _("imported activity")
        verbose_name_plural = _("imported activities")
        constraints = [
            models.UniqueConstraint(fields=["record", "activity"], name="imported_activity_once")
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.activity_id} ({self.action})"


class SectorMapping(models.Model):
    """Which pillar an IATI sector code counts under; edited in the back office.

    The defaults (DAC 5-digit codes of governance, peace and security) are written
    by this app's migration; see `jpoa.exchange.iati.DEFAULT_SECTOR_PILLARS`.
    """

    vocabulary = models.CharField(
        _("sector vocabulary"),
        max_length=10,
        default="1",
        help_text=_("IATI sector vocabulary: 1 is the OECD DAC 5-digit purpose code."),
    )
    code = models.CharField(_("sector code"), max_length=20)
    pillar_number = models.PositiveSmallIntegerField(_("pillar number"))
    note = models.CharField(
        _("sector name"), max_length=300, blank=True, help_text=_("The code's name in its list.")
    )
    classification_basis = models.CharField(
        _("classification basis"),
        max_length=10,
        choices=Basis.choices,
        default=Basis.INFERRED,
        help_text=_("No source states these mappings: jpoa's defaults are inferred."),
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why work under this sector serves this pillar.")
    )

    class Meta:
        verbose_name = _("sector to pillar mapping")
        verbose_name_plural = _("sector to pillar mappings")
        ordering = ["vocabulary", "code", "pillar_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "code", "pillar_number"], name="sector_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.pillar_number}"
