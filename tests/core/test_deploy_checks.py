"""The project as deployed: migrations match the models, and production settings pass
Django's deployment checks and refuse an unsafe configuration."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import database_url

ROOT = Path(settings.BASE_DIR)


def test_migrations_match_the_models(db):
    # Exits with status 1 when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _production(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="example.com",
    )
    # Production refuses to start without a database: the one the tests run on.
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or database_url(
        settings.DATABASES["default"]
    )
    env.update(overrides)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_checks_pass_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


IMPORT_SETTINGS = ["-c", "import django; django.setup()"]


def test_production_settings_start_with_a_good_configuration():
    result = _run(IMPORT_SETTINGS, _production())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"DEBUG": "1"}, "DEBUG", id="debug-on"),
        pytest.param({"SECRET_KEY": "x" * 49}, "SECRET_KEY", id="short-key"),
        pytest.param({"SECRET_KEY": "insecure-" + "x" * 60}, "SECRET_KEY", id="insecure-key"),
        pytest.param({"SECRET_KEY": ""}, "SECRET_KEY", id="empty-key"),
        pytest.param({"DEBUG": "maybe"}, "DEBUG", id="debug-not-a-boolean"),
    ],
)
def test_production_settings_refuse_to_start_unsafely(overrides, message):
    result = _run(IMPORT_SETTINGS, _production(**overrides))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = _production()
    del env["SECRET_KEY"]
    result = _run(IMPORT_SETTINGS, env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
