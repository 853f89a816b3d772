"""Classification suggestions: which pillars (and plan items) an activity's text is about.

A suggestion, never a decision: the editor sees the pillars with a confidence and
accepts them or chooses others. The model is a TF-IDF over word stems (English and
Russian alike, `jpoa.analysis.text`) and one logistic regression per pillar
(scikit-learn), trained on

* the labelled examples in ``data/labelled-synthetic.json``: invented, hand-written
  and hand-labelled titles (SYNTHETIC, said so in the file);
* the events of the data set with their pillars, in both languages;
* every activity that has pillars.

Plan items are suggested within the suggested pillars by the cosine similarity of
the activity's text to each item's code, title and text. `evaluate` measures the
pillar suggestions on a held-out part of the labelled set (see docs/analysis.md).
"""

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jpoa.events.models import Event
from jpoa.matrix.models import Activity
from jpoa.plan.models import ActionItem, Pillar

from .text import stems

LABELLED = Path(__file__).parent / "data" / "labelled-synthetic.json"
# A pillar is suggested when its probability reaches this; the likeliest is always shown.
SUGGEST_AT = 0.5
ITEM_SUGGEST_AT = 0.15


@dataclass(frozen=True)
class Example:
    text: str
    pillars: tuple[int, ...]
    origin: str  # "synthetic", "event" or "activity"


@dataclass
class Suggestion:
    pillar: Pillar
    confidence: float  # 0..1
    suggested: bool  # above the threshold (the likeliest always is)
    items: list[tuple[ActionItem, float]]

    @property
    def percent(self) -> int:
        return round(100 * self.confidence)


def synthetic_examples() -> list[Example]:
    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    return [Example(e["text"], tuple(e["pillars"]), "synthetic") for e in data["examples"]]


def recorded_examples() -> list[Example]:
    """Events and activities of the database that have pillars, each language its own example."""
    examples = []
    events = Event.objects.prefetch_related("pillars")
    for event in events:
        pillars = tuple(sorted(p.number for p in event.pillars.all()))
        for lang in ("en", "ru"):
            text = " ".join(filter(None, [getattr(event, f"title_{lang}")]))
            if pillars and text:
                examples.append(Example(text, pillars, "event"))
    activities = Activity.objects.filter(pillars__isnull=False).distinct()
    for activity in activities.prefetch_related("pillars").iterator(chunk_size=2000):
        pillars = tuple(sorted(p.number for p in activity.pillars.all()))
        for lang in ("en", "ru"):
            text = " ".join(
                filter(
                    None,
                    [getattr(activity, f"title_{lang}"), getattr(activity, f"description_{lang}")],
                )
            )
            if text:
                examples.append(Example(text, pillars, "activity"))
    return examples


class PillarModel:
    """TF-IDF over stems and a logistic regression per pillar."""

    def __init__(self, examples: list[Example]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        self.labels = MultiLabelBinarizer()
        y = self.labels.fit_transform([e.pillars for e in examples])
        self.vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
        x = self.vectorizer.fit_transform([e.text for e in examples])
        self.model = OneVsRestClassifier(LogisticRegression(C=10, max_iter=1000))
        self.model.fit(x, y)

    def probabilities(self, text: str) -> dict[int, float]:
        x = self.vectorizer.transform([text])
        if not x.nnz:  # no known word: nothing to say
            return {}
        row = self.model.predict_proba(x)[0]
        return {int(n): float(p) for n, p in zip(self.labels.classes_, row, strict=True)}

    def predict(self, text: str) -> set[int]:
        """The pillars suggested for a text: the likeliest, and any other at SUGGEST_AT or above."""
        probabilities = self.probabilities(text)
        if not probabilities:
            return set()
        best = max(probabilities, key=probabilities.get)
        return {best} | {n for n, p in probabilities.items() if p >= SUGGEST_AT}


@lru_cache(maxsize=1)  # only the model of the current data is kept
def _trained(fingerprint: tuple) -> PillarModel:
    return PillarModel(synthetic_examples() + recorded_examples())


def pillar_model() -> PillarModel:
    """The model trained on the current labelled data (retrained when activities change)."""
    from django.db.models import Count, Max

    state = Activity.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    return _trained((state["n"], state["changed"], Event.objects.count()))


def suggest_classification(text: str, *, pillars: list[Pillar] | None = None) -> list[Suggestion]:
    """Pillars for a text, likeliest first, each with the plan items closest to the text."""
    if not text.strip():
        return []
    probabilities = pillar_model().probabilities(text)
    if not probabilities:
        return []
    pillars = pillars if pillars is not None else list(Pillar.objects.order_by("number"))
    best = max(probabilities, key=probabilities.get)
    suggestions = [
        Suggestion(
            p,
            probabilities[p.number],
            p.number == best or probabilities[p.number] >= SUGGEST_AT,
            [],
        )
        for p in pillars
        if p.number in probabilities
    ]
    suggestions.sort(key=lambda s: -s.confidence)
    _add_items([s for s in suggestions if s.suggested], text)
    return suggestions


def _add_items(suggestions: list[Suggestion], text: str) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    items = list(ActionItem.objects.filter(pillar__in=[s.pillar for s in suggestions]))
    if not items:
        return
    vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
    documents = [
        f"{i.title_en or ''} {i.title_ru or ''} {i.text_en or ''} {i.text_ru or ''}" for i in items
    ]
    matrix = vectorizer.fit_transform([*documents, text])
    similarity = (matrix[:-1] @ matrix[-1].T).toarray().ravel()
    for suggestion in suggestions:
        scored = [
            (item, float(score))
            for item, score in zip(items, similarity, strict=True)
            if item.pillar_id == suggestion.pillar.pk and score >= ITEM_SUGGEST_AT
        ]
        suggestion.items = sorted(scored, key=lambda pair: -pair[1])[:3]


# -- measuring ---------------------------------------------------------------------


@dataclass
class Evaluation:
    trained_on: int
    tested_on: int
    precision: float
    recall: float
    per_pillar: dict[int, tuple[float, float, int]]  # pillar: (precision, recall, support)


def split(examples: list[Example], held_out: float, seed: int) -> tuple[list, list]:
    """A held-out part of each first-pillar group, chosen at random with a fixed seed."""
    rng = random.Random(seed)
    train, test = [], []
    groups: dict[int, list[Example]] = {}
    for e in examples:
        groups.setdefault(e.pillars[0], []).append(e)
    for group in groups.values():
        group = sorted(group, key=lambda e: e.text)
        rng.shuffle(group)
        cut = max(1, round(len(group) * held_out))
        test += group[:cut]
        train += group[cut:]
    return train, test


def evaluate(examples: list[Example], *, held_out: float = 0.3, seed: int = 0) -> Evaluation:
    """Micro-averaged precision and recall of the suggested pillars on the held-out part."""
    train, test = split(examples, held_out, seed)
    model = PillarModel(train)
    hits = suggested = relevant = 0
    per: dict[int, list[int]] = {}
    for example in test:
        predicted, truth = model.predict(example.text), set(example.pillars)
        hits += len(predicted & truth)
        suggested += len(predicted)
        relevant += len(truth)
        for n in predicted | truth:
            counts = per.setdefault(n, [0, 0, 0])
            counts[0] += n in predicted and n in truth
            counts[1] += n in predicted
            counts[2] += n in truth
    return Evaluation(
        len(train),
        len(test),
        hits / suggested if suggested else 0.0,
        hits / relevant if relevant else 0.0,
        {
            n: (c[0] / c[1] if c[1] else 0.0, c[0] / c[2] if c[2] else 0.0, c[2])
            for n, c in sorted(per.items())
        },
    )
