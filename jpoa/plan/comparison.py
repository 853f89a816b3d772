"""Two versions of a plan compared: action items added, removed and reworded.

Items are matched by code (``II.3`` in one version is ``II.3`` in the next); an
item whose title, text (in either language) or pillar differs is *reworded*.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from .models import ActionItem, Participation, PlanVersion

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

    standing: list["StandingRow"] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.items_known and not (self.added or self.removed or self.reworded)

    @property
    def versions(self) -> list[PlanVersion]:
        return [self.old] if self.old.pk == self.new.pk else [self.old, self.new]

    @property
    def items_known(self) -> bool:
        """Both versions have action items recorded: only then is a difference in them known."""
        return bool(self.old_item_count and self.new_item_count)

    @property
    def old_item_count(self) -> int:
        return len(self.removed) + len(self.reworded) + len(self.unchanged)

    @property
    def new_item_count(self) -> int:
        return len(self.added) + len(self.reworded) + len(self.unchanged)

    @property
    def versions_without_items(self) -> list[PlanVersion]:
        counts = ((self.old, self.old_item_count), (self.new, self.new_item_count))
        return [version for version, n in counts if not n]


@dataclass
class StandingRow:
    """One state's standing under two versions; None where no source records it."""

    country: object
    old: Participation | None
    new: Participation | None

    @property
    def changed(self) -> bool:
        return bool(self.old and self.new and self.old.status != self.new.status)

    @property
    def cells(self) -> tuple:
        return (self.old, self.new)


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
    result.standing = compare_standing(old, new)
    return result


def compare_standing(old: PlanVersion, new: PlanVersion) -> list[StandingRow]:
    """Each state's recorded standing under OLD and NEW, by state name (one query)."""
    rows: dict[int, dict] = {}
    participations = Participation.objects.filter(version__in=[old, new]).select_related(
        "country", "source"
    )
    for p in participations:
        row = rows.setdefault(p.country_id, {"country": p.country, "old": None, "new": None})
        if p.version_id == old.pk:
            row["old"] = p
        if p.version_id == new.pk:
            row["new"] = p
    return sorted((StandingRow(**r) for r in rows.values()), key=lambda r: r.country.name)
