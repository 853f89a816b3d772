from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from jpoa.lib.admin import BackOfficeAdmin, TranslatedAdmin

from .models import Event, EventDocument, EventParticipants, Finding, FindingStatusChange
from .services import change_finding_status


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
        (_("Internal"), {"fields": ("internal_notes",)}),
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
    """The dated history, written only by `change_finding_status`; its explanations translatable."""

    model = FindingStatusChange
    fields = ("date", "status", "explanation")
    readonly_fields = ("date", "status")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class FindingForm(forms.ModelForm):
    """A finding; a change of its status needs a date and an explanation, kept in its history."""

    status_date = forms.DateField(
        label=_("date of the status change"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the status changed; today if left empty."),
    )
    status_explanation = forms.CharField(
        label=_("why the status changes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the status changes; shown in the finding's public history."),
    )

    class Meta:
        model = Finding
        fields = ("key", "kind", "text", "event", "plan_version", "status")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Validation copies the new status onto the instance: keep the one it had.
        self.status_before = self.instance.status if self.instance.pk else Finding.Status.OPEN

    def status_changes(self) -> bool:
        return self.cleaned_data.get("status") != self.status_before

    def clean(self):
        cleaned = super().clean()
        if self.status_changes() and not (cleaned.get("status_explanation") or "").strip():
            raise ValidationError(
                {"status_explanation": _("Explain why the status changes: the public sees it.")}
            )
        return cleaned


@admin.register(Finding)
class FindingAdmin(TranslatedAdmin):
    form = FindingForm
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
    fieldsets = (
        (None, {"fields": ("key", "kind", "text", "event", "plan_version")}),
        (_("Addressed to"), {"fields": ("addressed_to_countries", "addressed_to_organisations")}),
        (_("Classification"), {"fields": ("pillars", "action_items")}),
        (_("Status"), {"fields": ("status", "status_date", "status_explanation")}),
        (_("Follow-up"), {"fields": ("follow_up_activities", "follow_up_events")}),
        (_("Internal"), {"fields": ("internal_notes",)}),
    )
    inlines = (FindingStatusChangeInline,)

    def save_model(self, request, obj, form, change):
        # The status is written by the service, with its history; the rest as usual.
        # (The admin runs the whole change, service included, in one transaction.)
        form.new_status = None
        if form.status_changes():
            form.new_status = obj.status
            obj.status = form.status_before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(form, "new_status", None):
            change_finding_status(
                finding=form.instance,
                status=form.new_status,
                date=form.cleaned_data["status_date"] or timezone.localdate(),
                explanation=form.cleaned_data["status_explanation"],
                user=request.user,
            )
            form.instance.refresh_from_db(fields=["status"])

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
