from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "jpoa.rounds"
    verbose_name = _("Update rounds")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)
