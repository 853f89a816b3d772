from django.contrib import admin

from jpoa.lib.admin import BackOfficeAdmin, TranslatedAdmin, configure_site

from .models import Country, DatasetLoad, Organisation, Source

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


@admin.register(Organisation)
class OrganisationAdmin(TranslatedAdmin):
    list_display = ("acronym", "name", "type", "parent", "country", "iati_id")
    list_display_links = ("acronym", "name")
    list_filter = ("type", "classification_basis")
    list_select_related = ("parent", "country")
    search_fields = ("key", "acronym_en", "acronym_ru", "name_en", "name_ru", "iati_id")
    autocomplete_fields = ("parent", "country")


@admin.register(DatasetLoad)
class DatasetLoadAdmin(BackOfficeAdmin):
    """Written by `jpoa init` when it loads a data set; read here, never edited."""

    list_display = ("dataset_key", "file_name", "loaded_at")
    list_filter = ("dataset_key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
