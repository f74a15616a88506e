"""Relais settings: one module, configured by environment variables (12-factor).

Every deployment differs only by its environment. The defaults give the embedded
demo set-up: SQLite under ``var/``, an in-process cache, a SQLite-backed task queue.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("RELAIS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once into var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "channels",
    "huey.contrib.djhuey",
    "ninja",
    "relais.core.accounts",
    "relais.core.organizations",
    "relais.core.workspaces",
    "relais.core.contacts",
    "relais.core.interactions",
    "relais.core.audit",
    "relais.core.jobs",
    "relais.core.calendars",
    "relais.core.notifications",
    "relais.core.knowledge",
    "relais.core",
    "relais.crm",
    "relais.training",
    "relais.community",
    "relais.frontdoor",
    "relais.journeys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "relais.core.workspaces.middleware.CurrentWorkspaceMiddleware",
    "axes.middleware.AxesMiddleware",
    # A learner's window launched from an LMS keeps its opener (relais/training/middleware.py).
    "relais.training.middleware.LmsLaunchOpenerPolicyMiddleware",
]

ROOT_URLCONF = "relais.urls"
WSGI_APPLICATION = "relais.wsgi.application"
ASGI_APPLICATION = "relais.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "relais" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relais.core.context_processors.platform",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'relais.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the worker read while the other writes. Writers queue: a
    # room of 100 learners logging in at once waited more than 5 s for the write lock
    # (bench/training_load.py), so a writer may wait up to 30 s rather than fail.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
            " PRAGMA foreign_keys=ON;"
            # Reads come from a memory map and a 32 MB page cache per connection rather than
            # through read() into SQLite's default 2 MB cache (searches over large indexes).
            " PRAGMA mmap_size=268435456; PRAGMA cache_size=-32000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    # Argon2id at OWASP's minimum (m=19 MiB, t=2, p=1): Django's default (m=100 MiB, p=8) made
    # the 100 logins of a training room queue for 11 s. It verifies every Argon2 hash (the
    # parameters are in the hash) and rewrites older ones at sign-in.
    "relais.core.accounts.hashers.RelaisArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2 computations at once per process (0: one per core); see relais.core.accounts.hashers.
PASSWORD_HASH_THREADS = int(os.environ.get("PASSWORD_HASH_THREADS", "0"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "fr"
# French only until an English catalogue exists: otherwise a browser asking for English would
# get Django's own strings (dates, form errors) in English among French screens.
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "relais" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "relais" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("RELAIS_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("RELAIS_PLAIN_STATIC")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: Huey, with SQLite storage under var/ by default and Redis when REDIS_URL is set.
HUEY = {
    "name": "relais",
    "immediate": env_bool("HUEY_IMMEDIATE"),
    "utc": True,
    "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.PriorityRedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")})

# Real time (Django Channels): websockets are served by the same ASGI server as the pages. The
# in-memory layer reaches only the websockets of its own process; REDIS_URL joins every worker.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Without a shared layer, an open notification socket re-reads its unread count this often.
NOTIFICATIONS_POLL_SECONDS = int(os.environ.get("NOTIFICATIONS_POLL_SECONDS", "20"))

# E-mail: SMTP when EMAIL_HOST is set; otherwise every message is written as a file under
# var/mail/ (one .log file per connection), so the demo's mail stays readable without a server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Relais <ne-pas-repondre@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Relais] "
# Front door e-mail intake (``manage.py run_smtp_intake``, started by ``make serve``): the inbox
# of a network is ``Network.inbox_address``; FRONTDOOR_INBOX_ADDRESS is the inbox of the only
# network when it has none of its own. Limits apply to e-mail attachments and uploads alike.
FRONTDOOR_INBOX_ADDRESS = os.environ.get("FRONTDOOR_INBOX_ADDRESS", "guichet@localhost")
FRONTDOOR_SMTP_MAX_MESSAGE_BYTES = int(
    os.environ.get("FRONTDOOR_SMTP_MAX_MESSAGE_BYTES", str(30 * 1024 * 1024))
)
FRONTDOOR_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("FRONTDOOR_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
FRONTDOOR_ATTACHMENT_MAX_COUNT = int(os.environ.get("FRONTDOOR_ATTACHMENT_MAX_COUNT", "10"))
# Front door: OCR of scanned letters' pages without a text layer (Debian's tesseract, French).
FRONTDOOR_TESSERACT_CMD = os.environ.get("FRONTDOOR_TESSERACT_CMD", "tesseract")
FRONTDOOR_OCR_MAX_PAGES = int(os.environ.get("FRONTDOOR_OCR_MAX_PAGES", "10"))
FRONTDOOR_OCR_TIMEOUT = float(os.environ.get("FRONTDOOR_OCR_TIMEOUT", "60"))
# Where e-mails point their links (no request to take the host from in the task worker).
RELAIS_SITE_URL = os.environ.get("RELAIS_SITE_URL", "http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"  # no page of Relais is meant to be framed
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # relaxed only for LMS launches (training)
# The LMS origins allowed to launch exercises (SCORM); empty: any web origin.
RELAIS_LMS_ORIGINS = env_list("RELAIS_LMS_ORIGINS")
# Seals the hidden identity keys in Excel snapshots (default: derived from SECRET_KEY); share it
# between installations that exchange graded school bases.
RELAIS_SNAPSHOT_KEY = os.environ.get("RELAIS_SNAPSHOT_KEY", "")
if env_bool("RELAIS_HTTPS"):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_client_errors": {"()": "relais.core.logging.OneLineClientErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["one_line_client_errors"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

RELAIS_PAGE_SIZE = int(os.environ.get("RELAIS_PAGE_SIZE", "25"))

# Journeys: the largest event-log file accepted for import (bytes; 512 MiB by default).
JOURNEYS_LOG_MAX_UPLOAD_BYTES = int(
    os.environ.get("JOURNEYS_LOG_MAX_UPLOAD_BYTES", str(512 * 1024 * 1024))
)
# Journeys: a CSV import is read and written in batches of about this many bytes.
JOURNEYS_CSV_BATCH_BYTES = int(os.environ.get("JOURNEYS_CSV_BATCH_BYTES", str(32 * 1024 * 1024)))
# Journeys: an uncached observed view of a larger log is computed by a background job.
JOURNEYS_OBSERVED_SYNC_MAX_EVENTS = int(
    os.environ.get("JOURNEYS_OBSERVED_SYNC_MAX_EVENTS", "200000")
)
# Journeys: days a binned event log is kept before the nightly purge deletes it and its file.
JOURNEYS_BIN_RETENTION_DAYS = int(os.environ.get("JOURNEYS_BIN_RETENTION_DAYS", "30"))
