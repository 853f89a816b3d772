"""Words of an activity's text, in English or Russian, reduced to their stems.

Titles and descriptions are compared and classified by their stems, so "borders",
"border" and "границ", "границы" match. Each word is stemmed by the Snowball stemmer
of its own script: Cyrillic words by the Russian one, others by the English one, so a
record that mixes languages (an English title, a Russian description) works too.
"""

import re
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Words that say nothing of what an activity is about.
STOP_WORDS = frozenset(
    """
    a an and are as at be by for from in into is it its of on or the to with within
    under over this that these those their our all per via new
    и в во на с со по для от до из к ко о об а но или не как что это при без над под
    """.split()
)

_english = snowballstemmer.stemmer("english")
_russian = snowballstemmer.stemmer("russian")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    stemmer = _russian if CYRILLIC.search(word) else _english
    return stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    """The stems of a text's words, stop words left out, in order."""
    words = (w for w in WORD.findall(text.casefold().replace("ё", "е")) if w not in STOP_WORDS)
    return [stem(w) for w in words]


def record_words(record: dict) -> str:
    """A snapshot's (or data set record's) title and description in every language, as one text."""
    parts = []
    for name in ("title", "description"):
        value = record.get(name) or {}
        parts.extend(v for v in (value.values() if isinstance(value, dict) else [value]) if v)
    return " ".join(parts)
