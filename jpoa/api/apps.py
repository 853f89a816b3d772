from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "jpoa.api"
    verbose_name = _("API")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import ApiToken

        # Who created or revoked which token is audited; the hash is not worth repeating.
        if not auditlog.contains(ApiToken):
            auditlog.register(ApiToken, exclude_fields=["token_hash", "last_used_at"])
