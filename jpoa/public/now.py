""" "What is happening": the home page's summary of the matrix, the last round and the findings.

Read once an edition is published: the latest edition's coverage (the gap analysis's heat
map, cached per edition), what changed since the edition before (cached: editions never
change), the last update round and who answered it, and the findings still open.
"""

from dataclasses import dataclass

from django.core.cache import cache

from jpoa.analysis.pages import edition_gaps, gaps_heatmap
from jpoa.events.models import Finding
from jpoa.matrix.editions import count_changes
from jpoa.matrix.models import Edition
from jpoa.rounds.models import Submission, UpdateRound

OPEN_FINDINGS = (Finding.Status.OPEN, Finding.Status.IN_PROGRESS)
CACHE_SECONDS = 60 * 60 * 24 * 30


@dataclass
class Changes:
    added: int
    changed: int
    ended: int


@dataclass
class RoundSummary:
    round: UpdateRound
    asked: int
    answered: int


@dataclass
class Now:
    edition: Edition
    previous: Edition | None
    heatmap: str
    changes: Changes | None
    last_round: RoundSummary | None
    open_findings: int
    recent_findings: list[Finding]


def what_is_happening() -> Now | None:
    """The summary, or None before any edition is published."""
    editions = list(Edition.objects.order_by("-number")[:2])
    if not editions:
        return None
    edition = editions[0]
    previous = editions[1] if len(editions) > 1 else None
    findings = Finding.objects.filter(status__in=OPEN_FINDINGS)
    return Now(
        edition=edition,
        previous=previous,
        heatmap=gaps_heatmap(edition_gaps(edition)),
        changes=_changes(previous, edition) if previous else None,
        last_round=_last_round(),
        open_findings=findings.count(),
        recent_findings=list(
            findings.select_related("event").order_by("-event__start_date", "key")[:3]
        ),
    )


def _changes(old: Edition, new: Edition) -> Changes:
    key = f"jpoa-home-changes:{old.pk}:{new.pk}"
    changes = cache.get(key)
    if changes is None:
        counts = count_changes(old, new)
        changes = Changes(counts.added, counts.changed, counts.ended)
        cache.set(key, changes, CACHE_SECONDS)
    return changes


def _last_round() -> RoundSummary | None:
    last = UpdateRound.objects.select_related("edition").order_by("-opened_at", "-pk").first()
    if last is None:
        return None
    submissions = last.submissions.all()
    answered = submissions.exclude(status__in=Submission.UNANSWERED).count()
    return RoundSummary(last, submissions.count(), answered)
