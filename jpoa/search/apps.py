from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "jpoa.search"
    verbose_name = _("Search")

    def ready(self):
        from jpoa.lib.pagecache import add_change_stamp

        from . import signals  # noqa: F401 (connects the receivers that keep the index current)
        from .models import IndexedEdition

        # A search asked before an edition's activities were indexed is not kept after.
        add_change_stamp(IndexedEdition, "indexed_at")
