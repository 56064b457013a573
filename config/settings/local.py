"""Zero-setup development: SQLite unless DATABASE_URL says otherwise, DEBUG on."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
