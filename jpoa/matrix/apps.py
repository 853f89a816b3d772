from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixConfig(AppConfig):
    name = "jpoa.matrix"
    verbose_name = _("Matrix of activities")

    def ready(self):
        from jpoa.lib.audit import register_app_models

        register_app_models(self)

        from jpoa.accounts.internal import declare_internal

        from .fields import INTERNAL_FIELDS

        # The activity's internal fields are those its field registry never publishes.
        declare_internal("matrix.Activity", INTERNAL_FIELDS)

        from jpoa.lib.pagecache import add_change_stamp

        from .models import Edition

        # A new edition changes the public matrix (`jpoa.lib.pagecache.data_changed_at`).
        add_change_stamp(Edition, "published_at")
