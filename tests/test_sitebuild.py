"""`jpoa site build`: the public site as static files that work from a sub-path and from disk."""

import datetime
import functools
import http.server
import io
import json
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from library_files import html_page, pdf_with_text

from jpoa.events.models import Event
from jpoa.matrix.editions import publish_edition
from jpoa.sitebuild.build import MANIFEST, build_site
from tests.factories import PUBLISHER, make_activity

# One worker runs the whole module, so the build shared by its tests is made once.
pytestmark = pytest.mark.xdist_group("sitebuild")

CHROMIUM = Path("/usr/bin/chromium")


def make_data():
    """Two published editions of the matrix, then a draft no edition holds; an upcoming event."""
    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset

    load_dataset(DEFAULT_DATASET)
    make_activity("border-training", "osce", pillars=(2,), countries=("KZ", "KG"))
    make_activity("prison-guide", "unodc", pillars=(1,), countries=("TJ",))
    publish_edition(by=PUBLISHER, title="First edition")
    make_activity(
        "youth-dialogue", "osce", pillars=(1,), countries=("UZ",), internal_notes="CONFIDENTIAL-7Q"
    )
    publish_edition(by=PUBLISHER, title="Second edition")
    draft = make_activity("draft-activity", "unodc", pillars=(3,), countries=("KZ",))
    draft.title_en = "Unpublished draft XYZZY"
    draft.save()
    Event.objects.create(
        key="next-workshop",
        title_en="Next workshop",
        kind="training",
        start_date=datetime.date.today() + datetime.timedelta(days=30),
    )


@pytest.fixture
def data(db):
    make_data()


@pytest.fixture(scope="session")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """One build, by the command, for a sub-path, shared by the tests that only read it.

    Of the session, not the module: the database tests run first, the others after the
    tests of other modules, and a module's fixture would be built again for each part.
    The strategy has two uploaded files: an HTML page and a PDF."""
    root = tmp_path_factory.mktemp("www")
    uploads = tmp_path_factory.mktemp("uploads")
    html, pdf = uploads / "page.html", uploads / "strategy.pdf"
    html.write_bytes(html_page("<p>Declaration</p>"))
    pdf.write_bytes(pdf_with_text("The four pillars"))
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=uploads / "media"),
        transaction.atomic(),
    ):
        make_data()
        call_command("library", "add-file", "un-gcts", "en", str(html), stdout=io.StringIO())
        call_command("library", "add-file", "un-gcts", "ru", str(pdf), stdout=io.StringIO())
        out = io.StringIO()
        call_command(
            "site",
            "build",
            str(root / "jpoa"),
            "--base-url",
            "https://example.org/jpoa/",
            stdout=out,
        )
        transaction.set_rollback(True)
    return root / "jpoa", out.getvalue()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.links.append(value)


def broken_links(root: Path) -> list[str]:
    """Every internal link of every written page that does not lead to a written file."""
    broken = []
    for page in root.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text())
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # another site, or #fragment on the same page
            if parts.path.startswith("/") or parts.path.endswith("/"):
                broken.append(f"{page.relative_to(root)}: {link} (not a relative link to a file)")
                continue
            if not (page.parent / unquote(parts.path)).resolve().is_file():
                broken.append(f"{page.relative_to(root)}: {link}")
    return broken


