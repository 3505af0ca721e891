"""The sweep against real services: two sweeps at once on PostgreSQL, a real Celery worker
and beat on Redis, and the system carrying on while Redis is down."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from complaints import services as complaint_services
from complaints.choices import State
from config.celery import app as celery_app
from core.tasks import deliver_outbox
from followups import services
from followups.models import Deadline, Notification
from followups.sweep import deadline_sweep
from followups.tasks import sweep_deadlines

from ..complaints.rules import SERIOUS_DECISION, VALID_PAYLOADS
from ..conftest import database_url, service_missing

pytestmark = [pytest.mark.services, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
WORKER_DB, SPARE_DB = 1, 2
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/1"


def _redis(db: int):
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        service_missing(f"needs Redis at {REDIS_HOST}:{REDIS_PORT}")
    client.flushdb()
    return client


def _due_deadlines(make_complaint, staff, count: int) -> list[Deadline]:
    past = timezone.now() - timedelta(hours=1)
    return [
        Deadline.objects.create(
            complaint=make_complaint(staff, state=State.FOLLOWING_UP, follow_up_contacts=[]),
            kind="follow_up",
            started_at=past - timedelta(hours=24),
            due_at=past,
            rule="default: follow_up safety 24h",
        )
        for _ in range(count)
    ]


# --- two sweeps at once -------------------------------------------------------------------


def test_two_sweeps_at_once_notify_each_breach_exactly_once(postgres, alice, make_complaint):
    deadlines = _due_deadlines(make_complaint, alice, 40)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweeper() -> None:
        try:
            barrier.wait(timeout=10)
            # Small batches, so the two sweepers interleave over many transactions.
            results.append(deadline_sweep(batch_size=7))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r.breached for r in results) == len(deadlines)
    # Each breach: the assignee and the two managers, once each.
    assert Notification.objects.count() == 3 * len(deadlines)
    assert Notification.objects.exclude(outbox_due_at=None).count() == 3 * len(deadlines)
    for deadline in deadlines:
        assert Notification.objects.filter(deadline=deadline).count() == 3


# --- a real worker and beat -----------------------------------------------------------------


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture
def worker_and_beat(postgres, tmp_path):
    """`celery worker` and `celery beat` against Redis and the test database, sweeping every
    second and writing e-mails to files."""
    _redis(WORKER_DB)
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{WORKER_DB}",
        "SWEEP_INTERVAL_SECONDS": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "VAR_DIR": str(tmp_path / "var"),
        "LANGUAGE_CODE": "en",
    }
    worker = _start(
        ["worker", "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        env,
        tmp_path / "worker.log",
    )
    beat = _start(
        ["beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat-schedule")],
        env,
        tmp_path / "beat.log",
    )
    try:
        yield mail_dir, tmp_path
    finally:
        _stop(beat)
        _stop(worker)
        connections.close_all()


def _wait_for(condition, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_a_real_worker_and_beat_deliver_a_breach_end_to_end(worker_and_beat, alice, make_complaint):
    mail_dir, logs = worker_and_beat
    (deadline,) = _due_deadlines(make_complaint, alice, 1)
    reference = deadline.complaint.reference

    def delivered() -> bool:
        files = list(mail_dir.glob("*.log")) if mail_dir.exists() else []
        text = "".join(f.read_text(errors="replace") for f in files)
        return text.count(f"To: {alice.manager.email}") == 1 and reference in text

    found = _wait_for(delivered)
    worker_log = (logs / "worker.log").read_text(errors="replace")
    assert found, f"no e-mail delivered; worker log:\n{worker_log[-3000:]}"
    deadline.refresh_from_db()
    assert deadline.breached_at is not None and deadline.escalation_level == 1
    assert Notification.objects.filter(deadline=deadline).count() == 3
    unsent = Notification.objects.exclude(outbox_due_at=None).filter(outbox_sent_at=None)
    assert _wait_for(
        lambda: unsent.count() == 0,
        30,
    )
    # Beat kept ticking meanwhile: still exactly one notification per person.
    time.sleep(2)
    assert Notification.objects.filter(deadline=deadline).count() == 3


# --- Redis down -------------------------------------------------------------------------


@pytest.fixture
def broker(monkeypatch):
    """Point publishing at a broker URL for the rest of the test."""
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "broker_transport_options": conf.broker_transport_options,
    }

    def use(url: str) -> None:
        conf.update(broker_url=url, broker_transport_options={})

    yield use
    conf.update(saved)


def test_with_redis_down_cases_are_worked_and_the_sweep_catches_up_when_it_is_back(
    broker, alice, customer, make_complaint, django_capture_on_commit_callbacks, caplog
):
    spare = _redis(SPARE_DB)
    broker(CLOSED_PORT_BROKER)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complaint_services.complaint_create(
            dealer=alice.dealer,
            actor=alice.advisor,
            customer=customer,
            channel="phone",
            category="workmanship",
            description="Brakes squeal",
        )
        for name in ("start_listening", "start_investigation", "record_findings"):
            complaint = complaint_services.complaint_transition(
                complaint=complaint, name=name, actor=alice.advisor, data=VALID_PAYLOADS[name]
            )
        # A serious classification notifies at once: this commit tries to publish.
        complaint = complaint_services.complaint_transition(
            complaint=complaint,
            name="submit_for_approval",
            actor=alice.advisor,
            data=SERIOUS_DECISION,
        )
        services.contact_record(
            complaint=complaint, actor=alice.advisor, channel="phone", outcome="dissatisfied"
        )
    elapsed = time.monotonic() - started
    assert complaint.state == State.AWAITING_APPROVAL
    assert elapsed < 15, f"publishing held the requests up for {elapsed:.1f}s"
    assert "Could not queue the outbox's delivery" in caplog.text
    waiting = Notification.objects.exclude(outbox_due_at=None).filter(outbox_sent_at=None).count()
    # Serious: both managers and the regional user; for approval: both managers. All kept.
    assert waiting == 5 and mail.outbox == []
    # Meanwhile the approval deadline falls due.
    Deadline.objects.filter(complaint=complaint, kind="approval").update(
        due_at=timezone.now() - timedelta(minutes=1)
    )

    broker(f"redis://{REDIS_HOST}:{REDIS_PORT}/{SPARE_DB}")
    assert "breached=1" in sweep_deadlines()  # beat's tick, run here by hand
    assert spare.llen("celery") == 1  # the delivery task was queued on the broker
    deliver_outbox()  # what the worker runs for that message
    assert Notification.objects.exclude(outbox_due_at=None).filter(outbox_sent_at=None).count() == 0
    subjects = [m.subject for m in mail.outbox]
    assert sum("Serious complaint" in s for s in subjects) == 3
    assert sum("Approval needed" in s for s in subjects) == 2
    assert sum("Missed" in s for s in subjects) == 3  # assignee and both managers
    spare.flushdb()


def test_with_redis_down_the_case_api_still_answers(
    broker, alice, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    from dealers.models import Customer

    broker(CLOSED_PORT_BROKER)
    client = APIClient()
    client.force_authenticate(user=alice.advisor)
    customer = Customer.objects.create(dealer=alice.dealer, name="Li Lei", phone="13900000000")
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/complaints/",
            {
                "dealer": alice.dealer.code,
                "customer": {"name": customer.name, "phone": customer.phone},
                "channel": "phone",
                "category": "attitude",
                "description": "Nobody called back.",
            },
            format="json",
        )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(
            f"/api/v1/complaints/{reference}/transitions/start_listening/", {}, format="json"
        )
    assert moved.status_code == 200, moved.content
    detail = client.get(f"/api/v1/complaints/{reference}/").json()
    assert detail["state"] == "listening"
