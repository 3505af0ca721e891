"""Settings read from the environment fail loudly on a value they cannot understand."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_networks, env_str


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
