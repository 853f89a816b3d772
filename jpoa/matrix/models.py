"""The matrix: what every organisation does where, and its published editions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jpoa.lib.provenance import Provenance


class Activity(Provenance):
    """A row of the matrix: one organisation's activity under one or more pillars."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ONGOING = "ongoing", _("ongoing")
        COMPLETED = "completed", _("completed")
        SUSPENDED = "suspended", _("suspended")
        CANCELLED = "cancelled", _("cancelled")

    key = models.SlugField(_("key"), max_length=150, unique=True)
    iati_identifier = models.CharField(
        _("IATI identifier"), max_length=200, null=True, blank=True, unique=True
    )
    lead_organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="led_activities",
        verbose_name=_("lead organisation"),
    )
    partners = models.ManyToManyField(
        "core.Organisation",
        related_name="partner_activities",
        blank=True,
        verbose_name=_("partners"),
    )
    donors = models.ManyToManyField(
        "core.Organisation",
        related_name="funded_activities",
        blank=True,
        verbose_name=_("donors"),
    )
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    pillars = models.ManyToManyField(
        "plan.Pillar", related_name="activities", blank=True, verbose_name=_("pillars")
    )
    action_items = models.ManyToManyField(
        "plan.ActionItem",
        related_name="activities",
        blank=True,
        verbose_name=_("plan action items"),
    )
    countries = models.ManyToManyField(
        "core.Country", related_name="activities", blank=True, verbose_name=_("countries")
    )
    region_wide = models.BooleanField(
        _("region-wide"),
        default=False,
        help_text=_("The activity serves the whole region rather than named countries."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Years are kept beside the dates so that year-range filters use an index.
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    budget = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    source_url = models.URLField(_("source URL"), max_length=1000, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    internal_notes = models.TextField(
        _("internal notes"), blank=True, help_text=_("Never published.")
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Raised by every save.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["lead_organisation__acronym", "title"]
        indexes = [
            models.Index(fields=["lead_organisation", "status"], name="activity_org_status"),
            models.Index(fields=["status", "start_year", "end_year"], name="activity_status_years"),
            models.Index(fields=["start_year", "end_year"], name="activity_years"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.start_year = self.start_date.year if self.start_date else None
        self.end_year = self.end_date.year if self.end_date else None
        super().save(*args, **kwargs)


class Edition(models.Model):
    """A published, dated, immutable snapshot of the matrix."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    as_of = models.DateField(_("as of"))
    notes = models.TextField(_("notes"), blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("matrix edition")
        verbose_name_plural = _("matrix editions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.title


class EditionEntry(models.Model):
    """One activity as it stood in an edition; never changed after publication."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="entries", verbose_name=_("edition")
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        related_name="edition_entries",
        verbose_name=_("activity"),
    )
    activity_key = models.CharField(_("activity key"), max_length=150)
    lead_organisation_id_at = models.BigIntegerField(_("lead organisation id"))
    status = models.CharField(_("status"), max_length=20)
    start_year = models.PositiveSmallIntegerField(null=True)
    end_year = models.PositiveSmallIntegerField(null=True)
    data = models.JSONField(_("snapshot"))

    class Meta:
        verbose_name = _("edition entry")
        verbose_name_plural = _("edition entries")
        constraints = [
            models.UniqueConstraint(fields=["edition", "activity_key"], name="entry_unique_key")
        ]
        indexes = [
            models.Index(fields=["edition", "lead_organisation_id_at"], name="entry_edition_org"),
        ]

    def __str__(self) -> str:
        return f"{self.edition}: {self.activity_key}"
