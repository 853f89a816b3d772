from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jpoa.lib.admin import BackOfficeAdmin, TranslatedAdmin, configure_site

from .models import (
    Country,
    DatasetLoad,
    Organisation,
    OrganisationIdentifier,
    OrganisationName,
    Source,
)
from .services import MergeRefused, organisation_merge, organisations_review

configure_site(admin.site)


@admin.register(Source)
class SourceAdmin(TranslatedAdmin):
    list_display = ("title", "kind", "key", "date")
    list_filter = ("kind",)
    search_fields = ("key", "title_en", "title_ru", "url")
    prepopulated_fields = {"key": ("title_en",)}


@admin.register(Country)
class CountryAdmin(TranslatedAdmin):
    list_display = ("name", "iso2", "iso3", "in_region")
    list_filter = ("in_region", "classification_basis")
    search_fields = ("name_en", "name_ru", "=iso2", "=iso3")


class OrganisationIdentifierInline(admin.TabularInline):
    model = OrganisationIdentifier
    extra = 0
    fields = ("scheme", "value")


class OrganisationNameInline(admin.TabularInline):
    model = OrganisationName
    extra = 0
    fields = ("name", "language")


@admin.register(Organisation)
class OrganisationAdmin(TranslatedAdmin):
    list_display = ("acronym", "name", "type", "parent", "country", "iati_id", "needs_review")
    list_display_links = ("acronym", "name")
    list_filter = ("needs_review", "type", "classification_basis")
    list_select_related = ("parent", "country")
    search_fields = (
        "key",
        "acronym_en",
        "acronym_ru",
        "name_en",
        "name_ru",
        "iati_id",
        "identifiers__normalised",
        "other_names__name",
    )
    autocomplete_fields = ("parent", "country")
    inlines = [OrganisationIdentifierInline, OrganisationNameInline]
    actions = ["mark_reviewed", "merge"]

    @admin.action(description=_("Mark the selected organisations as reviewed"))
    def mark_reviewed(self, request, queryset):
        try:
            count = organisations_review(user=request.user, organisations=queryset)
        except PermissionDenied:
            self.message_user(request, _("Only a coordinator may do this."), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%d organisation marked as reviewed.", "%d organisations marked as reviewed.", count
            )
            % count,
        )

    @admin.action(description=_("Merge the two selected organisations"))
    def merge(self, request, queryset):
        """Two organisations that are one: the coordinator picks the one to keep, then confirms."""
        chosen = list(queryset[:3])
        if len(chosen) != 2:
            self.message_user(
                request, _("Select exactly two organisations to merge."), messages.ERROR
            )
            return None
        if request.POST.get("keep"):
            keep = next((o for o in chosen if str(o.pk) == request.POST["keep"]), None)
            if keep is None:
                self.message_user(request, _("Choose the organisation to keep."), messages.ERROR)
                return None
            absorb = chosen[1] if keep is chosen[0] else chosen[0]
            try:
                organisation_merge(user=request.user, keep=keep, absorb=absorb)
            except (MergeRefused, PermissionDenied) as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(
                request,
                _("%(absorbed)s merged into %(kept)s.") % {"absorbed": absorb, "kept": keep},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge two organisations"),
            "organisations": [
                {
                    "object": o,
                    "identifiers": list(o.identifiers.all()),
                    "led": o.led_activities.count(),
                    "partner": o.partner_activities.count(),
                    "funded": o.funded_activities.count(),
                }
                for o in chosen
            ],
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/core/organisation/merge.html", context)


@admin.register(DatasetLoad)
class DatasetLoadAdmin(BackOfficeAdmin):
    """Written by `jpoa init` when it loads a data set; read here, never edited."""

    list_display = ("dataset_key", "file_name", "loaded_at")
    list_filter = ("dataset_key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
