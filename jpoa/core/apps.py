from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jpoa.core"
    verbose_name = _("Sources, countries and organisations")
