"""Shared pieces of the back office: base admin classes and the Provenance fieldset.

Every jpoa admin derives from `BackOfficeAdmin` (plain models) or
`TranslatedAdmin` (models with English and Russian fields), so that each change
form links to its audit log and keeps the provenance fields together, collapsed,
at the end of the form.
"""

from auditlog.mixins import AuditlogHistoryAdminMixin
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from jpoa.lib.provenance import Provenance

PROVENANCE_FIELDS = (
    "source",
    "source_locator",
    "classification_basis",
    "provenance_note",
    # The note is translated: its English and Russian versions are edited.
    *(f"provenance_note_{code}" for code, _name in settings.LANGUAGES),
)


def configure_site(site: admin.AdminSite) -> None:
    """Give the admin site jpoa's titles."""
    site.site_header = _("jpoa back office")
    site.site_title = _("jpoa back office")
    site.index_title = _("Plan, matrix, events and library")


def _without(fields, names) -> list:
    """A fieldset's `fields` less `names`; a row (tuple) keeps what is left of it."""
    kept = []
    for field in fields:
        if isinstance(field, list | tuple):
            row = tuple(f for f in field if f not in names)
            if row:
                kept.append(row if len(row) > 1 else row[0])
        elif field not in names:
            kept.append(field)
    return kept


def with_provenance_fieldset(fieldsets, excluded=(), model_fields=PROVENANCE_FIELDS) -> list:
    """`fieldsets` with the provenance fields moved into one collapsed fieldset at the end."""
    moved = [f for f in PROVENANCE_FIELDS if f not in excluded and f in model_fields]
    result = []
    for name, options in fieldsets:
        fields = _without(options.get("fields", ()), PROVENANCE_FIELDS)
        if fields:
            result.append((name, {**options, "fields": fields}))
    if moved:
        result.append((_("Provenance"), {"classes": ("collapse",), "fields": moved}))
    return result


class BackOfficeMixin(AuditlogHistoryAdminMixin):
    """Audit-log link on every change form; provenance grouped; source by autocomplete."""

    change_form_template = "admin/jpoa/change_form.html"
    list_per_page = 50

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not issubclass(self.model, Provenance):
            return fieldsets
        editable = {field.name for field in self.model._meta.concrete_fields}
        if "provenance_note_en" in editable:  # translated: its languages, not the original
            editable.discard("provenance_note")
        excluded = self.get_exclude(request, obj) or ()
        return with_provenance_fieldset(fieldsets, excluded, editable)

    def get_autocomplete_fields(self, request):
        fields = list(super().get_autocomplete_fields(request))
        if issubclass(self.model, Provenance) and "source" not in fields:
            fields.append("source")
        return fields


class BackOfficeAdmin(BackOfficeMixin, admin.ModelAdmin):
    """Admin for a model without translated fields."""


class TranslatedAdmin(BackOfficeMixin, TranslationAdmin):
    """Admin for a model with translated fields: editors see the English and Russian fields.

    Plain `TranslationAdmin`, not the tabbed one: the tabbed variant loads
    jQuery UI from a CDN, which jpoa does not do (and its CSP would block).
    """


class ProvenanceInlineMixin:
    """Inlines show the record itself; its provenance is edited on its own page."""

    show_change_link = True
    extra = 0

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        if issubclass(self.model, Provenance):
            exclude.extend(PROVENANCE_FIELDS)
        return exclude
