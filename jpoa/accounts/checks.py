"""`jpoa check --deploy`: what the operator should know about signing in before going live."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_second_factor(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Coordinators can publish, import and change every record: a password alone is weak."""
    if settings.JPOA_COORDINATOR_2FA:
        return []
    return [
        checks.Warning(
            "Coordinators may sign in with a password alone (JPOA_COORDINATOR_2FA is off).",
            hint=(
                "Have each coordinator enrol an authenticator app at /en/accounts/two-factor/, "
                "then set JPOA_COORDINATOR_2FA=1 (docs/security.md)."
            ),
            id="jpoa.W010",
        )
    ]
