"""Development: what `make run` uses. Debug on, e-mail to the console, and without
DATABASE_URL the project's own PostgreSQL under var/postgres."""

from config.embedded_postgres import database_settings

from .base import *  # noqa: F403
from .base import DATABASE_CONNECTION, DATABASES, VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
SCOPING_STRICT = env_bool("SCOPING_STRICT", DEBUG)
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not DATABASES:
    DATABASES["default"] = {
        **database_settings(VAR_DIR / "postgres", "complaints"),
        **DATABASE_CONNECTION,
    }
