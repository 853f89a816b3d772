"""`build_site`: the public site written out as plain files, through Django itself.

Every page is rendered by the real URLconf through Django's test client, as an
anonymous visitor (so only what the public sees: no draft, no internal field), in
every language of the site. The build starts from the addresses the site names
(`seed_urls`) and follows every internal link the pages hold, then writes each page
as `path/index.html` with its links made relative (`paths`), copies the static files
the pages use and writes the client-side search index (`search_index`).

What is reachable from static files:
- every view without filters, every page of a paginated list, every published
  edition (`?edition=N`), and every filtered view (up to `MAX_FILTERS` filters) that
  a page without filters links to: a matrix cell, row or column, a pillar or country;
- links to deeper filter combinations, and to pages a static copy cannot have
  (logging in, the back office, imports, the API), become plain text: a link in
  the static site never leads to a missing file;
- filter forms are left out: a static server cannot filter; search is done in the
  browser by the static search page (`jpoa.sitebuild.views.search`).

A second build is fast: a file whose content is unchanged is not rewritten, and a
published edition (immutable, see `jpoa.matrix.editions`) is not rendered again
when its first page renders as before under the same code; its files are kept.
"""

import contextlib
import hashlib
import json
import logging
import os
import posixpath
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

import jpoa
from jpoa.matrix import selectors as matrix_selectors

from . import context
from .paths import canonical, output_path, relative_link, split
from .search_index import Entry, index_files, page_entry

STATIC_URLCONF = "jpoa.sitebuild.urls"
MANIFEST = ".jpoa-site.json"
MAX_FILTERS = 2
# Query parameters that choose what to show rather than filter it.
NOT_FILTERS = {"edition", "page"}
# Sections no anonymous visitor can use, not even asked for.
PRIVATE_NAMESPACES = {"admin", "accounts", "rounds"}
PRIVATE_VIEWS = {"exchange:upload", "exchange:import_detail", "exchange:import_confirm"}

LINK = re.compile(r'(?P<before>\s(?:href|src|action)=")(?P<url>[^"]*)(?P<after>")')
# Every form but the site's search form: a static server cannot filter or log in.
FILTER_FORM = re.compile(r'<form\b(?![^>]*role="search")[^>]*>.*?</form>', re.DOTALL)
A_TAG = re.compile(r"<a\b[^>]*>")
CSS_URL = re.compile(r"""url\(\s*['"]?(?P<url>[^'")]+)['"]?\s*\)""")


class BuildError(Exception):
    """A page failed to render; nothing was written."""


@dataclass
class Rendered:
    url: str
    file: str
    body: bytes
    content_type: str
    edition: int | None
    links: list[str] = field(default_factory=list)
    attachment: bool = False  # a file to download (a library file, a data download)

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html") and not self.attachment


@dataclass
class BuildReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_editions: list[str] = field(default_factory=list)
    unlinked: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    seconds: float = 0.0


def build_site(
    out_dir: Path,
    *,
    base_url: str = "/",
    clean: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> BuildReport:
    """Write the public site into `out_dir`; returns what was written and what was not."""
    started = time.monotonic()
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir} is a file, not a directory")
    if urlsplit(base_url).scheme not in ("", "http", "https"):
        raise BuildError(f"--base-url {base_url!r}: expected a path (/jpoa/) or an http(s) URL")
    previous = _read_manifest(out_dir)
    if clean and previous is None and out_dir.exists() and any(out_dir.iterdir()):
        raise BuildError(
            f"{out_dir} is not empty and holds no earlier build; "
            "refusing to clean it (choose an empty or new directory)"
        )
    _collect_static()
    builder = _Builder(out_dir, base_url, previous, progress)
    hosts = [*settings.ALLOWED_HOSTS, builder.host]
    with (
        override_settings(ROOT_URLCONF=STATIC_URLCONF, ALLOWED_HOSTS=hosts),
        context.static_build(),
        _quiet("django.request"),  # the pages a link names but the site lacks are expected
    ):
        builder.crawl()
        report = builder.write(clean=clean)
    report.seconds = time.monotonic() - started
    return report


