"""The test suite runs against PostgreSQL (DATABASE_URL, default the local server)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/familjestod")

from .base import *  # noqa: E402,F403
from .base import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".test-media"))  # noqa: F405
