"""The application through PgBouncer in transaction mode: a real pgbouncer with a pool smaller
than the number of clients, so that one client's transactions run on whichever server
connection is free. Everything goes through it: the migrations, the demo data (cases created
and moved through their steps by the services), the deadline sweep, an API key, and a
gunicorn serving concurrent API and page requests from many threads."""

from __future__ import annotations

import os
import pwd
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import requests
from django.db import connection

from tests.conftest import service_missing
from tests.factories import make_vin
from tests.processes import free_port, gunicorn

pytestmark = [pytest.mark.services, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
# Fewer server connections than client connections: every client shares them.
POOL_SIZE = 2
THREADS = 8


class PgBouncer:
    """A private pgbouncer in transaction mode on a free loopback port, in front of the test
    database server, with trust authentication for its users."""

    def __init__(self, host: str, port: int, user: str) -> None:
        binary = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
        if binary is None:
            service_missing("needs pgbouncer (apt-get install pgbouncer)")
        self.binary = str(binary)
        self.user = user
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        (self.folder / "userlist.txt").write_text(f'"{user}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={host} port={port}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {self.folder}/userlist.txt\n"
            f"admin_users = {user}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {POOL_SIZE}\n"
            "max_client_conn = 200\n"
            f"logfile = {self.folder}/pgbouncer.log\n"
        )
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            # pgbouncer refuses to run as root.
            owner = pwd.getpwnam("postgres")
            for path in [self.folder, *self.folder.iterdir()]:
                os.chown(path, owner.pw_uid, owner.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.process: subprocess.Popen | None = None

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the installed server, fixed arguments
            [*self.prefix, self.binary, str(self.folder / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                self.admin("SHOW VERSION")
                return
            except psycopg2.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"pgbouncer did not start:\n{self.log()}")
                time.sleep(0.1)

    def admin(self, command: str) -> list[dict]:
        """A command on pgbouncer's own console (SHOW POOLS, SHOW CLIENTS...)."""
        link = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="pgbouncer"
        )
        try:
            link.autocommit = True
            with link.cursor() as cursor:
                cursor.execute(command)
                names = [column.name for column in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            link.close()

    def log(self) -> str:
        path = self.folder / "pgbouncer.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)


def _direct(settings_dict: dict, database: str = "postgres"):
    link = psycopg2.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        dbname=database,
    )
    link.autocommit = True
    return link


@pytest.fixture
def scratch_database() -> Iterator[tuple[dict, str]]:
    """An empty database beside the test database, dropped afterwards."""
    settings_dict = dict(connection.settings_dict)
    name = f"{settings_dict['NAME']}_pgbouncer"
    link = _direct(settings_dict)
    try:
        with link.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield settings_dict, name
        with link.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        link.close()


@pytest.fixture
def pgbouncer(scratch_database) -> Iterator[PgBouncer]:
    settings_dict, _ = scratch_database
    bouncer = PgBouncer(
        settings_dict["HOST"] or "127.0.0.1",
        int(settings_dict["PORT"] or 5432),
        settings_dict["USER"] or "postgres",
    )
    bouncer.start()
    try:
        yield bouncer
    finally:
        bouncer.stop()


def _manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return done.stdout


NEW_CASE = {
    "customer": {"name": "王芳", "phone": "13800138000", "preferred_channel": "phone"},
    "vehicle": {"model": "Corolla", "plate": "沪A12345"},
    "channel": "phone",
    "category": "workmanship",
    "component": "brakes",
    "description": "刹车异响，上次保养后开始。",
    "customer_request": "免费修好",
}


def _api_round(base: str, key: str, number: int) -> list[str]:
    """One DMS's work: create a case, read it back, move it a step, list the cases."""
    problems: list[str] = []
    with requests.Session() as api:
        api.headers["Authorization"] = f"Api-Key {key}"
        body = {
            **NEW_CASE,
            "customer": {**NEW_CASE["customer"], "dms_id": f"PGB-{number}"},
            "vehicle": {**NEW_CASE["vehicle"], "vin": make_vin(random.Random(number))},
        }
        created = api.post(
            f"{base}/api/v1/complaints/",
            json=body,
            headers={"Idempotency-Key": f"pgbouncer-{number}"},
            timeout=60,
        )
        if created.status_code != 201:
            return [f"create {number}: {created.status_code} {created.text[:300]}"]
        reference = created.json()["reference"]
        detail = api.get(f"{base}/api/v1/complaints/{reference}/", timeout=60)
        if detail.status_code != 200:
            problems.append(f"detail {reference}: {detail.status_code}")
        headers = {"If-Match": detail.headers["ETag"]} if "ETag" in detail.headers else {}
        moved = api.post(
            f"{base}/api/v1/complaints/{reference}/transitions/start_listening/",
            json={},
            headers=headers,
            timeout=60,
        )
        if moved.status_code != 200 or moved.json().get("state") != "listening":
            problems.append(f"transition {reference}: {moved.status_code} {moved.text[:300]}")
        listed = api.get(f"{base}/api/v1/complaints/", timeout=60)
        if listed.status_code != 200:
            problems.append(f"list: {listed.status_code}")
    return problems


def _page_round(base: str) -> list[str]:
    """A manager signs in and reads the analytics page and its case export."""
    problems: list[str] = []
    with requests.Session() as browser:
        login = f"{base}/accounts/login/"
        browser.get(login, timeout=60)
        signed_in = browser.post(
            login,
            data={
                "username": "manager_sh",
                "password": "demo1234",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            headers={"Referer": login},
            timeout=60,
            allow_redirects=False,
        )
        if signed_in.status_code != 302:
            return [f"login: {signed_in.status_code}"]
        for path in ("/analytics/", "/analytics/cases.csv", "/"):
            page = browser.get(f"{base}{path}", timeout=120)
            if page.status_code != 200:
                problems.append(f"{path}: {page.status_code} {page.text[:300]}")
    return problems


MAKE_DUE = """
WITH due AS (
    UPDATE followups_deadline
       SET started_at = LEAST(started_at, now() - interval '2 hours'),
           due_at = now() - interval '1 hour'
     WHERE breached_at IS NULL AND satisfied_at IS NULL AND cancelled_at IS NULL
 RETURNING 1
) SELECT count(*) FROM due
"""
BREACHED = "SELECT count(*) FROM followups_deadline WHERE breached_at IS NOT NULL"


def _count(settings_dict: dict, database: str, sql: str) -> int:
    link = _direct(settings_dict, database)
    try:
        with link.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    finally:
        link.close()


def test_the_application_runs_through_pgbouncer_in_transaction_mode(
    pgbouncer, scratch_database, tmp_path
):
    settings_dict, database = scratch_database
    env = {
        **os.environ,
        # Development's settings with debugging off: production's besides the static files'
        # manifest, which only collectstatic writes.
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "DATABASE_URL": pgbouncer.url(database),
        "DATABASE_POOL_MODE": "transaction",
        # Each thread keeps its client connection to pgbouncer across requests, so their
        # transactions interleave on the two server connections.
        "DATABASE_CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_BROKER_URL": "memory://",
        "REDIS_URL": "",
        "VAR_DIR": str(tmp_path / "var"),
        "LANGUAGE_CODE": "en",
        "GUNICORN_CMD_ARGS": f"--threads {THREADS}",
    }
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo")
    # Time passes: every deadline still running is due now.
    due = _count(settings_dict, database, MAKE_DUE)
    assert due > 0
    breached = _count(settings_dict, database, BREACHED)
    _manage(env, "sweep_deadlines")
    # Each due deadline escalated once, and a second sweep finds nothing more to do.
    assert _count(settings_dict, database, BREACHED) == breached + due
    _manage(env, "sweep_deadlines")
    assert _count(settings_dict, database, BREACHED) == breached + due
    key = _manage(env, "createapikey", "--dealer", "SH01", "--name", "PgBouncer DMS").strip()
    cases_before = _count(settings_dict, database, "SELECT count(*) FROM complaints_complaint")

    with gunicorn("config.wsgi:application", env, tmp_path / "gunicorn.log") as (base, _server):
        problems: list[str] = []
        lock = threading.Lock()
        rounds = 3

        def work(number: int) -> None:
            found: list[str] = []
            try:
                for repeat in range(rounds):
                    found += _api_round(base, key, number * 100 + repeat)
                found += _page_round(base)
            except Exception as error:  # pragma: no cover - reported below
                found.append(repr(error))
            with lock:
                problems.extend(found)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=400)
        clients = [
            row
            for row in pgbouncer.admin("SHOW CLIENTS")
            if row["database"] == database and row["user"] == pgbouncer.user
        ]
        servers = [row for row in pgbouncer.admin("SHOW SERVERS") if row["database"] == database]
        log = (tmp_path / "gunicorn.log").read_text(errors="replace")

    assert problems == [], f"{problems}\n{log[-4000:]}"
    assert not re.search(r"\b(Traceback|ERROR)\b", log), log[-4000:]
    assert (
        _count(settings_dict, database, "SELECT count(*) FROM complaints_complaint")
        == cases_before + THREADS * rounds
    )
    # Many clients kept their connections, and shared no more server connections than the
    # pool has: their transactions really ran on each other's server connections.
    assert len(clients) > POOL_SIZE, clients
    assert len(servers) <= POOL_SIZE, servers
