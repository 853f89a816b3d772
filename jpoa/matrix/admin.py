from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus

from jpoa.lib.admin import BackOfficeAdmin, TranslatedAdmin

from .editing import ActivityEditForm
from .models import Activity, Edition, EditionEntry
from .tasks import pending_publications, publish_edition_task
from .writes import (
    ActivityDeletion,
    create_activity,
    delete_activity,
    update_activity,
    write_activities,
)


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
        "framework_areas",
        "countries",
    )
    # The form carries the version the editor loaded: a save over someone else's
    # newer save is refused instead of silently overwriting it.
    form = ActivityEditForm
    # Adds the analysis app's pillar suggestions (jpoa.analysis) above the form.
    change_form_template = "admin/matrix/activity/change_form.html"
    readonly_fields = ("version", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("key", "iati_identifier", "lead_organisation", "title", "description")}),
        (_("Status and dates"), {"fields": ("status", ("start_date", "end_date"))}),
        (
            _("Where and under what"),
            {"fields": ("pillars", "action_items", "framework_areas", "countries", "region_wide")},
        ),
        (_("Partners and funding"), {"fields": ("partners", "donors", ("budget", "currency"))}),
        (_("Verification"), {"fields": ("source_url", "last_verified", "internal_notes")}),
        (_("Record"), {"fields": ("version", "loaded_version", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("pillars")

    # The back office writes through the matrix's one write path (`jpoa.matrix.writes`),
    # as the API, rounds and imports do: its permission, version check and audit trail.
    # (The form's own version check turns a conflict into a form error before that.)

    def save_model(self, request, obj, form, change):
        if change:
            saved = update_activity(
                activity_id=obj.pk,
                data=_model_values(form, form.changed_data),
                expected_version=form.cleaned_data["loaded_version"],
                user=request.user,
            )
        else:
            data = _model_values(form, form.cleaned_data)
            lead = data.pop("lead_organisation")
            saved = create_activity(lead_organisation=lead, data=data, user=request.user)
        obj.pk, obj.version, obj.key = saved.pk, saved.version, saved.key
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The links were written with the activity; only inline forms remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        delete_activity(activity_id=obj.pk, user=request.user)

    def delete_queryset(self, request, queryset):
        deletions = [ActivityDeletion(pk) for pk in queryset.values_list("pk", flat=True)]
        write_activities(user=request.user, deletes=deletions)

    @admin.display(description=_("pillars"))
    def pillar_numerals(self, activity: Activity) -> str:
        return ", ".join(pillar.numeral for pillar in activity.pillars.all())


def _model_values(form, names) -> dict:
    """The form's values of NAMES that are the activity's fields (each language's
    field of a translated text; not the form's ``loaded_version``)."""
    fields = {f.name for f in Activity._meta.get_fields()}
    return {name: form.cleaned_data[name] for name in names if name in fields}


class ImmutableAdminMixin:
    """Published editions are never changed nor deleted, in the back office as elsewhere."""

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class PublishEditionForm(forms.Form):
    title = forms.CharField(label=_("title (English)"), max_length=300)
    title_ru = forms.CharField(label=_("title (Russian)"), max_length=300, required=False)
    as_of = forms.DateField(
        label=_("as of"), required=False, help_text=_("YYYY-MM-DD; today when left empty.")
    )
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea, required=False)


@admin.register(Edition)
class EditionAdmin(ImmutableAdminMixin, TranslatedAdmin):
    """Editions are made only by publishing (the same function as `jpoa publish`)."""

    change_list_template = "admin/matrix/edition/change_list.html"
    list_display = ("number", "title", "as_of", "activity_count", "published_at", "publisher")
    list_select_related = ("published_by",)
    search_fields = ("title_en", "title_ru")
    readonly_fields = ("published_at", "publisher", "entries_link")
    date_hierarchy = "as_of"

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        publish = self.admin_site.admin_view(self.publish_view)
        return [path("publish/", publish, name="matrix_edition_publish"), *super().get_urls()]

    def publish_view(self, request):
        if not request.user.has_perm("matrix.add_edition"):
            raise PermissionDenied
        form = PublishEditionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            result = publish_edition_task.enqueue(
                title=data["title"],
                title_ru=data["title_ru"],
                as_of=data["as_of"].isoformat() if data["as_of"] else None,
                notes=data["notes"],
                user_pk=request.user.pk,
            )
            self.report_publication(request, result)
            return redirect("admin:matrix_edition_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish a new edition of the matrix"),
            "form": form,
            "opts": self.model._meta,
            "draft_count": Activity.objects.count(),
        }
        return TemplateResponse(request, "admin/matrix/edition/publish.html", context)

    def report_publication(self, request, result) -> None:
        """Say what became of a publication: done (the tests' immediate runner), or queued."""
        if result.status == TaskResultStatus.SUCCESSFUL:
            edition = result.return_value
            message = ngettext(
                "Published edition %(number)s with %(count)s activity.",
                "Published edition %(number)s with %(count)s activities.",
                edition["activity_count"],
            ) % {"number": edition["number"], "count": edition["activity_count"]}
            self.message_user(request, message, messages.SUCCESS)
        elif result.status == TaskResultStatus.FAILED:
            self.message_user(
                request, _("The publication failed; nothing was published."), messages.ERROR
            )
        else:
            self.message_user(
                request,
                _(
                    "The publication is queued: the task runner publishes it in the "
                    "background, and the new edition appears in this list when it is done."
                ),
                messages.INFO,
            )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pending_publications": pending_publications()}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description=_("published by"))
    def publisher(self, edition: Edition) -> str:
        return edition.publisher or "-"

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
