"""Secrets the database must hold (an identity provider's client secret) are stored encrypted:
Fernet from `cryptography` (AES-128-CBC with an HMAC-SHA256 over it, the time and a random IV),
so a database dump or backup alone does not reveal them.

Keys: `SECRETS_ENCRYPTION_KEYS` (environment, comma-separated Fernet keys). The first encrypts,
every one decrypts, so a key is rotated by putting a new one first, running
`manage.py reencrypt_secrets`, then removing the old one. Unset, one key is derived (HKDF-SHA256)
from `SECRET_KEY` and one from each of `SECRET_KEY_FALLBACKS`: Django's own rotation of
SECRET_KEY (old key into the fallbacks, then `reencrypt_secrets`) then carries the secrets along.
"""

import logging
from base64 import urlsafe_b64encode

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


class SecretUnreadable(ValueError):
    """No configured key opens the stored secret (keys lost or removed before re-encryption)."""


def derived_key(secret_key: str) -> bytes:
    """A Fernet key from a Django SECRET_KEY, for this purpose only (HKDF with its own label)."""
    return urlsafe_b64encode(HKDF(algorithm=hashes.SHA256(), length=32, salt=b"familjestod",
                                  info=b"stored secrets").derive(secret_key.encode()))


def _keys() -> list:
    configured = [key.strip() for key in getattr(settings, "SECRETS_ENCRYPTION_KEYS", []) if key.strip()]
    if configured:
        return configured
    return [derived_key(key) for key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]]


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys()])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "SECRETS_ENCRYPTION_KEYS must be Fernet keys, separated by commas (make one with: python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")') from error


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        logger.error("A stored secret cannot be decrypted with the configured keys (SECRETS_ENCRYPTION_KEYS "
                     "or SECRET_KEY and SECRET_KEY_FALLBACKS); enter the secret again in /admin/.")
        raise SecretUnreadable("stored secret unreadable") from None


def reencrypted(token: str) -> str:
    """The same secret under the first key (MultiFernet.rotate)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("stored secret unreadable") from None
