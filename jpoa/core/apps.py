from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jpoa.core"
    verbose_name = _("Sources, countries and organisations")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)
