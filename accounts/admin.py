from django import forms
from django.contrib import admin

from .models import IdentityProvider


class IdentityProviderForm(forms.ModelForm):
    class Meta:
        model = IdentityProvider
        fields = ["organisation", "name", "issuer", "client_id", "client_secret", "claim", "scopes",
                  "password_allowed", "enabled"]
        widgets = {"client_secret": forms.PasswordInput(render_value=True)}


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ["organisation", "name", "issuer", "claim", "password_allowed", "enabled"]
