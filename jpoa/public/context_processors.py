from django.utils.functional import SimpleLazyObject

from jpoa.plan.published import site_plan


def site(request) -> dict:
    """The plan the site presents, for every page's header and footer (loaded only if used).

    ``plan.demo`` says whether the data is the invented demonstration (the base
    template's banner).
    """
    return {"plan": SimpleLazyObject(site_plan)}
