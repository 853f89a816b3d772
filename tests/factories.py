"""The one place tests build what they need: users with roles, activities, plan items.

The default data set holds no activities and no users: tests make them here.
"""

import datetime
import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from jpoa.accounts.actors import SystemActor
from jpoa.accounts.models import Profile, Role
from jpoa.core.models import Country, Organisation
from jpoa.matrix.models import Activity
from jpoa.plan.models import ActionItem, Pillar

# Who publishes the editions tests need: a process, as `jpoa publish` without --user is.
PUBLISHER = SystemActor("tests")


def make_activity(
    key: str,
    lead: str,
    *,
    title: str | None = None,
    description_en: str | None = None,
    pillars=(1,),
    countries=("KZ",),
    region_wide=False,
    items=(),
    partners=(),
    donors=(),
    status="ongoing",
    start=2014,
    end=2016,
    title_ru="",
    internal_notes="",
    **fields,
) -> Activity:
    """An activity of organisation `lead` (a key), under pillar numbers, in ISO2 countries,
    from the start of year START to the end of year END; FIELDS are any other of the
    model's fields (``start_date`` and ``end_date`` included)."""
    fields.setdefault("start_date", datetime.date(start, 1, 1) if start else None)
    fields.setdefault("end_date", datetime.date(end, 12, 31) if end else None)
    activity = Activity.objects.create(
        key=key,
        lead_organisation=Organisation.objects.get(key=lead),
        title_en=f"Activity {key}" if title is None else title,
        title_ru=title_ru,
        description_en=f"What {key} does." if description_en is None else description_en,
        status=status,
        region_wide=region_wide,
        internal_notes=internal_notes,
        **fields,
    )
    # A new activity has no links: only those it is given are written (an empty `set` is
    # three queries for nothing, and most tests make many activities).
    for links, found in (
        (activity.pillars, pillars and Pillar.objects.filter(number__in=pillars)),
        (activity.countries, countries and Country.objects.filter(iso2__in=countries)),
        (activity.action_items, items and ActionItem.objects.filter(code__in=items)),
        (activity.partners, partners and Organisation.objects.filter(key__in=partners)),
        (activity.donors, donors and Organisation.objects.filter(key__in=donors)),
    ):
        if found:
            links.add(*found)
    return activity


def make_items() -> dict[str, ActionItem]:
    """Two action items under the plan's 2011 version: I.1 and II.1."""
    from jpoa.plan.models import PlanVersion

    version = PlanVersion.objects.get(label="2011")
    return {
        code: ActionItem.objects.create(
            version=version,
            pillar=Pillar.objects.get(
                number=int(code[0] == "I" and code.split(".")[0] == "II") + 1
            ),
            code=code,
            title_en=f"Item {code}",
            position=n,
        )
        for n, code in enumerate(["I.1", "II.1"])
    }


PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once per test process (Argon2 at the suite's cost, tests/hashers.py),
    then given to every user made here."""
    return make_password(PASSWORD)


def make_user(username: str, role: str | None = None, organisation: str | None = None, **extra):
    """A user who signs in with PASSWORD, with a profile of ROLE in ORGANISATION (a key)."""
    user = get_user_model().objects.create_user(username=username, password=None, **extra)
    user.password = password_hash()
    user.save(update_fields=["password"])
    if role:
        org = Organisation.objects.get(key=organisation) if organisation else None
        Profile.objects.create(user=user, role=role, organisation=org)
    return user


def coordinator(username: str = "coord"):
    return make_user(username, Role.COORDINATOR)


def focal_point(organisation: str, username: str | None = None):
    return make_user(username or f"fp-{organisation}", Role.ORGANISATION_FOCAL_POINT, organisation)


def titled_activity(organisation: str, title: str, **fields) -> Activity:
    """An activity as a focal point knows it: ORGANISATION's (a key) TITLE, under pillar 2,
    begun on 1 January 2014, with no end, no country and no description; its key made of
    both; FIELDS are any other of the model's fields."""
    return make_activity(
        f"{organisation}-{title}".lower().replace(" ", "-")[:150],
        organisation,
        title=title,
        title_ru=fields.pop("title_ru", ""),
        status=fields.pop("status", Activity.Status.ONGOING),
        start_date=fields.pop("start_date", datetime.date(2014, 1, 1)),
        description_en="",
        pillars=(2,),
        countries=(),
        end=None,
        **fields,
    )


def proposal_post(activity: Activity | None = None, *, proposal_version=0, **changes) -> dict:
    """The focal point's form as the page would post it, with ``changes`` applied."""
    data = {
        "title_en": activity.title_en if activity else "",
        "title_ru": (activity.title_ru or "") if activity else "",
        "description_en": (activity.description_en or "") if activity else "",
        "description_ru": (activity.description_ru or "") if activity else "",
        "pillars": [p.pk for p in activity.pillars.all()] if activity else [],
        "countries": [c.pk for c in activity.countries.all()] if activity else [],
        "start_date": activity.start_date.isoformat() if activity and activity.start_date else "",
        "end_date": activity.end_date.isoformat() if activity and activity.end_date else "",
        "status": activity.status if activity else "planned",
        "partners": [o.pk for o in activity.partners.all()] if activity else [],
        "donors": [o.pk for o in activity.donors.all()] if activity else [],
        "budget": "",
        "currency": "",
        "proposal_version": proposal_version,
        "activity_version": activity.version if activity else "",
    }
    if activity and activity.region_wide:
        data["region_wide"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def bearer(user) -> dict:
    """Request headers with a new personal API token of ``user``."""
    from jpoa.api.models import ApiToken

    _record, token = ApiToken.issue(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def signed_in_page(browser, site: str, username: str, **context_options):
    """A browser page of a new context, signed in as USERNAME (whose password is PASSWORD)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{site}/en/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page
