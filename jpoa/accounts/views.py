"""Pages of one's own account: the second factor (enrol, verify, remove)."""

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from .two_factor import confirmed_device, pending_device, qr_code_svg, secret_of


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Enrol an authenticator app (scan, type the first code), or remove it."""
    device = confirmed_device(request.user)
    form = CodeForm(request.POST or None)
    if device is not None:
        if request.method == "POST" and form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                device.delete()
                messages.success(request, _("The second factor is removed."))
                return redirect("accounts:two_factor")
            form.add_error("code", _("This code is wrong or expired."))
        return render(request, "accounts/two_factor.html", {"device": device, "form": form})
    pending = pending_device(request.user)
    if request.method == "POST" and form.is_valid():
        if pending.verify_token(form.cleaned_data["code"]):
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            otp_login(request, pending)
            messages.success(request, _("The second factor is on: you will be asked for a code."))
            return redirect(_next_url(request, "accounts:two_factor"))
        form.add_error("code", _("This code is wrong or expired."))
    context = {"form": form, "qr_code": qr_code_svg(pending), "secret": secret_of(pending)}
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in for a user with an authenticator app."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request, "rounds:index"))
        form.add_error("code", _("This code is wrong or expired."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request, "")})


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Password reset, with a bound on the mail one address or one mailbox can cause.

    Each request sends a message to a real mailbox: unbounded, it lets anyone flood a
    coordinator's inbox or use the site to send mail. Past RESET_LIMIT requests an hour
    from one client address, or for one e-mail address, the form says to wait (429); it
    says so whether or not the address has an account, so it tells nothing about accounts.
    """

    RESET_LIMIT = 5
    RESET_WINDOW = 60 * 60  # seconds

    def post(self, request, *args, **kwargs):
        email = request.POST.get("email", "").strip().casefold()[:254]
        keys = [f"reset:address:{request.META.get('REMOTE_ADDR', '')}"]
        if email:
            keys.append("reset:email:" + hashlib.sha256(email.encode()).hexdigest())
        if any(self._count(key) > self.RESET_LIMIT for key in keys):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                None, _("Too many password reset requests. Please try again in an hour.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def _count(self, key: str) -> int:
        cache.add(key, 0, self.RESET_WINDOW)
        try:
            return cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, self.RESET_WINDOW)
            return 1
