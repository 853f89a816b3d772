from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "jpoa.plan"
    verbose_name = _("Strategy, plan and programme")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)
