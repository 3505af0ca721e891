"""The read replica against real servers: run by tests/core/test_read_replica.py, one phase
per process (`python -m tests.core.replica_scenario <phase>`), with DATABASE_URL naming a
scratch primary and DATABASE_REPLICA_URL its streaming replica.

Each phase is one web process: a pin to the primary made by one must hold in the next (a
signed cookie for the browser, Redis for an API key). Input comes as JSON in SCENARIO_INPUT,
the result is the last line of the output, as JSON; a failed check exits non-zero.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from complaints.models import Complaint  # noqa: E402
from core import replica  # noqa: E402
from core.models import User  # noqa: E402
from core.scoping import allow_direct_reads_under, unscoped  # noqa: E402
from dealers.models import Dealer, Role  # noqa: E402
from integrations.models import DealerApiKey  # noqa: E402
from tests.factories import (  # noqa: E402
    ComplaintFactory,
    DealerFactory,
    MembershipFactory,
    RegionFactory,
    UserFactory,
)

setup_test_environment()
# The scenario's own set-up and checks need no scope; the application's reads are checked.
allow_direct_reads_under(Path(__file__).parent)

INTAKE = {
    "pick": "",
    "new_name": "Li Lei",
    "new_phone": "13900001111",
    "new_email": "",
    "new_preferred_channel": "phone",
    "vin": "",
    "model": "",
    "plate": "沪A54321",
    "channel": "walk_in",
    "category": "workmanship",
    "component": "brakes",
    "description": "The brakes squeal since the last service.",
    "customer_request": "Fix it free of charge.",
}
NEW_CASE = {
    "customer": {"dms_id": "C-1001", "name": "王芳", "phone": "13800138000"},
    "vehicle": {"vin": "LVSHCAMB7CE012345", "model": "Corolla", "plate": "沪A12345"},
    "channel": "phone",
    "category": "workmanship",
    "component": "brakes",
    "description": "刹车异响，上次保养后开始。",
    "customer_request": "免费修好",
}


# --- the servers ----------------------------------------------------------------------------


def on(alias: str, sql: str, params: tuple = ()) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def caught_up(timeout: float = 20.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = on("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not on("replica", "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", (target,)):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


class Statements:
    """The statements each database runs while recording."""

    def __init__(self) -> None:
        self.sql: dict[str, list[str]] = {"default": [], "replica": []}

    @contextmanager
    def recording(self) -> Iterator[Statements]:
        for statements in self.sql.values():
            statements.clear()
        with connections["default"].execute_wrapper(self._on("default")):
            with connections["replica"].execute_wrapper(self._on("replica")):
                yield self

    def _on(self, alias: str) -> Callable[..., Any]:
        def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
            self.sql[alias].append(sql)
            return execute(sql, params, many, context)

        return wrapper

    def read_cases(self, alias: str) -> bool:
        """Whether cases or their deadlines were read there."""
        return any(
            '"complaints_complaint"' in sql or '"followups_deadline"' in sql
            for sql in self.sql[alias]
        )


class Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        logging.getLogger("core.replica").addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# --- who reads and writes -------------------------------------------------------------------


def browser(user: User | None = None, cookies: dict[str, str] | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    for name, value in (cookies or {}).items():
        client.cookies[name] = value
    return client


def dms(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def worklist(client: Client) -> str:
    response = client.get("/?filtered=1")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def api_list(client: APIClient) -> set[str]:
    response = client.get("/api/v1/complaints/?page_size=100")
    assert response.status_code == 200, response.content
    return {case["reference"] for case in response.json()["results"]}


def cases_received(client: Client | APIClient) -> int:
    response = client.get("/api/v1/analytics/")
    assert response.status_code == 200, response.content
    return response.json()["summary"]["cases"]


def users(inputs: dict[str, Any]) -> tuple[User, User]:
    with unscoped("command"):
        return User.objects.get(username="writer"), User.objects.get(username="reader")


# --- the phases -----------------------------------------------------------------------------


def seed(inputs: dict[str, Any]) -> dict[str, Any]:
    """A dealer with two managers (one writes, one only reads), an API key for each of its
    two DMS connections (one writes, one only reads), and three cases."""
    with unscoped("command"):
        dealer = DealerFactory(code="SH01", region=RegionFactory(code="EAST"))
        for name in ("writer", "reader"):
            # No password: they sign in by session, and hashing one takes a while.
            user = UserFactory(username=name, password="!")
            MembershipFactory(user=user, dealer=dealer, role=Role.MANAGER)
        _, writing_key = DealerApiKey.objects.create_key(dealer=dealer, name="DMS writes")
        _, reading_key = DealerApiKey.objects.create_key(dealer=dealer, name="DMS reads")
        cases = [ComplaintFactory(dealer=dealer).reference for _case in range(3)]
    caught_up()
    return {"writing_key": writing_key, "reading_key": reading_key, "cases": cases}


def write(inputs: dict[str, Any]) -> dict[str, Any]:
    """(b) writes (the browser's, the DMS's with its idempotency record, a transition, the
    sweep) never touch the replica; (a) with its replay paused, the writers read their
    own cases and the others read the replica without them, every list and figure."""
    writer, reader = users(inputs)
    baseline = set(inputs["cases"])
    statements, warnings = Statements(), Warnings()
    caught_up()
    on("replica", "SELECT pg_wal_replay_pause()::text")
    writer_browser, reader_browser = browser(writer), browser(reader)
    writing_dms, reading_dms = dms(inputs["writing_key"]), dms(inputs["reading_key"])

    with statements.recording():
        intake = writer_browser.post("/cases/new/", INTAKE)
        created = writing_dms.post(
            "/api/v1/complaints/", NEW_CASE, format="json", HTTP_IDEMPOTENCY_KEY="case-1"
        )
        moved = writer_browser.post(f"/cases/{sorted(baseline)[0]}/do/start_listening/", {})
        call_command("sweep_deadlines")
    assert intake.status_code == 302, intake.content.decode()[-2000:]
    assert created.status_code == 201, created.content
    assert moved.status_code == 302
    assert statements.sql["replica"] == [], statements.sql["replica"]
    assert statements.read_cases("default")
    with unscoped("command"):
        new = set(
            Complaint.objects.exclude(reference__in=baseline).values_list("reference", flat=True)
        )
        assert Complaint.objects.get(reference=sorted(baseline)[0]).state == "listening"
    assert len(new) == 2 and created.json()["reference"] in new

    # The writers, pinned to the primary: not one statement on the replica.
    with statements.recording():
        assert all(reference in worklist(writer_browser) for reference in new)
        assert api_list(writing_dms) >= new | baseline
        assert cases_received(writer_browser) == 5
    assert statements.sql["replica"] == [], statements.sql["replica"]

    # The others read the paused replica: the baseline, not the new cases.
    with statements.recording():
        page = worklist(reader_browser)
    assert all(r in page for r in baseline) and not any(r in page for r in new)
    assert statements.read_cases("replica") and not statements.read_cases("default")
    assert api_list(reading_dms) == baseline
    assert cases_received(reader_browser) == 3
    assert cases_received(reading_dms) == 3
    for path in ("/analytics/", "/overview/", "/followups/overdue/"):
        with statements.recording():
            response = reader_browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert statements.read_cases("replica") and not statements.read_cases("default"), path
    export = reader_browser.get("/analytics/cases.csv").content.decode()
    assert all(r in export for r in baseline) and not any(r in export for r in new)

    # Further behind than the bound: the primary, with a warning.
    lag = float(on("replica", replica.LAG_SQL))
    assert lag > 0
    with override_settings(REPLICA_MAX_LAG_SECONDS=lag / 2):
        assert all(reference in worklist(reader_browser) for reference in new)
    assert any("behind" in message for message in warnings.messages), warnings.messages
    assert not any(reference in worklist(reader_browser) for reference in new)

    return {
        "new": sorted(new),
        "writer_cookies": {name: c.value for name, c in writer_browser.cookies.items()},
        "reader_cookies": {name: c.value for name, c in reader_browser.cookies.items()},
    }


def read(inputs: dict[str, Any]) -> dict[str, Any]:
    """Another web process, replay still paused: the writers are still pinned (by their
    cookie; the DMS by Redis), the others still read the replica; once it replays, they see
    the new cases too."""
    baseline, new = set(inputs["cases"]), set(inputs["new"])
    writer_browser = browser(cookies=inputs["writer_cookies"])
    reader_browser = browser(cookies=inputs["reader_cookies"])
    writing_dms, reading_dms = dms(inputs["writing_key"]), dms(inputs["reading_key"])
    assert replica.COOKIE in inputs["writer_cookies"]
    assert replica.COOKIE not in inputs["reader_cookies"]

    assert all(reference in worklist(writer_browser) for reference in new)
    if settings.REDIS_URL:  # without a shared cache an API client is pinned per process
        assert api_list(writing_dms) >= new
    assert not any(reference in worklist(reader_browser) for reference in new)
    assert api_list(reading_dms) == baseline

    on("replica", "SELECT pg_wal_replay_resume()::text")
    caught_up()
    assert all(reference in worklist(reader_browser) for reference in new)
    assert api_list(reading_dms) == baseline | new
    assert cases_received(reader_browser) == 5
    return {"shared_cache": bool(settings.REDIS_URL)}


def down(inputs: dict[str, Any]) -> dict[str, Any]:
    """The replica is stopped: every page still answers, from the primary, at once."""
    _writer, reader = users(inputs)
    warnings = Warnings()
    with unscoped("command"):
        latest = ComplaintFactory(dealer=Dealer.objects.get(code="SH01")).reference
    reader_browser, reading_dms = browser(reader), dms(inputs["reading_key"])

    started = time.monotonic()
    assert latest in worklist(reader_browser)
    assert any("unavailable" in message for message in warnings.messages), warnings.messages
    assert latest in api_list(reading_dms)
    for path in ("/analytics/", "/overview/", "/followups/overdue/", "/analytics/cases.csv"):
        response = reader_browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert cases_received(reading_dms) >= 4
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed
    return {"seconds": round(elapsed, 2)}


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "seed": seed,
    "write": write,
    "read": read,
    "down": down,
}

if __name__ == "__main__":
    result = PHASES[sys.argv[1]](json.loads(os.environ.get("SCENARIO_INPUT", "{}")))
    print(json.dumps(result))
