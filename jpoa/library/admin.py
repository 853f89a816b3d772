from django.contrib import admin

from jpoa.lib.admin import BackOfficeAdmin, TranslatedAdmin

from .forms import ResourceVersionAdminForm
from .models import Resource, ResourceVersion


class ResourceVersionInline(admin.TabularInline):
    model = ResourceVersion
    form = ResourceVersionAdminForm
    fields = ("language", "file", "url")
    extra = 0
    show_change_link = True


@admin.register(Resource)
class ResourceAdmin(TranslatedAdmin):
    list_display = ("title", "kind", "symbol", "date", "source_organisation")
    list_filter = ("kind", "pillars", "classification_basis")
    list_select_related = ("source_organisation",)
    search_fields = ("key", "symbol", "title_en", "title_ru")
    autocomplete_fields = ("source_organisation", "pillars", "countries", "event")
    inlines = (ResourceVersionInline,)


@admin.register(ResourceVersion)
class ResourceVersionAdmin(BackOfficeAdmin):
    form = ResourceVersionAdminForm
    fields = ("resource", "language", "file", "url")
    list_display = ("resource", "language", "file", "url")
    list_filter = ("language",)
    list_select_related = ("resource",)
    search_fields = ("resource__title_en", "resource__title_ru", "resource__symbol")
    autocomplete_fields = ("resource",)
