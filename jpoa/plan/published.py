"""The plan the public site presents, as every reader reads it.

A database may hold more than one plan (a region's plan and another's, or a plan and its
successor); the site presents the first one created, the one the default data set loads.
Pages, their JSON twins, the API, exports, the search and the static site all ask here.
"""

from django.db.models import Exists, QuerySet

from jpoa.core.demo import DEMO_SOURCE
from jpoa.core.models import Source

from .models import ActionItem, Pillar, Plan


def _site_plans() -> QuerySet[Plan]:
    return Plan.objects.order_by("pk")


def site_plan() -> Plan | None:
    """The plan the public site presents, or None before any is loaded.

    ``plan.demo`` says whether the data is the invented demonstration (every page's
    banner): asked in the same query, since every page reads the plan anyway.
    """
    demo = Exists(Source.objects.filter(key=DEMO_SOURCE))
    return _site_plans().select_related("strategy", "source").annotate(demo=demo).first()


def pillars_of(plan: Plan | None) -> QuerySet[Pillar]:
    """The pillars of PLAN's strategy (every pillar when there is no plan yet)."""
    pillars = Pillar.objects.select_related("source")
    return pillars.filter(strategy_id=plan.strategy_id) if plan else pillars


def site_pillars() -> list[Pillar]:
    """The pillars of the strategy of the plan the site presents, in their order."""
    plan = _site_plans().values("strategy_id")[:1]
    return list(Pillar.objects.filter(strategy_id__in=plan).order_by("number"))


def site_items() -> list[ActionItem]:
    """Every action item of every version of the site's plan, in the plan's order."""
    plan = _site_plans().values("pk")[:1]
    return list(
        ActionItem.objects.filter(version__plan_id__in=plan)
        .select_related("version", "pillar")
        .order_by("version__adopted_on", "version__label", "pillar__number", "position", "code")
    )
