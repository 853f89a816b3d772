"""Login throttling: django-axes, for sign-ins that come over the web."""

from axes.backends import AxesStandaloneBackend


class LoginThrottle(AxesStandaloneBackend):
    """Refuse a sign-in from a user name and address locked out after too many failures.

    django-axes needs the request to know the address; a check of a password made
    on the server itself (the command line, a script) has none and no one to
    throttle, so it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
