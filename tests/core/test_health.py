"""Health checks: liveness is the process alone; readiness fails only without the database
and reports the broker and the cache as ok or degraded. Both answer over plain HTTP under
production settings."""

from __future__ import annotations

from unittest import mock

import kombu
import pytest
from django.test import override_settings

from config.settings.base import redis_caches

CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(db):
    from django.core.cache import caches

    with override_settings(CACHES=redis_caches(CLOSED_PORT)):
        yield caches["default"]


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/health/"])
@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["desk.example.com"])
def test_health_answers_over_plain_http_in_production(client, db, path):
    # A probe from inside the container network: plain HTTP, the container's address as Host.
    response = client.get(path, HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200, response.get("Location")
    assert response.json()["status"] in {"ok", "degraded"}


@override_settings(SECURE_SSL_REDIRECT=True)
def test_other_pages_still_redirect_to_https(client, db):
    assert client.get("/accounts/login/").status_code == 301


def test_liveness_does_not_touch_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.json() == {"status": "ok"}


def test_readiness_reports_every_service(client, db):
    body = client.get("/health/ready").json()
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["broker"] in {"ok", "degraded"}


def test_readiness_is_503_without_the_database(client, db):
    with mock.patch("core.views.connection.cursor", side_effect=OSError("connection refused")):
        response = client.get("/health/ready")
        alias = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert alias.status_code == 503
    # Liveness is about the process alone.
    assert client.get("/health/live").status_code == 200


def test_readiness_reports_a_degraded_cache(client, redis_down):
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["cache"] == "degraded"
    assert body["status"] == "degraded"
    assert body["cache_failures"] >= 1


def test_readiness_reports_a_degraded_broker(client, db):
    unreachable = kombu.Connection(CLOSED_PORT)
    with mock.patch("core.views.current_app.connection_for_write", return_value=unreachable):
        response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["broker"] == "degraded"
