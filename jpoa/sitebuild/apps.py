from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitebuildConfig(AppConfig):
    name = "jpoa.sitebuild"
    verbose_name = _("Static site")
