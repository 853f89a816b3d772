from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jpoa.accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        from . import checks, internal  # noqa: F401  (they register system checks)

        register_app_models(self)
