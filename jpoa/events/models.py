"""The programme's meetings and workshops, who took part, and what they found."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from jpoa.lib.provenance import Provenance
from jpoa.plan.models import roman


class Event(Provenance):
    """An expert meeting, high-level meeting, regional workshop or training."""

    class Kind(models.TextChoices):
        EXPERT_MEETING = "expert_meeting", _("expert meeting")
        HIGH_LEVEL_MEETING = "high_level_meeting", _("high-level meeting")
        REGIONAL_WORKSHOP = "regional_workshop", _("regional workshop")
        TRAINING_WORKSHOP = "training_workshop", _("regional training workshop")
        TRAINING = "training", _("training")
        COORDINATION_MEETING = "coordination_meeting", _("coordination meeting")
        OTHER = "other", _("other event")

    key = models.SlugField(_("key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    number = models.PositiveSmallIntegerField(
        _("number in its series"),
        null=True,
        blank=True,
        help_text=_("3 for the Third Expert Meeting or Regional Workshop III."),
    )
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    phase = models.ForeignKey(
        "plan.Phase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("phase"),
    )
    start_date = models.DateField(_("first day"), db_index=True)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    city = models.CharField(_("city"), max_length=200, blank=True)
    country = models.ForeignKey(
        "core.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("country"),
    )
    pillars = models.ManyToManyField(
        "plan.Pillar", related_name="events", blank=True, verbose_name=_("pillars")
    )
    action_items = models.ManyToManyField(
        "plan.ActionItem", related_name="events", blank=True, verbose_name=_("plan action items")
    )
    organisers = models.ManyToManyField(
        "core.Organisation",
        related_name="organised_events",
        blank=True,
        verbose_name=_("organisers"),
    )
    co_organisers = models.ManyToManyField(
        "core.Organisation",
        related_name="co_organised_events",
        blank=True,
        verbose_name=_("co-organisers (partners)"),
    )
    donors = models.ManyToManyField(
        "core.Organisation", related_name="funded_events", blank=True, verbose_name=_("donors")
    )
    participants_total = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    internal_notes = models.TextField(
        _("internal notes"),
        blank=True,
        help_text=_("Contact persons, arrangements, anything for the team only. Never published."),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start_date", "kind", "number"]

    def __str__(self) -> str:
        return f"{self.label}: {self.title}"

    @property
    def label(self) -> str:
        """'Regional Workshop III', 'Second Expert Meeting', 'High-level meeting'."""
        if self.kind == self.Kind.EXPERT_MEETING and self.number:
            return gettext("Expert Meeting %(n)s") % {"n": roman(self.number)}
        if self.kind == self.Kind.REGIONAL_WORKSHOP and self.number:
            return gettext("Regional Workshop %(n)s") % {"n": roman(self.number)}
        if self.kind == self.Kind.TRAINING_WORKSHOP and self.number:
            return gettext("Regional Training Workshop %(n)s") % {"n": roman(self.number)}
        return capfirst(self.get_kind_display())

    @property
    def place(self) -> str:
        return ", ".join(str(p) for p in (self.city, self.country) if p)


class EventParticipants(models.Model):
    """A breakdown of an event's participants: by country, organisation and sex."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participant_groups", verbose_name=_("event")
    )
    country = models.ForeignKey(
        "core.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    total = models.PositiveIntegerField(_("total"))

    class Meta:
        verbose_name = _("participants group")
        verbose_name_plural = _("participants by country, organisation and sex")

    def __str__(self) -> str:
        who = self.country or self.organisation or pgettext_lazy("participants", "all")
        return f"{who}: {self.total}"

    def clean(self):
        # Women and men are parts of the group's total; the rest is of unknown sex.
        known = (self.women or 0) + (self.men or 0)
        if self.total is not None and known > self.total:
            raise ValidationError(
                _("Women and men (%(known)s) are more than the total (%(total)s).")
                % {"known": known, "total": self.total}
            )


class EventDocument(models.Model):
    """An agenda, report, declaration or presentation of an event."""

    class Kind(models.TextChoices):
        AGENDA = "agenda", _("agenda")
        REPORT = "report", _("report")
        DECLARATION = "declaration", _("declaration")
        PRESENTATION = "presentation", _("presentation")
        OTHER = "other", _("other")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="documents", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=500)
    resource = models.ForeignKey(
        "library.Resource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_documents",
        verbose_name=_("library resource"),
    )
    url = models.URLField(_("URL"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("event document")
        verbose_name_plural = _("event documents")

    def __str__(self) -> str:
        return self.title


class Finding(Provenance):
    """A gap, need, opportunity or recommendation raised by an event or a plan review."""

    class Kind(models.TextChoices):
        GAP = "gap", _("gap")
        NEED = "need", _("need")
        OPPORTUNITY = "opportunity", _("opportunity")
        RECOMMENDATION = "recommendation", _("recommendation")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        ADDRESSED = "addressed", _("addressed")
        DROPPED = "dropped", _("dropped")

    key = models.SlugField(_("key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    text = models.TextField(_("text"))
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("raised at event"),
    )
    plan_version = models.ForeignKey(
        "plan.PlanVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("raised in review of plan version"),
    )
    addressed_to_countries = models.ManyToManyField(
        "core.Country", related_name="findings", blank=True, verbose_name=_("addressed to states")
    )
    addressed_to_organisations = models.ManyToManyField(
        "core.Organisation",
        related_name="findings",
        blank=True,
        verbose_name=_("addressed to organisations"),
    )
    pillars = models.ManyToManyField(
        "plan.Pillar", related_name="findings", blank=True, verbose_name=_("pillars")
    )
    action_items = models.ManyToManyField(
        "plan.ActionItem",
        related_name="findings",
        blank=True,
        verbose_name=_("plan action items"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    follow_up_activities = models.ManyToManyField(
        "matrix.Activity",
        related_name="findings",
        blank=True,
        verbose_name=_("activities that follow it up"),
    )
    follow_up_events = models.ManyToManyField(
        Event,
        related_name="followed_up_findings",
        blank=True,
        verbose_name=_("later events that follow it up"),
    )
    internal_notes = models.TextField(
        _("internal notes"),
        blank=True,
        help_text=_("Who follows it up and how, for the team only. Never published."),
    )

    class Meta:
        verbose_name = _("finding or recommendation")
        verbose_name_plural = _("findings and recommendations")
        ordering = ["event__start_date", "key"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:80]}"


class FindingStatusChange(models.Model):
    """A dated, explained change of a finding's status."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("finding")
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=Finding.Status.choices)
    explanation = models.TextField(_("explanation"))

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["finding", "date", "id"]

    def __str__(self) -> str:
        return f"{self.date}: {self.get_status_display()}"
