"""The search index: one document per public record, its stems and its facets.

The index is derived data, rebuilt from the records at any time (`jpoa search rebuild`).
Matching runs on the stems (`jpoa.search.text`) through the database's own full-text
index, which the migration adds beside these tables: an FTS5 table on SQLite, a
generated ``tsvector`` column with a GIN index on PostgreSQL (`jpoa.search.backends`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    """One public record as search sees it, in both languages."""

    class Kind(models.TextChoices):
        RESOURCE = "resource", _("library resource")
        ACTIVITY = "activity", _("activity")
        EVENT = "event", _("event")
        FINDING = "finding", _("finding")
        PLAN_ITEM = "plan_item", _("plan item")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The record's id: an edition entry's for an activity of the latest edition.
    object_id = models.BigIntegerField(_("record id"))
    title_en = models.CharField(_("title (English)"), max_length=600, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=600, blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_ru = models.TextField(_("text (Russian)"), blank=True)
    url_en = models.CharField(_("page (English)"), max_length=600)
    url_ru = models.CharField(_("page (Russian)"), max_length=600)
    title_stems = models.TextField(_("stems of the titles"))
    body_stems = models.TextField(_("stems of the texts"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title_en or self.title_ru}"


class Facet(models.Model):
    """One value of a document under one facet (a document has several pillars, years ...)."""

    class Name(models.TextChoices):
        KIND = "kind", _("kind")
        PILLAR = "pillar", _("pillar")
        COUNTRY = "country", _("country")
        LANGUAGE = "language", _("language")
        YEAR = "year", _("year")

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="facets", db_index=False
    )
    name = models.CharField(_("facet"), max_length=10, choices=Name.choices)
    value = models.CharField(_("value"), max_length=20)

    class Meta:
        verbose_name = _("search facet")
        verbose_name_plural = _("search facets")
        indexes = [
            # Filters: the documents with a value; counts: the values of matched documents.
            models.Index(fields=["name", "value", "document"], name="search_facet_value"),
            models.Index(fields=["document", "name", "value"], name="search_facet_document"),
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
