"""Two-factor sign-in with django-otp: TOTP (any authenticator app), passkeys (accounts/passkeys.py)
and one-time recovery codes.

After the password, a person with a confirmed authenticator or passkey must give it before any page;
when settings.REQUIRE_TWO_FACTOR is on, a unit chief or an administration user without one must
enrol first. The state lives in the session (set at sign-in), so a page view costs no query.
django-otp refuses a code used before (TOTP `last_t`), accepts one step of clock drift either
way, and slows down repeated failures (exponential back-off per device).
"""

from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from units.models import Membership, OrgAccess, Role
from units.services import audit_log

STATE_KEY = "familjestod_two_factor"
PENDING = "pending"   # has an authenticator; the code is still to come
SETUP = "setup"       # must enrol before anything else
RECOVERY_CODES = 10
RECOVERY_DEVICE = "recovery"


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def must_enrol(user) -> bool:
    """Chiefs and administration users, when the setting says so."""
    if not settings.REQUIRE_TWO_FACTOR:
        return False
    return (Membership.objects.filter(user=user, role=Role.CHIEF, is_active=True).exists()
            or OrgAccess.objects.filter(user=user, is_active=True).exists())


def has_passkey(user) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def state_at_sign_in(user) -> str | None:
    if totp_device(user) is not None or has_passkey(user):
        return PENDING
    return SETUP if must_enrol(user) else None


def totp_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator (an earlier unconfirmed one goes)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def pending_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def totp_picture(device: TOTPDevice) -> dict:
    """The QR code (as a data URI, allowed by the page's CSP) and the key to type in by hand."""
    return {"qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, dark="#000"),
            "secret": b32encode(device.bin_key).decode()}


@transaction.atomic
def totp_confirm(*, request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with its first code. Returns the new recovery codes (shown
    once), or None when the code is wrong (nothing changes)."""
    if not device.verify_token(_digits(code)):
        audit_log(user=request.user, unit=None, action="two_factor.enrol.refused", obj=device)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    codes = recovery_codes_renew(user=device.user)
    django_otp.login(request, device)
    request.session.pop(STATE_KEY, None)
    audit_log(user=device.user, unit=None, action="two_factor.enrol", obj=device)
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_clear(*, user):
    StaticDevice.objects.filter(user=user).delete()


def _digits(code: str) -> str:
    return "".join((code or "").split())


@transaction.atomic
def second_factor_verify(*, request, code: str) -> bool:
    """The code after the password: a TOTP code or one recovery code (then used up)."""
    user = request.user
    code = _digits(code)
    device = totp_device(user)
    matched = None
    if device is not None and code.isdigit() and device.verify_token(code):
        matched = device
    else:
        recovery = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE).first()
        if recovery is not None and recovery.verify_token(code.lower()):
            matched = recovery
    if matched is None:
        audit_log(user=user, unit=None, action="two_factor.refused")
        return False
    django_otp.login(request, matched)
    request.session.pop(STATE_KEY, None)
    audit_log(user=user, unit=None, action="two_factor.verified", obj=matched)
    return True


def throttled(user) -> bool:
    device = totp_device(user)
    return device is not None and not device.verify_is_allowed()[0]


@transaction.atomic
def totp_remove(*, request, code: str) -> bool:
    """Turn two-factor sign-in off (not allowed where it is required); needs a current code."""
    user = request.user
    device = totp_device(user)
    if device is None or must_enrol(user) or not device.verify_token(_digits(code)):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    if not has_passkey(user):  # the recovery codes stay for the passkeys
        recovery_codes_clear(user=user)
    audit_log(user=user, unit=None, action="two_factor.remove")
    return True


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()
