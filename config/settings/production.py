"""Production: every secret and host from the environment; refuse to start without them."""

import os

from django.core.exceptions import ImproperlyConfigured

for _name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"Set the environment variable {_name} before starting Familjestöd.")

from .base import *  # noqa: E402,F403
from .base import STORAGES  # noqa: E402

DEBUG = False
# Chiefs and administration users enrol a second factor (README "Accounts and sign-in").
REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", True)  # noqa: F405
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy checks over the internal network, in http
# Behind the proxy the client's address is the last X-Forwarded-For hop (log-in throttling).
AXES_IPWARE_PROXY_COUNT = 1
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# No SECURE_PROXY_SSL_HEADER: gunicorn believes X-Forwarded-Proto from the proxy's address only
# (config/gunicorn.py, forwarded_allow_ips) and sets the request's scheme; a client that sends
# the header itself, from anywhere else, is not believed.
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
