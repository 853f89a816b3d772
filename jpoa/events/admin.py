from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from jpoa.lib.admin import BackOfficeAdmin, TranslatedAdmin

from .models import Event, EventDocument, EventParticipants, Finding, FindingStatusChange


class EventParticipantsInline(admin.TabularInline):
    model = EventParticipants
    fields = ("country", "organisation", "women", "men", "total")
    autocomplete_fields = ("country", "organisation")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "organisation")


class EventDocumentInline(TranslationTabularInline):
    model = EventDocument
    fields = ("kind", "title", "resource", "url")
    autocomplete_fields = ("resource",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("resource")


@admin.register(Event)
class EventAdmin(TranslatedAdmin):
    list_display = ("label", "title", "start_date", "city", "country", "participants_total")
    list_display_links = ("label", "title")
    list_filter = ("kind", "pillars", "country", "classification_basis")
    list_select_related = ("country",)
    date_hierarchy = "start_date"
    search_fields = ("key", "title_en", "title_ru", "city_en", "city_ru")
    autocomplete_fields = (
        "phase",
        "country",
        "pillars",
        "action_items",
        "organisers",
        "co_organisers",
        "donors",
    )
    fieldsets = (
        (None, {"fields": ("key", "kind", "number", "title", "phase")}),
        (_("When and where"), {"fields": (("start_date", "end_date"), "city", "country")}),
        (_("Classification"), {"fields": ("pillars", "action_items")}),
        (_("Organisers"), {"fields": ("organisers", "co_organisers", "donors")}),
        (_("Outcome"), {"fields": ("summary", "outcome", "participants_total")}),
    )
    inlines = (EventParticipantsInline, EventDocumentInline)

    @admin.display(description=_("event"), ordering="kind")
    def label(self, event: Event) -> str:
        return event.label


@admin.register(EventParticipants)
class EventParticipantsAdmin(BackOfficeAdmin):
    list_display = ("event", "country", "organisation", "women", "men", "total")
    list_select_related = ("event", "country", "organisation")
    search_fields = ("event__title_en", "event__title_ru", "event__key")
    autocomplete_fields = ("event", "country", "organisation")


@admin.register(EventDocument)
class EventDocumentAdmin(TranslatedAdmin):
    list_display = ("title", "kind", "event", "resource")
    list_filter = ("kind",)
    list_select_related = ("event", "resource")
    search_fields = ("title_en", "title_ru", "event__title_en", "event__title_ru")
    autocomplete_fields = ("event", "resource")


class FindingStatusChangeInline(TranslationTabularInline):
    model = FindingStatusChange
    fields = ("date", "status", "explanation")
    extra = 0


@admin.register(Finding)
class FindingAdmin(TranslatedAdmin):
    list_display = ("key", "kind", "short_text", "status", "event")
    list_filter = ("kind", "status", "pillars", "classification_basis")
    list_select_related = ("event",)
    search_fields = ("key", "text_en", "text_ru")
    autocomplete_fields = (
        "event",
        "plan_version",
        "addressed_to_countries",
        "addressed_to_organisations",
        "pillars",
        "action_items",
        "follow_up_activities",
        "follow_up_events",
    )
    inlines = (FindingStatusChangeInline,)

    @admin.display(description=_("text"))
    def short_text(self, finding: Finding) -> str:
        return Truncator(finding.text).chars(100)


@admin.register(FindingStatusChange)
class FindingStatusChangeAdmin(TranslatedAdmin):
    list_display = ("finding", "date", "status")
    list_filter = ("status",)
    list_select_related = ("finding",)
    search_fields = ("finding__key", "explanation_en", "explanation_ru")
    autocomplete_fields = ("finding",)
