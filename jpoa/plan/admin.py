from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from jpoa.lib.admin import ProvenanceInlineMixin, TranslatedAdmin

from .models import (
    ActionItem,
    Framework,
    FrameworkArea,
    Participation,
    Phase,
    Pillar,
    Plan,
    PlanVersion,
    Strategy,
)


class PillarInline(ProvenanceInlineMixin, TranslationTabularInline):
    model = Pillar
    fields = ("number", "short_title", "title")


@admin.register(Strategy)
class StrategyAdmin(TranslatedAdmin):
    list_display = ("title", "symbol", "key")
    search_fields = ("key", "symbol", "title_en", "title_ru")
    inlines = (PillarInline,)


@admin.register(Pillar)
class PillarAdmin(TranslatedAdmin):
    list_display = ("numeral", "short_title", "strategy", "classification_basis")
    list_display_links = ("numeral", "short_title")
    list_select_related = ("strategy",)
    search_fields = ("short_title_en", "short_title_ru", "title_en", "title_ru")
    autocomplete_fields = ("strategy",)

    @admin.display(description=_("number"), ordering="number")
    def numeral(self, pillar: Pillar) -> str:
        return pillar.numeral


class PlanVersionInline(ProvenanceInlineMixin, TranslationTabularInline):
    model = PlanVersion
    fields = ("label", "adopted_on", "adopted_at")


@admin.register(Plan)
class PlanAdmin(TranslatedAdmin):
    list_display = ("title", "short_title", "region", "strategy")
    list_select_related = ("strategy",)
    search_fields = ("key", "title_en", "title_ru", "short_title_en", "short_title_ru")
    autocomplete_fields = ("strategy", "countries")
    prepopulated_fields = {"key": ("short_title_en",)}
    inlines = (PlanVersionInline,)


class ActionItemInline(ProvenanceInlineMixin, TranslationTabularInline):
    model = ActionItem
    fields = ("code", "pillar", "title", "position")
    autocomplete_fields = ("pillar",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pillar")


class ParticipationInline(ProvenanceInlineMixin, TranslationTabularInline):
    model = Participation
    fields = ("country", "status", "date", "place")
    autocomplete_fields = ("country",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country")


@admin.register(PlanVersion)
class PlanVersionAdmin(TranslatedAdmin):
    list_display = ("__str__", "label", "adopted_on", "adopted_at")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    search_fields = ("label", "plan__title_en", "plan__title_ru", "plan__short_title_en")
    autocomplete_fields = ("plan", "adopted_at_event")
    inlines = (ParticipationInline, ActionItemInline)


@admin.register(ActionItem)
class ActionItemAdmin(TranslatedAdmin):
    list_display = ("code", "title", "pillar", "version")
    list_display_links = ("code", "title")
    list_filter = ("pillar", "version", "classification_basis")
    list_select_related = ("pillar", "version__plan")
    search_fields = ("code", "title_en", "title_ru", "text_en", "text_ru")
    autocomplete_fields = ("version", "pillar")


@admin.register(Participation)
class ParticipationAdmin(TranslatedAdmin):
    list_display = ("country", "status", "version", "date", "place")
    list_filter = ("status", "version")
    list_select_related = ("country", "version__plan")
    search_fields = ("country__name_en", "country__name_ru", "place_en", "place_ru")
    autocomplete_fields = ("version", "country")


@admin.register(Phase)
class PhaseAdmin(TranslatedAdmin):
    list_display = ("__str__", "plan", "start_year", "end_year")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    search_fields = ("key", "title_en", "title_ru")
    autocomplete_fields = ("plan", "implementing_offices", "donors")


class FrameworkAreaInline(ProvenanceInlineMixin, TranslationTabularInline):
    model = FrameworkArea
    fields = ("code", "title", "position")


@admin.register(Framework)
class FrameworkAdmin(TranslatedAdmin):
    list_display = ("title", "symbol", "key")
    search_fields = ("key", "symbol", "title_en", "title_ru")
    inlines = (FrameworkAreaInline,)


@admin.register(FrameworkArea)
class FrameworkAreaAdmin(TranslatedAdmin):
    list_display = ("code", "title", "framework")
    list_select_related = ("framework",)
    list_filter = ("framework",)
    search_fields = ("code", "title_en", "title_ru", "framework__key")
    autocomplete_fields = ("framework",)
