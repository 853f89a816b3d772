"""The page cache: public answers kept whole until the public data changes.

A page or API answer that a visitor who is not signed in asks for is kept in Django's
cache (files in the data directory, shared by the server's processes) under a key made of
what decides its content, and nothing else:

- the language, the host the request named (pages carry absolute canonical and hreflang
  links) and the path;
- the query parameters the view reads, in a fixed order: a parameter the view ignores
  changes nothing in the answer, so it must not make a new key either (else anyone could
  make the server build a heavy answer again by adding `&x=1`);
- the time the public data last changed, so a kept answer is never stale.
"""

import hashlib
import json
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

DEFAULT_SECONDS = 60 * 60  # settings.MATRIX_PAGE_CACHE_SECONDS overrides; 0 turns it off


def cache_seconds() -> int:
    """How long an answer is kept (0: not at all)."""
    return getattr(settings, "MATRIX_PAGE_CACHE_SECONDS", DEFAULT_SECONDS)


def is_personal(request: HttpRequest) -> bool:
    """A request with a session or pending messages may see what is meant for its user alone."""
    return bool({settings.SESSION_COOKIE_NAME, "messages"} & set(request.COOKIES))


def cache_key(request: HttpRequest, *, kind: str, params: Iterable[str] | None, changed_at) -> str:
    """The key of REQUEST's answer: see the module's doc. PARAMS None: every parameter counts."""
    read = None if params is None else set(params)
    query = sorted(
        (name, value)
        for name in request.GET
        if read is None or name in read
        for value in request.GET.getlist(name)
    )
    asked = [
        get_language(),
        request.get_host(),
        request.path,
        query,
        changed_at.isoformat(),
    ]
    digest = hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()
    return f"{kind}:{digest}"
