"""Name the acting user in the audit trail for writes made outside a web request.

Web requests have their actor set by ``AuditlogMiddleware``. Services are also
called from the command line and from tests, so each service wraps its writes
in ``acting_as(user)``. auditlog's own ``set_actor`` does not restore the
context it replaces, which would silently unhook the middleware's actor for the
rest of a request; ``acting_as`` puts the previous context back.
"""

import contextlib

from auditlog.context import auditlog_value, set_actor


@contextlib.contextmanager
def acting_as(user):
    token = auditlog_value.set({})
    try:
        with set_actor(user):
            yield
    finally:
        auditlog_value.reset(token)
