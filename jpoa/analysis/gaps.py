"""Coverage gaps: the pillar × state and plan item × state cells that lack current activity.

Read from a published edition's facts (`EditionFact`, `EditionItemFact`): one GROUP BY
per kind of cell, whatever the size of the edition. A cell is

* a **gap** when the edition holds no current (planned or ongoing) activity in that
  state under that pillar or item;
* **thin** when its current activities all rest on a single lead organisation;
* **region-wide only** when no current activity names the state but current
  region-wide activities run under that pillar or item.

The rule for region-wide activities (written on the gaps page too, `REGION_RULE`):
an activity recorded as region-wide serves the region as a whole. It counts in a
state's cell only as *region-wide only*: better than nothing, so the cell is not
called a gap, but not as good as an activity that names the state, so the cell
stays on the list. An activity that names states counts in each state it names,
whether or not it is also region-wide. Each cell says when it last had any activity ("no activity
since 2014"), and how it stood in the edition before ("new since the previous edition").
Activities can be narrowed to those overlapping a year range.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from jpoa.core.models import Country, Organisation
from jpoa.matrix.models import Activity, Edition, EditionAreaFact, EditionFact, EditionItemFact
from jpoa.plan.models import ActionItem, Framework, FrameworkArea, Pillar, Plan, roman
from jpoa.plan.published import site_plan

CURRENT = (Activity.Status.PLANNED, Activity.Status.ONGOING)

GAP = "gap"
REGION_ONLY = "region"
THIN = "thin"
COVERED = "covered"
# Worst last: how a cell's state compares with the previous edition's.
STATE_ORDER = {COVERED: 0, THIN: 1, REGION_ONLY: 2, GAP: 3}

REGION_RULE = _(
    "How region-wide activities count: an activity recorded as region-wide serves the "
    "region as a whole, not any one state. Where no current activity names a state but a "
    "region-wide one runs under the same pillar or item, the cell is shown as covered by "
    "region-wide activities only: not a gap, but still listed, because nothing there is "
    "aimed at that state. An activity that names states counts in each state it names."
)

# How a cell changed since the previous edition.
NEW = "new"  # a gap or thin now, covered before
WORSE = "worse"  # a gap now, thin before
BETTER = "better"  # covered now where it was a gap or thin, or thin where it was a gap
SAME = "same"
FIRST = "first"  # no previous edition, or the cell was not in it

TREND_LABELS = {
    NEW: _("new since the previous edition"),
    WORSE: _("worse than in the previous edition"),
    BETTER: _("better than in the previous edition"),
    SAME: _("as in the previous edition"),
    FIRST: _("no previous edition to compare"),
}


@dataclass
class Cell:
    """One pillar (or plan item) in one state, as an edition has it."""

    subject: str  # "Pillar IV" or "item II.3"
    subject_key: str  # the pillar number or the item code, for sorting and links
    country: Country
    current: int = 0  # current activities
    organisations: int = 0  # distinct lead organisations of the current activities
    only_organisation: Organisation | None = None
    ever: int = 0  # activities of any status
    last_year: int | None = None  # the last year any activity ran
    previous_state: str | None = None
    region_wide: int = 0  # current region-wide activities under the same pillar or item

    @property
    def state(self) -> str:
        if not self.current:
            return REGION_ONLY if self.region_wide else GAP
        return THIN if self.organisations == 1 else COVERED

    @property
    def trend(self) -> str:
        if self.previous_state is None:
            return FIRST
        now, before = STATE_ORDER[self.state], STATE_ORDER[self.previous_state]
        if now == before:
            return SAME
        if now < before:
            return BETTER
        return NEW if before == 0 else WORSE

    @property
    def trend_label(self) -> str:
        return str(TREND_LABELS[self.trend])

    @property
    def explanation(self) -> str:
        """The cell in one sentence: 'Pillar IV in Turkmenistan: no activity since 2014.'"""
        where = {"subject": self.subject, "country": self.country.name}
        if self.state == REGION_ONLY:
            text = ngettext(
                "%(subject)s in %(country)s: no current activity names the state; "
                "%(n)s current region-wide activity covers it.",
                "%(subject)s in %(country)s: no current activity names the state; "
                "%(n)s current region-wide activities cover it.",
                self.region_wide,
            ) % {**where, "n": self.region_wide}
        elif self.state == GAP and not self.ever:
            text = gettext("%(subject)s in %(country)s: no activity recorded.") % where
        elif self.state == GAP and self.last_year:
            text = gettext("%(subject)s in %(country)s: no activity since %(year)s.") % {
                **where,
                "year": self.last_year,
            }
        elif self.state == GAP:
            text = gettext("%(subject)s in %(country)s: no current activity.") % where
        elif self.state == THIN:
            organisation = self.only_organisation
            text = gettext(
                "%(subject)s in %(country)s: every current activity is led by %(organisation)s."
            ) % {**where, "organisation": organisation.acronym or organisation.name}
        else:
            text = gettext("%(subject)s in %(country)s: %(n)s current activities.") % {
                **where,
                "n": self.current,
            }
        return text

    def rank(self) -> tuple:
        """Gaps first, the longest without activity first; then cells resting on one organisation."""
        order = {GAP: 0, REGION_ONLY: 1, THIN: 2, COVERED: 3}[self.state]
        return (order, bool(self.ever), self.last_year or 0, self.subject_key, self.country.name)


@dataclass
class GapAnalysis:
    edition: Edition
    previous: Edition | None
    countries: list[Country]
    pillars: list[Pillar]
    items: list[ActionItem]
    pillar_cells: list[Cell]
    item_cells: list[Cell]
    year_from: int | None = None
    year_to: int | None = None
    # A framework beside the pillars, when asked for: its areas' cells, as the pillars'.
    framework: Framework | None = None
    area_cells: list[Cell] = field(default_factory=list)

    @property
    def area_gaps(self) -> list[Cell]:
        return sorted((c for c in self.area_cells if c.state != COVERED), key=Cell.rank)

    @property
    def gaps(self) -> list[Cell]:
        """Every pillar and item cell without current activity or resting on one organisation."""
        return sorted(
            (c for c in [*self.pillar_cells, *self.item_cells] if c.state != COVERED),
            key=Cell.rank,
        )

    @property
    def pillar_gaps(self) -> list[Cell]:
        return sorted((c for c in self.pillar_cells if c.state != COVERED), key=Cell.rank)

    @property
    def item_gaps(self) -> list[Cell]:
        return sorted((c for c in self.item_cells if c.state != COVERED), key=Cell.rank)

    def grid(self) -> list[tuple[Pillar, list[Cell]]]:
        """Pillar cells as rows of pillars by columns of states, for a heat map."""
        by_key = {(c.subject_key, c.country.pk): c for c in self.pillar_cells}
        return [
            (p, [by_key[(str(p.number), country.pk)] for country in self.countries])
            for p in self.pillars
        ]


def previous_edition(edition: Edition) -> Edition | None:
    return Edition.objects.filter(number__lt=edition.number).order_by("-number").first()


def years_q(year_from: int | None, year_to: int | None) -> Q:
    """Facts of activities overlapping the year range (all when no range is given)."""
    q = Q()
    if year_to is not None:
        q &= Q(start_year__isnull=True) | Q(start_year__lte=year_to)
    if year_from is not None:
        q &= Q(end_year__isnull=True) | Q(end_year__gte=year_from)
    return q


def coverage_gaps(
    edition: Edition,
    *,
    plan: Plan | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    framework: str | None = None,
) -> GapAnalysis:
    """The gaps of an edition, against the previous edition, for the plan's states.

    With FRAMEWORK (a key), also the cells of its areas: only the activities classified
    under an area count in that area's cells.
    """
    plan = plan or site_plan()
    countries = list(plan.countries.order_by("name")) if plan else []
    pillars = list(Pillar.objects.filter(strategy_id=plan.strategy_id)) if plan else []
    items = _current_items(plan)
    previous = previous_edition(edition)
    years = years_q(year_from, year_to)

    pillar_cells = [
        Cell(gettext("Pillar %(n)s") % {"n": roman(p.number)}, str(p.number), c)
        for p in pillars
        for c in countries
    ]
    item_cells = [
        Cell(gettext("Item %(code)s") % {"code": i.code}, i.code, c)
        for i in items
        for c in countries
    ]
    by_pillar = {(int(c.subject_key), c.country.pk): c for c in pillar_cells}
    by_item = {(i.pk, c.pk): cell for i, c, cell in _item_keys(items, countries, item_cells)}

    facts = EditionFact.objects.filter(years, country__in=countries, pillar_number__isnull=False)
    item_facts = EditionItemFact.objects.filter(years, country__in=countries, action_item__in=items)
    region = EditionFact.objects.filter(years, region_wide=True, pillar_number__isnull=False)
    item_region = EditionItemFact.objects.filter(years, region_wide=True, action_item__in=items)
    _fill(by_pillar, _cell_counts(facts.filter(edition=edition), "pillar_number"))
    _fill(by_item, _cell_counts(item_facts.filter(edition=edition), "action_item_id"))
    _fill_region(by_pillar, _region_counts(region.filter(edition=edition), "pillar_number"))
    _fill_region(by_item, _region_counts(item_region.filter(edition=edition), "action_item_id"))
    if previous is not None:
        _fill_previous(
            by_pillar,
            _cell_counts(facts.filter(edition=previous), "pillar_number"),
            _region_counts(region.filter(edition=previous), "pillar_number"),
        )
        _fill_previous(
            by_item,
            _cell_counts(item_facts.filter(edition=previous), "action_item_id"),
            _region_counts(item_region.filter(edition=previous), "action_item_id"),
        )
    chosen = Framework.objects.filter(key=framework).first() if framework else None
    area_cells = _area_cells(chosen, countries, edition, previous, years)
    _name_organisations([*pillar_cells, *item_cells, *area_cells])
    return GapAnalysis(
        edition,
        previous,
        countries,
        pillars,
        items,
        pillar_cells,
        item_cells,
        year_from,
        year_to,
        chosen,
        area_cells,
    )


def _area_cells(framework, countries, edition, previous, years) -> list[Cell]:
    """The cells of a framework's areas in each state, filled as the pillars' are."""
    if framework is None:
        return []
    areas = list(FrameworkArea.objects.filter(framework=framework).order_by("position", "code"))
    cells = [
        Cell(gettext("Area %(code)s (%(title)s)") % {"code": a.code, "title": a.title}, a.code, c)
        for a in areas
        for c in countries
    ]
    by_area = {(a.pk, c.pk): cell for a, c, cell in _item_keys(areas, countries, cells)}
    facts = EditionAreaFact.objects.filter(years, country__in=countries, area__in=areas)
    region = EditionAreaFact.objects.filter(years, region_wide=True, area__in=areas)
    _fill(by_area, _cell_counts(facts.filter(edition=edition), "area_id"))
    _fill_region(by_area, _region_counts(region.filter(edition=edition), "area_id"))
    if previous is not None:
        _fill_previous(
            by_area,
            _cell_counts(facts.filter(edition=previous), "area_id"),
            _region_counts(region.filter(edition=previous), "area_id"),
        )
    return cells


def _current_items(plan: Plan | None) -> list[ActionItem]:
    """The items of the plan's latest version whose items are recorded.

    A newer version whose text no source gives (the 2022 update of the Central Asia
    plan) has no items: its gaps are not known, so the latest version that has them
    stands for the plan.
    """
    if plan is None:
        return []
    with_items = plan.versions.filter(items__isnull=False).distinct()
    version = with_items.order_by("-adopted_on", "-label").first()
    if version is None:
        return []
    return list(version.items.select_related("pillar").order_by("pillar__number", "position"))


def _item_keys(items, countries, cells):
    pairs = [(i, c) for i in items for c in countries]
    return [(i, c, cell) for (i, c), cell in zip(pairs, cells, strict=True)]


def _cell_counts(facts, subject: str) -> list[dict]:
    current = Q(status__in=CURRENT)
    return list(
        facts.values(subject, "country_id").annotate(
            current=Count("entry_id", distinct=True, filter=current),
            organisations=Count("lead_organisation_id", distinct=True, filter=current),
            only_organisation=Min("lead_organisation_id", filter=current),
            ever=Count("entry_id", distinct=True),
            last_year=Max(Coalesce("end_year", "start_year")),
        )
    )


def _fill(cells: dict, rows: list[dict]) -> None:
    for row in rows:
        subject = row.get("pillar_number") or row.get("action_item_id") or row.get("area_id")
        cell = cells.get((subject, row["country_id"]))
        if cell is None:
            continue
        cell.current = row["current"]
        cell.organisations = row["organisations"]
        cell.only_organisation = row["only_organisation"]
        cell.ever = row["ever"]
        cell.last_year = row["last_year"]


def _region_counts(facts, subject: str) -> dict:
    """{pillar number or item id: current region-wide activities} of one edition."""
    rows = facts.values(subject).annotate(
        current=Count("entry_id", distinct=True, filter=Q(status__in=CURRENT))
    )
    return {row[subject]: row["current"] for row in rows if row["current"]}


def _fill_region(cells: dict, counts: dict) -> None:
    for (subject, _country), cell in cells.items():
        cell.region_wide = counts.get(subject, 0)


def _fill_previous(cells: dict, rows: list[dict], region: dict) -> None:
    for (subject, _country), cell in cells.items():
        cell.previous_state = REGION_ONLY if region.get(subject) else GAP
    for row in rows:
        subject = row.get("pillar_number") or row.get("action_item_id") or row.get("area_id")
        cell = cells.get((subject, row["country_id"]))
        if cell is not None and row["current"]:
            cell.previous_state = THIN if row["organisations"] == 1 else COVERED


def _name_organisations(cells: list[Cell]) -> None:
    thin = [c for c in cells if c.state == THIN]
    organisations = Organisation.objects.in_bulk({c.only_organisation for c in thin})
    for cell in cells:
        cell.only_organisation = organisations.get(cell.only_organisation)
