"""Single sign-on through an organisation's OpenID Connect provider (Authlib's client:
discovery, authorisation code with PKCE and nonce, the ID token's signature checked against
the provider's published keys, issuer, audience and expiry).

Nobody gets an account by existing at the provider: the person is matched to an account that
already belongs to the organisation (a unit of it, or its administration), or to a pending
invitation into it, by the provider's subject once linked, else by the configured claim
compared with the account's e-mail address.
"""

from authlib.integrations.django_client import OAuth
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from units import invitations
from units.models import Membership, OrgAccess
from units.services import audit_log, audit_log_many

from . import encryption
from .models import ExternalIdentity, IdentityProvider


class SignOnRefused(Exception):
    """`reason`: no_match, provider_error."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def provider_for(organisation_slug: str) -> IdentityProvider | None:
    return (IdentityProvider.objects.select_related("organisation", "organisation__municipality")
            .filter(organisation__slug=organisation_slug, enabled=True).first())


def client_for(provider: IdentityProvider):
    """A fresh Authlib client; it reads the discovery document on first use."""
    oauth = OAuth()
    return oauth.register(
        name=f"organisation-{provider.organisation_id}",
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256"},
    )


def _belongs(user, organisation) -> bool:
    return (Membership.objects.filter(user=user, unit__organisation=organisation, is_active=True).exists()
            or OrgAccess.objects.filter(user=user, organisation=organisation, is_active=True).exists())


@transaction.atomic
def sign_on_user(*, provider: IdentityProvider, claims: dict):
    """The account these verified ID-token claims sign in, or SignOnRefused (nothing written)."""
    organisation = provider.organisation
    subject = str(claims.get("sub") or "")
    named = str(claims.get(provider.claim) or "").strip().lower()
    if not subject:
        raise SignOnRefused("provider_error")
    linked = ExternalIdentity.objects.select_related("user").filter(provider=provider, subject=subject).first()
    user = linked.user if linked else None
    if user is None and named:
        user = (get_user_model().objects.filter(Q(email__iexact=named) | Q(username__iexact=named))
                .order_by("pk").first())
    pending = invitations.pending_invitations_for_email(named, organisation) if named else []
    if pending:
        user = invitations.invitations_accept_by_sign_on(invitations=pending, user=user)
    if user is None or not user.is_active or not _belongs(user, organisation):
        raise SignOnRefused("no_match")  # the caller writes the audit row, outside this rolled-back block
    if linked is None:
        ExternalIdentity.objects.get_or_create(provider=provider, subject=subject, defaults={"user": user})
    audit_log(user=user, unit=None, action="sso.sign_in", obj=provider)
    return user


def sso_refused_logged(*, provider: IdentityProvider | None, reason: str):
    audit_log(user=None, unit=None, action=f"sso.refused.{reason}", object_type="accounts.identityprovider",
              object_id=str(provider.pk) if provider else "")


def password_refused_for(user) -> IdentityProvider | None:
    """The identity provider a person must use instead of a password, if one of their
    organisations allows no password sign-in (platform administrators are exempt)."""
    if user.is_superuser:
        return None
    organisation_ids = set(Membership.objects.filter(user=user, is_active=True)
                           .values_list("unit__organisation_id", flat=True))
    organisation_ids |= set(OrgAccess.objects.filter(user=user, is_active=True)
                            .values_list("organisation_id", flat=True))
    return (IdentityProvider.objects.filter(organisation_id__in=organisation_ids, enabled=True,
                                            password_allowed=False).first())


@transaction.atomic
def provider_secrets_reencrypt() -> int:
    """Every stored client secret again, under the first key (after a new key is put first).
    All or nothing: a secret no key opens raises SecretUnreadable and nothing is written."""
    providers = list(IdentityProvider.objects.select_for_update().order_by("pk"))
    for provider in providers:
        try:
            provider.client_secret_encrypted = encryption.reencrypted(provider.client_secret_encrypted)
        except encryption.SecretUnreadable as error:
            error.provider = provider
            raise
    IdentityProvider.objects.bulk_update(providers, ["client_secret_encrypted"])
    audit_log_many(user=None, unit=None, action="sso.secret_reencrypt", objects=providers)
    return len(providers)
