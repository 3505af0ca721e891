"""Settings read from the environment fail loudly on a value they cannot understand."""

from __future__ import annotations

import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_networks, env_str
from config.settings import base as base_settings


@pytest.mark.parametrize("raw", ["1", "true", "True", "YES", " on "])
def test_env_bool_reads_true(raw, monkeypatch):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_reads_false(raw, monkeypatch):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", True) is False


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", True) is True
    assert env_bool("FLAG", False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please", "tru"])
def test_env_bool_fails_loudly_on_anything_else(raw, monkeypatch):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_env_int_fails_loudly_on_a_non_number(monkeypatch):
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="COUNT"):
        env_int("COUNT", 1)
    monkeypatch.setenv("COUNT", "10")
    assert env_int("COUNT", 1) == 10


def test_env_list_and_str(monkeypatch):
    monkeypatch.setenv("HOSTS", " example.com, ,api.example.com ")
    assert env_list("HOSTS") == ["example.com", "api.example.com"]
    monkeypatch.delenv("HOSTS")
    assert env_list("HOSTS", ["localhost"]) == ["localhost"]
    assert env_str("HOSTS", "d") == "d"


def test_env_networks_reads_networks_and_fails_loudly_on_anything_else(monkeypatch):
    monkeypatch.setenv("NETS", "10.20.0.0/16, fd00::/8")
    assert env_networks("NETS") == ["10.20.0.0/16", "fd00::/8"]
    monkeypatch.setenv("NETS", "10.20.0.0/16, dms.example.com")
    with pytest.raises(ImproperlyConfigured, match="NETS"):
        env_networks("NETS")


def test_env_int_refuses_a_number_below_its_minimum(monkeypatch):
    monkeypatch.setenv("COUNT", "0")
    with pytest.raises(ImproperlyConfigured, match="COUNT"):
        env_int("COUNT", 1, minimum=1)
    monkeypatch.setenv("COUNT", "1")
    assert env_int("COUNT", 5, minimum=1) == 1


def _settings() -> dict[str, object]:
    """The base settings as a fresh process would read them from the environment."""
    return runpy.run_path(base_settings.__file__)


def test_the_outbox_settings_are_read_and_the_former_webhook_name_still_works(monkeypatch):
    for name in ("OUTBOX_MAX_ATTEMPTS", "WEBHOOK_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OUTBOX_BACKOFF_BASE_SECONDS", "60")
    monkeypatch.setenv("OUTBOX_BACKOFF_CAP_SECONDS", "7200")
    monkeypatch.setenv("OUTBOX_LEASE_SECONDS", "600")
    values = _settings()
    assert values["OUTBOX_MAX_ATTEMPTS"] == 8
    assert (values["OUTBOX_BACKOFF_BASE_SECONDS"], values["OUTBOX_BACKOFF_CAP_SECONDS"]) == (
        60,
        7200,
    )
    assert values["OUTBOX_LEASE_SECONDS"] == 600
    monkeypatch.setenv("WEBHOOK_MAX_ATTEMPTS", "5")
    assert _settings()["OUTBOX_MAX_ATTEMPTS"] == 5
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "3")
    assert _settings()["OUTBOX_MAX_ATTEMPTS"] == 3


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("OUTBOX_MAX_ATTEMPTS", "0"),
        ("OUTBOX_LEASE_SECONDS", "5"),
        ("OUTBOX_BACKOFF_BASE_SECONDS", "x"),
    ],
)
def test_a_wrong_outbox_setting_stops_the_start(monkeypatch, name, raw):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ImproperlyConfigured, match=name):
        _settings()


def test_transaction_pooling_turns_off_server_side_cursors(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@pgbouncer:6432/complaints")
    monkeypatch.delenv("DATABASE_POOL_MODE", raising=False)
    values = _settings()
    assert values["DATABASE_POOL_MODE"] == "session"
    assert not values["DATABASES"]["default"].get("DISABLE_SERVER_SIDE_CURSORS")
    monkeypatch.setenv("DATABASE_POOL_MODE", "transaction")
    assert _settings()["DATABASES"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.parametrize(
    ("name", "raw"),
    [("DATABASE_POOL_MODE", "statement"), ("BEAT_LEASE_SECONDS", "0")],
)
def test_a_wrong_scale_setting_stops_the_start(monkeypatch, name, raw):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ImproperlyConfigured, match=name):
        _settings()
