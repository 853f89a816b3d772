"""Overlaps: activities of different organisations that seem to do the same thing.

Suggestions for coordination, not verdicts. Two current (planned or ongoing)
activities of a published edition are suggested when they

* are led by different organisations,
* name the same state and share a pillar (or a plan item),
* run in overlapping periods (an activity without dates overlaps any), and
* have similar titles and descriptions: the cosine of their TF-IDF vectors over
  word stems, English and Russian alike (`jpoa.analysis.text`), is at least
  `THRESHOLD`.

The score is that similarity, raised by `SAME_ITEM_BONUS` when they share a plan
item. Candidates are compared only within their (state, pillar) block, so the cost
grows with the size of the blocks, not with the square of the edition. A pair a
coordinator dismissed (`OverlapDismissal`) is never suggested again.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from jpoa.accounts.access import require_coordinator
from jpoa.accounts.audit import acting_as
from jpoa.core.models import Country, Organisation
from jpoa.matrix.models import Edition, EditionEntry, EditionFact
from jpoa.matrix.published import record_text
from jpoa.plan.models import roman

from .gaps import CURRENT
from .models import OverlapDismissal
from .text import record_words, stems

THRESHOLD = 0.35
SAME_ITEM_BONUS = 0.1
# Blocks bigger than this are split by start year, so that no comparison is of
# a block with itself of hundreds of thousands of rows.
BLOCK_LIMIT = 4000


@dataclass
class Overlap:
    first: dict  # the entries' snapshots
    second: dict
    score: float
    countries: list[str]
    pillars: list[int]
    items: list[str]
    shared_words: list[str]

    @property
    def pair(self) -> tuple[str, str]:
        return tuple(sorted((self.first["key"], self.second["key"])))

    @property
    def first_title(self) -> str:
        return record_text(self.first["title"])

    @property
    def second_title(self) -> str:
        return record_text(self.second["title"])

    @property
    def reason(self) -> str:
        parts = [gettext("both in %(places)s") % {"places": ", ".join(self.countries)}]
        if self.items:
            parts.append(gettext("plan item %(codes)s") % {"codes": ", ".join(self.items)})
        else:
            parts.append(
                gettext("pillar %(numerals)s")
                % {"numerals": ", ".join(roman(n) for n in self.pillars)}
            )
        if self.shared_words:
            parts.append(
                gettext("shared word stems: %(words)s") % {"words": ", ".join(self.shared_words)}
            )
        return "; ".join(parts)


def _period(record: dict) -> tuple[datetime.date, datetime.date]:
    start = record.get("start_date")
    end = record.get("end_date")
    low = datetime.date.fromisoformat(start) if start else datetime.date.min
    high = datetime.date.fromisoformat(end) if end else datetime.date.max
    return low, high


def _overlapping(a: dict, b: dict) -> bool:
    (a0, a1), (b0, b1) = _period(a), _period(b)
    return a0 <= b1 and b0 <= a1


def find_overlaps(edition: Edition, *, include_dismissed: bool = False) -> list[Overlap]:
    """The suggested overlaps of an edition's current activities, best first."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    blocks = _blocks(edition)
    ids = sorted({entry for members in blocks.values() for entry in members})
    if len(ids) < 2:
        return []
    records = dict(EditionEntry.objects.filter(pk__in=ids).values_list("pk", "data"))
    row = {pk: n for n, pk in enumerate(ids)}
    vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True, min_df=1)
    matrix = vectorizer.fit_transform(record_words(records[pk]) for pk in ids)
    vocabulary = vectorizer.get_feature_names_out()
    dismissed = set() if include_dismissed else _dismissed()
    countries = dict(Country.objects.values_list("pk", "name"))

    found: dict[tuple, Overlap] = {}
    for (country_id, _pillar), members in blocks.items():
        for part in _split(members, records):
            rows = [row[pk] for pk in part]
            similarity = (matrix[rows] @ matrix[rows].T).tocoo()
            for i, j, value in zip(similarity.row, similarity.col, similarity.data, strict=True):
                if i >= j or value < THRESHOLD - SAME_ITEM_BONUS:
                    continue
                a, b = records[part[i]], records[part[j]]
                if a["lead_organisation"] == b["lead_organisation"] or not _overlapping(a, b):
                    continue
                pair = tuple(sorted((a["key"], b["key"])))
                if pair in dismissed:
                    continue
                items = sorted(set(a.get("action_items", [])) & set(b.get("action_items", [])))
                score = min(float(value) + (SAME_ITEM_BONUS if items else 0), 1.0)
                if score < THRESHOLD:
                    continue
                overlap = found.get(pair)
                if overlap is None:
                    shared = matrix[row[part[i]]].multiply(matrix[row[part[j]]])
                    top = shared.toarray().ravel().argsort()[::-1][:5]
                    found[pair] = Overlap(
                        a,
                        b,
                        round(score, 2),
                        [],
                        sorted(set(a["pillars"]) & set(b["pillars"])),
                        [str(i) for i in items],
                        [vocabulary[k] for k in top if shared[0, k] > 0],
                    )
                    overlap = found[pair]
                name = countries[country_id]
                if name not in overlap.countries:
                    overlap.countries.append(name)
    overlaps = sorted(found.values(), key=lambda o: (-o.score, o.pair))
    _name_organisations(overlaps)
    return overlaps


def _blocks(edition: Edition) -> dict[tuple[int, int], list[int]]:
    """Current entries by (state, pillar)."""
    blocks: dict[tuple[int, int], list[int]] = defaultdict(list)
    facts = EditionFact.objects.filter(
        edition=edition, status__in=CURRENT, country__isnull=False, pillar_number__isnull=False
    ).values_list("country_id", "pillar_number", "entry_id")
    for country_id, pillar, entry in facts.order_by("entry_id").iterator(chunk_size=20000):
        blocks[(country_id, pillar)].append(entry)
    return blocks


def _split(members: list[int], records: dict) -> list[list[int]]:
    if len(members) <= BLOCK_LIMIT:
        return [members]
    by_year: dict = defaultdict(list)
    for pk in members:
        by_year[(records[pk].get("start_date") or "")[:4]].append(pk)
    return [
        part[n : n + BLOCK_LIMIT]
        for part in by_year.values()
        for n in range(0, len(part), BLOCK_LIMIT)
    ]


def _dismissed() -> set[tuple[str, str]]:
    return set(OverlapDismissal.objects.values_list("first_key", "second_key"))


def _name_organisations(overlaps: list[Overlap]) -> None:
    keys = {o.first["lead_organisation"] for o in overlaps} | {
        o.second["lead_organisation"] for o in overlaps
    }
    names = {o.key: o.acronym or o.name for o in Organisation.objects.filter(key__in=keys)}
    for overlap in overlaps:
        for record in (overlap.first, overlap.second):
            record["lead_organisation_name"] = names.get(record["lead_organisation"], "")


def dismiss_overlap(*, first_key: str, second_key: str, user, reason: str = "") -> OverlapDismissal:
    """Record that a coordinator judged a suggested pair not to be an overlap (audited)."""

    require_coordinator(user)
    if first_key == second_key:
        raise ValueError("An activity cannot overlap itself.")
    low, high = sorted((first_key, second_key))
    with transaction.atomic(), acting_as(user):
        dismissal, _created = OverlapDismissal.objects.get_or_create(
            first_key=low, second_key=high, defaults={"reason": reason, "dismissed_by": user}
        )
    return dismissal
