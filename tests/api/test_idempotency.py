"""Idempotency-Key: a retry replays the first response and creates nothing; the same key
with another body is 422; two concurrent retries create exactly one case; a crash at any
point of the first request leaves either nothing or the case with its stored response."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import time_machine
from django.db import connection
from django.utils import timezone

from complaints.choices import State
from complaints.models import CaseEvent, Complaint
from dealers.models import RepairOrder
from integrations.models import IdempotencyRecord
from tests.conftest import database_url
from tests.processes import gunicorn as gunicorn_process

from .conftest import key_client

CASES = "/api/v1/complaints/"
ROOT = Path(__file__).resolve().parents[2]


def post(client, body, key, url=CASES):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_retry_with_same_key_and_body_replays_and_creates_nothing(api, alice, new_case):
    first = post(api, new_case, "k-1")
    retry = post(api, new_case, "k-1")

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["ETag"] == first["ETag"] and retry["Location"] == first["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1
    assert CaseEvent.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_422(api, alice, new_case):
    post(api, new_case, "k-1")

    response = post(api, {**new_case, "description": "something else"}, "k-1")

    assert response.status_code == 422
    assert response.json()["type"].endswith(":idempotency_key_reused")
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_same_key_on_another_path_is_422(api, alice, vehicle, new_case):
    post(api, new_case, "k-1")

    response = post(
        api,
        new_case,
        "k-1",
        url=f"/api/v1/vehicles/{vehicle.vin}/repair-orders/",
    )

    assert response.status_code == 422
    assert not RepairOrder.objects.exists()


@pytest.mark.django_db
def test_keys_are_per_client(api, bob_api, alice, bob, new_case):
    post(api, new_case, "shared-key")

    response = post(bob_api, new_case, "shared-key")

    assert response.status_code == 201
    assert Complaint.objects.filter(dealer=bob.dealer).count() == 1


@pytest.mark.django_db
def test_after_24_hours_the_key_is_new_again(api, alice, new_case):
    post(api, new_case, "k-1")

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        response = post(api, new_case, "k-1")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Complaint.objects.count() == 2


@pytest.mark.django_db
def test_refused_request_is_not_stored_and_may_be_retried(api, alice, new_case):
    bad = post(api, {**new_case, "channel": "pigeon"}, "k-1")
    good = post(api, new_case, "k-1")

    assert bad.status_code == 400
    assert good.status_code == 201


@pytest.mark.django_db
def test_while_the_first_is_in_flight_a_retry_is_409(api, alice, new_case):
    first = post(api, new_case, "k-1")
    IdempotencyRecord.objects.filter(key="k-1").update(status_code=None)

    response = post(api, new_case, "k-1")

    assert first.status_code == 201
    assert response.status_code == 409
    assert response.json()["type"].endswith(":request_in_flight")


@pytest.mark.django_db
def test_transition_retry_does_not_run_twice(api, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)
    url = f"{CASES}{complaint.reference}/transitions/start_listening/"

    first = post(api, {}, "t-1", url=url)
    retry = post(api, {}, "t-1", url=url)

    assert first.status_code == retry.status_code == 200
    assert CaseEvent.objects.filter(complaint=complaint).count() == 1


@pytest.mark.django_db
def test_malformed_key_is_400(api, alice, new_case):
    response = post(api, new_case, "x" * 300)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_two_concurrent_retries_create_one_case(postgres, alice_key, alice, new_case):
    """Two real connections send the same request with the same key at the same moment."""
    barrier = threading.Barrier(2)
    results: list[int] = []

    def send() -> None:
        try:
            client = key_client(alice_key.raw)
            barrier.wait(timeout=10)
            results.append(post(client, new_case, "concurrent-1").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Complaint.objects.count() == 1
    # The loser either saw the first in flight (409) or got its stored response (201).
    assert sorted(results) in ([201, 201], [201, 409])
    retry = post(key_client(alice_key.raw), new_case, "concurrent-1")
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_purge_forgets_only_expired_records(api, alice, new_case):
    from integrations.tasks import purge_idempotency_records

    post(api, new_case, "old")
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        post(api, {**new_case, "description": "second"}, "recent")
        assert purge_idempotency_records() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert purge_idempotency_records() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


# --- a crash between the case's commit and the response ------------------------------------


def _failing_after_the_case(monkeypatch, *, when: str) -> None:
    """The request fails once the case was written: while its response is built, or right
    after the transaction committed (the response lost on its way to the client)."""
    from django.db import transaction

    from complaints import apis

    original = apis.complaint_response

    def boom() -> None:
        raise ConnectionResetError("the worker died")

    def complaint_response(*args, **kwargs):
        response = original(*args, **kwargs)
        if when == "before-response":
            boom()
        transaction.on_commit(boom)
        return response

    monkeypatch.setattr(apis, "complaint_response", complaint_response)


def test_a_crash_while_the_response_is_built_leaves_nothing_and_the_retry_runs_once(
    postgres, monkeypatch, alice_key, alice, new_case
):
    api = key_client(alice_key.raw)
    with monkeypatch.context() as patch:
        _failing_after_the_case(patch, when="before-response")
        with pytest.raises(ConnectionResetError):
            post(api, new_case, "crash-1")
    assert Complaint.objects.count() == 0

    retry = post(api, new_case, "crash-1")

    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Complaint.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_a_crash_after_the_commit_keeps_the_response_and_the_retry_replays_it(
    postgres, monkeypatch, alice_key, alice, new_case
):
    api = key_client(alice_key.raw)
    with monkeypatch.context() as patch:
        _failing_after_the_case(patch, when="after-commit")
        with pytest.raises(ConnectionResetError):
            post(api, new_case, "crash-2")

    retry = post(api, new_case, "crash-2")

    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["reference"] == Complaint.objects.get().reference
    assert CaseEvent.objects.count() == 1


# --- a real worker killed mid-request ----------------------------------------------------------


def _wait_for_marker(path: Path, server: subprocess.Popen, log: Path) -> int:
    deadline = time.monotonic() + 60
    while not path.exists() or not path.read_text():
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server never reached {path.name}:\n{log.read_text()}")
        time.sleep(0.05)
    return int(path.read_text())


@pytest.fixture
def gunicorn(postgres, tmp_path):
    """gunicorn with one worker on a free port, against the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "VAR_DIR": str(tmp_path / "var"),
        "PAUSE_MARKER_DIR": str(tmp_path),
    }
    env.pop("CELERY_BROKER_URL", None)  # tasks queue on the filesystem under VAR_DIR
    log = tmp_path / "gunicorn.log"
    with gunicorn_process("tests.api.paused_wsgi:application", env, log, ready="/health/") as (
        base,
        server,
    ):
        yield base, server, tmp_path, log