def all_text(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


def test_it_writes_both_languages_and_every_edition_with_links_that_all_lead_somewhere(site):
    tmp_path, output = site

    home_en = (tmp_path / "en/index.html").read_text()
    home_ru = (tmp_path / "ru/index.html").read_text()
    assert 'lang="en"' in home_en and 'lang="ru"' in home_ru
    assert (tmp_path / "en/events/high-level-meeting-2011/index.html").is_file()
    assert "Ашхабад" in (tmp_path / "ru/events/high-level-meeting-2011/index.html").read_text()
    # The latest edition, and the earlier one with its own views and downloads.
    assert "youth-dialogue" in (tmp_path / "en/matrix/activities/index.html").read_text()
    first = (tmp_path / "en/matrix/activities/edition=1/index.html").read_text()
    assert "border-training" in first and "youth-dialogue" not in first
    for name in ("matrix.xlsx", "matrix.csv", "matrix.json", "matrix.parquet", "datapackage.zip"):
        assert (tmp_path / "ru/data" / name).is_file()
        assert (tmp_path / "en/data/edition=1" / name).is_file()
    assert (tmp_path / "en/events/upcoming.ics").read_text().startswith("BEGIN:VCALENDAR")
    # A matrix cell's activities are there too, under a path of their own.
    assert (tmp_path / "en/matrix/activities/organisation=osce,pillar=2/index.html").is_file()
    assert broken_links(tmp_path) == []
    assert re.search(r"Built .*: \d+ pages; \d+ files written, 0 unchanged", output)


def test_pages_hold_no_link_to_what_a_static_copy_cannot_have(site):
    tmp_path, output = site

    text = all_text(tmp_path)
    assert "/admin/" not in text and "/accounts/login/" not in text
    # Filter forms are gone (a static server cannot filter); the search form stays.
    events = (tmp_path / "en/events/index.html").read_text()
    assert 'class="filters"' not in events
    assert 'role="search" method="get" action="../search/index.html"' in events


def test_it_holds_no_draft_and_no_internal_field(site):
    tmp_path, output = site

    text = all_text(tmp_path)
    assert "youth-dialogue" in text  # published in the second edition
    assert "draft-activity" not in text and "XYZZY" not in text
    assert "CONFIDENTIAL-7Q" not in text
    assert not (tmp_path / "en/matrix/activities/draft-activity").exists()


def test_the_search_index_holds_every_public_page_in_its_language(site):
    tmp_path, output = site

    index = json.loads((tmp_path / "ru/search/search-index.json").read_text())
    pages = {page["url"]: page for page in index["pages"]}
    meeting = pages["../events/high-level-meeting-2011/index.html"]
    assert "Ашхабад" in meeting["text"] and meeting["section"] == "Мероприятия"
    assert "../matrix/activities/youth-dialogue/index.html" in pages
    assert "XYZZY" not in json.dumps(index, ensure_ascii=False)
    assert "index.html" not in pages  # the search page itself
    script = (tmp_path / "ru/search/search-index.js").read_text()
    assert script.startswith("window.jpoaSearchIndex = ")


def test_feeds_give_the_addresses_of_the_sub_path_the_site_is_built_for(site):
    tmp_path, _output = site
    calendar = (tmp_path / "en/events/upcoming.ics").read_text().replace("\r\n ", "")
    assert "https://example.org/jpoa/en/events/next-workshop/" in calendar


def test_library_files_are_written_under_their_own_names_and_never_as_pages(site):
    """An uploaded HTML file must not become a page of the site, its script on its origin."""
    out = site[0]

    files = out / "en" / "library" / "un-gcts" / "files"
    assert sorted(p.name for p in (files / "en").iterdir()) == ["un-gcts-en.html.txt"]
    assert sorted(p.name for p in (files / "ru").iterdir()) == ["un-gcts-ru.pdf"]
    assert (files / "ru" / "un-gcts-ru.pdf").read_bytes().startswith(b"%PDF")
    assert not list(out.rglob("files/*/index.html"))
    assert "files/en/un-gcts-en.html.txt" in "".join(
        p.read_text() for p in (out / "en" / "library").rglob("index.html")
    )


def test_clean_refuses_a_directory_that_holds_no_earlier_build(db, tmp_path):
    (tmp_path / "thesis.docx").write_text("precious")

    with pytest.raises(CommandError, match="refusing to clean"):
        call_command("site", "build", str(tmp_path), "--clean")
    assert (tmp_path / "thesis.docx").read_text() == "precious"
    assert not (tmp_path / "en").exists()


def test_it_says_what_is_wrong_with_a_bad_directory_or_address(db, tmp_path):
    (tmp_path / "file.txt").write_text("")

    with pytest.raises(CommandError, match="is a file, not a directory"):
        call_command("site", "build", str(tmp_path / "file.txt"))
    with pytest.raises(CommandError, match="expected a path"):
        call_command("site", "build", str(tmp_path / "out"), "--base-url", "ftp://example.org/")
    assert not (tmp_path / "out").exists()


def test_a_second_build_after_changing_one_event_rewrites_only_the_pages_that_show_it(
    site, data, tmp_path
):
    # The shared build, of the same data, is this test's first build.
    shutil.copytree(site[0], tmp_path, dirs_exist_ok=True)
    first = json.loads((tmp_path / MANIFEST).read_text())["files"]
    (tmp_path / ".htaccess").write_text("Options -Indexes\n")
    Event.objects.filter(key="expert-meeting-2").update(title_en="Second expert meeting, renamed")
    Event.objects.filter(key="next-workshop").delete()

    second = build_site(tmp_path, base_url="https://example.org/jpoa/", clean=True)

    assert "en/events/expert-meeting-2/index.html" in second.written
    assert (
        "Second expert meeting, renamed"
        in (tmp_path / "en/events/expert-meeting-2/index.html").read_text()
    )
    assert "ru/events/expert-meeting-2/index.html" not in second.written  # Russian title kept
    assert "en/events/expert-meeting-1/index.html" in second.unchanged
    assert "en/matrix/index.html" in second.unchanged
    # Published editions are immutable: not rendered again.
    assert sorted(second.kept_editions) == ["en:1", "en:2", "ru:1", "ru:2"]
    # The matrix shows no event: none of its pages, of any edition, is written again.
    assert [name for name in second.written if "/matrix/" in name] == []
    assert len(second.written) < len(first) / 5
    # The removed event's pages go with --clean; nothing left links to them.
    assert "en/events/next-workshop/index.html" in second.removed
    assert (tmp_path / ".htaccess").is_file()  # the host's own settings stay
    assert broken_links(tmp_path) == []


# -- in a real browser ------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(site):
    """The built site under /jpoa/ of a plain file server, as a web host would serve it."""
    root = site[0].parent
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root / "jpoa", f"http://127.0.0.1:{server.server_address[1]}/jpoa/"
    server.shutdown()
    server.server_close()


def walk_and_search(page, start: str) -> None:
    """Follow the menu, switch language, open an event, search in Russian and open a result."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(start)
    page.wait_for_url(re.compile(r"/en/index\.html$"))
    assert page.locator("h1").inner_text().startswith("Joint Plan of Action")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Matrix").click()
    # A click waits for the next page to start, not to be read: wait for its address.
    page.wait_for_url(re.compile(r"/en/matrix/index\.html$"))
    assert "youth-dialogue" not in page.url
    assert page.locator("h1").count() == 1
    page.get_by_role("link", name="Events", exact=True).first.click()
    page.wait_for_url(re.compile(r"/en/events/index\.html$"))
    page.get_by_role("link", name="Русский").click()
    page.wait_for_url(re.compile(r"/ru/events/index\.html$"))
    assert page.locator("html").get_attribute("lang") == "ru"

    page.get_by_role("search").first.get_by_role("searchbox").fill("ашхабад")
    page.get_by_role("search").first.get_by_role("button").click()
    results = page.locator("#static-search-results li")
    results.first.wait_for()
    page.get_by_role("link", name="Совещание высокого уровня по Совместному плану").first.click()
    assert "Ашхабад" in page.locator("main").inner_text()
    assert page.url.endswith("ru/events/high-level-meeting-2011/index.html")
    assert errors == []


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_the_built_site_works_from_disk_and_from_a_sub_path(served, browser):
    root, url = served

    walk_and_search(browser.new_page(), (root / "en/index.html").as_uri())
    walk_and_search(browser.new_page(), url)
