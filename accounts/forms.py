from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from units.invitations import ORGANISATION_ROLES
from units.models import Invitation, Role, StaffGroup

UNIT_ROLE_CHOICES = [(Role.COUNSELLOR, Role.COUNSELLOR.label), (Role.CHIEF, Role.CHIEF.label)]


def add_service_errors(form, error):
    """A service's ValidationError at the form's fields (or above them)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class _GroupsMixin:
    def _set_groups(self, unit):
        groups = StaffGroup.objects.filter(unit=unit)
        self.fields["groups"].queryset = groups
        if not groups.exists():
            del self.fields["groups"]


class InviteForm(_GroupsMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=UNIT_ROLE_CHOICES, initial=Role.COUNSELLOR)
    groups = forms.ModelMultipleChoiceField(label=_("Staff groups"), queryset=StaffGroup.objects.none(),
                                            required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_groups(unit)


class MemberForm(_GroupsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=UNIT_ROLE_CHOICES)
    is_active = forms.BooleanField(label=_("Active (may sign in to this unit)"), required=False)
    groups = forms.ModelMultipleChoiceField(label=_("Staff groups"), queryset=StaffGroup.objects.none(),
                                            required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_groups(unit)


class StaffGroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=80)


class OrgInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Access"), choices=[(kind, Invitation.Kind(kind).label)
                                                         for kind in ORGANISATION_ROLES])


class OrgPersonForm(forms.Form):
    manages_people = forms.BooleanField(label=_("Manages the organisation's administration accounts"),
                                        required=False)
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)


class AcceptInvitationForm(forms.Form):
    """A new account's password (the user name is the invited e-mail address)."""

    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(username=self.email, email=self.email)
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text=_("The six digits in your authenticator app, or one of your recovery codes."))


class SignInForm(AuthenticationForm):
    """Django's sign-in form; refuses a password where the person's organisation signs in
    through its identity provider only."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from .sso import password_refused_for

        provider = password_refused_for(user)
        if provider is not None:
            raise forms.ValidationError(
                _("Your organisation signs in through %(name)s. Use the button below.") % {"name": provider.name},
                code="password_not_allowed")
