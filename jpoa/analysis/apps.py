from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "jpoa.analysis"
    verbose_name = _("Analysis and reports")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)
