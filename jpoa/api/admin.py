"""API tokens in the back office: created (the token shown once) and revoked here."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jpoa.accounts.audit import acting_as

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    actions = ("revoke",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        token = None if change else obj.set_new_token()
        super().save_model(request, obj, form, change)
        if token:
            messages.warning(
                request,
                _("The new token is %(token)s — copy it now: it is not stored and is shown once.")
                % {"token": token},
            )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        with acting_as(request.user):
            tokens = list(queryset.filter(revoked_at__isnull=True))
            for token in tokens:
                token.revoked_at = timezone.now()
                token.save(update_fields=["revoked_at"])
        count = len(tokens)
        self.message_user(
            request, ngettext("%d token revoked.", "%d tokens revoked.", count) % count
        )
