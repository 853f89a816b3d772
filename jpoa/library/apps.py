from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "jpoa.library"
    verbose_name = _("Library")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)
