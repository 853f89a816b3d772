"""Settings for the Schemathesis run against a live server: jpoa's, without the anonymous rate
limit (which would turn most generated requests into 429s)."""

from jpoa.settings import *  # noqa: F403

API_ANON_RATE = "100000/min"
