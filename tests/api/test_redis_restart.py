"""A real Redis killed and started again: the API answers throughout, nothing is lost, and
the cache and the throttle count again once Redis is back. Publishing to a broker that is
down fails softly: the case is created and its webhook waits in the outbox for the sweep."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from complaints.models import Complaint
from config.celery import app as celery_app
from config.settings.base import redis_caches
from core.outbox import OutboxState, outbox_publish, outbox_state_q
from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import service_missing
from tests.processes import free_port

CASES = "/api/v1/complaints/"
WHOAMI = "/api/v1/whoami/"
# The cache tries Redis again this long after a failure.
RETRY_AFTER = 1
BROKER_DB = 1


class RedisServer:
    """A private redis-server on a loopback port, without persistence: started again, it is
    empty, as a Redis restarted without its data."""

    def __init__(self, binary: str, folder) -> None:
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the installed server, fixed arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("redis-server is not installed")
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.kill()


@pytest.fixture
def broker():
    """Point Celery's publishing at a broker URL for the rest of the test."""
    conf = celery_app.conf
    saved = {
        key: conf[key] for key in ("broker_url", "broker_transport_options", "task_always_eager")
    }

    def use(url: str) -> None:
        conf.update(broker_url=url, broker_transport_options={}, task_always_eager=False)

    yield use
    conf.update(saved)


def _cache_and_rate(server: RedisServer, rate: str):
    caches_setting = redis_caches(server.url())
    caches_setting["default"]["OPTIONS"] = {"RETRY_AFTER": RETRY_AFTER}
    rest_framework = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": rate, "user": rate},
    }
    return override_settings(CACHES=caches_setting, REST_FRAMEWORK=rest_framework)


@pytest.mark.services
@pytest.mark.timeout(60)
def test_redis_killed_and_started_again_loses_nothing_and_counts_again(
    redis_server, broker, api, alice, new_case, django_capture_on_commit_callbacks, caplog
):
    WebhookEndpoint.objects.create(dealer=alice.dealer, url="https://dms.example.com/hooks")
    broker(redis_server.url(BROKER_DB))
    with _cache_and_rate(redis_server, "5/min"):
        cache = caches["default"]
        first = api.post(CASES, new_case, format="json")
        assert first.status_code == 201, first.content
        assert api.get(WHOAMI).status_code == 200
        # Two requests counted, in Redis.
        assert redis_server.client().keys("*throttle_api_key*")

        redis_server.kill()

        # Redis is gone: every request goes through, unthrottled (8 > 5 a minute), and the
        # case's webhook is written although its delivery cannot be queued.
        with django_capture_on_commit_callbacks(execute=True):
            second = api.post(CASES, {**new_case, "description": "第二次投诉"}, format="json")
        assert second.status_code == 201, second.content
        assert [api.get(WHOAMI).status_code for _ in range(5)] == [200] * 5
        assert cache.degraded and cache.failures >= 1
        assert "Could not queue the outbox's delivery" in caplog.text
        references = {first.json()["reference"], second.json()["reference"]}
        assert set(Complaint.objects.values_list("reference", flat=True)) == references
        waiting = WebhookDelivery.objects.filter(
            outbox_state_q(OutboxState.PENDING, timezone.now()),
            payload__data__reference=second.json()["reference"],
        )
        assert waiting.count() == 1

        redis_server.start()  # the same port, empty
        time.sleep(RETRY_AFTER + 0.1)

        # The cache works again, and the throttle counts afresh: 5 a minute, the 6th refused.
        cache.set("back", "yes")
        assert cache.get("back") == "yes"
        assert not cache.degraded
        statuses = [api.get(WHOAMI).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        assert redis_server.client().keys("*throttle_api_key*")

    # The next sweep asks for the delivery again, and now it is queued.
    outbox_publish()
    assert redis_server.client(BROKER_DB).llen(celery_app.conf.task_default_queue) == 1
    assert waiting.count() == 1  # still owed: a worker sends it
