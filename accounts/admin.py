from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import IdentityProvider


class IdentityProviderForm(forms.ModelForm):
    # Write-only: the secret is stored encrypted (accounts.encryption) and never rendered back.
    client_secret = forms.CharField(
        label=_("client secret"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the secret already stored."))

    class Meta:
        model = IdentityProvider
        fields = ["organisation", "name", "issuer", "client_id", "client_secret", "claim", "scopes",
                  "password_allowed", "enabled"]

    def clean_client_secret(self):
        secret = self.cleaned_data["client_secret"]
        if not secret and not self.instance.client_secret_encrypted:
            raise forms.ValidationError(_("Enter the client secret the provider gave you."))
        return secret

    def save(self, commit=True):
        if self.cleaned_data["client_secret"]:
            self.instance.client_secret = self.cleaned_data["client_secret"]
        return super().save(commit=commit)


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ["organisation", "name", "issuer", "claim", "password_allowed", "enabled"]
