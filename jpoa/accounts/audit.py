"""Name the acting user in the audit trail for writes made outside a web request.

Web requests have their actor set by ``AuditlogMiddleware``. Services are also
called from the command line and from tests, so each service wraps its writes
in ``acting_as(user)``. auditlog's own ``set_actor`` does not restore the
context it replaces, which would silently unhook the middleware's actor for the
rest of a request; ``acting_as`` puts the previous context back. A `SystemActor`
is no user: the entries it causes name it in their ``additional_data``.
"""

import contextlib

from auditlog.context import auditlog_value, set_actor, set_extra_data

from .actors import AUDIT_KEY, is_system


@contextlib.contextmanager
def acting_as(user):
    # A service called in a web request keeps the request's address in its entries.
    outer = auditlog_value.get({})
    where = {"remote_addr": outer.get("remote_addr"), "remote_port": outer.get("remote_port")}
    token = auditlog_value.set({})
    try:
        if is_system(user):
            with set_extra_data({"additional_data": {AUDIT_KEY: user.name}}):
                yield
        else:
            with set_actor(user, **where):
                yield
    finally:
        auditlog_value.reset(token)
