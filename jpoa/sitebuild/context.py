"""Whether pages are being rendered for the static site, as templates can ask."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_building: ContextVar[bool] = ContextVar("jpoa_static_build", default=False)


@contextlib.contextmanager
def static_build() -> Iterator[None]:
    """Pages rendered inside this block are the static site's (see `context_processors`)."""
    token = _building.set(True)
    try:
        yield
    finally:
        _building.reset(token)


def building() -> bool:
    return _building.get()
