from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixConfig(AppConfig):
    name = "jpoa.matrix"
    verbose_name = _("Matrix of activities")
