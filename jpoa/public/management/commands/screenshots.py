"""`jpoa screenshots DIR`: PNGs of the main public pages, desktop and phone, both languages."""

import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings

from jpoa.lib.commands import JpoaCommand, require_migrated_database
from jpoa.plan.models import Plan

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# (file name, path after the language prefix): the pages the README and the issue name.
PAGES = [
    ("home", "/"),
    ("plan", "/plan/"),
    ("pillar", "/pillars/1/"),
    ("state", "/states/kz/"),
    ("matrix", "/matrix/"),
    ("heatmap", "/matrix/heatmap/"),
    ("events", "/events/"),
    ("event", "/events/high-level-meeting-2011/"),
    ("participants", "/events/participants/"),
    ("findings", "/findings/"),
    ("library", "/library/"),
    ("resource", "/library/jpoa-2011/"),
]
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
# Static files by plain names, served by Django: no `collectstatic` needed first.
PLAIN_STATIC = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class Command(JpoaCommand):
    help = (
        "Serve the site from the database (the default data after `jpoa init`) on a "
        "private port and write full-page PNGs of the main pages, in English and Russian, "
        "at desktop (1280 px) and phone (390 px) width, with Debian's Chromium."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="where to write the PNGs")
        parser.add_argument(
            "--page",
            action="append",
            choices=[name for name, _path in PAGES],
            help="only this page (repeatable; default: all of them)",
        )
        parser.add_argument(
            "--chromium", type=Path, default=CHROMIUM, help="Chromium (default: %(default)s)"
        )

    def handle(self, *args, directory: Path, chromium: Path, page: list | None, **options):
        require_migrated_database()
        if not Plan.objects.exists():
            raise CommandError("the database holds no plan: run `jpoa init` first")
        if not chromium.exists():
            raise CommandError(f"no Chromium at {chromium} (apt-get install chromium)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise CommandError("Playwright is missing: pip install 'jpoa[test]'") from None
        directory.mkdir(parents=True, exist_ok=True)
        with override_settings(STORAGES=PLAIN_STATIC, ALLOWED_HOSTS=["127.0.0.1"]):
            server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
            server.set_app(StaticFilesHandler(get_wsgi_application()))
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                base = f"http://127.0.0.1:{server.server_address[1]}"
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
                    )
                    pages = [(n, p) for n, p in PAGES if not page or n in page]
                    written = self.shoot(browser, base, directory, pages)
                    browser.close()
            finally:
                server.shutdown()
                server.server_close()
        self.stdout.write(f"Wrote {written} screenshots to {directory}")

    def shoot(self, browser, base: str, directory: Path, pages: list[tuple[str, str]]) -> int:
        written = 0
        for width_name, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            for language, _name in settings.LANGUAGES:
                for name, path in pages:
                    response = page.goto(f"{base}/{language}{path}")
                    if response is None or response.status != 200:
                        status = response.status if response else "no response"
                        self.stderr.write(f"skipped /{language}{path}: {status}")
                        continue
                    target = directory / f"{language}-{name}-{width_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written += 1
                    self.stdout.write(f"  {target.name}")
            page.close()
        return written
