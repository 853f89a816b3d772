"""A database too busy to write now: the request is told to come back, not failed.

SQLite has one writer at a time. A long write (an import of tens of thousands of rows, a
publication) holds the write lock, and other writes queue behind it for the busy timeout
(`JPOA_SQLITE_BUSY_SECONDS`). One that waited longer than that gets "database is locked";
on PostgreSQL a lock or serialization failure is the same kind of refusal. Nothing was
written, and trying again shortly will work: the answer is 503 Service Unavailable with
Retry-After, logged as a warning without a traceback, never a 500.

Reads do not take the write lock (WAL), and no read-only request writes: `short_wait`
lets a request make a write it can do without (an API token's last-use stamp) give up at
once instead of queueing.
"""

import contextlib
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

RETRY_AFTER = 15  # seconds
# PostgreSQL: lock_not_available, serialization_failure, deadlock_detected.
BUSY_SQLSTATES = {"55P03", "40001", "40P01"}


def is_busy(exc: BaseException) -> bool:
    """Whether EXC is the database refusing a write for now (see the module's doc)."""
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    return getattr(exc.__cause__, "sqlstate", None) in BUSY_SQLSTATES


def busy_response(request: HttpRequest) -> HttpResponse:
    detail = _(
        "The database is busy with a long change (an import or a publication). "
        "Nothing was saved: please try again in a few seconds."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "type": "https://jpoa.example/problems/busy",
                "title": "Service unavailable",
                "status": 503,
                "detail": detail,
                "errors": [],
            },
            status=503,
            content_type="application/problem+json",
        )
    else:
        response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class BusyDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_busy(exception):
            return None
        log.warning(
            "%s %s: the database was busy (%s); answered 503",
            request.method,
            request.path,
            exception,
        )
        return busy_response(request)


@contextlib.contextmanager
def short_wait(milliseconds: int = 100) -> Iterator[None]:
    """On SQLite, writes inside wait MILLISECONDS for the write lock instead of the busy timeout."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    usual = int(settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: a busy database raised outside a view (a middleware's write) is a 503 too."""
    import sys

    from django.views.defaults import server_error as django_server_error

    exc = sys.exc_info()[1]
    if exc is not None and is_busy(exc):
        return busy_response(request)
    return django_server_error(request)
