"""Outbound webhooks: written with the change, signed, delivered to a real receiver on
127.0.0.1, retried with exponential backoff, logged."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from complaints import services
from complaints.choices import State
from core import outbox
from core.outbox import OutboxState
from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server in a thread that records what it receives and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint(alice, receiver):
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True):
        made = WebhookEndpoint(dealer=alice.dealer, url=receiver.url)
        made.full_clean()
        made.save()
        yield made


def send_now(monkeypatch):
    """Run the outbox's delivery in-process where the code asks a worker for it."""
    monkeypatch.setattr(outbox, "outbox_publish", lambda: outbox.outbox_deliver())


def test_created_case_is_delivered_signed_to_a_real_receiver(
    api, alice, endpoint, receiver, new_case, monkeypatch, django_capture_on_commit_callbacks
):
    send_now(monkeypatch)
    with (
        override_settings(WEBHOOKS_ALLOW_LOOPBACK=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api.post("/api/v1/complaints/", new_case, format="json")

    assert response.status_code == 201
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    assert headers["X-Webhook-Event"] == "case.created"
    timestamp, signature = (part.split("=", 1)[1] for part in headers["X-Signature"].split(","))
    expected = hmac.new(
        endpoint.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(signature, expected)
    assert webhooks.verify(endpoint.secret, headers["X-Signature"], body)
    assert not webhooks.verify("another secret", headers["X-Signature"], body)
    event = json.loads(body)
    assert event["type"] == "case.created"
    assert event["data"]["reference"] == response.json()["reference"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.outbox_state == OutboxState.SENT and delivery.outbox_attempts == 1
    assert delivery.log[0]["status"] == 200


def test_transition_writes_a_delivery_in_the_same_transaction(
    alice, endpoint, make_complaint, django_capture_on_commit_callbacks
):
    case = make_complaint(alice, state=State.RECEIVED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.complaint_transition(complaint=case, name="start_listening", actor=alice.advisor)

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "case.transitioned"
    assert delivery.payload["data"]["transition"] == "start_listening"
    assert delivery.payload["data"]["to_state"] == "listening"
    assert len(callbacks) == 1  # sent only once the change committed


def test_refused_change_writes_no_delivery(alice, endpoint, make_complaint):
    case = make_complaint(alice, state=State.RECEIVED)

    with pytest.raises(Exception):  # noqa: B017 - any refusal
        services.complaint_transition(complaint=case, name="close", actor=alice.advisor)

    assert not WebhookDelivery.objects.exists()


def test_endpoint_only_gets_the_events_it_chose(alice, endpoint, make_complaint):
    endpoint.events = ["case.created"]
    endpoint.save()
    case = make_complaint(alice, state=State.RECEIVED)

    services.complaint_transition(complaint=case, name="start_listening", actor=alice.advisor)

    assert not WebhookDelivery.objects.exists()


def test_other_dealers_changes_are_not_sent(bob, endpoint, make_complaint):
    case = make_complaint(bob, state=State.RECEIVED)

    services.complaint_transition(complaint=case, name="start_listening", actor=bob.advisor)

    assert not WebhookDelivery.objects.exists()


def test_failures_are_retried_with_exponential_backoff_then_given_up(
    alice, endpoint, receiver, make_complaint
):
    receiver.status = 500
    case = make_complaint(alice, state=State.RECEIVED)
    services.complaint_transition(complaint=case, name="start_listening", actor=alice.advisor)
    delivery = WebhookDelivery.objects.get()
    start = timezone.now()

    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True, OUTBOX_MAX_ATTEMPTS=3):
        assert webhooks.deliver(delivery.pk) == OutboxState.PENDING
        delivery.refresh_from_db()
        first_wait = delivery.outbox_due_at - start
        assert outbox.outbox_deliver() == 0  # not due yet: nothing is sent early
        assert len(receiver.requests) == 1

        retried_at = delivery.outbox_due_at + timedelta(seconds=1)
        with time_machine.travel(retried_at):
            assert outbox.outbox_deliver() == 0
        assert len(receiver.requests) == 2
        delivery.refresh_from_db()
        second_wait = delivery.outbox_due_at - retried_at

        receiver.status = 200
        with time_machine.travel(delivery.outbox_due_at + timedelta(seconds=1)):
            outbox.outbox_deliver()

    delivery.refresh_from_db()
    assert timedelta(seconds=25) < first_wait < timedelta(seconds=35)
    assert timedelta(seconds=55) < second_wait < timedelta(seconds=65)
    assert delivery.outbox_state == OutboxState.SENT
    assert [entry["status"] for entry in delivery.log] == [500, 500, 200]
    assert len(receiver.requests) == 3


def test_gives_up_after_the_last_attempt(alice, endpoint, receiver, make_complaint):
    receiver.status = 503
    case = make_complaint(alice, state=State.RECEIVED)
    services.complaint_transition(complaint=case, name="start_listening", actor=alice.advisor)
    delivery = WebhookDelivery.objects.get()

    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True, OUTBOX_MAX_ATTEMPTS=1):
        assert webhooks.deliver(delivery.pk) == OutboxState.GIVEN_UP
        assert webhooks.deliver(delivery.pk) is None  # never sent again

    delivery.refresh_from_db()
    assert delivery.last_status_code == 503 and delivery.outbox_last_error == "HTTP 503"


def test_unreachable_endpoint_is_logged_and_retried(alice, make_complaint):
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True):
        endpoint = WebhookEndpoint.objects.create(
            dealer=alice.dealer, url="http://127.0.0.1:9/closed"
        )
        case = make_complaint(alice, state=State.RECEIVED)
        services.complaint_transition(complaint=case, name="start_listening", actor=alice.advisor)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        status = webhooks.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert status == OutboxState.PENDING
    assert "ConnectionError" in delivery.outbox_last_error


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://dms.example.com/hooks", True),
        ("http://dms.example.com/hooks", False),
        ("http://127.0.0.1:8000/hooks", False),
        ("ftp://dms.example.com/", False),
    ],
)
def test_only_https_endpoints_outside_development(alice, url, allowed):
    endpoint = WebhookEndpoint(dealer=alice.dealer, url=url)

    with override_settings(DEBUG=False, WEBHOOKS_ALLOW_LOOPBACK=False):
        if allowed:
            endpoint.full_clean()
        else:
            with pytest.raises(ValidationError):
                endpoint.full_clean()


