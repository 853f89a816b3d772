"""The address of the client, as the last trusted proxy saw it.

Behind a TLS proxy (as docs/operations.md prescribes) every request comes from the
proxy's address, so sign-in lockout and rate limits keyed on REMOTE_ADDR would count
every visitor as one: anyone could lock any account. With `JPOA_TRUSTED_PROXIES=N`
(the number of proxies in front of jpoa, each appending the address it saw to
X-Forwarded-For), the client is the address the outermost trusted proxy recorded, the
N-th from the right; what a client wrote into the header itself, to the left of it, is
never believed. With 0 (the default: jpoa serves the clients directly) the header is
ignored altogether.

`ClientAddressMiddleware` puts that address in REMOTE_ADDR for everything after it
(django-axes, the API's rate limits, logs), so all of them count the same client.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address (see the module's doc); REMOTE_ADDR when no proxy is trusted."""
    remote = request.META.get("JPOA_PEER_ADDR") or request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < trusted:
        return remote  # the proxies did not all add an address: believe none of them
    candidate = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.META.setdefault("JPOA_PEER_ADDR", request.META.get("REMOTE_ADDR", ""))
        request.META["REMOTE_ADDR"] = client_address(request)
        return self.get_response(request)
