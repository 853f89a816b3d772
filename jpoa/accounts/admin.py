from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Profile


class ProfileInline(admin.StackedInline):
    """A user's role in the programme, edited on the user's page."""

    model = Profile
    can_delete = True
    max_num = 1
    autocomplete_fields = ("organisation", "country")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class JpoaUserAdmin(UserAdmin):
    inlines = (ProfileInline,)
    list_display = ("username", "email", "role", "speaks_for", "is_staff", "is_active")
    list_select_related = ("profile__organisation", "profile__country")
    list_filter = ("profile__role", "is_staff", "is_superuser", "is_active")

    @admin.display(description=Profile._meta.get_field("role").verbose_name)
    def role(self, user) -> str:
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else ""

    @admin.display(description=Profile._meta.get_field("organisation").verbose_name)
    def speaks_for(self, user) -> str:
        profile = getattr(user, "profile", None)
        return str(profile.organisation or profile.country or "") if profile else ""