def _collect_static() -> None:
    """Hashed static names exist only once collected: collect when a file is newer."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    manifest = Path(staticfiles_storage.path(staticfiles_storage.manifest_name))
    collected = manifest.stat().st_mtime if manifest.exists() else 0
    newest = max(
        (
            storage.get_modified_time(path).timestamp()
            for finder in finders.get_finders()
            for path, storage in finder.list([])
        ),
        default=0,
    )
    if newest > collected:
        call_command("collectstatic", interactive=False, verbosity=0)


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_manifest(out_dir: Path) -> dict | None:
    try:
        return json.loads((out_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def code_fingerprint() -> str:
    """Changes when anything that shapes a page changes: version, templates, translations, assets."""
    digest = hashlib.sha256(jpoa.__version__.encode())
    root = Path(jpoa.__file__).parent
    for path in sorted([*root.rglob("templates/**/*.html"), *root.rglob("*.mo")]):
        digest.update(path.read_bytes())
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and staticfiles_storage.exists(manifest):
        with staticfiles_storage.open(manifest) as f:
            digest.update(f.read())
    digest.update(" ".join(code for code, _name in settings.LANGUAGES).encode())
    return digest.hexdigest()


class _Builder:
    def __init__(self, out_dir: Path, base_url: str, previous: dict | None, progress) -> None:
        self.out_dir = out_dir
        parts = urlsplit(base_url)
        self.secure = parts.scheme == "https"
        self.host = parts.netloc or _allowed_host()
        self.base_path = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
        self.client = Client(HTTP_HOST=self.host)
        self.progress = progress
        self.fingerprint = code_fingerprint()
        same_code = previous and previous.get("code") == self.fingerprint
        self.previous = previous if same_code else None
        self.pages: dict[str, Rendered] = {}
        self.aliases: dict[str, str] = {}  # a redirecting address -> where it leads
        self.missing: set[str] = set()
        self.kept: dict[str, dict] = {}  # pages of unchanged editions, from the last build
        self.static: set[str] = set()
        self.media: set[str] = set()
        self.probes: dict[str, str] = {}
        self.frozen: set[tuple[str, int]] = set()
        self.generated: dict[str, str] = {}  # files the build writes beside the pages

    # -- rendering --------------------------------------------------------------------

    def crawl(self) -> None:
        queue = deque()
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                self._probe_editions(language, queue)
                queue.extend(seed_urls())
        seen: set[str] = set()
        while queue:
            while queue:
                url = queue.popleft()
                if url in seen:
                    continue
                seen.add(url)
                queue.extend(link for link in self._visit(url) if link not in seen)
                if len(seen) % 200 == 0:
                    self.progress(f"{len(seen)} addresses visited, {len(queue)} to go")
            queue.extend(self._unsettled_kept())

    def _unsettled_kept(self) -> list[str]:
        """Kept pages that link to a page this build does not have are rendered after all."""
        stale = [
            url
            for url, old in self.kept.items()
            if any(self.target_file(link) is None for link in _followed(url, old["links"]))
        ]
        for url in stale:
            del self.kept[url]
            self._render(url)
        return [
            link
            for url in stale
            if url in self.pages
            for link in _followed(url, self.pages[url].links)
        ]

    def _probe_editions(self, language: str, queue: deque) -> None:
        """Render each edition's first page; an edition renders as before: keep its files."""
        old = (self.previous or {}).get("editions", {})
        for edition in matrix_selectors.published_editions():
            url = canonical(reverse("matrix:organisations"), f"edition={edition.number}")
            page = self._render(url)
            if page is None:
                continue
            key = f"{language}:{edition.number}"
            self.probes[key] = hashlib.sha256(page.body).hexdigest()
            if old.get(key) == self.probes[key]:
                self.frozen.add((language, edition.number))
            queue.append(url)

    def _visit(self, url: str) -> list[str]:
        if url in self.pages:
            return _followed(url, self.pages[url].links)
        old = (self.previous or {}).get("pages", {}).get(url)
        frozen = old and (url.split("/")[1], old.get("edition")) in self.frozen
        if frozen and (self.out_dir / old["file"]).is_file():
            self.kept[url] = old
            return _followed(url, old["links"])
        page = self._render(url)
        return _followed(url, page.links) if page else []

    def _render(self, url: str) -> Rendered | None:
        path, params = split(url)
        try:
            response = self.client.get(path, params, secure=self.secure)
        except Exception as exc:
            raise BuildError(f"{url} failed to render: {exc!r}") from exc
        if response.status_code in (301, 302, 307, 308):
            target = self.internal(response["Location"], url)
            if target and target != url:
                self.aliases[url] = target
                return None
        if response.status_code >= 500:
            raise BuildError(f"{url} answered {response.status_code}")
        if response.status_code != 200:
            self.missing.add(url)
            return None
        body = b"".join(response) if response.streaming else response.content
        attachment = attachment_name(response.get("Content-Disposition", ""))
        file = output_path(url)
        if attachment and (path.endswith("/") or file.lower().endswith(ACTIVE_SUFFIXES)):
            # Under its own name, never as the index.html of its address.
            file = f"{file.rsplit('/', 1)[0]}/{attachment}" if "/" in file else attachment
        page = Rendered(
            url=url,
            file=file,
            body=body,
            content_type=response.get("Content-Type", ""),
            edition=_edition_of(params),
            attachment=bool(attachment),
        )
        if page.is_html:
            page.body = FILTER_FORM.sub("", page.body.decode()).encode()
            page.links = [
                link for m in LINK.finditer(page.body.decode()) if (link := self.page_link(m, url))
            ]
        self.pages[url] = page
        return page

    def internal(self, href: str, base: str) -> str | None:
        """The canonical address of an internal link, or None for anything else."""
        from urllib.parse import urljoin

        parts = urlsplit(urljoin(base, unescape(href)))
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", self.host):
            return None
        if not parts.path.startswith("/"):
            return None
        return canonical(parts.path, parts.query)

    def page_link(self, match: re.Match, base: str) -> str | None:
        """A link the crawl follows: an internal page the static site may hold."""
        url = self.internal(match["url"], base)
        if url is None:
            return None
        path, params = split(url)
        if _static_name(path) is not None:
            self.static.add(path)
            return None
        if _media_name(path) is not None:
            self.media.add(path)
            return None
        return url if _is_public_page(path, params) else None

    # -- writing ----------------------------------------------------------------------

    def write(self, *, clean: bool) -> BuildReport:
        report = BuildReport(pages=len(self.pages) + len(self.kept))
        old_files = dict((self.previous or {}).get("files", {}))
        files: dict[str, str] = {}
        for key in sorted(self.frozen):
            report.kept_editions.append(f"{key[0]}:{key[1]}")

        def put(name: str, body: bytes) -> None:
            digest = hashlib.sha256(body).hexdigest()
            files[name] = digest
            target = self.out_dir / name
            if old_files.get(name) == digest and target.exists():
                report.unchanged.append(name)
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(body)
            os.replace(tmp, target)
            report.written.append(name)

        entries: dict[str, list[Entry]] = {code: [] for code, _name in settings.LANGUAGES}
        index_dirs = {}
        for language in entries:
            with translation.override(language):
                index_dirs[language] = output_path(reverse("sitebuild-search")).rsplit("/", 1)[0]
                search_url = reverse("sitebuild-search")
            for name in ("search-index.json", "search-index.js"):
                self.generated[search_url + name] = f"{index_dirs[language]}/{name}"
        for page in self.pages.values():
            body = self.rewrite(page, report) if page.is_html else self.absolute(page.body)
            put(page.file, body)
            language = page.url.split("/")[1]
            indexed = language in entries and "?" not in page.url and page.is_html
            if indexed and page.file != f"{index_dirs[language]}/index.html":
                entry = self._entry(page, body)
                if entry:
                    entries[language].append(entry)
        for old in self.kept.values():
            files[old["file"]] = old_files.get(old["file"], "")
            report.unchanged.append(old["file"])
        for language, language_entries in entries.items():
            data, script = index_files(sorted(language_entries, key=lambda e: e.url))
            put(f"{index_dirs[language]}/search-index.json", data)
            put(f"{index_dirs[language]}/search-index.js", script)
        for name, body in self._static_files():
            put(name, body)
        put("index.html", self._root_page())

        if clean:
            report.removed = self._remove_stale(set(files))
        manifest = {
            "code": self.fingerprint,
            "editions": self.probes,
            "files": files,
            "pages": {
                **{
                    url: {"file": p.file, "links": p.links, "edition": p.edition}
                    for url, p in self.pages.items()
                },
                **self.kept,
            },
        }
        (self.out_dir / MANIFEST).write_text(json.dumps(manifest, sort_keys=True))
        return report

    def _entry(self, page: Rendered, body: bytes) -> Entry | None:
        with translation.override(page.url.split("/")[1]):
            search_file = output_path(reverse("sitebuild-search"))
        return page_entry(body.decode(), relative_link(search_file, page.file))

    def target_file(self, url: str) -> str | None:
        """The written file an internal address leads to, or None when the site has none."""
        for _hop in range(5):
            if url not in self.aliases:
                break
            url = self.aliases[url]
        if url in self.pages:
            return self.pages[url].file
        if url in self.kept:
            return self.kept[url]["file"]
        return self.generated.get(url)

    def rewrite(self, page: Rendered, report: BuildReport) -> bytes:
        """Every internal link of a page made relative; links to nowhere made plain text."""
        html = page.body.decode()
        dead: set[str] = set()

        def replace(match: re.Match) -> str:
            href = match["url"]
            if href.startswith("#"):
                return match.group(0)
            url = self.internal(href, page.url)
            if url is None:
                return match.group(0)
            fragment = urlsplit(unescape(href)).fragment
            path, _params = split(url)
            if (name := _static_name(path)) is not None:
                target = "static/" + name
            elif (name := _media_name(path)) is not None:
                target = "media/" + name
            else:
                target = self.target_file(url)
            if target is None:
                dead.add(href)
                report.unlinked[url] = report.unlinked.get(url, 0) + 1
                return match.group(0)
            link = relative_link(page.file, target, fragment)
            return f"{match['before']}{escape(link)}{match['after']}"

        html = LINK.sub(replace, html)
        if dead:
            html = A_TAG.sub(lambda m: _unlink(m.group(0), dead), html)
            dead_hrefs = "|".join(re.escape(d) for d in dead)
            html = re.sub(rf'<link\b[^>]*href="(?:{dead_hrefs})"[^>]*>', "", html)
        return html.encode()

    def absolute(self, body: bytes) -> bytes:
        """Absolute addresses in feeds (the calendar) carry the site's sub-path."""
        if self.base_path == "/":
            return body
        for scheme in ("http", "https"):
            old = f"{scheme}://{self.host}/".encode()
            body = body.replace(old, f"{scheme}://{self.host}{self.base_path}".encode())
        return body

    def _static_files(self) -> Iterator[tuple[str, bytes]]:
        names = {_static_name(path) for path in self.static}
        done: set[str] = set()
        while names:
            name = names.pop()
            if not name or name in done:
                continue
            done.add(name)
            source = _find_static(name)
            if source is None:
                continue
            body = source.read_bytes()
            if name.endswith(".css"):
                for match in CSS_URL.finditer(body.decode(errors="replace")):
                    ref = match["url"]
                    if not ref.startswith(("data:", "#", "http:", "https:", "/")):
                        names.add(os.path.normpath(os.path.join(os.path.dirname(name), ref)))
            yield f"static/{name}", body
        for path in self.media:
            name = _media_name(path)
            source = Path(settings.MEDIA_ROOT) / name
            if source.is_file():
                yield f"media/{name}", source.read_bytes()

    def _root_page(self) -> bytes:
        """The site's root sends a visitor on to the home page in the default language."""
        with translation.override(settings.LANGUAGE_CODE):
            home = output_path(reverse("public:home"))
        return (
            (
                '<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
                '<meta http-equiv="refresh" content="0; url={home}">'
                "<title>jpoa</title></head>"
                '<body><p><a href="{home}">{home}</a></p></body></html>\n'
            )
            .format(lang=settings.LANGUAGE_CODE, home=escape(home))
            .encode()
        )

    def _remove_stale(self, keep: set[str]) -> list[str]:
        removed = []
        for path in sorted(self.out_dir.rglob("*")):
            name = path.relative_to(self.out_dir).as_posix()
            if path.is_file() and name not in keep and not path.name.startswith("."):
                path.unlink()
                removed.append(name)
        for path in sorted(self.out_dir.rglob("*"), reverse=True):
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return removed


