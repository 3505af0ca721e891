"""Tests: fast hashing, in-memory e-mail, tasks run where they are called."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
# Tests never run collectstatic: let WhiteNoise look files up per request instead of
# scanning (and warning about) a STATIC_ROOT that does not exist.
WHITENOISE_AUTOREFRESH = True
