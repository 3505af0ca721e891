"""Redis down: the cache misses instead of failing, and the API and the browser keep working
(unthrottled); the outage is logged once per interval and counted."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIClient

from complaints.models import Complaint
from config.settings.base import redis_caches

# Nothing listens on port 1: every connection is refused at once.
CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down():
    with override_settings(CACHES=redis_caches(CLOSED_PORT)):
        yield caches["default"]


@pytest.fixture
def session_api(alice):
    client = APIClient()
    client.force_login(alice.advisor)
    return client


def test_the_api_answers_while_redis_is_down(redis_down, api, session_api, alice, new_case):
    assert api.get("/api/v1/whoami/").status_code == 200
    assert session_api.get("/api/v1/whoami/").status_code == 200
    created = api.post("/api/v1/complaints/", new_case, format="json")
    assert created.status_code == 201, created.content
    listed = api.get("/api/v1/complaints/")
    assert listed.status_code == 200
    assert [c["reference"] for c in listed.json()["results"]] == [created.json()["reference"]]
    assert Complaint.objects.count() == 1


def test_the_browser_works_while_redis_is_down(redis_down, client, alice, make_complaint):
    complaint = make_complaint(alice)
    client.force_login(alice.advisor)
    assert client.get("/").status_code == 200
    assert client.get(f"/cases/{complaint.reference}/").status_code == 200
    assert client.get("/cases/new/").status_code == 200


def test_an_outage_is_counted_and_logged_once_per_interval(redis_down, api, alice, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for _ in range(5):
            assert api.get("/api/v1/whoami/").status_code == 200
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1
    assert "Cache unreachable" in warnings[0].getMessage()
    assert redis_down.failures >= 1
    assert redis_down.degraded


def test_the_cache_comes_back_after_the_interval(alice):
    with override_settings(CACHES=redis_caches(CLOSED_PORT)):
        cache = caches["default"]
        cache.retry_after = 0
        assert cache.get("k", "missed") == "missed"
        cache.set("k", 1)
        assert cache.failures == 2  # each attempt tried Redis again: no interval to wait
