"""The optional second factor: a time-based code (TOTP) from an authenticator app.

django-otp keeps the devices and checks the codes (with its own throttling of
wrong codes); segno draws the enrolment QR code as SVG on the server, so the
page needs no script and no third party.
"""

import base64

import segno
from django.conf import settings
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import is_coordinator


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: created on first visit, confirmed by a first good code."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in (base32), for those who cannot scan."""
    return base64.b32encode(device.bin_key).decode()


def needs_second_factor(user) -> bool:
    """Signed in with a password only, but enrolled (or obliged) to give a code too."""
    if not user.is_authenticated or user.is_verified():
        return False
    return user_has_device(user) or requires_enrolment(user)


def requires_enrolment(user) -> bool:
    return settings.JPOA_COORDINATOR_2FA and is_coordinator(user) and not user_has_device(user)
