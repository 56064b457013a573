"""Passkeys (WebAuthn) as the second factor, with django-otp-webauthn (a django-otp device, so
`django_otp.login`, `user.is_verified()` and the REQUIRE_TWO_FACTOR policy treat a passkey like the
authenticator app). The library runs the ceremonies (py_webauthn: challenge, origin, RP ID, signature,
sign count); this module is what happens around them here: the two-factor state in the session, the
recovery codes, the audit rows, and who may remove which passkey.

Passwordless sign-in is off (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN): a passkey only ever follows the
password, so django-axes' lock-out and an organisation's "password sign-in stays allowed" keep working.
"""

from django.db import transaction
from django_otp_webauthn.models import WebAuthnCredential

from units.services import audit_log

from . import two_factor

NEW_CODES_KEY = "familjestod_new_recovery_codes"  # shown once on the next two-factor page


def passkeys_of(user) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk"))


has_passkey = two_factor.has_passkey


@transaction.atomic
def passkey_enrolled(*, request, device_id: int):
    """After the library saved a new passkey: the person's first second factor also gets recovery
    codes (shown once), and a required enrolment is done."""
    device = WebAuthnCredential.objects.get(pk=device_id, user=request.user)
    if two_factor.recovery_codes_left(request.user) == 0 and two_factor.totp_device(request.user) is None:
        request.session[NEW_CODES_KEY] = two_factor.recovery_codes_renew(user=request.user)
    request.session.pop(two_factor.STATE_KEY, None)
    audit_log(user=request.user, unit=None, action="two_factor.passkey.enrol", obj=device)


def passkey_verified(*, request, device):
    """After the library checked the passkey's signature for the signed-in person (second step)."""
    request.session.pop(two_factor.STATE_KEY, None)
    audit_log(user=request.user, unit=None, action="two_factor.verified", obj=device)


def passkey_refused(*, request, code: str):
    user = request.user if request.user.is_authenticated else None
    audit_log(user=user, unit=None, action=f"two_factor.passkey.refused.{code}")


def may_remove(user, device: WebAuthnCredential) -> bool:
    """Not the last second factor of someone who must have one."""
    if not two_factor.must_enrol(user):
        return True
    others = WebAuthnCredential.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists()
    return others or two_factor.totp_device(user) is not None


def passkey_of(user, device_id: int) -> WebAuthnCredential | None:
    return WebAuthnCredential.objects.filter(user=user, pk=device_id).first()


@transaction.atomic
def passkey_remove(*, user, device: WebAuthnCredential) -> bool:
    if not may_remove(user, device):
        return False
    device.delete()
    if not has_passkey(user) and two_factor.totp_device(user) is None:
        two_factor.recovery_codes_clear(user=user)
    audit_log(user=user, unit=None, action="two_factor.passkey.remove")
    return True
