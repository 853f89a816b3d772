from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jpoa.lib.admin import BackOfficeAdmin, TranslatedAdmin

from .models import Activity, Edition, EditionEntry


@admin.register(Activity)
class ActivityAdmin(TranslatedAdmin):
    """The matrix's rows; the list must stay fast with a million of them.

    No filter lists the values of a big table (lead organisation is searched by
    autocomplete, not filtered), the full count is not run, and the default order
    is the primary key so that a page is read from an index instead of sorting the table.
    """

    list_display = (
        "title",
        "lead_organisation",
        "status",
        "pillar_numerals",
        "start_year",
        "end_year",
        "last_verified",
    )
    list_filter = ("status", "pillars", "lead_organisation__type", "region_wide")
    list_select_related = ("lead_organisation",)
    show_full_result_count = False
    ordering = ("-pk",)
    search_fields = ("=key", "=iati_identifier", "title_en", "title_ru")
    search_help_text = _("Title in English or Russian, or the exact key or IATI identifier.")
    autocomplete_fields = (
        "lead_organisation",
        "partners",
        "donors",
        "pillars",
        "action_items",
        "countries",
    )
    readonly_fields = ("version", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("key", "iati_identifier", "lead_organisation", "title", "description")}),
        (_("Status and dates"), {"fields": ("status", ("start_date", "end_date"))}),
        (
            _("Where and under what"),
            {"fields": ("pillars", "action_items", "countries", "region_wide")},
        ),
        (_("Partners and funding"), {"fields": ("partners", "donors", ("budget", "currency"))}),
        (_("Verification"), {"fields": ("source_url", "last_verified", "internal_notes")}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("pillars")

    @admin.display(description=_("pillars"))
    def pillar_numerals(self, activity: Activity) -> str:
        return ", ".join(pillar.numeral for pillar in activity.pillars.all())


class ImmutableAdminMixin:
    """Published editions are never changed nor deleted, in the back office as elsewhere."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(ImmutableAdminMixin, TranslatedAdmin):
    list_display = ("number", "title", "as_of", "published_at", "published_by")
    list_select_related = ("published_by",)
    search_fields = ("title_en", "title_ru")
    readonly_fields = ("published_at", "published_by", "entries_link")
    date_hierarchy = "as_of"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.published_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("entries"))
    def entries_link(self, edition: Edition) -> str:
        if edition.pk is None:
            return "-"
        url = reverse("admin:matrix_editionentry_changelist")
        return format_html(
            '<a href="{}?edition__id__exact={}">{}</a>', url, edition.pk, _("Activities")
        )


@admin.register(EditionEntry)
class EditionEntryAdmin(ImmutableAdminMixin, BackOfficeAdmin):
    """Entries are written only by publishing an edition; here they can only be read."""

    list_display = ("activity_key", "edition", "status", "start_year", "end_year")
    list_filter = ("edition", "status")
    list_select_related = ("edition",)
    show_full_result_count = False
    ordering = ("-pk",)
    search_fields = ("=activity_key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
