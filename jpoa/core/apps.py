from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jpoa.core"
    verbose_name = _("Sources, countries and organisations")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)

        from jpoa.lib.pagecache import add_change_stamp

        from .models import DatasetLoad

        # Loading a data set changes the public data (`jpoa.lib.pagecache.data_changed_at`).
        add_change_stamp(DatasetLoad, "loaded_at")
