from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixConfig(AppConfig):
    name = "jpoa.matrix"
    verbose_name = _("Matrix of activities")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)
