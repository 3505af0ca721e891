"""Tests: fast hashing, in-memory e-mail, tasks run where they are called, PostgreSQL."""

import os
import time

from config.embedded_postgres import database_settings

from .base import *  # noqa: F403
from .base import DATABASE_CONNECTION, DATABASES, VAR_DIR

# Without DATABASE_URL, the project's own PostgreSQL under var/postgres: pytest-django
# creates its test databases there.
if not DATABASES:
    DATABASES["default"] = {
        **database_settings(VAR_DIR / "postgres", "complaints"),
        **DATABASE_CONNECTION,
    }

# With DATABASE_REPLICA_URL set the replica alias mirrors the test database (no test
# database is made on it) and nothing is routed to it: a test runs inside one transaction of
# the default connection, which a second connection could not see. The streaming-replica
# test (tests/core/test_read_replica.py) runs its scenario against real servers instead.
DATABASE_ROUTERS = []

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
# An unscoped read of a dealer-owned model fails the test (core.scoping).
SCOPING_STRICT = True
# Tests never run collectstatic: let WhiteNoise look files up per request instead of
# scanning (and warning about) a STATIC_ROOT that does not exist.
WHITENOISE_AUTOREFRESH = True
# A shared Redis (CI's, or several test runs on one machine) must not carry throttle counters
# or cached values from one run into another.
for _cache in CACHES.values():  # noqa: F405
    _cache["KEY_PREFIX"] = f"test-{os.getpid()}-{time.time_ns()}"
