"""Exactly one effective beat: the lease in the database, and two real beat processes
running at once against a real Redis broker, one of them killed halfway."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection, connections
from django.utils import timezone

from config.celery import app as celery_app
from core.beat import LEASE_NAME, LeasedScheduler
from core.leases import lease_hold, lease_release
from core.models import Lease

from ..conftest import database_url, service_missing

ROOT = Path(__file__).resolve().parents[2]
SWEEP = "followups.sweep_deadlines"


# --- the lease ------------------------------------------------------------------------------


def _expire(name: str) -> None:
    """What the passing of time does to a lease that nobody renews."""
    Lease.objects.filter(name=name).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_only_one_holder_gets_the_lease_until_it_expires(db):
    first = lease_hold(name="job", holder="a", seconds=30)
    assert first is not None
    assert lease_hold(name="job", holder="b", seconds=30) is None
    # The holder renews it, further into the future.
    renewed = lease_hold(name="job", holder="a", seconds=60)
    assert renewed is not None and renewed > first
    assert lease_hold(name="job", holder="b", seconds=30) is None
    assert Lease.objects.get(name="job").holder == "a"


def test_an_expired_lease_goes_to_the_next_process_and_its_old_holder_is_refused(db):
    lease_hold(name="job", holder="a", seconds=30)
    _expire("job")
    assert lease_hold(name="job", holder="b", seconds=30) is not None
    # The old holder comes back (it was paused, not dead): it must stop, not take it back.
    assert lease_hold(name="job", holder="a", seconds=30) is None
    assert Lease.objects.get(name="job").holder == "b"


def test_a_released_lease_is_taken_at_once(db):
    lease_hold(name="job", holder="a", seconds=300)
    assert lease_release(name="job", holder="b") is False
    assert lease_hold(name="job", holder="b", seconds=30) is None
    assert lease_release(name="job", holder="a") is True
    assert lease_hold(name="job", holder="b", seconds=30) is not None


def test_leases_of_different_names_do_not_block_each_other(db):
    assert lease_hold(name="one", holder="a", seconds=30) is not None
    assert lease_hold(name="two", holder="b", seconds=30) is not None


# --- the scheduler, in this process ----------------------------------------------------------


@pytest.fixture
def memory_broker():
    """Beat publishes to an in-process broker; yields a function counting the sweeps sent."""
    from kombu import Connection

    saved = {
        "broker_url": celery_app.conf.broker_url,
        "broker_transport_options": celery_app.conf.broker_transport_options,
    }
    celery_app.conf.update(broker_url="memory://", broker_transport_options={})

    def sent() -> int:
        with Connection("memory://") as link, link.SimpleQueue("celery") as queue:
            count = 0
            while queue.qsize():
                message = queue.get(block=False)
                count += message.headers["task"] == SWEEP
                message.ack()
            return count

    sent()
    yield sent
    celery_app.conf.update(saved)


def _scheduler(tmp_path, name: str) -> LeasedScheduler:
    return LeasedScheduler(app=celery_app, schedule_filename=str(tmp_path / name))


def _due_now(scheduler: LeasedScheduler) -> None:
    """What waiting an interval does: every entry is due, and the lease wants renewing."""
    for entry in scheduler.schedule.values():
        entry.last_run_at = entry.last_run_at - timedelta(days=2)
    scheduler._heap = None
    scheduler._renew_at = 0.0


def _ticks(scheduler: LeasedScheduler) -> None:
    for _ in range(len(scheduler.schedule) + 1):
        scheduler.tick()


def test_only_the_scheduler_holding_the_lease_sends(postgres, tmp_path, memory_broker):
    first, second = _scheduler(tmp_path, "first"), _scheduler(tmp_path, "second")
    try:
        _due_now(first)
        _ticks(first)
        assert first.holds_lease()
        assert memory_broker() == 1
        _due_now(second)
        _ticks(second)
        assert not second.holds_lease()
        assert memory_broker() == 0
    finally:
        first.close()
        second.close()


def test_a_holder_whose_lease_was_taken_stops_sending_at_once(postgres, tmp_path, memory_broker):
    scheduler = _scheduler(tmp_path, "paused")
    try:
        _due_now(scheduler)
        _ticks(scheduler)
        assert memory_broker() == 1
        # The process was paused longer than its lease, and another beat took over.
        _expire(LEASE_NAME)
        assert lease_hold(name=LEASE_NAME, holder="another beat", seconds=30) is not None
        _due_now(scheduler)
        _ticks(scheduler)
        assert not scheduler.holds_lease()
        assert memory_broker() == 0
        assert Lease.objects.get(name=LEASE_NAME).holder == "another beat"
    finally:
        scheduler.close()


def test_a_scheduler_that_stops_hands_the_lease_to_the_next(postgres, tmp_path, memory_broker):
    first, second = _scheduler(tmp_path, "first"), _scheduler(tmp_path, "second")
    try:
        _due_now(first)
        _ticks(first)
        first.close()
        _due_now(second)
        _ticks(second)
        assert second.holds_lease()
        assert memory_broker() == 2
    finally:
        second.close()


# --- two real beat processes ----------------------------------------------------------------

LEASE_SECONDS = 3  # renewed every second; a dead holder is replaced within about 4 s


def _broker():
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    parts = urlsplit(url)
    db = int((parts.path or "/0").lstrip("/") or 0)
    client = redis.Redis(
        host=parts.hostname or "127.0.0.1", port=parts.port or 6379, db=db, socket_timeout=2
    )
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        service_missing(f"needs Redis at {url}")
    client.flushdb()
    return client, url


class Messages:
    """The sweep messages beat publishes, in order, with when they were seen and who sent
    them (celery names the publishing process `gen<pid>@<host>` in each message)."""

    def __init__(self, client) -> None:
        self.client = client
        self.seen: list[tuple[float, int]] = []
        self._read = 0

    def poll(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            total = self.client.llen("celery")
            if total > self._read:
                # LPUSH: the newest message is at the head.
                fresh = self.client.lrange("celery", 0, total - self._read - 1)
                now = time.monotonic()
                for raw in reversed(fresh):
                    headers = json.loads(raw)["headers"]
                    if headers["task"] == SWEEP:
                        pid = int(headers["origin"].split("@")[0].removeprefix("gen"))
                        self.seen.append((now, pid))
                self._read = total
            time.sleep(0.1)

    def since(self, moment: float) -> list[int]:
        return [pid for seen_at, pid in self.seen if seen_at >= moment]


def _beat(env: dict[str, str], folder: Path, name: str) -> subprocess.Popen:
    with (folder / f"{name}.log").open("w") as log:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(folder / f"{name}-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.mark.services
@pytest.mark.timeout(180)
def test_two_beats_send_at_the_rate_of_one_and_the_standby_takes_over_a_killed_holder(
    postgres, tmp_path
):
    client, url = _broker()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": url,
        "SWEEP_INTERVAL_SECONDS": "1",
        "BEAT_LEASE_SECONDS": str(LEASE_SECONDS),
        "VAR_DIR": str(tmp_path / "var"),
    }
    connections.close_all()
    beats = {}
    for name in ("a", "b"):
        process = _beat(env, tmp_path, name)
        beats[process.pid] = process
    messages = Messages(client)

    def logs() -> str:
        return "\n".join((tmp_path / f"{n}.log").read_text(errors="replace") for n in "ab")

    try:
        # Both start and compete; wait for the first message, then watch ten intervals.
        deadline = time.monotonic() + 60
        while not messages.seen and time.monotonic() < deadline:
            messages.poll(0.5)
        assert messages.seen, f"no beat sent anything:\n{logs()[-4000:]}"
        start = time.monotonic()
        messages.poll(10)
        sent = messages.since(start)
        senders = set(sent)
        assert len(senders) == 1, f"two beats sent: {senders}\n{logs()[-4000:]}"
        # One a second, as with a single beat; two unlocked beats would send about twenty.
        assert 8 <= len(sent) <= 12, sent
        (holder,) = senders
        assert all(process.poll() is None for process in beats.values()), logs()[-4000:]

        # The holder dies without handing the lease back.
        killed_at = time.monotonic()
        os.kill(holder, signal.SIGKILL)
        beats[holder].wait(timeout=10)
        (standby,) = set(beats) - {holder}
        deadline = killed_at + 30
        while standby not in messages.since(killed_at) and time.monotonic() < deadline:
            messages.poll(0.5)
        taken_over = [seen for seen, pid in messages.seen if pid == standby and seen >= killed_at]
        assert taken_over, f"the standby never took over:\n{logs()[-4000:]}"
        gap = taken_over[0] - killed_at
        # The lease runs out (3 s), the standby asks within a second, then the sweep is due.
        assert gap <= LEASE_SECONDS * 4 / 3 + 3, gap

        start = time.monotonic()
        messages.poll(6)
        after = messages.since(start)
        assert set(after) == {standby}
        assert 4 <= len(after) <= 8, after
        assert Lease.objects.get(name="celery-beat").holder.split(":")[1] == str(standby)
    finally:
        for process in beats.values():
            _stop(process)
        connections.close_all()
