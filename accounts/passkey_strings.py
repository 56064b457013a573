"""Swedish and Danish for the messages django-otp-webauthn shows people (it ships neither language):
listed here so that `make messages` keeps them in this app's catalogues. Django merges every app's
catalogue, so the library's own gettext calls find these translations. Its scripts' messages are in
accounts/locale/*/LC_MESSAGES/djangojs.po (served by accounts.passkey_views.javascript_catalog)."""

from django.utils.translation import gettext_noop

LIBRARY_MESSAGES = [
    gettext_noop("Error processing WebAuthn request."),
    gettext_noop("Malformed request. JSON not parsable."),
    gettext_noop("State is missing or invalid. Please begin the operation first before trying to complete it."),
    gettext_noop("Unprocessable Entity"),
    gettext_noop("Passwordless login is disabled."),
    gettext_noop("This user account is marked as disabled."),
    gettext_noop("This Passkey has been marked as disabled."),
    gettext_noop("The Passkey you tried to use was not found. Perhaps it was removed?"),
    gettext_noop("The Passkey you tried to use does not belong to the currently logged-in user. Try using a "
                 "different Passkey or logout first to use this Passkey."),
    gettext_noop("Authentication required."),
    gettext_noop("User is not verified."),
    gettext_noop("You must verify your identity first with an existing MFA device before you can register a new "
                 "passkey."),
]
