"""Settings shared by every environment; each value can be set from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_networks, env_str
from core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core.admin_site.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework_api_key",
    "django_htmx",
    "core",
    "dealers",
    "complaints",
    "followups",
    "integrations",
    "evidence",
    "repairs",
    "messaging",
    "learning",
    "analytics",
]

MIDDLEWARE = [
    # First: every request is timed (metrics) and gets a request id (logs).
    "core.middleware.ObservabilityMiddleware",
    # Then health checks and /metrics answer over plain HTTP, whatever SECURE_SSL_REDIRECT says.
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RefuseUnstorablePathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After CSRF and authentication: pins a user who wrote to the primary (core.replica);
    # not installed without DATABASE_REPLICA_URL.
    "core.replica.ReplicaMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as axes asks: it turns a locked-out log-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

# The browser application loads its scripts, styles and fonts from static/ only, with no
# inline script or style: anything injected into a page cannot run.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

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
                "web.shell.navigation",
            ],
        },
    },
]
# Django's form widgets drawn from their Jinja2 templates (web.renderers).
FORM_RENDERER = "web.renderers.FormRenderer"

# PostgreSQL everywhere, through DATABASE_URL. Without it, development and tests (local.py,
# test.py) start the project's own server under var/postgres (config.embedded_postgres), so
# `make run` and `make test` need no server installed and run the same database code as
# production; production refuses to start without it.
DATABASE_URL = env_str("DATABASE_URL", "")
# A connection kept between requests (DATABASE_CONN_MAX_AGE seconds) is checked before a
# request uses it, so a database that restarted costs no failed request once it is back:
# the web and worker processes reconnect by themselves, nobody restarts them.
DATABASE_CONNECTION: dict[str, Any] = {
    "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 0),
    "CONN_HEALTH_CHECKS": True,
}
DATABASES: dict[str, dict[str, Any]] = {}
if DATABASE_URL:
    DATABASES["default"] = dict(
        dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=DATABASE_CONNECTION["CONN_MAX_AGE"],
            conn_health_checks=DATABASE_CONNECTION["CONN_HEALTH_CHECKS"],
        )
    )
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…).")
# A streaming replica of that database (core.replica): the analytics figures and the case
# lists read from it, everything else and every user who just wrote from the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (the primary).")
    _replica: dict[str, Any] = dict(
        dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASE_CONNECTION["CONN_MAX_AGE"],
            conn_health_checks=DATABASE_CONNECTION["CONN_HEALTH_CHECKS"],
        )
    )
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point at PostgreSQL (postgres://…).")
    # A replica that does not answer falls back to the primary; it must not hold a page for
    # the operating system's connect timeout first.
    _replica["OPTIONS"] = {
        "connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2, minimum=1),
        **_replica.get("OPTIONS", {}),
    }
    # Tests create no database there: under test the alias stands for the test database.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# After a write its user reads from the primary for this long; a replica further behind
# than REPLICA_MAX_LAG_SECONDS is not read at all. A lag bound longer than the pin would let
# a user whose pin ran out miss their own write, so it is refused.
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 15, minimum=1)
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", REPLICA_STICKY_SECONDS, minimum=1)
if REPLICA_MAX_LAG_SECONDS > REPLICA_STICKY_SECONDS:
    raise ImproperlyConfigured(
        "REPLICA_MAX_LAG_SECONDS must not exceed REPLICA_STICKY_SECONDS: a user whose pin to "
        "the primary ran out would read from a replica that has not replayed their write."
    )
# DATABASE_POOL_MODE=transaction when DATABASE_URL goes through PgBouncer (or another pooler)
# in transaction mode: consecutive transactions of one connection may then run on different
# server connections, so nothing may outlive a transaction. The code keeps no session state
# (planner and lock settings are SET LOCAL, the beat's lease is a row, no advisory locks,
# LISTEN or temporary tables; psycopg2 prepares nothing on the server); what Django itself
# would keep is a server-side cursor held across transactions (`.iterator()` outside a
# transaction), turned off here.
DATABASE_POOL_MODE = env_str("DATABASE_POOL_MODE", "session")
if DATABASE_POOL_MODE not in {"session", "transaction"}:
    raise ImproperlyConfigured(
        f"DATABASE_POOL_MODE must be 'session' or 'transaction', not {DATABASE_POOL_MODE!r}."
    )
if DATABASE_POOL_MODE == "transaction":
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Password guessing (core.login_guard): a username is locked at one address after
# LOGIN_FAILURE_LIMIT failures, each within LOGIN_LOCKOUT_MINUTES of the last, until that
# many minutes have passed since the lock or a superuser unlocks it in the admin.
AUTHENTICATION_BACKENDS = [
    "core.login_guard.LoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lock are refused without extending it: the owner gets in on time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.login_guard.lockout_response"
# The connection's own address: X-Forwarded-For is whatever the client writes. Behind a
# proxy every client shares its address, and a lock then holds the username for everybody.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Evidence files (photos, videos, documents, recordings of a case). Never public: no
# MEDIA_URL is served; every file is read through a view that checks the reader's scope.
# EVIDENCE_STORAGE=filesystem (default) keeps them under MEDIA_ROOT (var/media/);
# EVIDENCE_STORAGE=s3 puts them in any S3-compatible bucket (AWS, MinIO, Aliyun OSS...)
# through django-storages, configured by the S3_* variables below.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
EVIDENCE_STORAGE_KIND = env_str("EVIDENCE_STORAGE", "filesystem")
if EVIDENCE_STORAGE_KIND == "filesystem":
    EVIDENCE_STORAGE: dict[str, Any] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
elif EVIDENCE_STORAGE_KIND == "s3":
    EVIDENCE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,
            # Private objects; the bucket's own policy must not make them public either.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not EVIDENCE_STORAGE["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("EVIDENCE_STORAGE=s3 needs S3_BUCKET.")
else:
    raise ImproperlyConfigured(
        f"EVIDENCE_STORAGE must be 'filesystem' or 's3', not {EVIDENCE_STORAGE_KIND!r}."
    )
_MB = 1024 * 1024
# Size limits per kind of evidence, in MB (the content decides the kind, not the name).
EVIDENCE_MAX_BYTES = {
    "photo": env_int("EVIDENCE_MAX_PHOTO_MB", 20, minimum=1) * _MB,
    "video": env_int("EVIDENCE_MAX_VIDEO_MB", 200, minimum=1) * _MB,
    "document": env_int("EVIDENCE_MAX_DOCUMENT_MB", 30, minimum=1) * _MB,
    "audio": env_int("EVIDENCE_MAX_AUDIO_MB", 50, minimum=1) * _MB,
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "evidence": EVIDENCE_STORAGE,
}

# E-mail: Django 6.1's MAILERS, filled from the classic EMAIL_* variables. In development
# e-mails are files under var/mail/ (one per message batch), not hundreds of lines of base64
# on the console burying everything else `make run` prints.
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
elif _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    # One file per connection in this folder: lets a separate worker's e-mails be read back.
    _EMAIL_OPTIONS = {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "complaints@localhost")

# Messages to customers (messaging.senders): one backend per channel, as EMAIL_BACKEND is.
# By default texts are written as files under var/messages and e-mails go through the mailer
# above; `messaging.senders.HttpSmsBackend` sends texts through a generic HTTP SMS gateway.
CUSTOMER_SMS_BACKEND = env_str("CUSTOMER_SMS_BACKEND", "messaging.senders.FileBackend")
CUSTOMER_EMAIL_BACKEND = env_str("CUSTOMER_EMAIL_BACKEND", "messaging.senders.EmailBackend")
CUSTOMER_MESSAGE_FILE_PATH = env_str("CUSTOMER_MESSAGE_FILE_PATH", str(VAR_DIR / "messages"))
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
# The shared secret the gateway sends with its delivery receipts; without it no receipt is
# accepted.
SMS_RECEIPT_TOKEN = env_str("SMS_RECEIPT_TOKEN", "")
if CUSTOMER_SMS_BACKEND.endswith("HttpSmsBackend") and not SMS_HTTP_URL:
    raise ImproperlyConfigured("CUSTOMER_SMS_BACKEND=...HttpSmsBackend needs SMS_HTTP_URL.")

# Celery. Without CELERY_BROKER_URL, kombu's filesystem transport under var/ lets a worker
# and beat talk on one machine with no server. Deadlines never live in the broker: they are
# rows in the database, swept periodically (see followups).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY", 3600)}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Several beat processes may run; only the holder of a lease in the database sends
# (core.beat). It renews every third of this time; when it dies, another beat takes over
# within about 4/3 of it.
BEAT_LEASE_SECONDS = env_int("BEAT_LEASE_SECONDS", 30, minimum=1)


def redis_caches(url: str) -> dict[str, Any]:
    """The cache on Redis. While Redis is down it misses and drops writes (core.cache):
    requests go on, unthrottled, instead of failing."""
    return {"default": {"BACKEND": "core.cache.DegradingRedisCache", "LOCATION": url}}


REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    # DMS connections send `Authorization: Api-Key <key>`; browser users use their session
    # (with CSRF). The key class comes first so a missing login answers 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Size, depth and text of every body are checked there, once.
    "DEFAULT_PARSER_CLASSES": ["integrations.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "integrations.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "integrations.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "integrations.throttling.ApiKeyRateThrottle",
        "integrations.throttling.UserRateThrottle",
    ],
    # Counted in the default cache: Redis when REDIS_URL is set.
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env_str("API_KEY_RATE", "600/min"),
        "user": env_str("API_USER_RATE", "300/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Complaint desk API",
    "DESCRIPTION": "Cases, customers, vehicles and repair orders for dealer management "
    "systems. Errors are application/problem+json (RFC 9457).",
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI's files come from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ContactChannelEnum": "dealers.models.ContactChannel",
        "ComplaintChannelEnum": "complaints.choices.Channel",
        "StateEnum": "complaints.choices.State",
        "ContactOutcomeEnum": "complaints.choices.FollowUpOutcome",
        "MessageChannelEnum": "messaging.choices.MessageChannel",
    },
}
# Idempotency-Key records are replayed for this long.
# Wrong API keys (integrations.authentication): after this many from one address within the
# window, every Api-Key request from it is a 429 until the window ends.
API_KEY_FAILURE_LIMIT = env_int("API_KEY_FAILURE_LIMIT", 10, minimum=1)
API_KEY_FAILURE_WINDOW_SECONDS = env_int("API_KEY_FAILURE_WINDOW_SECONDS", 900, minimum=1)
IDEMPOTENCY_RETENTION_HOURS = env_int("IDEMPOTENCY_RETENTION_HOURS", 24)
# Personal data retention (China's PIPL): erase customers whose every case ended longer ago
# than this many years; 0 keeps them (erasure on request only).
CLOSED_CASE_ANONYMISE_AFTER_YEARS = env_int("CLOSED_CASE_ANONYMISE_AFTER_YEARS", 0, minimum=0)
# A retry arriving while the first request runs waits this long for its response, then 409.
IDEMPOTENCY_LOCK_WAIT_SECONDS = env_int("IDEMPOTENCY_LOCK_WAIT_SECONDS", 2, minimum=1)
# Outbound webhooks go to public addresses only (integrations.network); plain
# http://127.0.0.1 endpoints only in development and tests; a DMS on a private network is
# reached by naming its network here.
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", DEBUG)
WEBHOOK_ALLOWED_NETWORKS = env_networks("WEBHOOK_ALLOWED_NETWORKS")
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# The outbox (core.outbox) sends e-mails and webhooks at least once: a failed attempt is tried
# again after the base wait, doubled after each failure up to the cap, and given up after the
# last attempt. A worker that dies while sending holds its row until the lease runs out; the
# lease must outlast the slowest send (EMAIL_TIMEOUT, WEBHOOK_TIMEOUT_SECONDS).
# WEBHOOK_MAX_ATTEMPTS, the setting's former name, is still read when the new one is unset.
OUTBOX_MAX_ATTEMPTS = env_int(
    "OUTBOX_MAX_ATTEMPTS", env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1), minimum=1
)
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 30, minimum=1)
OUTBOX_BACKOFF_CAP_SECONDS = env_int("OUTBOX_BACKOFF_CAP_SECONDS", 3600, minimum=1)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300, minimum=30)
# A read of a dealer-owned model that names no scope (core.scoping) raises where this is
# true; otherwise it is logged once per call site and goes through.
SCOPING_STRICT = env_bool("SCOPING_STRICT", DEBUG)

# Prometheus metrics (core.metrics): /metrics on the web, and METRICS_PORT on a worker, answer
# a request with `Authorization: Bearer <METRICS_TOKEN>` and/or from METRICS_ALLOWED_NETWORKS
# (both must match when both are set); with neither set they answer 404.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS")
METRICS_PORT = env_int("METRICS_PORT", 0, minimum=0)
METRICS_ADDRESS = env_str("METRICS_ADDRESS", "0.0.0.0")  # noqa: S104 - a container's port

# Log lines: `text` for people at a terminal, `json` (one object a line, with the request's or
# task's context, see core.logs) for a log collector; production defaults to json.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
