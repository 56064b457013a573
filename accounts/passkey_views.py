"""The library's four WebAuthn endpoints (JSON, called by its scripts), with this project's
bookkeeping around them (accounts/passkeys.py). Mounted under /accounts/two-factor/passkey/, which
the two-factor middleware lets through: registering while a code is still due is refused by the
library itself (a person with a second factor must have used it first)."""

import json

from django.views.i18n import JavaScriptCatalog
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn import exceptions, views

from . import passkeys, two_factor


class _Audited:
    def dispatch(self, request, *args, **kwargs):
        # The library asks `user.is_verified()` (django-otp's OTPMiddleware, which this project does not run:
        # it would cost a query on every page). Verified: a device was used in this session and no code is due.
        user = request.user
        if user.is_authenticated:
            verified = DEVICE_ID_SESSION_KEY in request.session and not request.session.get(two_factor.STATE_KEY)
            user.is_verified = lambda: verified
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            passkeys.passkey_refused(request=self.request, code=exc.code)
        return super().handle_exception(exc)


class RegistrationBegin(_Audited, views.BeginCredentialRegistrationView):
    pass


class RegistrationComplete(_Audited, views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)  # {"id": <the new passkey>}, or an error raised
        passkeys.passkey_enrolled(request=self.request, device_id=json.loads(response.content)["id"])
        return response


class AuthenticationBegin(_Audited, views.BeginCredentialAuthenticationView):
    pass


class AuthenticationComplete(_Audited, views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        super().complete_auth(device)
        passkeys.passkey_verified(request=self.request, device=device)


# The scripts' messages: the library's catalogue and this project's Swedish and Danish ones.
javascript_catalog = JavaScriptCatalog.as_view(packages=["django_otp_webauthn", "accounts"])
