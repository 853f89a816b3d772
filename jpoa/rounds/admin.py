"""Update rounds in the back office: to read. Rounds change only through their pages
and `jpoa round`, which check permissions, keep the audit trail and apply proposals."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Message, Proposal, Submission, UpdateRound


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SubmissionInline(admin.TabularInline):
    model = Submission
    fields = ("organisation", "status", "submitted_at", "reviewed_at", "reviewer_comment")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UpdateRound)
class UpdateRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "opened_at", "deadline", "published_at", "dashboard")
    exclude = ("publish_task_id",)
    list_filter = ("status",)
    inlines = (SubmissionInline,)

    @admin.display(description=_("dashboard"))
    def dashboard(self, update_round: UpdateRound) -> str:
        url = reverse("rounds:dashboard", args=[update_round.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the round's dashboard"))


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "round", "status", "submitted_at", "reviewed_at")
    list_filter = ("status", "round")
    list_select_related = ("organisation", "round")
    search_fields = ("organisation__acronym_en", "organisation__name_en")


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("submission", "kind", "activity", "updated_at", "updated_by")
    list_filter = ("kind",)
    list_select_related = ("submission__organisation", "submission__round", "activity")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Every e-mail of the rounds: to whom, what, when, delivered or failed."""

    list_display = ("created_at", "round", "kind", "address", "language", "status", "sent_at")
    list_filter = ("status", "kind", "round")
    list_select_related = ("round",)
    search_fields = ("address", "subject")
