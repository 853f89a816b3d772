"""The coverage of a plan's action items: which published activities and events serve each.

The public never sees drafts: activities are read from the latest published matrix
edition (its `EditionItemFact` rows and its entries' snapshots), never from the
current `Activity` table. An item *has current activity* when that edition holds a
planned or ongoing activity under it; an item without one is a gap the plan page
marks. Events serving an item are those classified under it.

Every function runs a fixed number of queries, whatever the number of items or
activities: the activities of an item are listed by title only up to
`LIST_UP_TO`; beyond that the page gives their number and links to the matrix.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from jpoa.core.models import Country
from jpoa.events.models import Event
from jpoa.matrix.models import Edition, EditionEntry, EditionItemFact
from jpoa.matrix.published import CURRENT_STATUSES, PublishedActivity, published_activities
from jpoa.plan.models import ActionItem

LIST_UP_TO = 10


@dataclass
class PlaceCount:
    """How many published activities of an item are in one country (or region-wide)."""

    country: Country | None
    region_wide: bool
    count: int


@dataclass
class ItemCoverage:
    item: ActionItem
    activity_count: int = 0
    current_count: int = 0
    places: list[PlaceCount] = field(default_factory=list)
    activities: list[PublishedActivity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def has_current_activity(self) -> bool:
        return self.current_count > 0

    @property
    def event_countries(self) -> list[Country]:
        seen = {e.country_id: e.country for e in self.events if e.country_id}
        return sorted(seen.values(), key=lambda c: c.name)


def plan_coverage(items: list[ActionItem], edition: Edition | None) -> dict[int, ItemCoverage]:
    """Each item's coverage, by item id: published activities and their places, and events."""
    coverage = {item.pk: ItemCoverage(item) for item in items}
    if not coverage:
        return coverage
    if edition is not None:
        _add_activities(coverage, edition)
    links = Event.action_items.through.objects.filter(actionitem_id__in=list(coverage))
    for link in links.select_related("event__country").order_by("event__start_date", "event_id"):
        coverage[link.actionitem_id].events.append(link.event)
    return coverage


def _add_activities(coverage: dict[int, ItemCoverage], edition: Edition) -> None:
    facts = EditionItemFact.objects.filter(edition=edition, action_item_id__in=list(coverage))
    # Activities per item, and how many of them are current.
    for row in facts.values("action_item_id", "status").annotate(
        n=Count("entry_id", distinct=True)
    ):
        item = coverage[row["action_item_id"]]
        item.activity_count += row["n"]
        if row["status"] in CURRENT_STATUSES:
            item.current_count += row["n"]
    # Where: activities per item and country (None with region_wide: the whole region).
    places = facts.values("action_item_id", "country_id", "region_wide").annotate(
        n=Count("entry_id", distinct=True)
    )
    places = list(places)
    countries = Country.objects.in_bulk({r["country_id"] for r in places if r["country_id"]})
    for row in places:
        coverage[row["action_item_id"]].places.append(
            PlaceCount(countries.get(row["country_id"]), row["region_wide"], row["n"])
        )
    for item in coverage.values():
        item.places.sort(key=lambda p: (p.country is None, p.country.name if p.country else ""))
    # The titles of the activities of items that have only a few.
    listed = [pk for pk, item in coverage.items() if 0 < item.activity_count <= LIST_UP_TO]
    if not listed:
        return
    pairs = set(facts.filter(action_item_id__in=listed).values_list("action_item_id", "entry_id"))
    entries = EditionEntry.objects.filter(pk__in={entry for _item, entry in pairs})
    by_entry = {activity.entry_id: activity for activity in published_activities(entries)}
    for item_id, entry_id in sorted(pairs):
        coverage[item_id].activities.append(by_entry[entry_id])
    for item in coverage.values():
        item.activities.sort(key=lambda a: a.title.casefold())
