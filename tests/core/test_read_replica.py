"""The read replica against a real streaming replica: a scratch primary and a replica made
from it with `pg_basebackup -R -X stream`, both started here with Debian's PostgreSQL 15
binaries on ports of their own (the machine's server is left alone).

The web side runs in processes of its own (tests/core/replica_scenario.py), with
DATABASE_URL the scratch primary and DATABASE_REPLICA_URL the replica: the test database
of this run is not on those servers. The cases it checks:
(a) the lists and the figures come from the replica: with its replay paused, a manager and a
    DMS connection that wrote see their new cases (in the next web process too), the others
    do not until it replays;
(b) a write never runs a statement on the replica;
(c) with the replica stopped, every page still answers, from the primary.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import REQUIRE_SERVICES, service_missing

# The test database must exist: its schema is copied to the scratch primary.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _server_binaries() -> Path:
    """PG_BIN, or the newest server of Debian's layout (/usr/lib/postgresql/<major>/bin)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/bin")


PG_BIN = _server_binaries()
FIRST_PORT = 18400
DATABASE = "complaints"
PRIMARY_CONF = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 4
shared_buffers = 16MB
fsync = off
synchronous_commit = off
"""


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    for port in range(FIRST_PORT, FIRST_PORT + 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    pytest.fail(f"no free port from {FIRST_PORT}")


@dataclass
class Cluster:
    data: Path
    port: int

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"


class Servers:
    """The primary and its replica, run as the postgres user when the tests run as root."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        primary_port, replica_port = _free_ports(2)
        self.primary = Cluster(folder / "primary", primary_port)
        self.replica = Cluster(folder / "replica", replica_port)

    def run(self, program: str, *arguments: str | Path, check: bool = True) -> str:
        done = subprocess.run(  # noqa: S603 - the PostgreSQL binaries with fixed arguments
            [*self.as_owner, str(PG_BIN / program), *map(str, arguments)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode and check:
            pytest.fail(f"{program} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, cluster: Cluster) -> None:
        log = self.folder / f"{cluster.data.name}.log"
        self.run("pg_ctl", "-D", cluster.data, "-l", log, "-w", "-t", "60", "start")

    def stop(self, cluster: Cluster, *, check: bool = True) -> None:
        if (cluster.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", cluster.data, "-m", "fast", "-w", "stop", check=check)

    def psql(self, cluster: Cluster, sql: str, database: str = "postgres") -> str:
        return self.run(
            "psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d",
            database, "-v", "ON_ERROR_STOP=1", "-Atqc", sql,
        ).strip()  # fmt: skip

    def create(self) -> None:
        self.run(
            "initdb", "-D", self.primary.data, "-U", "postgres", "--auth=trust", "--no-sync",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        with (self.primary.data / "postgresql.conf").open("a") as conf:
            conf.write(PRIMARY_CONF.format(sockets=self.folder))
            conf.write(f"port = {self.primary.port}\n")
        with (self.primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self.start(self.primary)
        self.psql(self.primary, f"CREATE DATABASE {DATABASE}")
        self.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", self.replica.data, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        with (self.replica.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica.port}\n")
        self.start(self.replica)
        assert self.psql(self.replica, "SELECT pg_is_in_recovery()") == "t"


def _copy_schema(servers: Servers, env: dict[str, str]) -> None:
    """The schema of this run's test database (already migrated) into the scratch primary:
    a second after the first, where migrating from nothing takes twenty. Migrates when the
    test database is on a server these binaries cannot dump (the embedded one)."""
    source = connections["default"].settings_dict
    host = source["HOST"] or ""
    dumped = None
    if not host.startswith("/"):
        dumped = subprocess.run(  # noqa: S603 - pg_dump with fixed arguments
            [
                str(PG_BIN / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges",
                "-h", host or "127.0.0.1", "-p", str(source["PORT"] or 5432),
                "-U", source["USER"] or "postgres", "-d", source["NAME"],
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PGPASSWORD": source["PASSWORD"] or ""},
        )  # fmt: skip
    if dumped is not None and dumped.returncode == 0:
        restored = subprocess.run(  # noqa: S603 - psql with fixed arguments
            [
                str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(servers.primary.port),
                "-U", "postgres", "-d", DATABASE, "-v", "ON_ERROR_STOP=1", "-q",
            ],
            input=dumped.stdout,
            capture_output=True,
            text=True,
        )  # fmt: skip
        if restored.returncode == 0:
            return
        pytest.fail(f"the schema did not load:\n{restored.stderr}")
    _python(["manage.py", "migrate", "--noinput"], env)


def _python(arguments: list[str], env: dict[str, str], inputs: dict | None = None) -> dict:
    """Our own interpreter in the scenario's environment; the JSON of its last line."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, *arguments],
        cwd=ROOT,
        env={**env, "SCENARIO_INPUT": json.dumps(inputs or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        pytest.fail(f"{' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr[-6000:]}")
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}


def scenario(phase: str, site: Site, inputs: dict | None = None) -> dict:
    return _python(
        ["-m", "tests.core.replica_scenario", phase], site.env, {**site.seeded, **(inputs or {})}
    )


@dataclass
class Site:
    servers: Servers
    env: dict[str, str]
    seeded: dict


@pytest.fixture(scope="session")
def replica_site(django_db_setup, tmp_path_factory) -> Iterator[Site]:
    """A primary and its streaming replica with the schema and a little data."""
    if not (PG_BIN / "pg_basebackup").exists():
        service_missing(f"PostgreSQL's server binaries are not in {PG_BIN}")
    # Not under pytest's tmp_path: the servers run as postgres, which must own the folder
    # (and a short path, for the Unix sockets).
    folder = Path(tempfile.mkdtemp(prefix="pg-replica-"))
    servers = Servers(folder)
    if servers.as_owner:
        shutil.chown(folder, "postgres")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "SCOPING_STRICT": "1",
        "LOG_LEVEL": "WARNING",  # a failure shows the scenario's traceback, not every log-in
        "DATABASE_URL": servers.primary.url(),
        "DATABASE_REPLICA_URL": servers.replica.url(),
        # Long enough that no pin runs out, and no lag bound is crossed, while a slow
        # machine runs the scenario; the scenario lowers the bound where it tests it.
        "REPLICA_STICKY_SECONDS": "600",
        "VAR_DIR": str(tmp_path_factory.mktemp("replica-var")),
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("REPLICA_MAX_LAG_SECONDS", None)
    env.pop("CELERY_BROKER_URL", None)
    # Redis, when this run has one: it pins an API client to the primary across processes.
    redis_url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    try:
        servers.create()
        _copy_schema(servers, env)
        site = Site(servers, env, {})
        site.seeded = _python(["-m", "tests.core.replica_scenario", "seed"], env)
        yield site
    finally:
        for cluster in (servers.replica, servers.primary):
            servers.stop(cluster, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.services
@pytest.mark.timeout(300)
def test_lists_and_figures_read_the_replica_and_writers_read_their_own_writes(replica_site):
    # (a) and (b) in one web process, with the replica's replay paused...
    written = scenario("write", replica_site)
    assert len(written["new"]) == 2
    # ...and in a second process: still paused, then replayed.
    read = scenario("read", replica_site, written)
    if not read["shared_cache"] and REQUIRE_SERVICES:
        pytest.fail("no Redis: an API client's pin across processes was not checked")


@pytest.mark.services
@pytest.mark.timeout(300)
def test_every_page_answers_from_the_primary_while_the_replica_is_down(replica_site):
    servers = replica_site.servers
    servers.stop(servers.replica)
    try:
        scenario("down", replica_site)
    finally:
        servers.start(servers.replica)
