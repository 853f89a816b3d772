"""Words, stems and snippets: the one place that decides what matches what.

Text is cut into words (runs of letters and digits), lower-cased, ``ё`` read as
``е``, and each word reduced to its Snowball stem: Russian for a word with a
Cyrillic letter, English for any other word with a letter, digits as they are.
The index holds stems and the query is stemmed the same way, so "конференции"
finds "конференция" and "workshops" finds "workshop" on SQLite and PostgreSQL
alike: neither database's own dictionaries are used.
"""

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LETTER = re.compile(r"[^\W\d_]")

MAX_QUERY_TERMS = 32  # words of a query beyond these are ignored
MAX_WORD = 60  # longer "words" (hashes, base64) are not worth a stem
MAX_INDEXED_CHARS = 200_000  # of each language's text of one document

_stemmers = threading.local()  # Snowball stemmers keep state: one set per thread


def _stemmer(language: str):
    stemmers = getattr(_stemmers, "by_language", None)
    if stemmers is None:
        stemmers = _stemmers.by_language = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


def normalise(word: str) -> str:
    return word.lower().replace("ё", "е")


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The stem of one word (already normalised); a text repeats its words, so stems are kept."""
    if CYRILLIC.search(word):
        return _stemmer("russian").stemWord(word)
    if LETTER.search(word):
        return _stemmer("english").stemWord(word)
    return word


class _WordStems(dict):
    """Each word as written -> its stem ("" for a word longer than MAX_WORD, which has
    none), filled as words come: indexing looks up every word of every document, and
    one lookup a word is what makes indexing a million activities affordable (a stem is
    never empty, so "" marks the words left out)."""

    LIMIT = 500_000  # words kept, then forgotten all at once (a few tens of MB at most)

    def __missing__(self, word: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        found = self[word] = stem(normalise(word)) if len(word) <= MAX_WORD else ""
        return found


_word_stems = _WordStems()


def stems(text: str) -> list[str]:
    """The stems of a text's words, in order (the text is cut at MAX_INDEXED_CHARS)."""
    return list(filter(None, map(_word_stems.__getitem__, WORD.findall(text[:MAX_INDEXED_CHARS]))))


def stem_text(texts: Iterable[str]) -> str:
    """Texts as one space-separated line of stems: what the index stores."""
    texts = [text for text in texts if text]
    joined = " ".join(texts)
    if len(joined) <= MAX_INDEXED_CHARS:  # no text is cut: their words are those of the whole
        return " ".join(stems(joined))
    return " ".join(filter(None, (" ".join(stems(text)) for text in texts)))


def query_terms(query: str) -> list[str]:
    """The distinct stems of a query, in order: every one must match.

    Anything that is not a letter or digit is dropped, so operators of the databases'
    query languages (quotes, ``AND``, ``*``, parentheses) are plain words or nothing.
    """
    terms: list[str] = []
    for word in WORD.findall(query[: MAX_QUERY_TERMS * (MAX_WORD + 1)]):
        term = stem(normalise(word)) if len(word) <= MAX_WORD else ""
        if term and term not in terms:
            terms.append(term)
        if len(terms) == MAX_QUERY_TERMS:
            break
    return terms


# -- snippets -------------------------------------------------------------------------

SNIPPET_CHARS = 240
LEAD_CHARS = 60  # context kept before the first match


@dataclass
class Snippet:
    html: SafeString
    matched: bool


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """The whole text, escaped, with every word whose stem is a query term in <mark>."""
    return _marked(text, set(terms))


def snippet(text: str, terms: Iterable[str], length: int = SNIPPET_CHARS) -> Snippet:
    """A passage of the text around its first matching word, escaped, matches in <mark>."""
    terms = set(terms)
    text = " ".join(text.split())
    first = next(
        (m.start() for m in WORD.finditer(text) if stem(normalise(m.group())) in terms), None
    )
    if first is None:
        return Snippet(_marked(_cut(text, 0, length), terms), matched=False)
    start = 0 if first <= LEAD_CHARS else text.rfind(" ", 0, first - LEAD_CHARS) + 1
    return Snippet(_marked(_cut(text, start, length), terms), matched=True)


def _cut(text: str, start: int, length: int) -> str:
    """text[start:start+length] ending at a word boundary, with … where text was left out."""
    end = start + length
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    passage = text[start:end]
    return ("… " if start > 0 else "") + passage + (" …" if end < len(text) else "")


def _marked(text: str, terms: set[str]) -> SafeString:
    parts, last = [], 0
    for m in WORD.finditer(text):
        if stem(normalise(m.group())) in terms:
            parts.append(escape(text[last : m.start()]))
            parts.append(f"<mark>{escape(m.group())}</mark>")
            last = m.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text is escaped above)
