"""Sign-in records: an organisation's identity provider, the identities it vouched for,
and the sign-ins a person can see and end."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from units.models import Organisation

from . import encryption


class IdentityProvider(models.Model):
    """An organisation's OpenID Connect provider (Inera IdP, Entra ID, NemLog-in …), set up
    by the platform administrator in /admin/. Nobody gets an account through it: a person
    signing in is matched to an invited or existing account by the claim named here."""

    organisation = models.OneToOneField(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                        related_name="identity_provider")
    name = models.CharField(_("name shown on the button"), max_length=100)
    issuer = models.URLField(_("issuer URL"), help_text=_(
        "The provider's issuer; its discovery document is read from <issuer>/.well-known/openid-configuration."))
    client_id = models.CharField(_("client id"), max_length=200)
    # Only the Fernet token (accounts.encryption); read and set through `client_secret`.
    client_secret_encrypted = models.TextField(_("client secret, encrypted"), editable=False)
    claim = models.CharField(_("claim that names the user"), max_length=100, default="email", help_text=_(
        "An ID-token claim whose value is the person's invited e-mail address (email, upn, preferred_username)."))
    scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    password_allowed = models.BooleanField(_("password sign-in stays allowed"), default=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self):
        return f"{self.name} ({self.organisation})"

    @property
    def client_secret(self) -> str:
        """Decrypted when used (signing in), never when the provider is only listed; SecretUnreadable
        (a ValueError, shown as a provider error) when no configured key opens it."""
        return encryption.decrypt(self.client_secret_encrypted)

    @client_secret.setter
    def client_secret(self, plain: str):
        self.client_secret_encrypted = encryption.encrypt(plain)


class ExternalIdentity(models.Model):
    """The provider's subject (`sub`) for an account, fixed at its first single sign-on."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="one_account_per_subject")]

    def __str__(self):
        return f"{self.provider_id}:{self.subject}"


class SignIn(models.Model):
    """One signed-in browser session, so its person can see it and end it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins")
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    user_agent = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=20, default="password")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"
