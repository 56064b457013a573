"""Sign-in pages every person uses: accepting an invitation, password change and reset,
active sessions, the second factor."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from units import invitations

from .forms import AcceptInvitationForm

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
