"""Which records cite each source: the sources page lists them under the source.

Every model with provenance (``jpoa.lib.provenance.Provenance``) may cite a source, so
the records are found by walking those models rather than a fixed list: a model
added later is listed without a change here.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Count
from django.urls import reverse

from jpoa.lib.provenance import Provenance

# Records listed by name per source and kind; beyond this a count stands for the rest.
LISTED_PER_KIND = 50

# Kinds of record shown by count only: a matrix activity's own page says what it cites.
COUNT_ONLY = {"matrix.activity"}


@dataclass
class CitingRecord:
    label: str
    url: str = ""


@dataclass
class CitingGroup:
    kind: str  # the model's plural name, translated
    count: int
    records: list[CitingRecord] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.records)


def citing_records() -> dict[int, list[CitingGroup]]:
    """For each source's id, the records that cite it, grouped by kind of record."""
    groups: dict[int, list[CitingGroup]] = defaultdict(list)
    for model in _provenance_models():
        counts = dict(
            model.objects.filter(source__isnull=False)
            .order_by()  # a model's default order would split the groups (GROUP BY its fields)
            .values_list("source_id")
            .annotate(n=Count("pk"))
            .values_list("source_id", "n")
        )
        if not counts:
            continue
        listed: dict[int, list[CitingRecord]] = defaultdict(list)
        if model._meta.label_lower not in COUNT_ONLY:
            for obj in _citing(model):
                if len(listed[obj.source_id]) < LISTED_PER_KIND:
                    listed[obj.source_id].append(CitingRecord(_label(obj), _public_url(obj)))
        for source_id, n in counts.items():
            kind = str(model._meta.verbose_name_plural)
            groups[source_id].append(CitingGroup(kind, n, listed.get(source_id, [])))
    return groups


def _provenance_models():
    return sorted(
        (m for m in apps.get_models() if issubclass(m, Provenance)),
        key=lambda m: m._meta.label_lower,
    )


def _citing(model):
    related = [
        f.name
        for f in model._meta.get_fields()
        if f.many_to_one and f.name in {"version", "country", "plan", "strategy", "framework"}
    ]
    return model.objects.filter(source__isnull=False).select_related(*related).order_by("pk")


def _label(obj) -> str:
    label = getattr(obj, "label", None)
    return str(label if label else obj)


def _public_url(obj) -> str:
    """The public page that shows OBJ, where there is one."""
    name = obj._meta.label_lower
    if name == "events.event":
        return reverse("public:event", args=[obj.key])
    if name == "library.resource":
        return reverse("public:resource", args=[obj.key])
    if name == "plan.phase":
        return reverse("public:phase", args=[obj.key])
    if name == "events.finding":
        return reverse("public:finding", args=[obj.key])
    if name == "plan.pillar":
        return reverse("public:pillar", args=[obj.number])
    if name in {"plan.plan", "plan.planversion", "plan.actionitem"}:
        return reverse("public:plan")
    if name == "plan.participation" and obj.country.in_region:
        return reverse("public:state", args=[obj.country.iso2.lower()])
    if name == "plan.framework":  # the matrix grouped by its areas
        return f"{reverse('matrix:organisations')}?{urlencode({'framework': obj.key})}"
    if name == "plan.frameworkarea":
        query = urlencode({"framework": obj.framework.key, "area": obj.code})
        return f"{reverse('matrix:organisations')}?{query}"
    if name == "core.country" and obj.in_region:
        return reverse("public:state", args=[obj.iso2.lower()])
    return ""