@pytest.mark.services
@pytest.mark.timeout(240)
@pytest.mark.parametrize(("point", "replayed"), [("in-transaction", False), ("after-commit", True)])
def test_a_worker_killed_mid_request_leaves_one_case_for_the_retry(
    gunicorn, alice_key, alice, new_case, point, replayed
):
    base, server, markers, log = gunicorn
    body = {**new_case, "description": f"刹车异响 ({point})"}
    headers = {"Authorization": f"Api-Key {alice_key.raw}", "Idempotency-Key": f"kill-{point}"}
    lost: list[BaseException] = []

    def first_try() -> None:
        try:
            requests.post(
                f"{base}{CASES}", json=body, headers={**headers, "X-Test-Pause": point}, timeout=120
            )
        except requests.ConnectionError as error:
            lost.append(error)

    sender = threading.Thread(target=first_try)
    sender.start()
    worker = _wait_for_marker(markers / point, server, log)
    os.kill(worker, signal.SIGKILL)
    sender.join(timeout=60)
    assert lost, "the first try should have lost its connection with the worker"

    # The master starts a new worker; the retry waits for it on the listening socket.
    retry = requests.post(f"{base}{CASES}", json=body, headers=headers, timeout=120)

    assert retry.status_code == 201, retry.text
    assert (retry.headers.get("Idempotent-Replayed") == "true") is replayed
    assert Complaint.objects.filter(description=body["description"]).count() == 1
    assert retry.json()["reference"] == Complaint.objects.get().reference
    again = requests.post(f"{base}{CASES}", json=body, headers=headers, timeout=120)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert Complaint.objects.count() == 1


def test_a_retry_waits_for_the_running_first_request_then_answers_409(
    postgres, settings, alice_key, alice, new_case
):
    """The first request's transaction is still open (its record uncommitted): a retry waits
    IDEMPOTENCY_LOCK_WAIT_SECONDS on it, then is a 409, and nothing was created."""
    from django.db import transaction

    settings.IDEMPOTENCY_LOCK_WAIT_SECONDS = 1
    api = key_client(alice_key.raw)
    first = api.post(CASES, new_case, format="json", HTTP_IDEMPOTENCY_KEY="slow-1")
    assert first.status_code == 201
    holding, release = threading.Event(), threading.Event()

    def first_request_still_running() -> None:
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.unscoped(reason="test").get(key="slow-1")
                # As a request that took the expired key afresh and has not committed yet.
                IdempotencyRecord.objects.unscoped(reason="test").filter(pk=record.pk).update(
                    status_code=None
                )
                holding.set()
                release.wait(timeout=30)
                transaction.set_rollback(True)
        finally:
            connection.close()

    holder = threading.Thread(target=first_request_still_running)
    holder.start()
    assert holding.wait(timeout=10)
    started = time.monotonic()
    try:
        retry = api.post(CASES, new_case, format="json", HTTP_IDEMPOTENCY_KEY="slow-1")
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=30)

    assert retry.status_code == 409
    assert retry.json()["type"].endswith(":request_in_flight")
    assert 0.9 <= waited < 10
    assert Complaint.objects.count() == 1
