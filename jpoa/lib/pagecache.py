"""The page cache, in one place: public answers kept whole until the public data changes.

A page or API answer that a visitor who is not signed in asks for is kept in Django's
cache (files in the data directory, shared by the server's processes) under a key made of
what decides its content, and nothing else:

- the language, the host the request named (pages carry absolute canonical and hreflang
  links) and the path;
- the query parameters the view reads, in a fixed order: a parameter the view ignores
  changes nothing in the answer, so it must not make a new key either (else anyone could
  make the server build a heavy answer again by adding `&x=1`);
- the time the public data last changed (`data_changed_at`), so a kept answer is never
  stale.

Each app that keeps public data says how to read when it last changed (`add_change_stamp`,
in its `ready()`), so this module, at the base of the house, imports none of them. The
same stamp gives API answers and downloads their Last-Modified.
"""

import contextlib
import datetime
import functools
import hashlib
import json
import threading
from collections.abc import Iterable

from auditlog.models import LogEntry
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

EDITION_MAX_AGE = 60 * 60 * 24 * 30  # an explicitly named edition: 30 days
LATEST_MAX_AGE = 60 * 5  # "the latest" and live records: 5 minutes


# Where each kind of public data records when it last changed: (model, datetime field).
_change_stamps: list[tuple[type[Model], str]] = [(LogEntry, "timestamp")]
# Per database alias, compiled once: the SQL, its parameters, and each column's converters.
_stamp_query: dict[str, tuple[str, list, list]] = {}


def add_change_stamp(model: type[Model], field: str) -> None:
    """Count the newest MODEL.FIELD (when some public data last changed) in `data_changed_at`."""
    if (model, field) not in _change_stamps:
        _change_stamps.append((model, field))
        _stamp_query.clear()


def data_changed_at() -> datetime.datetime | None:
    """When the public data last changed: the newest audit record, edition or data set load.

    Every page and API answer asks it (it is in their cache key), so it is one query for
    all the kinds of data, each the newest value of an indexed or small column, not one
    query each (four queries were most of the time of a page served from the cache,
    issue #20). Within `one_stamp` it is asked once and the answer given again.
    """
    held = getattr(_stamp, "held", None)
    if held:
        return held[0]
    connection = connections[DEFAULT_DB_ALIAS]
    sql, params, columns = _stamp_query.get(connection.alias) or _compile_stamp_query(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    stamps = []
    for value, (column, converters) in zip(row, columns, strict=True):
        if value is not None:  # read by raw SQL: converted as the ORM would (SQLite: text)
            for convert in converters:
                value = convert(value, column, connection)
            stamps.append(value)
    changed = max(stamps) if stamps else None
    if held is not None:
        held.append(changed)
    return changed


def _compile_stamp_query(connection) -> tuple[str, list, list]:
    """SELECT (the newest of each stamp), ...: one row, a column per stamp."""
    parts, params, columns = [], [], []
    for model, field in _change_stamps:
        newest = (
            model._default_manager.filter(**{f"{field}__isnull": False})
            .order_by(f"-{field}")
            .values_list(field)[:1]
        )
        sql, part_params = newest.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(part_params)
        column = model._meta.get_field(field).get_col(model._meta.db_table)
        converters = [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]
        columns.append((column, converters))
    found = _stamp_query[connection.alias] = (f"SELECT {', '.join(parts)}", params, columns)
    return found


_stamp = threading.local()


@contextlib.contextmanager
def one_stamp():
    """While answering one GET: `data_changed_at` asks the database once, not once for
    each reader that keys on it (the page's key, the filter form's options, the
    organisations...: three queries each, a tenth of a page's work, issue #20). The
    answer is then one state of the data throughout: nothing the request reads is
    newer than its key says."""
    if getattr(_stamp, "held", None) is not None:  # already within
        yield
        return
    _stamp.held = []
    try:
        yield
    finally:
        _stamp.held = None


_kept_per_change: dict = {}


def per_data_change(name: str, read):
    """READ(), kept by this process until the public data changes, per language.

    Inside a transaction (a publication, a test) it is read every time: what the
    transaction changed may be rolled back, and a stamp is only the newest audit record.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        return read()
    stamp = data_changed_at()
    if stamp is None:
        return read()
    key = (name, get_language(), str(connection.settings_dict.get("NAME")), stamp)
    found = _kept_per_change.get(key)
    if found is None:
        found = read()
        # A copy of the keys: another thread may add one meanwhile (`list()` of a dict
        # is one step for the interpreter; a loop over it is not).
        for old in [k for k in list(_kept_per_change) if k[0] == name and k[3] != stamp]:
            _kept_per_change.pop(old, None)  # of an earlier state of the data
        _kept_per_change[key] = found
    return found


def forget_kept() -> None:
    """Read everything `per_data_change` keeps anew (it missed a change)."""
    _kept_per_change.clear()


def cache_edition(response: HttpResponse, explicit: bool) -> None:
    """Long HTTP caching when the request named the (immutable) edition, short for "the latest"."""
    max_age = EDITION_MAX_AGE if explicit else LATEST_MAX_AGE
    response["Cache-Control"] = f"public, max-age={max_age}" + (", immutable" if explicit else "")


def cache_seconds() -> int:
    """How long an answer is kept (settings.MATRIX_PAGE_CACHE_SECONDS; 0: not at all)."""
    return settings.MATRIX_PAGE_CACHE_SECONDS


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


def published_page(view=None, *, params: Iterable[str] | None = None):
    """Serve a page from the page cache to visitors who are not signed in.

    PARAMS are the query parameters the view reads: any other parameter leaves the key
    unchanged (None: every parameter counts). A request with a session or pending messages
    is never served from the cache nor stored: its page may show the user's name or a
    message meant for that user.
    """
    if view is None:
        return functools.partial(published_page, params=params)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET":
            return view(request, *args, **kwargs)
        with one_stamp():
            return _answer(request, *args, **kwargs)

    def _answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = cache_seconds()
        if is_personal(request) or not seconds:
            return view(request, *args, **kwargs)
        changed = data_changed_at()
        if changed is None:  # nothing was ever published or loaded: nothing worth keeping
            return view(request, *args, **kwargs)
        key = cache_key(request, kind="page", params=params, changed_at=changed)
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                cache.set(key, response, seconds)
        return response

    return wrapped
