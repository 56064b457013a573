from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from . import two_factor

LANGUAGE_KEY = "familjestod_language"


class TwoFactorMiddleware:
    """Between the password and every page: the code (or the enrolment, where it is required).
    Reads only the session; the state is set at sign-in."""

    OPEN_PATHS = ("/accounts/logout/", "/static/", "/i18n/", "/accounts/two-factor/passkey/jsi18n/")
    # What each state may open besides. With the code still due, only the second step itself: the
    # enrolment page would let the password alone replace the authenticator, renew the recovery
    # codes or remove a passkey. A person who must enrol has no second factor yet: the enrolment.
    OPEN_IN_STATE = {
        # The passkey ceremonies are part of the step (the library refuses a registration there).
        two_factor.PENDING: ("/accounts/two-factor/verify/", "/accounts/two-factor/passkey/"),
        two_factor.SETUP: ("/accounts/two-factor/",),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = request.session.get(two_factor.STATE_KEY) if hasattr(request, "session") else None
        if (state and request.user.is_authenticated and not request.path.startswith(self.OPEN_PATHS)
                and not request.path.startswith(self.OPEN_IN_STATE.get(state, ()))):
            target = reverse("two_factor_verify" if state == two_factor.PENDING else "two_factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PersonLanguageMiddleware:
    """The account pages (outside any unit) in the language of the person's unit or
    organisation, remembered at sign-in; before sign-in the browser's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.session.get(LANGUAGE_KEY) if hasattr(request, "session") else None
        if language and request.path.startswith("/accounts/") and request.user.is_authenticated:
            request.LANGUAGE_CODE = language
            with translation.override(language):
                response = self.get_response(request)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                response.headers.setdefault("Content-Language", language)
                return response
        return self.get_response(request)
