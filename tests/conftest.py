"""Shared fixtures. Tests run against SQLite by default, PostgreSQL when DATABASE_URL says so."""

import pytest

from jpoa.dataset import DEFAULT_DATASET


def pytest_configure(config):
    # Tests render templates without a prior collectstatic: serve static files
    # by plain names instead of the hashed manifest that production uses.
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def default_data(db):
    """The Central Asia default data set, loaded as `jpoa init` loads it."""
    from jpoa.dataset.load import load_dataset

    return load_dataset(DEFAULT_DATASET)
