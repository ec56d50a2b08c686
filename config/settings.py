"""Settings for Åldersvänlig bygd, driven entirely by environment variables.

With no variables set you get the embedded demo mode: SQLite, Celery tasks run in-process, e-mail to the
console, media on local disk. Production sets ``DEBUG=False`` plus the variables documented in the README;
the process then refuses to start without a real ``SECRET_KEY``.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
# Demo mode: demo data and demo accounts may be created, MFA is optional. Never on in production.
DEMO_MODE = env.bool("DEMO_MODE", default=DEBUG)
if DEMO_MODE and not DEBUG:
    raise ImproperlyConfigured("DEMO_MODE cannot be switched on when DEBUG is off.")

_INSECURE_DEMO_KEY = "django-insecure-demo-key-only-for-the-embedded-mode-never-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_DEMO_KEY if DEBUG else "")
if not DEBUG and (
    len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

# Absolute address of the site, for links in e-mails and printed programmes sent outside a request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies in front of the app that append to X-Forwarded-For (1 behind one proxy). The client
# address used for rate limits and the audit log is taken that many entries from the end of the header;
# with 0 the header is ignored and REMOTE_ADDR is used, so the header cannot be spoofed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "accounts",
    "portal",
    "activities",
    "associations",
    "welfaretech",
    "followup",
    "outbox",
]

MIDDLEWARE = [
    "portal.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.SitePolicyCSPMiddleware",
    "portal.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Re-validate persistent connections so the app recovers by itself after a database restart.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Logs and ignores Redis errors (pages are served without the cache); /readyz still reports it.
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ab"),
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ab"}}

# Anonymous portal pages are kept whole this many seconds at most (portal.pagecache; 0 turns it off). A
# published change is visible at once regardless: the key holds the public data version.
PORTAL_PAGE_CACHE_SECONDS = env.int("PORTAL_PAGE_CACHE_SECONDS", default=300)
# Each web process also keeps this many of the pages it served most recently, dropped the moment data
# changes (portal.localpages; only with Redis; 0 turns it off).
PORTAL_PAGE_CACHE_LOCAL_ENTRIES = env.int("PORTAL_PAGE_CACHE_LOCAL_ENTRIES", default=100)

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- Celery ----------------------------------------------------------------------------------------------
# Without a broker the embedded mode runs every task in-process, so nothing waits for a worker.

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that died is delivered again after this long. It must exceed the longest retry
# countdown (retry_backoff_max, 10 minutes: Redis holds a task waiting for its retry time as taken) and
# the report runs' STALE_AFTER (5 minutes), so that a report whose worker died is finished by another.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "activity-reminders": {
        "task": "activities.tasks.send_reminders",
        "schedule": 60 * 60,  # hourly; each sign-up is reminded once, the day before
    },
    "anonymise-inactive-care-recipients": {
        "task": "welfaretech.tasks.anonymise_inactive_recipients",
        "schedule": 60 * 60 * 24,
    },
    "training-expiry-reminders": {
        "task": "welfaretech.tasks.send_training_expiry_reminders",
        "schedule": 60 * 60 * 24,
    },
    "grant-reports-due": {
        "task": "associations.tasks.mark_reports_due",
        "schedule": 60 * 60 * 24,
    },
    "grant-report-reminders": {
        "task": "associations.tasks.send_report_reminders",
        "schedule": 60 * 60 * 24,  # each report is reminded once before and once after its due date
    },
    "subscribed-reports": {
        "task": "followup.tasks.send_subscribed_reports",
        "schedule": 60 * 60 * 24,  # idempotent: each subscription is sent once per period
    },
    "anonymise-guest-signups": {
        "task": "activities.tasks.anonymise_guest_signups",
        "schedule": 60 * 60 * 24,  # idempotent: rows already anonymised are not selected again
    },
    "purge-old-audit-entries": {
        "task": "accounts.tasks.purge_old_audit_entries",
        "schedule": 60 * 60 * 24,  # in batches; the purge itself is audited
    },
    "purge-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 24,
    },
    "relay-outbox": {
        "task": "outbox.tasks.relay_outbox",
        "schedule": 60,  # publishes tasks asked for while the broker was down
    },
    "fail-stuck-report-runs": {
        "task": "followup.tasks.fail_stuck_report_runs",
        "schedule": 60 * 5,
    },
}

# Outbox messages younger than this are left to the request that wrote them (it publishes on commit).
OUTBOX_RELAY_MIN_AGE_SECONDS = env.int("OUTBOX_RELAY_MIN_AGE_SECONDS", default=10)
# Published outbox messages are deleted after this many days; failed ones (shown in the admin, where they
# can be sent again) after OUTBOX_FAILED_KEEP_DAYS, as a failed e-mail holds personal data (0: until handled).
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=30)
OUTBOX_FAILED_KEEP_DAYS = env.int("OUTBOX_FAILED_KEEP_DAYS", default=90)
# Report runs queued or running longer than this are marked failed (with a retry button).
FOLLOWUP_REPORT_STUCK_MINUTES = env.int("FOLLOWUP_REPORT_STUCK_MINUTES", default=30)

# Guest sign-ups lose their name and contact details this many days after the occurrence ended.
ACTIVITIES_GUEST_RETENTION_DAYS = env.int("ACTIVITIES_GUEST_RETENTION_DAYS", default=30)

# Audit entries older than this are deleted daily (0 keeps them all); see accounts.tasks.audit_retention_days.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=5 * 366)

# Care recipients inactive this long are anonymised (their events stay, without the link to the code).
WELFARETECH_ANONYMISE_AFTER_DAYS = env.int("WELFARETECH_ANONYMISE_AFTER_DAYS", default=730)

# --- E-mail ----------------------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Åldersvänlig bygd <noreply@example.org>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Administrators", a) for a in env.list("ADMINS", default=[])]

# --- Authentication --------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
# Six digits are easy to read aloud and type on a phone; three tries per code keep guessing futile.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_SESSION_REMEMBER = None
# Brute-force protection: allauth counts failed logins per IP and per account in the cache.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
# Public forms without an account (portal/ratelimit.py); allauth's rate syntax, "" switches one off.
PUBLIC_FORM_RATE_LIMITS = {
    "activities.guest_signup": env.str("RATE_LIMIT_GUEST_SIGNUP", default="10/10m/ip,10/h/key"),
    "portal.contact": env.str("RATE_LIMIT_CONTACT", default="5/h/ip,10/d/key"),
    "activities.suggestion": env.str("RATE_LIMIT_SUGGESTION", default="5/h/ip,10/d/key"),
}
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Åldersvänlig bygd")
# Every staff role must set up TOTP before reaching anything but the account pages.
REQUIRE_STAFF_MFA = env.bool("REQUIRE_STAFF_MFA", default=not DEMO_MODE)

# --- Internationalisation --------------------------------------------------------------------------------

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Files that only permitted users may fetch (annual documents, attachments) live outside any web root.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
_STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # No base URL: these files are only ever served by views that check who is asking.
    "private": {"BACKEND": "portal.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without a collected manifest (embedded mode, tests) whitenoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not _STATIC_MANIFEST
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0
FILE_UPLOAD_PERMISSIONS = 0o640
# Annual documents and grant attachments: PDF or images up to this size.
ASSOCIATIONS_MAX_UPLOAD_BYTES = env.int("ASSOCIATIONS_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)

# --- Security --------------------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Map tiles for the meeting-place maps (fetched by the visitor's browser). Empty draws no map: the pages
# still show the address, the coordinates and a link to a map site. The test suite empties it.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
_MAP_TILE_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILE_URL)) if MAP_TILE_URL else None

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_MAP_TILE_ORIGIN] if _MAP_TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- API -------------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Åldersvänlig bygd API",
    "DESCRIPTION": "Public activity data and authenticated back-office endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the installed sidecar package: no CDN, CSP stays strict.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MeetingPlaceKindEnum": "activities.models.MeetingPlace.Kind",
        "AssociationKindEnum": "associations.models.Association.Kind",
        "RegistrationStatusEnum": "activities.models.Registration.Status",
        "ActivityStatusEnum": "activities.models.Activity.Status",
        "EventKindEnum": "welfaretech.models.EventKind",
    },
}

# --- Logging ---------------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO; only its warnings matter in production.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