def test_loopback_http_endpoint_is_not_sent_outside_development(alice, make_complaint):
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True):
        WebhookEndpoint.objects.create(dealer=alice.dealer, url="http://127.0.0.1:9/x")
    case = make_complaint(alice, state=State.RECEIVED)
    services.complaint_transition(complaint=case, name="start_listening", actor=alice.advisor)
    delivery = WebhookDelivery.objects.get()

    with override_settings(DEBUG=False, WEBHOOKS_ALLOW_LOOPBACK=False):
        webhooks.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert "ValidationError" in delivery.outbox_last_error and delivery.last_status_code is None


def test_breached_deadline_is_sent(alice, endpoint, make_complaint):
    signals = pytest.importorskip("followups.signals")
    case = make_complaint(alice, state=State.RECEIVED)
    deadline = SimpleNamespace(
        kind="first_response",
        due_at=timezone.now(),
        breached_at=timezone.now(),
        complaint=case,
    )

    signals.deadlines_breached.send(sender=None, deadlines=[deadline])

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "deadline.breached"
    assert delivery.payload["data"]["deadline"]["kind"] == "first_response"


def test_a_sweep_sends_one_breach_per_deadline_to_each_endpoint_of_its_dealer(
    alice, bob, endpoint, make_complaint
):
    sweep = pytest.importorskip("followups.sweep")
    from followups.models import Deadline

    other = WebhookEndpoint.objects.create(
        dealer=alice.dealer, url="https://hooks.example.com/b", events=["deadline.breached"]
    )
    WebhookEndpoint.objects.create(
        dealer=alice.dealer, url="https://hooks.example.com/c", events=["case.created"]
    )
    past = timezone.now() - timedelta(hours=1)
    ours = [make_complaint(alice, state=State.RECEIVED) for _ in range(3)]
    theirs = make_complaint(bob, state=State.RECEIVED)
    for case in [*ours, theirs]:
        Deadline.objects.create(complaint=case, kind="commitment", due_at=past, promise="Call")

    sweep.deadline_sweep()

    deliveries = WebhookDelivery.objects.filter(event_type="deadline.breached")
    assert sorted((d.endpoint_id, d.payload["data"]["reference"]) for d in deliveries) == sorted(
        (e.pk, case.reference) for e in (endpoint, other) for case in ours
    )
    assert sweep.deadline_sweep().breached == 0
    assert deliveries.count() == 6


def test_register_an_endpoint_through_the_api_and_get_its_secret_once(api, alice):
    response = api.post(
        "/api/v1/webhooks/",
        {"url": "https://dms.example.com/hooks", "events": ["case.created"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.dealer == alice.dealer and body["secret"] == endpoint.secret
    listed = api.get("/api/v1/webhooks/").json()
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://dms.example.com/hooks"}, "url"),
        ({"url": "https://dms.example.com/hooks", "events": ["case.deleted"]}, "events.0"),
    ],
)
def test_register_refuses_plain_http_and_unknown_events(api, alice, body, field):
    with override_settings(DEBUG=False, WEBHOOKS_ALLOW_LOOPBACK=False):
        response = api.post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


def test_deactivate_an_endpoint_and_other_dealers_cannot(api, bob_api, alice):
    endpoint = WebhookEndpoint.objects.create(dealer=alice.dealer, url="https://a.example/h")

    foreign = bob_api.delete(f"/api/v1/webhooks/{endpoint.pk}/")
    own = api.delete(f"/api/v1/webhooks/{endpoint.pk}/")

    assert foreign.status_code == 404
    assert own.status_code == 204
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert bob_api.get("/api/v1/webhooks/").json() == []
