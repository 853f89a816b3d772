from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "jpoa.events"
    verbose_name = _("Events and findings")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)
