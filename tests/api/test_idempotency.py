"""Idempotency-Key: a retry replays the first response and creates nothing; the same key
with another body is 422; two concurrent retries create exactly one case."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from complaints.choices import State
from complaints.models import CaseEvent, Complaint
from dealers.models import RepairOrder
from integrations.models import IdempotencyRecord

from .conftest import key_client

CASES = "/api/v1/complaints/"


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
