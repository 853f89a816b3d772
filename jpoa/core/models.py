"""Sources, countries and organisations: who and where, shared by every area."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jpoa.lib.provenance import Provenance


class Source(models.Model):
    """A document, web page or import that records cite."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("document")
        WEB_PAGE = "web_page", _("web page")
        IMPORT = "import", _("import")
        EDITOR = "editor", _("entered by an editor")

    key = models.SlugField(_("key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=500)
    publisher = models.CharField(
        _("publisher"),
        max_length=300,
        blank=True,
        help_text=_("Who published the source: an office, a ministry, a news agency."),
    )
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    citation = models.TextField(_("citation"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Country(Provenance):
    """A state: a member of the plan's region, a meeting's host, a donor's seat."""

    iso2 = models.CharField(_("ISO 3166 alpha-2 code"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO 3166 alpha-3 code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=200)
    in_region = models.BooleanField(
        _("in the plan's region"),
        default=False,
        help_text=_("States of the region the plan covers (the matrix's countries)."),
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(Provenance):
    """A UN entity, regional or international organisation, state body or donor."""

    class Type(models.TextChoices):
        UN_ENTITY = "un_entity", _("UN entity")
        REGIONAL = "regional", _("regional organisation")
        INTERNATIONAL = "international", _("international organisation")
        STATE = "state", _("state or government body")
        DONOR = "donor", _("donor")
        NGO = "ngo", _("non-governmental organisation")
        OTHER = "other", _("other")

    key = models.SlugField(_("key"), max_length=100, unique=True)
    acronym = models.CharField(_("acronym"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=300)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("country"),
        help_text=_("For a state or a state body: the state it belongs to."),
    )
    website = models.URLField(_("website"), max_length=500, blank=True)
    iati_id = models.CharField(
        _("IATI organisation identifier"), max_length=100, blank=True, db_index=True
    )
    description = models.TextField(_("description"), blank=True)
    needs_review = models.BooleanField(
        _("not yet reviewed"),
        default=False,
        db_index=True,
        help_text=_(
            "Added by an import and not yet checked by a coordinator: its source names the "
            "import. Review it, or merge it into the organisation it duplicates."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["acronym", "name"]

    def __str__(self) -> str:
        return self.acronym or self.name

    @property
    def label(self) -> str:
        """The acronym with the full name, as the public pages show it."""
        if self.acronym and self.acronym != self.name:
            return f"{self.name} ({self.acronym})"
        return self.name


def normalise_identifier(value: str) -> str:
    """One spelling of an identifier: no spaces, upper case (``xm-dac-41114 `` → ``XM-DAC-41114``).

    IATI organisation identifiers are case-insensitive codes; publishers write the same
    one in different cases and with stray spaces.
    """
    return "".join(str(value or "").split()).upper()


class OrganisationIdentifier(models.Model):
    """An identifier an organisation is known by in some scheme (IATI, a registry, ...).

    One identifier names one organisation: two spellings of it (case, spaces) are one,
    so ``normalised`` is unique within its scheme.
    """

    class Scheme(models.TextChoices):
        IATI = "iati", _("IATI organisation identifier")
        OTHER = "other", _("other identifier")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="identifiers",
        verbose_name=_("organisation"),
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices, default="iati")
    value = models.CharField(
        _("identifier"), max_length=200, help_text=_("As the source writes it, e.g. XM-DAC-41114.")
    )
    normalised = models.CharField(_("normalised"), max_length=200, editable=False)

    class Meta:
        verbose_name = _("organisation identifier")
        verbose_name_plural = _("organisation identifiers")
        ordering = ["scheme", "normalised"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "normalised"], name="org_identifier_unique")
        ]

    def __str__(self) -> str:
        return self.value

    def save(self, *args, **kwargs):
        self.value = " ".join(self.value.split())
        self.normalised = normalise_identifier(self.value)
        super().save(*args, **kwargs)

    def validate_unique(self, exclude=None):
        self.normalised = normalise_identifier(self.value)
        super().validate_unique(exclude)

    def validate_constraints(self, exclude=None):
        self.normalised = normalise_identifier(self.value)
        exclude = set(exclude or ()) - {"normalised"}
        super().validate_constraints(exclude)


class OrganisationName(models.Model):
    """Another name of an organisation: in a language besides English and Russian, a former
    name, another spelling a source uses. Imports match these names as they match the main ones.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="other_names",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=300)
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("ISO 639-1 code, e.g. fr, nl, kk.")
    )

    class Meta:
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        ordering = ["language", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="org_other_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})" if self.language else self.name


class DatasetLoad(models.Model):
    """A record that a data set file was loaded, so that `jpoa init` loads it only once."""

    dataset_key = models.SlugField(_("data set"), max_length=100, db_index=True)
    # A data set grows by revisions: `jpoa init` loads a revision newer than any loaded,
    # which adds the records it lacks and applies its corrections, and skips the rest.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    file_name = models.CharField(_("file"), max_length=500)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    created = models.JSONField(_("records created"), default=dict)
    kept = models.JSONField(_("records already present and kept"), default=dict)

    class Meta:
        verbose_name = _("data set load")
        verbose_name_plural = _("data set loads")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.dataset_key} ({self.loaded_at:%Y-%m-%d})"
