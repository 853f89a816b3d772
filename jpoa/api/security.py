"""Who is calling: personal bearer tokens, and the rate limits for the anonymous and for editors."""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from .models import ApiToken

_UNSET = object()


def token_user(request: HttpRequest):
    """The user of the request's valid bearer token, else None (looked up once per request)."""
    cached = getattr(request, "_jpoa_token_user", _UNSET)
    if cached is not _UNSET:
        return cached
    user = None
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = ApiToken.user_for(token.strip())
    request._jpoa_token_user = user
    return user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a personal token created in the back office or CLI."""

    def authenticate(self, request: HttpRequest, token: str):
        user = token_user(request)
        if user is not None:
            request.user = user
        return user


class _Throttle(SimpleRateThrottle):
    """A rate from settings, read per request so that it can be changed without a restart."""

    setting = ""  # the name of the setting that holds the rate

    def __init__(self):
        super().__init__(rate=getattr(settings, self.setting))

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class AnonThrottle(_Throttle):
    """Anonymous callers, by address."""

    scope = "anon"
    setting = "API_ANON_RATE"

    def get_cache_key(self, request: HttpRequest):
        if token_user(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenThrottle(_Throttle):
    """Callers with a valid token, by user."""

    scope = "token"
    setting = "API_TOKEN_RATE"

    def get_cache_key(self, request: HttpRequest):
        user = token_user(request)
        if user is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}
