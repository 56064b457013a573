"""Settings shared by every environment; everything comes from environment variables."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-development-key-never-in-production")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
# Fernet keys for the secrets kept in the database (accounts.encryption): the first encrypts, all decrypt.
# Unset: derived from SECRET_KEY and SECRET_KEY_FALLBACKS. README "Accounts and sign-in".
SECRETS_ENCRYPTION_KEYS = env_list("SECRETS_ENCRYPTION_KEYS", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "units",
    "intake",
    "sessions.apps.CounsellingConfig",
    "billing",
    "reporting",
    "quality",
    "bookings",
    "importing",
    "accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    "units.logs.RequestIdMiddleware",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the middlewares below, so the responses they return themselves (a session's
    # end, another unit's 404) are marked too.
    "units.middleware.PrivateCacheMiddleware",
    "units.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.PersonLanguageMiddleware",
    "units.middleware.TenantMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "units.context_processors.tenant",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A persistent connection is checked before a request reuses it: after a database
        # restart the first request gets a new connection instead of a 500.
        conn_health_checks=True,
    )
}
# No server-side cursors (Django's choice fields iterate their querysets with one): one round trip
# instead of DECLARE, FETCH and CLOSE, and right behind PgBouncer in transaction mode, where a
# cursor may not outlive its transaction (README "Scaling").
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Log-in throttling: username AND address together, because many counsellors share
# one municipal address and locking the address alone would lock a whole office.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Sessions: 30 minutes idle (cookie age renewed on every request), 10 hours absolute.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# No inline scripts or styles anywhere: templates are written for this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
# Endonyms: each language named in itself. Catalogues live in each app's locale/.
LANGUAGES = [("sv", "svenska"), ("da", "dansk"), ("en", "English")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Stockholm"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Widgets render through Jinja2, the admin's through Django's engine (units.widgets).
FORM_RENDERER = "units.widgets.WidgetRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: with no broker configured every task runs in-process (eager).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that is down must not hold a request for long: two quick tries, then the caller
# decides (a report version stays queued for the sweep below).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose whole worker died is handed to another worker after this long. Longer than any
# task runs (a report build takes seconds; big exports report progress in steps), shorter than
# the 96 s a counsellor waited with the old 90 s.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "30")),
    # Sweep for abandoned messages every 10 s (the default throttle makes it every 100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-reports": {"task": "reporting.tasks.requeue_stale_reports", "schedule": 60.0},
    "requeue-stale-exports": {"task": "sessions.tasks.requeue_stale_exports", "schedule": 60.0},
    "purge-old-exports": {"task": "sessions.tasks.purge_old_exports", "schedule": crontab(minute=40)},
    "forget-unconfirmed-imports": {"task": "importing.tasks.forget_unconfirmed_import_files",
                                   "schedule": crontab(minute=45)},
    "scheduled-reports": {"task": "reporting.tasks.build_scheduled_reports", "schedule": crontab(hour=2, minute=15)},
    "annual-report-reminders": {"task": "reporting.tasks.remind_annual_reports", "schedule": crontab(hour=7, minute=0)},
    # Retention (gallring): README "Retention".
    "retention-purge": {"task": "reporting.tasks.purge_expired_nightly", "schedule": crontab(hour=3, minute=30)},
}

# A shared cache (Redis) makes per-link rate limits hold across web processes; without
# CACHE_URL each process counts on its own.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "familjestod@localhost")
# EMAIL_URL (smtp://user:password@host:587 with STARTTLS, smtps://…:465 with TLS) overrides the above.
if os.environ.get("EMAIL_URL"):
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "smtp" and EMAIL_PORT == 587

# LOG_FORMAT=json (docker-compose.yml): one JSON object a line with the request id (units.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "units.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "units.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # The request line of units.logs at INFO when LOG_LEVEL=INFO; Django's own 4xx warnings
        # name the full path with its query string, so they stay out.
        "django.request": {"level": "ERROR"},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}

# Covering indexes (INCLUDE) exist for PostgreSQL; SQLite, the zero-setup default, ignores them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Test seam: seconds to pause between report build steps, so a test can kill a worker mid-build.
REPORT_BUILD_STEP_PAUSE_SECONDS = float(os.environ.get("REPORT_BUILD_STEP_PAUSE_SECONDS", "0"))
# Imports (units/imports.py): the largest file read; the import page checks and imports files
# up to IMPORT_INLINE_BYTES within the request, larger ones in a Celery task with a progress bar.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
IMPORT_INLINE_BYTES = int(os.environ.get("IMPORT_INLINE_BYTES", str(256 * 1024)))
IMPORT_STEP_PAUSE_SECONDS = float(os.environ.get("IMPORT_STEP_PAUSE_SECONDS", "0"))  # browser tests watch the bar
# A queued or building report version (or session export) with no sign of life for this long is
# stuck: the sweep queues it again and the chief may retry a report.
REPORT_BUILD_STALE_SECONDS = int(os.environ.get("REPORT_BUILD_STALE_SECONDS", "120"))

# FIT (ORS/SRS) thresholds are unit settings (units.Unit.ors_cutoff_adult …, defaults 25/32/±5/36).

# Accounts and sign-in (README "Accounts and sign-in").
# Absolute links in mail sent outside a request (invitations from a command or the unit wizard).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Chiefs and administration users must enrol a second factor before they reach any page.
REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", False)
OTP_TOTP_ISSUER = "Familjestöd"
# Passkeys (WebAuthn) as the second factor, accounts/passkeys.py. The relying party is the site's host name
# (credentials are bound to it: changing it means enrolling again); browsers accept only a domain, never an IP
# address, and only over https or on localhost. No passwordless sign-in: the password step (django-axes,
# the organisation's "password sign-in stays allowed") stays in front of every sign-in.
# Unset, both follow SITE_URL; an address like 127.0.0.1 (make run) becomes localhost: open the demo at
# http://localhost:8000 to use a passkey.
_SITE = urlsplit(SITE_URL)
_SITE_HOST = "localhost" if (_SITE.hostname or "").replace(".", "").isdigit() else _SITE.hostname
_SITE_ORIGIN = f"{_SITE.scheme}://{_SITE_HOST}" + (f":{_SITE.port}" if _SITE.port else "")
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", _SITE_HOST)
OTP_WEBAUTHN_RP_NAME = "Familjestöd"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("WEBAUTHN_ORIGINS", _SITE_ORIGIN)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# "Forgot password": at most this many requests per address and per e-mail in the window.
PASSWORD_RESET_RATE = (5, 60 * 60)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
