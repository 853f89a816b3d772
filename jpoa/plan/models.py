"""The Strategy and its pillars, the regional plan in versions, and the programme's phases."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jpoa.lib.provenance import Provenance

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX"}


def roman(number: int | None) -> str:
    return ROMAN.get(number, str(number)) if number else ""


class Strategy(Provenance):
    """A global strategy the plan implements (the UN Global Counter-Terrorism Strategy)."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    symbol = models.CharField(_("document symbol"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")

    def __str__(self) -> str:
        return self.title


class Pillar(Provenance):
    """One of the Strategy's pillars (I to IV)."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="pillars", verbose_name=_("strategy")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    short_title = models.CharField(_("short title"), max_length=200)
    title = models.CharField(_("full title"), max_length=500)

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="pillar_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.numeral}. {self.short_title}"

    @property
    def numeral(self) -> str:
        return roman(self.number)


class Plan(Provenance):
    """A regional joint plan of action; its text and items live in its versions."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="plans", verbose_name=_("strategy")
    )
    title = models.CharField(_("title"), max_length=500)
    short_title = models.CharField(_("short title"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=200)
    countries = models.ManyToManyField(
        "core.Country", related_name="plans", blank=True, verbose_name=_("countries of the region")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.short_title or self.title


class PlanVersion(Provenance):
    """A version of the plan: the one adopted in 2011, and each later update."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan")
    )
    label = models.CharField(_("label"), max_length=50, help_text=_("For example 2011."))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_at = models.CharField(_("adopted at (place)"), max_length=200, blank=True)
    adopted_at_event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adopted_plan_versions",
        verbose_name=_("adopted at (event)"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "adopted_on", "label"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "label"], name="planversion_unique_label")
        ]

    def __str__(self) -> str:
        return f"{self.plan} ({self.label})"


class ActionItem(Provenance):
    """An action item of a plan version, under one pillar."""

    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="items", verbose_name=_("plan version")
    )
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("pillar")
    )
    code = models.CharField(_("code"), max_length=30, help_text=_("For example II.3."))
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("text"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["version", "pillar__number", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="actionitem_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Participation(Provenance):
    """A state's standing under one plan version: adopted, observer or not party."""

    class Status(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        OBSERVER = "observer", _("observer")
        NOT_PARTY = "not_party", _("not party")

    version = models.ForeignKey(
        PlanVersion,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("plan version"),
    )
    country = models.ForeignKey(
        "core.Country",
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("state"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("state participation")
        verbose_name_plural = _("state participations")
        ordering = ["version", "country__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "country"], name="participation_unique_country"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country}: {self.get_status_display()}"


class Phase(Provenance):
    """A phase of the programme, with its years, implementing offices and donors."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="phases", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    end_note = models.CharField(
        _("end note"),
        max_length=200,
        blank=True,
        help_text=_("For example: to be completed by the end of June 2017."),
    )
    implementing_offices = models.ManyToManyField(
        "core.Organisation",
        related_name="implemented_phases",
        blank=True,
        verbose_name=_("implementing offices"),
    )
    donors = models.ManyToManyField(
        "core.Organisation", related_name="funded_phases", blank=True, verbose_name=_("donors")
    )

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["plan", "number"]

    def __str__(self) -> str:
        return gettext("Phase %(n)s: %(title)s") % {"n": roman(self.number), "title": self.title}

    @property
    def numeral(self) -> str:
        return roman(self.number)

    @property
    def years(self) -> str:
        if self.end_year is None:  # the end is not recorded: never shown as a one-year phase
            return gettext("from %(year)s") % {"year": self.start_year}
        if self.end_year != self.start_year:
            return f"{self.start_year}–{self.end_year}"
        return str(self.start_year)


class Framework(Provenance):
    """A second way to classify activities beside the strategy's pillars.

    The Plan of Action to Prevent Violent Extremism's priority areas, SDG 16's targets,
    a Security Council resolution's operative paragraphs: each is a framework with its
    areas, loaded as data (`frameworks` in a data set), so that a new one needs no code.
    """

    key = models.SlugField(_("key"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=100, blank=True)
    symbol = models.CharField(_("document symbol"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.short_title or self.title


class FrameworkArea(Provenance):
    """One area of a framework (a priority area, a target): what an activity is classified under."""

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="areas", verbose_name=_("framework")
    )
    code = models.CharField(_("code"), max_length=30, help_text=_("For example 3 or 16.a."))
    title = models.CharField(_("title"), max_length=500)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("framework area")
        verbose_name_plural = _("framework areas")
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="frameworkarea_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.framework}: {self.code}. {self.title}"

    @property
    def ref(self) -> str:
        """How a data set and an edition name the area: "framework/code"."""
        return f"{self.framework.key}/{self.code}"
