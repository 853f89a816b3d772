"""Signing in: throttled guessing, sessions that end, password reset by e-mail, a second factor."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jpoa import settings as site_settings
from tests.factories import PASSWORD, coordinator, focal_point, make_user

LOGIN = "/en/accounts/login/"


def sign_in(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def coord(default_data):
    user = coordinator()
    user.email = "coord@example.org"
    user.save()
    return user


def test_guessing_is_locked_out_after_five_failures(client, coord, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "coord", "wrong").status_code == 200
    locked = sign_in(client, "coord", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused while locked out...
    assert sign_in(client, "coord").status_code == 429
    assert "_auth_user_id" not in client.session
    # ...but only for that user name from that address.
    other = client.post(LOGIN, {"username": "coord", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert other.status_code == 302


PROXY = "192.0.2.1"  # the TLS proxy every request comes through


def through_proxy(client, username, password, forwarded_for):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_the_proxy_a_guesser_locks_out_only_themselves(client, coord, settings):
    settings.TRUSTED_PROXIES = 1
    # The proxy appends the address it saw; what the client wrote to the left is not believed.
    for n in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(client, "coord", "wrong", f"10.9.9.{n}, 198.51.100.66")
    assert through_proxy(client, "coord", "wrong", "198.51.100.66").status_code == 429
    # The coordinator, at another address behind the same proxy, still signs in.
    assert through_proxy(client, "coord", PASSWORD, "203.0.113.5").status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(client, coord, settings):
    settings.TRUSTED_PROXIES = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(client, "coord", "wrong", f"198.51.100.{n}")
    # Every guess came from the proxy's address: a new forged header does not escape it.
    assert through_proxy(client, "coord", PASSWORD, "203.0.113.77").status_code == 429


def test_a_success_resets_the_count(client, coord, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "coord", "wrong")
    assert sign_in(client, "coord").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "coord", "wrong").status_code == 200


def test_passwords_are_hashed_with_argon2_at_the_sites_cost(db, settings):
    """The suite hashes at a lower cost (tests/hashers.py); the site's hashers are these."""
    settings.PASSWORD_HASHERS = site_settings.PASSWORD_HASHERS
    user = get_user_model().objects.create_user("someone", password=PASSWORD)

    algorithm, variety, version, cost, *_ = user.password.split("$")
    assert (algorithm, variety) == ("argon2", "argon2id")
    assert cost == "m=102400,t=2,p=8"  # Django's Argon2 defaults, not the suite's
    assert user.check_password(PASSWORD)


def test_logout_ends_the_session_on_the_server(client, coord):
    assert sign_in(client, "coord").status_code == 302
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    stolen_cookie = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    # Someone who kept the old cookie is not signed in with it.
    client.cookies["sessionid"] = stolen_cookie
    assert client.get(reverse("rounds:mine")).status_code == 302


def test_a_session_expires(client, coord, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    sign_in(client, "coord")
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=session.expire_date.replace(year=2000))
    assert client.get(reverse("rounds:index")).status_code == 302


def test_password_reset_by_e_mail(client, coord):
    page = client.get(reverse("accounts:password_reset"))
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content
    response = client.post(reverse("accounts:password_reset"), {"email": "coord@example.org"})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["coord@example.org"]
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)[1]
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "a new long passphrase 4 jpoa"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.url == reverse("accounts:password_reset_complete")
    coord.refresh_from_db()
    assert coord.check_password(new)
    # The link works once.
    assert b"has been used already" in client.get(link, follow=True).content


def test_password_reset_tells_nothing_about_unknown_addresses(client, coord):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_mail_goes_to_the_console_by_default():
    import jpoa.settings  # the module itself: the test run swaps in an outbox

    assert jpoa.settings.EMAIL_BACKEND.endswith("console.EmailBackend")


def allow_another_try(device: TOTPDevice) -> None:
    """Forget that a wrong code slowed further tries and that this period's code was used.

    django-otp refuses a code in the second after a wrong one, and a code used once.
    """
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()


def enrol(client, user) -> TOTPDevice:
    client.force_login(user)
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_once_enrolled_signing_in_asks_for_a_code(client, coord):
    device = enrol(client, coord)
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "coord").status_code == 302
    # Password alone: every page sends the user to the code.
    for url in (reverse("rounds:index"), "/en/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:verify"))
    assert client.post(reverse("accounts:verify"), {"code": "123"}).status_code == 200
    allow_another_try(device)
    response = client.post(
        reverse("accounts:verify"), {"code": code_for(device), "next": reverse("rounds:index")}
    )
    assert response.url == reverse("rounds:index")
    assert client.get(reverse("rounds:index")).status_code == 200


def test_users_without_a_device_are_not_asked(client, default_data):
    fp = focal_point("osce")
    assert sign_in(client, fp.username).status_code == 302
    assert client.get(reverse("rounds:mine")).status_code == 200


@override_settings(JPOA_COORDINATOR_2FA=True)
def test_the_second_factor_can_be_made_mandatory_for_coordinators(client, coord):
    sign_in(client, "coord")
    response = client.get(reverse("rounds:index"))
    assert response.url.startswith(reverse("accounts:two_factor"))
    # A focal point is not obliged.
    client.post(reverse("accounts:logout"))
    focal_point("osce")
    sign_in(client, "fp-osce")
    assert client.get(reverse("rounds:mine")).status_code == 200


def test_removing_the_second_factor_needs_a_code(client, coord):
    device = enrol(client, coord)
    assert client.post(reverse("accounts:two_factor"), {"code": "999999"}).status_code == 200
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    allow_another_try(device)
    response = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_enrolment_page_needs_a_signed_in_user(client, default_data):
    response = client.get(reverse("accounts:two_factor"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    make_user("plain")


def test_password_reset_requests_are_bounded_per_address_and_mailbox(client, coord):
    from jpoa.accounts.views import ThrottledPasswordResetView as View

    reset = reverse("accounts:password_reset")
    for n in range(View.RESET_LIMIT):
        response = client.post(reset, {"email": "coord@example.org"}, REMOTE_ADDR=f"10.1.0.{n}")
        assert response.status_code == 302
    assert len(mail.outbox) == View.RESET_LIMIT
    # The same mailbox from yet another address: refused, and no more mail.
    refused = client.post(reset, {"email": "coord@example.org"}, REMOTE_ADDR="10.1.0.99")
    assert refused.status_code == 429 and "Too many" in refused.content.decode()
    # An unknown mailbox is answered the same way: nothing is told about accounts.
    for _n in range(View.RESET_LIMIT):
        client.post(reset, {"email": "nobody@example.org"}, REMOTE_ADDR="10.2.0.1")
    assert client.post(reset, {"email": "x@example.org"}, REMOTE_ADDR="10.2.0.1").status_code == 429
    assert len(mail.outbox) == View.RESET_LIMIT


def test_check_deploy_warns_when_coordinators_have_no_second_factor(settings):
    from jpoa.accounts.checks import check_second_factor

    settings.JPOA_COORDINATOR_2FA = False
    assert [m.id for m in check_second_factor()] == ["jpoa.W010"]
    settings.JPOA_COORDINATOR_2FA = True
    assert check_second_factor() == []
