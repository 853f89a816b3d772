"""Users with roles and activities built in code, for the rounds, access and conflict tests."""

import datetime
import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from jpoa.accounts.models import Profile, Role
from jpoa.core.models import Organisation
from jpoa.matrix.models import Activity
from jpoa.plan.models import Pillar

PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed as the site hashes passwords (Argon2, at its full cost, a fifth of a
    second): once per test process, then given to every user made here."""
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


def make_activity(organisation: str, title: str, **fields) -> Activity:
    activity = Activity.objects.create(
        key=f"{organisation}-{title}".lower().replace(" ", "-")[:150],
        lead_organisation=Organisation.objects.get(key=organisation),
        title_en=title,
        title_ru=fields.pop("title_ru", ""),
        status=fields.pop("status", Activity.Status.ONGOING),
        start_date=fields.pop("start_date", datetime.date(2014, 1, 1)),
        **fields,
    )
    activity.pillars.set(Pillar.objects.filter(number__in=[2])[:1])
    return activity


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
