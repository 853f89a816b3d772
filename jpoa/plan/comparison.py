"""Two versions of a plan compared: action items added, removed and reworded.

Items are matched by code (``II.3`` in one version is ``II.3`` in the next); an
item whose title, text (in either language) or pillar differs is *reworded*.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from .models import ActionItem, PlanVersion

COMPARED_FIELDS = ("pillar_id", "title_en", "title_ru", "text_en", "text_ru")


@dataclass
class RewordedItem:
    old: ActionItem
    new: ActionItem
    fields: list[str]

    @property
    def pillar_changed(self) -> bool:
        return "pillar_id" in self.fields

    @property
    def title_changed(self) -> bool:
        return any(f.startswith("title_") for f in self.fields)

    @property
    def text_changed(self) -> bool:
        return any(f.startswith("text_") for f in self.fields)


@dataclass
class VersionComparison:
    old: PlanVersion
    new: PlanVersion
    added: list[ActionItem] = field(default_factory=list)
    removed: list[ActionItem] = field(default_factory=list)
    reworded: list[RewordedItem] = field(default_factory=list)
    unchanged: list[ActionItem] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.reworded)


def _items(version: PlanVersion) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(version=version).select_related("pillar")


def _value(item: ActionItem, name: str):
    value = getattr(item, name)
    return value.strip() if isinstance(value, str) else (value or "")


def compare_versions(old: PlanVersion, new: PlanVersion) -> VersionComparison:
    """What changed in the action items from `old` to `new` (two queries)."""
    before = {item.code: item for item in _items(old)}
    after = {item.code: item for item in _items(new)}
    result = VersionComparison(old, new)
    for code, item in after.items():
        previous = before.get(code)
        if previous is None:
            result.added.append(item)
            continue
        changed = [f for f in COMPARED_FIELDS if _value(previous, f) != _value(item, f)]
        if changed:
            result.reworded.append(RewordedItem(previous, item, changed))
        else:
            result.unchanged.append(item)
    result.removed = [item for code, item in before.items() if code not in after]
    return result
