"""The matrix: what every organisation does where, and its published editions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jpoa.lib.provenance import Provenance


def activity_years(start_date, end_date) -> tuple[int | None, int | None]:
    """The years kept beside an activity's dates, by every way an activity is written."""
    return (start_date.year if start_date else None, end_date.year if end_date else None)


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
    framework_areas = models.ManyToManyField(
        "plan.FrameworkArea",
        related_name="activities",
        blank=True,
        verbose_name=_("framework areas"),
        help_text=_("Areas of other frameworks (the PVE Plan of Action's priority areas, ...)."),
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
        self.start_year, self.end_year = activity_years(self.start_date, self.end_date)
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
    # Who published when no person did: the process (`jpoa.accounts.actors.SystemActor`).
    published_by_system = models.CharField(_("published by (process)"), max_length=100, blank=True)
    activity_count = models.PositiveIntegerField(_("activities"), default=0, editable=False)

    class Meta:
        verbose_name = _("matrix edition")
        verbose_name_plural = _("matrix editions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.title

    @property
    def publisher(self) -> str:
        """Who published it: a person, one of jpoa's processes, or "" when not recorded."""
        if self.published_by_id:
            return str(self.published_by)
        return f"jpoa ({self.published_by_system})" if self.published_by_system else ""


class ImmutableEditionError(Exception):
    """An attempt to change or delete what a published edition holds."""


class _FrozenQuerySet(models.QuerySet):
    """Published rows are written once, by bulk insert when publishing, and never again."""

    def update(self, **kwargs):
        raise ImmutableEditionError(f"{self.model._meta.verbose_name_plural} are never changed")

    def delete(self):
        raise ImmutableEditionError(f"{self.model._meta.verbose_name_plural} are never deleted")


class _FrozenModel(models.Model):
    """Refuses to save an existing row or to delete one: a published edition never changes."""

    objects = _FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableEditionError(f"{self._meta.verbose_name} is published and never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEditionError(f"{self._meta.verbose_name} is published and never deleted")


class EditionEntry(_FrozenModel):
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
    # The snapshot is the one of the edition before (false: the activity is new or
    # changed; null: published before jpoa recorded it). Search re-indexes only the
    # activities that are not, which a partial index finds among a million.
    same_as_previous = models.BooleanField(_("same as in the edition before"), null=True)

    class Meta:
        verbose_name = _("edition entry")
        verbose_name_plural = _("edition entries")
        constraints = [
            models.UniqueConstraint(fields=["edition", "activity_key"], name="entry_unique_key")
        ]
        indexes = [
            models.Index(fields=["edition", "lead_organisation_id_at"], name="entry_edition_org"),
            # An activity's history across editions.
            models.Index(fields=["activity_key", "edition"], name="entry_key_edition"),
            models.Index(
                fields=["edition"], condition=Q(same_as_previous=False), name="entry_new_or_changed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition}: {self.activity_key}"


# The other columns of a fact, after an index's leading ones (see EditionFact.Meta).
FILTERED_ALSO = {
    "organisation": [
        "country",
        "region_wide",
        "start_year",
        "end_year",
        "status",
        "organisation_type",
        "entry",
    ],
    "place": [
        "lead_organisation",
        "start_year",
        "end_year",
        "status",
        "organisation_type",
        "entry",
    ],
}


class _Fact(_FrozenModel):
    """What every kind of fact repeats of its entry: the place, and every column a view
    filters by (lead organisation, its type, status and years)."""

    country = models.ForeignKey(
        "core.Country", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    region_wide = models.BooleanField(default=False)
    lead_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    organisation_type = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    start_year = models.PositiveSmallIntegerField(null=True)
    end_year = models.PositiveSmallIntegerField(null=True)

    class Meta:
        abstract = True


class EditionFact(_Fact):
    """One activity of an edition under one pillar in one place: the cells the matrix counts.

    Written once when the edition is published (from the entries' snapshots), so the
    public views are GROUP BY queries over indexed columns of one edition, never over
    JSON. ``pillar_number`` is null for an activity with no pillar; ``country`` is null
    for the region-wide row (``region_wide``) or for an activity that names no place.
    Lead organisation, its type, status and years repeat the entry's so that every
    filter is a column of this table.
    """

    # Facts go with their edition (CASCADE); they are only ever read through indexes led
    # by the edition, so the foreign keys get no index of their own: each index would
    # slow down publishing a million activities for no read that needs it.
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+", db_index=False)
    entry = models.ForeignKey(
        EditionEntry, on_delete=models.DO_NOTHING, related_name="facts", db_index=False
    )
    pillar_number = models.PositiveSmallIntegerField(null=True)

    class Meta:
        verbose_name = _("edition fact")
        verbose_name_plural = _("edition facts")
        # Both indexes cover every column a view filters or groups by, so the views
        # never read the table itself: at a million activities, reading the rows
        # behind an index cost four to five times the index scan. The first serves
        # the places (heatmap; one country's matrix), the second the organisations.
        indexes = [
            models.Index(
                fields=[
                    "edition",
                    "lead_organisation",
                    "pillar_number",
                    *FILTERED_ALSO["organisation"],
                ],
                name="fact_ed_org_cover",
            ),
            models.Index(
                fields=[
                    "edition",
                    "country",
                    "region_wide",
                    "pillar_number",
                    *FILTERED_ALSO["place"],
                ],
                name="fact_ed_place_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: pillar {self.pillar_number}, country {self.country_id}"


class EditionItemFact(_Fact):
    """One activity of an edition under one plan action item in one place.

    ``item_pillar`` is the pillar of the item itself (the plan-items view filters its
    rows by it); the other columns are as in `EditionFact`.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+", db_index=False)
    entry = models.ForeignKey(
        EditionEntry, on_delete=models.DO_NOTHING, related_name="item_facts", db_index=False
    )
    action_item = models.ForeignKey(
        "plan.ActionItem", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item_pillar = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("edition plan item fact")
        verbose_name_plural = _("edition plan item facts")
        indexes = [
            models.Index(
                fields=["edition", "action_item", "country", "entry"], name="itemfact_ed_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: item {self.action_item_id}, country {self.country_id}"


class EditionAreaFact(_Fact):
    """One activity of an edition under one area of a framework, in one place.

    The facts of the second framework (`jpoa.plan.models.Framework`): the matrix grouped
    by a framework's areas instead of the pillars reads these; other columns are as in
    `EditionFact`. Only activities classified under an area have such rows.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+", db_index=False)
    entry = models.ForeignKey(
        EditionEntry, on_delete=models.DO_NOTHING, related_name="area_facts", db_index=False
    )
    area = models.ForeignKey(
        "plan.FrameworkArea", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    framework = models.ForeignKey(
        "plan.Framework", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("edition framework area fact")
        verbose_name_plural = _("edition framework area facts")
        indexes = [
            models.Index(
                fields=["edition", "framework", "area", "lead_organisation", "country", "entry"],
                name="areafact_ed_fw_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: area {self.area_id}, country {self.country_id}"
