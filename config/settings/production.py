"""Production: every secret comes from the environment and the defaults are strict."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LOG_LEVEL, SECRET_KEY, env_bool, env_int, env_str, logging_config

if not DATABASES:
    raise ImproperlyConfigured("Set DATABASE_URL to the PostgreSQL database (postgres://…).")

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production settings.")
if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")

# Development's console mailer would drop every e-mail without a word: production sends
# through SMTP unless EMAIL_BACKEND names another backend.
if not env_str("EMAIL_BACKEND"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }

# One JSON object a line for the log collector, unless LOG_FORMAT=text.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Only a local `docker compose up` over plain HTTP should ever turn these off.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
