from django.utils.functional import SimpleLazyObject

from jpoa.core.demo import demo_loaded

from . import selectors


def site(request) -> dict:
    """The plan the site presents, for every page's header and footer (loaded only if used),
    and whether the data is the invented demonstration (a banner on every page)."""
    return {"plan": SimpleLazyObject(selectors.site_plan), "demo": SimpleLazyObject(demo_loaded)}
