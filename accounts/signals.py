"""Recording a sign-in (password, invitation, single sign-on, the test client's
force_login alike): the row behind the "active sessions" page."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import sign_ins, two_factor
from .middleware import LANGUAGE_KEY
from .passwords import language_of


@receiver(user_logged_in, dispatch_uid="accounts.sign_in_recorded")
def _recorded(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    sign_ins.sign_in_record(request=request, user=user)
    request.session[LANGUAGE_KEY] = language_of(user)
    # Single sign-on: the organisation's identity provider is the second factor.
    if request.session.get(sign_ins.SESSION_METHOD_KEY) != "oidc":
        state = two_factor.state_at_sign_in(user)
        if state:
            request.session[two_factor.STATE_KEY] = state


@receiver(user_logged_out, dispatch_uid="accounts.sign_in_forgotten")
def _forgotten(sender, request, user, **kwargs):
    if request is not None and user is not None:
        sign_ins.sign_in_forget(request=request, user=user)
