"""The demonstration data set's marker: how every output knows it is made from invented data.

`jpoa demo` (jpoa/demo) loads invented organisations, activities, editions, a round,
events, findings and library files; each cites the Source `DEMO_SOURCE`. While that
source exists, every page shows a banner, every export and report carries a line and
every API answer a header, all saying `NOTICE`.
"""

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .models import Source

DEMO_SOURCE = "jpoa-demo"
SHORT_NOTICE = _("Demonstration data, invented")
NOTICE = _(
    "Demonstration data, invented: the organisations, activities, editions, events and "
    "findings shown here were made up to show how jpoa works. None of it is real."
)

# `jpoa bench generate` (jpoa.bench.synthetic) cites this Source in every activity it makes.
SYNTHETIC_SOURCE = "synthetic-benchmark"
SYNTHETIC_NOTICE = _(
    "Synthetic data, generated for a benchmark (jpoa bench generate): none of these "
    "organisations and activities is real."
)


CACHE_KEY = "jpoa-demo-loaded"
CACHE_SECONDS = 60


def demo_loaded() -> bool:
    """Whether the database holds the demonstration data set.

    Asked by every page and API answer, so kept in the cache (shared by the server's
    processes) for a minute; loading and removing the demonstration clear it at once.
    """
    loaded = cache.get(CACHE_KEY)
    if loaded is None:
        loaded = Source.objects.filter(key=DEMO_SOURCE).exists()
        cache.set(CACHE_KEY, loaded, CACHE_SECONDS)
    return loaded


def forget_demo_state() -> None:
    cache.delete(CACHE_KEY)


def data_notice() -> str | None:
    """What an export says of its data when the data is not real: demonstration or synthetic."""
    if demo_loaded():
        return str(NOTICE)
    if Source.objects.filter(key=SYNTHETIC_SOURCE).exists():
        return str(SYNTHETIC_NOTICE)
    return None