def seed_urls() -> list[str]:
    """The addresses the public site names, in the active language; the crawl finds the rest."""
    names = [
        "public:home",
        "public:plan",
        "public:plan_compare",
        "public:pillars",
        "public:states",
        "public:events",
        "public:participants",
        "public:events_ics",
        "public:findings",
        "public:library",
        "public:sources",
        "matrix:organisations",
        "matrix:heatmap",
        "matrix:plan_items",
        "matrix:activities",
        "matrix:editions",
        "matrix:compare",
        "exchange:downloads",
        "exchange:matrix_xlsx",
        "exchange:matrix_csv",
        "exchange:matrix_json",
        "exchange:matrix_datapackage",
        "exchange:matrix_parquet",
        "sitebuild-search",
    ]
    urls = [reverse(name) for name in names]
    per_edition = [
        "matrix:organisations",
        "matrix:heatmap",
        "matrix:plan_items",
        "matrix:activities",
        "exchange:matrix_xlsx",
        "exchange:matrix_csv",
        "exchange:matrix_json",
        "exchange:matrix_datapackage",
        "exchange:matrix_parquet",
    ]
    for edition in matrix_selectors.published_editions():
        urls += [canonical(reverse(name), f"edition={edition.number}") for name in per_edition]
    return urls


def _is_public_page(path: str, params: list[tuple[str, str]]) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.namespace in PRIVATE_NAMESPACES or match.view_name in PRIVATE_VIEWS:
        return False
    if path.split("/")[1] not in dict(settings.LANGUAGES):
        return False
    return len([k for k, _v in params if k not in NOT_FILTERS]) <= MAX_FILTERS


