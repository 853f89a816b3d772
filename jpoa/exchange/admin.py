from django.contrib import admin

from .models import ImportedActivity, ImportRecord, SectorMapping


@admin.register(SectorMapping)
class SectorMappingAdmin(admin.ModelAdmin):
    list_display = ("vocabulary", "code", "pillar_number", "note")
    list_filter = ("vocabulary", "pillar_number")
    search_fields = ("code", "note")


class ImportedActivityInline(admin.TabularInline):
    model = ImportedActivity
    extra = 0
    raw_id_fields = ("activity",)
    readonly_fields = ("activity", "action", "row")
    can_delete = False


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ("file_name", "created_at", "user", "format", "status")
    list_filter = ("status", "format")
    readonly_fields = [f.name for f in ImportRecord._meta.fields]
    inlines = [ImportedActivityInline]

    def has_add_permission(self, request):
        return False
