"""Provenance: every record says where it comes from and how it was classified."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    """Whether a classification (pillars, kind, plan items) was stated by the source."""

    STATED = "stated", _("stated by the source")
    INFERRED = "inferred", _("inferred by an editor")


class Provenance(models.Model):
    """Abstract base: the source a record cites and the basis of its classification."""

    source = models.ForeignKey(
        "core.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
        help_text=_("The document, web page or import this record comes from."),
    )
    source_locator = models.CharField(
        _("where in the source"),
        max_length=300,
        blank=True,
        help_text=_("Section, page or paragraph of the source that states this record."),
    )
    classification_basis = models.CharField(
        _("classification basis"),
        max_length=10,
        choices=Basis.choices,
        default=Basis.STATED,
        help_text=_("Were the pillars and kind stated by the source, or inferred by an editor?"),
    )
    provenance_note = models.TextField(
        _("provenance note"),
        blank=True,
        help_text=_("Why a classification was inferred, or anything else a reader should know."),
    )

    class Meta:
        abstract = True

    @property
    def is_inferred(self) -> bool:
        return self.classification_basis == Basis.INFERRED
