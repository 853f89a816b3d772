"""Where each address of the site lives as a file, and links between files made relative.

A static server ignores query strings and `file://` has none at all, so a filtered
view (`/en/matrix/activities/?org=osce&pillar=2`) is written under a path segment of
its own (`en/matrix/activities/org=osce,pillar=2/index.html`). Every link is made
relative to the page that holds it and points at a file (`index.html`, not a
directory), so the site works from any sub-path of a web server and from disk.
"""

import hashlib
import posixpath
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

# A query becomes a readable segment when every key and value is made of these.
PLAIN = re.compile(r"^[A-Za-z0-9_.-]+$")


def canonical(path: str, query: str) -> str:
    """One spelling per address: parameters sorted, empty ones dropped."""
    params = sorted((k, v) for k, v in parse_qsl(query) if v != "")
    return f"{path}?{urlencode(params)}" if params else path


def split(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return parts.path, parse_qsl(parts.query)


def query_segment(params: list[tuple[str, str]]) -> str:
    """`org=osce,pillar=2` (never a valid key of a record), or a short digest for odd values."""
    if all(PLAIN.match(k) and PLAIN.match(v) for k, v in params):
        return ",".join(f"{k}={v}" for k, v in params)
    return "q=" + hashlib.sha256(urlencode(params).encode()).hexdigest()[:16]


def output_path(url: str) -> str:
    """The file, relative to the site's root directory, that holds an address."""
    path, params = split(url)
    directory, name = (path, "index.html") if path.endswith("/") else posixpath.split(path)
    parts = [p for p in directory.split("/") if p]
    if params:
        parts.append(query_segment(params))
    return "/".join([*parts, name])


def relative_link(from_file: str, to_file: str, fragment: str = "") -> str:
    """A link from one written file to another, percent-encoded, with its #fragment."""
    link = posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")
    return quote(link, safe="/=,") + (f"#{fragment}" if fragment else "")
