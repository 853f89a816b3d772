"""The resource library: the Strategy, the plan, declarations, reports, guides and links."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jpoa.lib.provenance import Provenance


class Resource(Provenance):
    """A document or link; its language versions are one resource."""

    class Kind(models.TextChoices):
        STRATEGY = "strategy", _("strategy")
        PLAN = "plan", _("plan of action")
        DECLARATION = "declaration", _("declaration")
        REPORT = "report", _("report")
        MATRIX = "matrix", _("matrix of activities")
        GUIDE = "guide", _("guide")
        WEB_PAGE = "web_page", _("web page")
        OTHER = "other", _("other")

    key = models.SlugField(_("key"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    symbol = models.CharField(_("official document symbol"), max_length=100, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source_organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("source organisation"),
    )
    pillars = models.ManyToManyField(
        "plan.Pillar", related_name="resources", blank=True, verbose_name=_("pillars")
    )
    countries = models.ManyToManyField(
        "core.Country", related_name="resources", blank=True, verbose_name=_("countries")
    )
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("event"),
    )

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return self.title


class ResourceVersion(models.Model):
    """One language version of a resource: an uploaded file or a link."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="versions", verbose_name=_("resource")
    )
    language = models.CharField(_("language"), max_length=10, help_text=_("ISO 639-1: en, ru."))
    file = models.FileField(_("file"), upload_to="library/%Y/", blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    text = models.TextField(_("extracted text"), blank=True, editable=False)

    class Meta:
        verbose_name = _("language version")
        verbose_name_plural = _("language versions")
        constraints = [
            models.UniqueConstraint(fields=["resource", "language"], name="resource_one_per_lang")
        ]

    def __str__(self) -> str:
        return f"{self.resource} [{self.language}]"
