"""Participants statistics: per event, and added up per phase and per year.

An event records its total (``Event.participants_total``) and, where known, a
breakdown: groups of participants (`EventParticipants`), each with a country
and/or an organisation, a total and, where known, women and men. The groups of
an event are disjoint (no one is counted in two groups).

The arithmetic never drops or invents anyone: each breakdown (by country, by
organisation type, by sex) is shown against the whole it divides, and what its
parts do not account for is shown as *unknown*. Parts that add up to more than
the recorded total are a mistake in the data; they are reported as an excess,
not hidden. An event with no total takes the sum of its groups.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from jpoa.core.models import Organisation

from .models import Event, EventParticipants

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    count: int


@dataclass
class Breakdown:
    """A whole (`total`) divided into known parts, the unknown rest and any excess.

    Always ``known + unknown - excess == total``: for one event, ``unknown`` is what
    its parts leave out and ``excess`` what they count beyond the total; for several
    events each is the sum of theirs (one event's excess never hides another's gap).
    """

    total: int
    parts: list[Part] = field(default_factory=list)
    unknown: int = 0
    excess: int = 0

    @classmethod
    def of(cls, total: int, parts: list[Part]) -> "Breakdown":
        known = sum(p.count for p in parts)
        return cls(total, parts, max(total - known, 0), max(known - total, 0))

    @property
    def known(self) -> int:
        return sum(p.count for p in self.parts)

    @property
    def rows(self) -> list[Part]:
        """The parts, largest first, then the unknown rest: with no excess, they add up to the total."""
        rows = sorted(self.parts, key=lambda p: (-p.count, str(p.label)))
        if self.unknown:
            rows.append(Part(UNKNOWN, _("unknown"), self.unknown))
        return rows

    def __add__(self, other: "Breakdown") -> "Breakdown":
        parts = _sum_parts((p.key, p.label, p.count) for p in [*self.parts, *other.parts])
        return Breakdown(
            self.total + other.total,
            parts,
            self.unknown + other.unknown,
            self.excess + other.excess,
        )


@dataclass
class ParticipantStats:
    """The participants of one event or of several, with their breakdowns."""

    label: str
    events: int = 0
    events_without_numbers: int = 0
    total: int = 0
    by_country: Breakdown = field(default_factory=lambda: Breakdown.of(0, []))
    by_organisation_type: Breakdown = field(default_factory=lambda: Breakdown.of(0, []))
    by_sex: Breakdown = field(default_factory=lambda: Breakdown.of(0, []))
    key: str = ""
    # Women and everyone in the groups that record both women and men: the share's basis.
    women_of_counted: int = 0
    counted_by_sex: int = 0

    @property
    def women(self) -> int | None:
        return _count(self.by_sex, "women")

    @property
    def men(self) -> int | None:
        return _count(self.by_sex, "men")

    @property
    def women_share(self) -> float | None:
        """Women as a percentage of the participants whose sex is recorded (None: nobody's is).

        Only groups that record both women and men count: a group recording only its
        women says nothing of how many of the others are men.
        """
        if not self.counted_by_sex:
            return None
        return round(100 * self.women_of_counted / self.counted_by_sex, 1)

    @property
    def has_numbers(self) -> bool:
        return self.events > self.events_without_numbers

    @property
    def recorded_total(self) -> int | None:
        """The participants, or None when no event counted here recorded a number.

        `total` is 0 then, which is not the same thing: nobody counted, not nobody came.
        """
        return self.total if self.has_numbers else None


def _count(breakdown: Breakdown, key: str) -> int | None:
    return next((p.count for p in breakdown.parts if p.key == key), None)


def _sum_parts(pairs: Iterable[tuple[str, str, int]]) -> list[Part]:
    counts: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    for key, label, count in pairs:
        counts[key] += count
        labels[key] = label
    return [Part(key, labels[key], n) for key, n in counts.items()]


def event_statistics(event: Event, groups: list[EventParticipants]) -> ParticipantStats:
    """One event's participants; `groups` are its breakdown rows (countries, organisations)."""
    group_sum = sum(g.total for g in groups)
    if event.participants_total is not None:
        total = event.participants_total
    else:
        total = group_sum
    types = dict(Organisation.Type.choices)
    women = sum(g.women for g in groups if g.women is not None)
    men = sum(g.men for g in groups if g.men is not None)
    sexed = any(g.women is not None for g in groups), any(g.men is not None for g in groups)
    both = [g for g in groups if g.women is not None and g.men is not None]
    return ParticipantStats(
        label=f"{event.label}: {event.title}",
        key=event.key,
        events=1,
        events_without_numbers=int(event.participants_total is None and not groups),
        women_of_counted=sum(g.women for g in both),
        counted_by_sex=sum(g.women + g.men for g in both),
        total=total,
        by_country=Breakdown.of(
            total,
            _sum_parts((g.country.iso2, g.country.name, g.total) for g in groups if g.country),
        ),
        by_organisation_type=Breakdown.of(
            total,
            _sum_parts(
                (g.organisation.type, types.get(g.organisation.type), g.total)
                for g in groups
                if g.organisation
            ),
        ),
        by_sex=Breakdown.of(
            total,
            [
                Part(key, label, n)
                for key, label, n, recorded in (
                    ("women", _("women"), women, sexed[0]),
                    ("men", _("men"), men, sexed[1]),
                )
                if recorded
            ],
        ),
    )


def combine(label: str, stats: list[ParticipantStats], key: str = "") -> ParticipantStats:
    """Several events' participants added up, each event's unknown rest kept as unknown."""
    result = ParticipantStats(label=label, key=key)
    for s in stats:
        result.events += s.events
        result.events_without_numbers += s.events_without_numbers
        result.total += s.total
        result.women_of_counted += s.women_of_counted
        result.counted_by_sex += s.counted_by_sex
        for name in ("by_country", "by_organisation_type", "by_sex"):
            setattr(result, name, getattr(result, name) + getattr(s, name))
    return result


@dataclass
class ParticipantsReport:
    overall: ParticipantStats
    by_phase: list[ParticipantStats]
    by_year: list[ParticipantStats]
    by_event: list[ParticipantStats]


def events_with_participants(events: QuerySet[Event] | None = None) -> list[Event]:
    """Events with their phase and breakdown rows loaded (three queries)."""
    events = Event.objects.all() if events is None else events
    groups = EventParticipants.objects.select_related("country", "organisation").order_by("pk")
    return list(
        events.select_related("phase", "country").prefetch_related(
            Prefetch("participant_groups", groups)
        )
    )


def participants_report(events: list[Event]) -> ParticipantsReport:
    """Totals per event, per phase (in phase order) and per year, and overall."""
    by_event = [event_statistics(e, list(e.participant_groups.all())) for e in events]
    phases: dict = defaultdict(list)
    years: dict = defaultdict(list)
    for event, stats in zip(events, by_event, strict=True):
        phases[event.phase].append(stats)
        years[event.start_date.year].append(stats)
    phase_order = sorted(phases, key=lambda p: (p is None, p.number if p else 0))
    return ParticipantsReport(
        overall=combine(str(_("All events")), by_event),
        by_phase=[
            combine(str(p) if p else str(_("Other events")), phases[p], key=p.key if p else "")
            for p in phase_order
        ],
        by_year=[combine(str(y), years[y], key=str(y)) for y in sorted(years)],
        by_event=by_event,
    )
