"""Hold a user signed in by password alone at the second-factor step until it is done."""

from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from .two_factor import needs_second_factor, requires_enrolment

# What a half-signed-in user may still reach: the second-factor pages and signing out.
OPEN_VIEWS = {"accounts:two_factor", "accounts:verify", "accounts:logout"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and needs_second_factor(user) and not _open(request.path_info):
            target = "accounts:two_factor" if requires_enrolment(user) else "accounts:verify"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _open(path: str) -> bool:
    if path.startswith(("/static/", "/media/", "/i18n/")):
        return True
    try:
        return resolve(path).view_name in OPEN_VIEWS
    except Resolver404:
        return True
