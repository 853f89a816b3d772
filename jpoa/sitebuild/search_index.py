"""The client-side search index: the title, section and text of every written page.

The index is read from the pages the build rendered as an anonymous visitor, so it
holds exactly what the public site shows and nothing else (no draft, no internal
field can reach it that a page did not already show).
"""

import json
import re
from dataclasses import asdict, dataclass
from html.parser import HTMLParser

# Enough text to find a record by its description; the page itself has the rest.
TEXT_LIMIT = 1500

SKIPPED = {"script", "style", "svg", "nav", "form", "template"}


@dataclass
class Entry:
    url: str  # relative to the search page
    title: str
    section: str
    text: str


class PageText(HTMLParser):
    """The first <h1>, the current section of the main navigation, and the text of <main>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.section: list[str] = []
        self.text: list[str] = []
        self._main = 0
        self._skip = 0
        self._h1 = False
        self._h1_done = False
        self._current_nav_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._main += 1
        elif tag in SKIPPED:
            self._skip += 1
        if tag == "h1" and self._main and not self._h1_done:
            self._h1 = True
        if tag == "a" and attrs.get("aria-current") and self._skip and not self.section:
            self._current_nav_link = True

    def handle_endtag(self, tag):
        if tag == "main":
            self._main -= 1
        elif tag in SKIPPED:
            self._skip = max(0, self._skip - 1)
        if tag == "h1" and self._h1:
            self._h1, self._h1_done = False, True
        if tag == "a":
            self._current_nav_link = False

    def handle_data(self, data):
        if self._current_nav_link:
            self.section.append(data)
        if not self._main or self._skip:
            return
        (self.title if self._h1 else self.text).append(data)


def _clean(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def page_entry(html: str, url: str) -> Entry | None:
    """What the index knows of one page, or None for a page without a heading."""
    parser = PageText()
    parser.feed(html)
    title = _clean(parser.title)
    if not title:
        return None
    text = _clean(parser.text)
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT].rsplit(" ", 1)[0] + " …"
    return Entry(url=url, title=title, section=_clean(parser.section), text=text)


def index_files(entries: list[Entry]) -> tuple[bytes, bytes]:
    """The index as JSON, and as a script that `file://` pages can load (they cannot fetch)."""
    data = json.dumps(
        {"pages": [asdict(e) for e in entries]}, ensure_ascii=False, separators=(",", ":")
    )
    script = f"window.jpoaSearchIndex = {data};\n"
    return data.encode(), script.encode()
