"""Change one's password and "forgot password": Django's own views, forms and tokens, with
the pages in our templates, the mail in the person's language and a rate limit on requests."""

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import translation

from units.models import Membership, OrgAccess
from units.services import audit_log

from . import sign_ins


def language_of(user) -> str:
    """The language of the person's first unit, else of their organisation, else Swedish."""
    membership = Membership.objects.filter(user=user, is_active=True).select_related("unit").first()
    if membership is not None:
        return membership.unit.language
    access = (OrgAccess.objects.filter(user=user, is_active=True)
              .select_related("organisation__municipality").first())
    return access.organisation.language if access is not None else "sv"


class LocalisedPasswordResetForm(PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):  # noqa: PLR0917
        with translation.override(language_of(context["user"])):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


def _over_the_limit(request, email: str) -> bool:
    """Counts a request per address and per e-mail; True once either passed the limit."""
    allowed, window = settings.PASSWORD_RESET_RATE
    address = request.META.get("REMOTE_ADDR", "")
    keys = [f"password-reset:ip:{address}",
            "password-reset:email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()]
    over = False
    for key in keys:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        over = over or count > allowed
    return over


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same answer, whether the address has an account or not; too many requests
    from one address or for one e-mail get a 429 page and no mail."""

    form_class = LocalisedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        if _over_the_limit(self.request, form.cleaned_data["email"]):
            audit_log(user=None, unit=None, action="password.reset.rate_limited")
            return render(self.request, "accounts/too_many_requests.html", status=429)
        audit_log(user=None, unit=None, action="password.reset.requested")
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context.get("validlink"):
            audit_log(user=None, unit=None, action="password.reset.refused")
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_log(user=form.user, unit=None, action="password.reset.done", obj=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in under a new key
        sign_ins.sign_in_record(request=self.request, user=form.user)
        audit_log(user=form.user, unit=None, action="password.change", obj=form.user)
        return response


password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html")
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
