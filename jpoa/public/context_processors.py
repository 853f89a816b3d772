from django.utils.functional import SimpleLazyObject

from . import selectors


def site(request) -> dict:
    """The plan the site presents, for every page's header and footer (loaded only if used)."""
    return {"plan": SimpleLazyObject(selectors.site_plan)}
