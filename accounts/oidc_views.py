"""Single sign-on pages: start at the organisation's provider, come back with a code."""

import requests
from authlib.integrations.base_client.errors import OAuthError
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from joserfc.errors import JoseError

from . import sign_ins, sso

NEXT_KEY = "familjestod_sso_next"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refused(request, provider, reason):
    sso.sso_refused_logged(provider=provider, reason=reason)
    return render(request, "accounts/sso_refused.html", {"reason": reason, "provider": provider}, status=403)


def oidc_login(request, organisation):
    provider = sso.provider_for(organisation)
    if provider is None:
        raise Http404
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        request.session[NEXT_KEY] = target
    callback = request.build_absolute_uri(reverse("oidc_callback", kwargs={"organisation": organisation}))
    try:
        return sso.client_for(provider).authorize_redirect(request, callback)
    except (requests.RequestException, OAuthError, ValueError, KeyError):
        return _refused(request, provider, "provider_error")


def oidc_callback(request, organisation):
    provider = sso.provider_for(organisation)
    if provider is None:
        raise Http404
    try:
        token = sso.client_for(provider).authorize_access_token(request)
    except OAuthError as error:
        reason = "state" if getattr(error, "error", "") == "mismatching_state" else "provider_error"
        return _refused(request, provider, reason)
    except JoseError:  # signature, issuer, audience, nonce or expiry of the ID token
        return _refused(request, provider, "signature")
    except (requests.RequestException, ValueError, KeyError):
        return _refused(request, provider, "provider_error")
    claims = token.get("userinfo")
    if not claims:  # no verified ID token: never trust the access token alone
        return _refused(request, provider, "provider_error")
    try:
        user = sso.sign_on_user(provider=provider, claims=dict(claims))
    except sso.SignOnRefused as refusal:
        return _refused(request, provider, refusal.reason)
    target = request.session.pop(NEXT_KEY, None) or reverse("home")
    request.session[sign_ins.SESSION_METHOD_KEY] = "oidc"
    login(request, user, backend=MODEL_BACKEND)
    return redirect(target)
