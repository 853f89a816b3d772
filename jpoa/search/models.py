"""The search index: one document per public record, its stems and its facet values.

The index is derived data, rebuilt from the records at any time (`jpoa search rebuild`).
Matching runs on the stems (`jpoa.search.text`) through the database's own full-text
index, which the migration adds beside this table: an FTS5 table on SQLite, a
generated ``tsvector`` column with a GIN index on PostgreSQL (`jpoa.search.backends`).
"""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from jpoa.matrix.models import Edition


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
    # The facet values (the kind is one, above): each list holds its values between
    # spaces, " 1 2 ", so that "has pillar 2" is a substring test and counting the facets
    # of the matches reads a few short columns of each, grouped (`backends.search_page`).
    pillars = models.TextField(_("pillars"), default="")
    countries = models.TextField(_("countries"), default="")
    languages = models.TextField(_("languages"), default="")
    years = models.TextField(_("years"), default="")

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title_en or self.title_ru}"

    def facet_values(self) -> list[tuple[str, str]]:
        return [(Facet.KIND, self.kind)] + [
            (name, value)
            for name, column in FACET_COLUMNS.items()
            if name != Facet.KIND
            for value in getattr(self, column).split()
        ]


class IndexedEdition(models.Model):
    """A matrix edition whose activities the index holds (`index.reindex_activities`).

    An edition is published first and its activities indexed after, by a task of their
    own (`jpoa.search.tasks`): a search made in between finds the activities of the
    edition before. When the index has caught up, this row says so; its time is a
    page-cache stamp, so such a search is not served from the cache afterwards.
    """

    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, related_name="search_index", verbose_name=_("edition")
    )
    indexed_at = models.DateTimeField(_("activities indexed"), auto_now_add=True)

    class Meta:
        verbose_name = _("edition in the search index")
        verbose_name_plural = _("editions in the search index")

    def __str__(self) -> str:
        return f"edition {self.edition_id} indexed at {self.indexed_at:%Y-%m-%d %H:%M}"


class Facet(models.TextChoices):
    """What search counts its hits under; `FACET_COLUMNS` says where a document's values are."""

    KIND = "kind", _("kind")
    PILLAR = "pillar", _("pillar")
    COUNTRY = "country", _("country")
    LANGUAGE = "language", _("language")
    YEAR = "year", _("year")


# Where each facet's values are: the kind in its own column, the others as `spaced` lists.
FACET_COLUMNS = {
    Facet.KIND: "kind",
    Facet.PILLAR: "pillars",
    Facet.COUNTRY: "countries",
    Facet.LANGUAGE: "languages",
    Facet.YEAR: "years",
}


def facet_columns(values: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The facet columns (but the kind's) of a document with these (facet, value) pairs."""
    chosen: dict[str, list[str]] = {name: [] for name in FACET_COLUMNS}
    for name, value in values:
        if name != Facet.KIND:
            chosen[name].append(value)
    return {
        column: spaced(chosen[name]) for name, column in FACET_COLUMNS.items() if name != Facet.KIND
    }


def spaced(values: Iterable[str]) -> str:
    """' 2014 2015 ': each value between spaces (sorted, for fewer distinct lists)."""
    values = sorted(set(values))
    return " " + " ".join(values) + " " if values else ""


def needle(value: str) -> str | None:
    """What a `spaced` list holds when VALUE is in it; None when no list can (a value with
    a space would match a run of two values)."""
    if not value or any(c.isspace() for c in value):
        return None
    return f" {value} "
