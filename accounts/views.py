"""Sign-in pages every person uses: accepting an invitation, password change and reset,
active sessions, the second factor."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units import invitations

from . import passkeys, sign_ins, two_factor
from .forms import AcceptInvitationForm, CodeForm, SignInForm

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _invitation_language(invitation):
    return invitation.unit.language if invitation.unit else invitation.organisation.language


def _invalid(request, error, *, language=None):
    invitations.invitation_reject_logged(error=error, user=request.user)
    invitation = error.invitation
    language = language or (_invitation_language(invitation) if invitation else None)
    status = 404 if error.reason == "unknown" else 410
    with translation.override(language or translation.get_language()):
        return render(request, "accounts/invitation_invalid.html", {"reason": error.reason}, status=status)


def _destination(invitation):
    if invitation.unit is not None:
        return reverse("unit_home", kwargs={"unit_slug": invitation.unit.slug})
    return reverse("org_home", kwargs={"org_slug": invitation.organisation.slug})


def invitation_accept(request, token):  # noqa: PLR0911  (one answer per state of the link)
    try:
        invitation = invitations.invitation_for_token(token)
    except invitations.InvitationInvalid as error:
        return _invalid(request, error)
    language = _invitation_language(invitation)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    existing = invitations.find_user_by_email(invitation.email)
    signed_in = request.user if request.user.is_authenticated else None
    provider = _identity_provider(invitation.organisation)
    context = {"invitation": invitation, "place": invitation.unit or invitation.organisation,
               "destination": _destination(invitation),
               "provider": provider, "existing": existing, "signed_in": signed_in,
               "password_allowed": provider is None or provider.password_allowed}
    if signed_in is not None and signed_in != existing:
        return render(request, "accounts/invitation_accept.html", {**context, "other_person": True})
    if existing is not None:
        if signed_in is None:
            return render(request, "accounts/invitation_accept.html", context)
        if request.method == "POST":
            try:
                invitations.invitation_accept(token=token, user=signed_in)
            except invitations.InvitationInvalid as error:
                return _invalid(request, error, language=language)
            messages.success(request, _("Welcome to %(place)s.") % {"place": context["place"]})
            return redirect(_destination(invitation))
        return render(request, "accounts/invitation_accept.html", context)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None, email=invitation.email)
    if request.method == "POST" and context["password_allowed"] and form.is_valid():
        try:
            user = invitations.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except invitations.InvitationInvalid as error:
            return _invalid(request, error, language=language)
        login(request, user, backend=MODEL_BACKEND)
        messages.success(request, _("Welcome to %(place)s. Your user name is %(username)s.")
                         % {"place": context["place"], "username": user.get_username()})
        return HttpResponseRedirect(_destination(invitation))
    return render(request, "accounts/invitation_accept.html", {**context, "form": form})


def _identity_provider(organisation):
    """The organisation's single sign-on, when one is configured and switched on."""
    from .models import IdentityProvider

    return IdentityProvider.objects.filter(organisation=organisation, enabled=True).first()


@login_required
def account(request):
    return render(request, "accounts/account.html", {
        "sign_ins": sign_ins.active_sign_ins(request.user), "current_key": request.session.session_key})


@require_POST
@login_required
def sign_in_end(request, sign_in_id):
    if sign_in_id and sign_ins.sign_in_end(user=request.user, sign_in_id=sign_in_id):
        messages.success(request, _("That browser is signed out."))
    return redirect("account")


# --- two-factor sign-in -------------------------------------------------------------------------

def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse(default)


@login_required
def two_factor_verify(request):
    if request.session.get(two_factor.STATE_KEY) != two_factor.PENDING:
        return redirect(_next(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if two_factor.throttled(request.user):
            form.add_error("code", _("Too many wrong codes. Wait a moment and try again."))
        elif two_factor.second_factor_verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next(request))
        else:
            form.add_error("code", _("The code is wrong, too old or already used. Try the next code."))
    return render(request, "accounts/two_factor_verify.html", {
        "form": form, "next": _next(request), "has_passkey": passkeys.has_passkey(request.user),
        "has_totp": two_factor.totp_device(request.user) is not None})


def _enrolment_page(request, context, pending, form=None):
    return render(request, "accounts/two_factor.html", {**context, "pending": pending, "form": form or CodeForm(),
                                                        **two_factor.totp_picture(pending)})


def _confirm(request, context):
    pending = two_factor.pending_totp(request.user)
    if pending is None:
        return redirect("two_factor")
    form = CodeForm(request.POST)
    if form.is_valid():
        codes = two_factor.totp_confirm(request=request, device=pending, code=form.cleaned_data["code"])
        if codes is not None:
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": context["next"]})
        form.add_error("code", _("The code is wrong, too old or already used. Try the next code."))
    return _enrolment_page(request, context, pending, form)


@login_required
def two_factor_page(request):
    """Enrol an authenticator app or passkeys, see recovery codes once, renew them, turn off."""
    user = request.user
    next_url = _next(request, "account")
    # The first passkey's recovery codes, once (its registration was a script's JSON request).
    new_codes = request.session.pop(passkeys.NEW_CODES_KEY, None) if request.method == "GET" else None
    device = two_factor.totp_device(user)
    keys = passkeys.passkeys_of(user)
    context = {"device": device, "passkeys": keys, "required": two_factor.must_enrol(user), "next": next_url,
               "form": CodeForm()}
    action = request.POST.get("action") if request.method == "POST" else None
    must_start = (device is None and not keys and request.session.get(two_factor.STATE_KEY) == two_factor.SETUP
                  and two_factor.pending_totp(user) is None)
    if action == "start" or must_start:
        return _enrolment_page(request, context, two_factor.totp_start(user=user))
    if action == "confirm":
        return _confirm(request, context)
    if action == "recovery" and (device is not None or keys):
        new_codes = two_factor.recovery_codes_renew(user=user)
    if new_codes:
        return render(request, "accounts/two_factor_codes.html", {"codes": new_codes, "next": next_url})
    if action == "remove" and device is not None:
        form = CodeForm(request.POST)
        if form.is_valid() and two_factor.totp_remove(request=request, code=form.cleaned_data["code"]):
            messages.success(request, _("Two-factor sign-in is turned off."))
            return redirect("account")
        form.add_error(None, _("Two-factor sign-in stays on: the code was wrong, or it is required for you."))
        context["form"] = form
    pending = two_factor.pending_totp(user) if device is None and not keys else None
    if pending is not None:
        return _enrolment_page(request, context, pending)
    context["recovery_left"] = two_factor.recovery_codes_left(user) if device is not None or keys else 0
    return render(request, "accounts/two_factor.html", context)


@require_POST
@login_required
def passkey_remove(request, passkey_id):
    passkey = passkeys.passkey_of(request.user, passkey_id)
    if passkey is None:  # unknown, or somebody else's
        raise Http404
    if passkeys.passkey_remove(user=request.user, device=passkey):
        messages.success(request, _("The passkey is removed."))
    else:
        messages.error(request, _("The passkey stays: your role requires a second factor, and it is your last."))
    return redirect("two_factor")


class SignInView(auth_views.LoginView):
    """Django's log-in view (axes counts its failures) with the organisations' sign-on buttons."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from .models import IdentityProvider

        return {**super().get_context_data(**kwargs), "providers": list(
            IdentityProvider.objects.filter(enabled=True).select_related("organisation").order_by("name"))}
