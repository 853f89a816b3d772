"""Activities built in code for the matrix and edition tests (the default data has none)."""

import datetime

from jpoa.accounts.actors import SystemActor
from jpoa.core.models import Country, Organisation
from jpoa.matrix.models import Activity
from jpoa.plan.models import ActionItem, Pillar

# Who publishes the editions tests need: a process, as `jpoa publish` without --user is.
PUBLISHER = SystemActor("tests")


def make_activity(
    key: str,
    lead: str,
    *,
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
) -> Activity:
    """An activity of organisation `lead` (a key), under pillar numbers, in ISO2 countries."""
    activity = Activity.objects.create(
        key=key,
        lead_organisation=Organisation.objects.get(key=lead),
        title_en=f"Activity {key}",
        title_ru=title_ru,
        description_en=f"What {key} does.",
        status=status,
        start_date=datetime.date(start, 1, 1) if start else None,
        end_date=datetime.date(end, 12, 31) if end else None,
        region_wide=region_wide,
        internal_notes=internal_notes,
    )
    activity.pillars.set(Pillar.objects.filter(number__in=pillars))
    activity.countries.set(Country.objects.filter(iso2__in=countries))
    activity.action_items.set(ActionItem.objects.filter(code__in=items))
    activity.partners.set(Organisation.objects.filter(key__in=partners))
    activity.donors.set(Organisation.objects.filter(key__in=donors))
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
