from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "jpoa.exchange"
    verbose_name = _("Data in and out")
