from django.utils.functional import SimpleLazyObject

from jpoa.lib.pagecache import per_data_change
from jpoa.plan.published import site_plan


def site(request) -> dict:
    """The plan the site presents, for every page's header and footer (loaded only if used).

    ``plan.demo`` says whether the data is the invented demonstration (the base
    template's banner). It is read once per change of the public data, not per page.
    """
    return {"plan": SimpleLazyObject(lambda: per_data_change("site plan", site_plan))}
