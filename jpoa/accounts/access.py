"""Who may do what: the one place that answers it for pages, services, API and CLI.

Coordinators (role "coordinator", or a superuser) may do everything, and so may
jpoa's own processes (a `SystemActor`: the data-set loader, the command line); an
organisation focal point edits only the rows its organisation leads; a reviewer
reads and reviews submissions; a state focal point edits no activity.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from .actors import is_system
from .models import Profile, Role

if TYPE_CHECKING:  # for the signatures only: accounts imports no domain app
    from jpoa.core.models import Organisation
    from jpoa.matrix.models import Activity


def profile_of(user) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def role_of(user) -> str | None:
    profile = profile_of(user)
    return profile.role if profile else None


def is_coordinator(user) -> bool:
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or role_of(user) == Role.COORDINATOR


def is_reviewer(user) -> bool:
    """May read every submission of a round and accept or return it."""
    return is_coordinator(user) or (user.is_active and role_of(user) == Role.REVIEWER)


def organisation_of(user) -> "Organisation | None":
    """The organisation an organisation focal point speaks for; None for anyone else."""
    profile = profile_of(user)
    if profile is None or not user.is_active or profile.role != Role.ORGANISATION_FOCAL_POINT:
        return None
    return profile.organisation


def can_edit_activity(user, activity: "Activity") -> bool:
    if is_coordinator(user):
        return True
    organisation = organisation_of(user)
    return organisation is not None and activity.lead_organisation_id == organisation.pk


def require_coordinator(user) -> None:
    if not is_coordinator(user):
        raise PermissionDenied("Only a coordinator may do this.")


def require_reviewer(user) -> None:
    if not is_reviewer(user):
        raise PermissionDenied("Only a coordinator or a reviewer may do this.")


def require_organisation_of(user) -> "Organisation":
    """The user's organisation, or PermissionDenied if they are no organisation's focal point."""
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied("Only an organisation's focal point may do this.")
    return organisation


def require_can_edit_activity(user, activity: "Activity") -> None:
    if not can_edit_activity(user, activity):
        raise PermissionDenied("You may not edit this activity.")
