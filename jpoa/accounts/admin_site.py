"""The back office: Django's admin site, open to coordinators only.

Model permissions alone would let any staff account with "change activity"
edit every organisation's rows; the object-level rules (a focal point edits
only its organisation's activities) live in the rounds pages, the API and the
services, so the back office is kept to those who may change everything.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class BackOffice(admin.AdminSite):
    def has_permission(self, request) -> bool:
        from .access import is_coordinator  # models load after the app registry

        return super().has_permission(request) and is_coordinator(request.user)


class BackOfficeConfig(AdminConfig):
    """Django's admin app with the site above as its default site."""

    default_site = "jpoa.accounts.admin_site.BackOffice"
