"""The database goes away and comes back: while it is away every request is a clean 503 with
Retry-After (problem+json under /api/, a plain page elsewhere), never a 500; once it is back
the same web processes answer again, with no restart (CONN_HEALTH_CHECKS)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from rest_framework.test import APIClient

from config import embedded_postgres
from integrations.models import DealerApiKey
from tests.conftest import database_url, service_missing
from tests.processes import gunicorn

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "application/problem+json"
WHOAMI = "/api/v1/whoami/"


def assert_database_unavailable_problem(response) -> None:
    assert response.status_code == 503, response.content
    assert response.headers["Content-Type"] == PROBLEM
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["type"] == "urn:complaint-desk:problem:database_unavailable"
    assert body["status"] == 503


def assert_database_unavailable_page(response, text: str) -> None:
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert int(response.headers["Retry-After"]) > 0
    assert "Briefly unavailable" in text
    assert "Traceback" not in text and "OperationalError" not in text


# --- in-process: the error surfaces in a view or in a middleware ------------------------------


@pytest.mark.parametrize(
    "error", [OperationalError("server closed the connection"), InterfaceError]
)
def test_a_database_error_in_an_api_view_is_a_503_problem(db, alice, monkeypatch, error):
    from complaints import apis

    def unavailable(**kwargs):
        raise error

    monkeypatch.setattr(apis, "complaint_api_list", unavailable)
    _, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="DMS")
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")

    assert_database_unavailable_problem(client.get("/api/v1/complaints/"))


def test_a_database_error_in_a_middleware_is_a_503_page_or_problem(client, alice, monkeypatch):
    client.force_login(alice.advisor)
    client.raise_request_exception = False

    def unavailable(self):
        raise OperationalError("could not connect to server: No such file or directory")

    # The session is read (for the user, by a middleware, before any view) from a database
    # that is gone.
    monkeypatch.setattr(SessionStore, "load", unavailable)
    page = client.get("/")
    api = client.get(WHOAMI)

    assert_database_unavailable_page(page, page.content.decode())
    assert_database_unavailable_problem(api)


def test_other_errors_are_still_a_500(db, alice, monkeypatch):
    from complaints import apis

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(apis, "complaint_api_list", broken)
    _, raw = DealerApiKey.objects.create_key(dealer=alice.dealer, name="DMS")
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")

    response = client.get("/api/v1/complaints/")

    assert response.status_code == 500
    assert "Retry-After" not in response


# --- a real restart: a private PostgreSQL, gunicorn, the server stopped and started ----------


# Run in the new database: a dealer's advisor with a session, and an API key of the dealer.
SETUP = """
import json

import django

django.setup()
from django.test import Client

from core.scoping import unscoped
from dealers.models import Role
from integrations.models import DealerApiKey
from tests.factories import DealerFactory, MembershipFactory, UserFactory

with unscoped("command"):  # set-up, as an operator's command would do it
    dealer = DealerFactory(code="SH01")
    advisor = UserFactory(username="advisor")
    MembershipFactory(user=advisor, dealer=dealer, role=Role.ADVISOR)
    _, key = DealerApiKey.objects.create_key(dealer=dealer, name="DMS")
browser = Client()
browser.force_login(advisor)
print(json.dumps({"key": key, "session": browser.cookies["sessionid"].value}))
"""


def run(arguments: list[str], env: dict[str, str]) -> str:
    """Our own interpreter with `arguments`; its output, or the test fails showing it."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        pytest.fail(f"{arguments[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return {int(pid) for pid in children.read_text().split()}


@pytest.fixture
def private_postgres():
    # Not under pytest's tmp_path: run as root, the server runs as the data folder's owner,
    # and another pytest run on the machine may make pytest's shared base folder private
    # again while the server runs. A short name, too: the server's Unix socket lives in it.
    folder = Path(tempfile.mkdtemp(prefix="pg-restart-"))
    folder.chmod(0o755)
    data_dir = folder / "pg"
    try:
        try:
            settings_dict = embedded_postgres.database_settings(data_dir, "complaints")
        except Exception as error:  # noqa: BLE001 - a machine without the server's wheel
            service_missing(f"the embedded PostgreSQL does not start here: {error}")
        yield data_dir, settings_dict
    finally:
        embedded_postgres.stop(data_dir)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def web(private_postgres, tmp_path):
    """gunicorn on a free port against the private database, keeping its connections
    between requests (as production does with DATABASE_CONN_MAX_AGE)."""
    _, settings_dict = private_postgres
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(settings_dict),
        "DATABASE_CONN_MAX_AGE": "600",
        "VAR_DIR": str(tmp_path / "var"),
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):  # the cache in memory, tasks on files
        env.pop(name, None)
    run(["manage.py", "migrate", "--noinput"], env)
    made = run(["-c", SETUP], env)
    secrets = json.loads(made.strip().splitlines()[-1])
    log = tmp_path / "gunicorn.log"
    with gunicorn("config.wsgi:application", env, log) as (base, server):
        yield base, server, secrets, log


@pytest.mark.services
@pytest.mark.timeout(120)
def test_a_database_restart_fails_requests_cleanly_and_the_same_processes_recover(
    private_postgres, web
):
    data_dir, _ = private_postgres
    base, server, secrets, log = web
    key = {"Authorization": f"Api-Key {secrets['key']}"}
    session = {"sessionid": secrets["session"]}

    def get(path: str, **kwargs) -> requests.Response:
        return requests.get(f"{base}{path}", timeout=10, allow_redirects=False, **kwargs)

    def everything_answers() -> None:
        assert get("/health/ready").status_code == 200
        whoami = get(WHOAMI, headers=key)
        assert whoami.status_code == 200, whoami.text
        assert whoami.json()["dealers"] == ["SH01"]
        assert get(WHOAMI, cookies=session).status_code == 200
        page = get("/", cookies=session)
        assert page.status_code == 200, page.text[:2000]

    everything_answers()
    processes = (server.pid, _workers(server.pid))
    assert processes[1], "gunicorn has a worker"

    # A restart between two requests: the worker's kept connection is dead, and is
    # replaced before the next request uses it. That request does not fail.
    embedded_postgres.stop(data_dir)
    embedded_postgres.ensure_running(data_dir)
    everything_answers()

    # The database is down: every request fails fast and cleanly; the process lives on.
    embedded_postgres.stop(data_dir)
    for _ in range(3):
        started = time.monotonic()
        assert_database_unavailable_problem(get(WHOAMI, headers=key))
        # The session is read by a middleware, before the API view.
        assert_database_unavailable_problem(get(WHOAMI, cookies=session))
        page = get("/", cookies=session)
        assert_database_unavailable_page(page, page.text)
        assert time.monotonic() - started < 5
    ready = get("/health/ready")
    assert ready.status_code == 503 and ready.json()["database"] == "unreachable"
    assert get("/health/live").status_code == 200
    assert server.poll() is None
    assert (server.pid, _workers(server.pid)) == processes

    # Back: the same processes answer again, nobody restarted them.
    embedded_postgres.ensure_running(data_dir)
    everything_answers()
    assert (server.pid, _workers(server.pid)) == processes
    assert "Internal Server Error" not in log.read_text()