def _filters(url: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in split(url)[1] if k not in NOT_FILTERS]


def _followed(url: str, links: list[str]) -> list[str]:
    """The links the crawl follows from a page.

    From a page without filters: all. From a filtered page: only those without filters
    or the same view with the same ones (its other pages), so that the site holds what
    the unfiltered pages link to (a matrix cell, row or column), not every combination.
    """
    own = _filters(url)
    if not own:
        return links
    path = split(url)[0]
    return [
        link
        for link in links
        if not _filters(link) or (_filters(link) == own and split(link)[0] == path)
    ]


def _edition_of(params: list[tuple[str, str]]) -> int | None:
    value = dict(params).get("edition", "")
    return int(value) if value.isdigit() else None


def _static_prefix() -> str:
    url = settings.STATIC_URL
    return url if url.startswith("/") else "/" + url


def _static_name(path: str) -> str | None:
    prefix = _static_prefix()
    return path[len(prefix) :] if path.startswith(prefix) else None


# Files a web server would serve as a type that runs script on the site's origin.
ACTIVE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".xml", ".xsl", ".js", ".mjs")


def attachment_name(disposition: str) -> str:
    """The file name of an attachment, made safe to write and to serve from the site.

    A static web server chooses a file's type by its name: a name that would be served
    as HTML, SVG or script gets `.txt` added, so an uploaded HTML file is served as
    plain text and its script never runs on the site's origin. '' if not an attachment.
    """
    if not disposition.lower().startswith("attachment"):
        return ""
    found = re.search(r'filename="([^"]*)"', disposition) or re.search(
        r"filename=([^;]*)", disposition
    )
    name = posixpath.basename((found.group(1) if found else "").strip()) or "download"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "download"
    if name.lower().endswith(ACTIVE_SUFFIXES) or name.lower() == "index.html":
        name += ".txt"
    return name


def _media_name(path: str) -> str | None:
    prefix = settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else "/" + settings.MEDIA_URL
    return path[len(prefix) :] if path.startswith(prefix) and len(path) > len(prefix) else None


def _find_static(name: str) -> Path | None:
    """A collected file (hashed names exist only there), else the app's own copy."""
    if isinstance(staticfiles_storage, ManifestFilesMixin) and staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    found = finders.find(name)
    return Path(found) if found else None


def _allowed_host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host and "*" not in host and not host.startswith("."):
            return host.strip("[]") if host.startswith("[") else host
    return "localhost"


def _unlink(tag: str, dead: set[str]) -> str:
    """`<a href="/en/admin/">` -> `<a>`: text that is not a link in the static copy."""
    href = re.search(r'\shref="([^"]*)"', tag)
    if href and href.group(1) in dead:
        return tag.replace(href.group(0), "")
    return tag
