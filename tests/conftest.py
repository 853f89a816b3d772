"""Shared fixtures. Tests run against SQLite by default, PostgreSQL when DATABASE_URL says so."""

import os
from pathlib import Path

import pytest

from jpoa.dataset import DEFAULT_DATASET


def pytest_addoption(parser):
    parser.addoption(
        "--drills",
        action="store_true",
        help="also run the long drills (marker `drill`); `make drills` runs them alone",
    )


def pytest_collection_modifyitems(config, items):
    """The drills run only when asked for (`--drills`): `make test` stays fast."""
    if config.getoption("--drills"):
        return
    drills = [item for item in items if item.get_closest_marker("drill")]
    if drills:
        config.hook.pytest_deselected(items=drills)
        items[:] = [item for item in items if not item.get_closest_marker("drill")]


def pytest_configure(config):
    # Browser tests skip where Chromium is missing; CI sets JPOA_REQUIRE_BROWSER=1 so
    # that a missing browser fails the run instead of silently skipping them.
    if os.environ.get("JPOA_REQUIRE_BROWSER") == "1" and not Path("/usr/bin/chromium").exists():
        raise pytest.UsageError("JPOA_REQUIRE_BROWSER=1 but there is no /usr/bin/chromium")

    # Tests render templates without a prior collectstatic: serve static files
    # by plain names instead of the hashed manifest that production uses.
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Each test process its own cache: the parallel workers share a data directory, and
    # one worker's pages (of its own test database) must never reach another.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Argon2 as the site hashes passwords, at the lowest cost (see tests/hashers.py); a
    # test of the site's own hashers reads them from jpoa.settings.
    settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]
    # Tasks (imports, publications started from the web) run at once, in the request, so a
    # test sees their outcome; tests of the worker itself set the database backend again.
    from django.core.signals import setting_changed

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The task backends were made when the apps' tasks were defined: make them anew.
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)


CHROMIUM = Path("/usr/bin/chromium")  # Debian's, never a browser a test tool downloaded
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    """Headless Chromium (Playwright driving Debian's browser); the test is skipped where
    there is none, and fails instead under JPOA_REQUIRE_BROWSER=1 (CI)."""
    required = os.environ.get("JPOA_REQUIRE_BROWSER") == "1"
    if not CHROMIUM.exists():
        (pytest.fail if required else pytest.skip)(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def default_data_copy(django_db_setup, django_db_blocker):
    """The default data set, loaded once into this worker's test database and kept aside."""
    from tests.dataset_copy import DatasetCopy

    with django_db_blocker.unblock():
        return DatasetCopy.take()


@pytest.fixture
def default_data(db, default_data_copy):
    """The Central Asia default data set, loaded as `jpoa init` loads it."""
    from django.db import connection

    from jpoa.dataset.load import load_dataset

    if connection.in_atomic_block:  # the test's transaction is rolled back after it
        return default_data_copy.copy_in()
    return load_dataset(DEFAULT_DATASET)  # a transactional test: its tables are flushed


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: rate limits and cached pages of another test
    would otherwise leak into it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request to a /ru/ page leaves Russian active in the thread; each test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def own_downloads(settings, tmp_path):
    """Written downloads are files: each test keeps its own, away from the other workers'."""
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    settings.REPORTS_DIR = tmp_path / "reports"


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Tests read `response.context`, which a page served from the cache has not: the matrix
    pages' cache is off unless a test turns it on (tests/test_matrix.py does)."""
    settings.MATRIX_PAGE_CACHE_SECONDS = 0
