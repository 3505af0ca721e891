"""Prometheus metrics: /metrics answers only its scraper, counts the requests by route, the
sweep's breaches by deadline kind, the outbox's failures, and reads the backlog from the
database at scrape time with a fixed number of queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import requests
import time_machine
from django.core.mail import EmailMessage
from django.test import override_settings
from django.urls import resolve, reverse
from django.utils import timezone

from complaints.choices import State
from core.metrics import metrics_serve
from core.outbox import outbox_deliver
from followups.models import Deadline, Notification
from followups.sweep import deadline_sweep
from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.api.test_webhooks import Receiver
from tests.metrics import TOKEN, parse, scrape, value
from tests.processes import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return TOKEN


# --- who may read them ----------------------------------------------------------------


def test_metrics_are_not_found_while_neither_a_token_nor_networks_are_set(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []

    response = client.get("/metrics", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 404
    assert b"http_request_duration_seconds" not in response.content


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"],
    ids=["none", "wrong", "other-scheme", "longer", "empty"],
)
def test_metrics_refuse_a_missing_or_wrong_token(client, metrics_token, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 403
    assert b"http_request_duration_seconds" not in response.content


def test_metrics_answer_the_token_over_plain_http_for_any_host_as_health_checks_do(
    client, metrics_token
):
    # Production's SSL redirect and host check would answer 301 and 400; a scraper in the
    # container network asks the container's address over plain HTTP.
    with override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["complaints.example.com"]):
        response = client.get(
            "/metrics",
            headers={"Authorization": f"Bearer {TOKEN}", "Host": "10.0.3.7:8000"},
        )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"
    samples = parse(response.content.decode())
    assert value(samples, "database_up") == 1
    assert value(samples, "cache_up") == 1


@pytest.mark.parametrize(
    ("token", "networks", "address", "authorization", "status"),
    [
        ("", ["10.0.0.0/8"], "10.1.2.3", None, 200),
        ("", ["10.0.0.0/8"], "192.168.1.2", None, 403),
        ("", ["fd00::/8"], "fd00::5", None, 200),
        (TOKEN, ["10.0.0.0/8"], "10.1.2.3", None, 403),
        (TOKEN, ["10.0.0.0/8"], "192.168.1.2", f"Bearer {TOKEN}", 403),
        (TOKEN, ["10.0.0.0/8"], "10.1.2.3", f"Bearer {TOKEN}", 200),
    ],
    ids=[
        "network-only-inside",
        "network-only-outside",
        "ipv6-inside",
        "both-without-token",
        "both-outside",
        "both-match",
    ],
)
def test_metrics_networks_let_in_their_addresses_and_with_a_token_both_must_match(
    client, settings, token, networks, address, authorization, status
):
    settings.METRICS_TOKEN = token
    settings.METRICS_ALLOWED_NETWORKS = networks
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/metrics", headers=headers, REMOTE_ADDR=address)

    assert response.status_code == status


def test_metrics_refuse_to_be_written(client, metrics_token):
    response = client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 405


# --- request latency ------------------------------------------------------------------


def test_each_request_is_timed_by_its_route_method_and_status(client, metrics_token):
    login = reverse("login")
    route = resolve(login).route
    before = scrape(client)

    assert client.get(login).status_code == 200
    assert client.get(login).status_code == 200
    assert client.get("/no/such/page/13800138000/").status_code == 404

    after = scrape(client)
    count = "http_request_duration_seconds_count"
    assert (
        value(after, count, route=route, method="GET", status="200")
        - value(before, count, route=route, method="GET", status="200")
        == 2
    )
    assert (
        value(after, count, route="unmatched", method="GET", status="404")
        - value(before, count, route="unmatched", method="GET", status="404")
        == 1
    )
    # The buckets add up to the count, and the sum of durations grew.
    assert value(
        after,
        "http_request_duration_seconds_bucket",
        route=route,
        method="GET",
        status="200",
        le="+Inf",
    ) == value(after, count, route=route, method="GET", status="200")
    assert (
        value(after, "http_request_duration_seconds_sum", route=route, method="GET", status="200")
        > 0
    )
    # A path never becomes a label: it would make a series per case (and carry its data).
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content
    assert b"13800138000" not in text and b"/no/such/page" not in text


def test_the_response_carries_a_request_id(client):
    made = client.get("/health/live")
    kept = client.get("/health/live", headers={"X-Request-ID": "lb-1234-abcd"})
    forged = client.get("/health/live", headers={"X-Request-ID": 'x" "level": "CRITICAL'})

    assert len(made["X-Request-ID"]) == 32
    assert kept["X-Request-ID"] == "lb-1234-abcd"
    assert forged["X-Request-ID"] != 'x" "level": "CRITICAL' and len(forged["X-Request-ID"]) == 32


# --- the deadline sweep ---------------------------------------------------------------


def _overdue(make_complaint, staff, kinds: dict[str, int], past) -> None:
    for kind, count in kinds.items():
        for _ in range(count):
            case = make_complaint(staff, state=State.RECEIVED)
            Deadline.objects.create(complaint=case, kind=kind, due_at=past, promise="Call back")


def test_a_sweep_that_breaches_deadlines_is_counted_by_deadline_kind(
    client, metrics_token, alice, bob, make_complaint
):
    now = timezone.now()
    past = now - timedelta(hours=2)
    _overdue(make_complaint, alice, {"commitment": 3, "interim_report": 1}, past)
    _overdue(make_complaint, bob, {"repair_completion": 2}, past)
    open_due = Deadline.objects.filter(
        breached_at=None, satisfied_at=None, cancelled_at=None, due_at__lte=now
    )
    expected = {
        kind: open_due.filter(kind=kind).count()
        for kind in ("commitment", "interim_report", "repair_completion")
    }
    assert expected == {"commitment": 3, "interim_report": 1, "repair_completion": 2}
    before = scrape(client)
    # Not swept yet: the backlog the sweep has to catch up on, read from the database.
    assert value(before, "deadlines_overdue_unswept") == open_due.count() == 6
    assert value(before, "deadline_sweep_lag_seconds") >= 2 * 3600 - 60

    result = deadline_sweep(now=now)

    after = scrape(client)
    assert result.breached == sum(expected.values())
    for kind, count in expected.items():
        breached = Deadline.objects.filter(kind=kind, breached_at=now).count()
        delta = value(after, "deadline_sweep_breaches_total", kind=kind) - value(
            before, "deadline_sweep_breaches_total", kind=kind
        )
        assert delta == breached == count
    assert value(after, "deadlines_overdue_unswept") == 0
    assert value(after, "deadline_sweep_lag_seconds") == 0
    assert value(after, "deadline_sweep_duration_seconds_count") == (
        value(before, "deadline_sweep_duration_seconds_count") + 1
    )
    # A second sweep breaches nothing more, and counts nothing more.
    deadline_sweep(now=now)
    again = scrape(client)
    for kind in expected:
        assert value(again, "deadline_sweep_breaches_total", kind=kind) == value(
            after, "deadline_sweep_breaches_total", kind=kind
        )


# --- the outbox -----------------------------------------------------------------------


def _notification(staff, case, **fields) -> Notification:
    return Notification.objects.create(
        recipient=staff.manager,
        complaint=case,
        kind="case_escalated",
        title="Escalated",
        email_to=staff.manager.email,
        **fields,
    )


def _webhook(endpoint, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="case.created",
        payload={"id": str(uuid.uuid4()), "data": {}},
        **fields,
    )


def test_the_backlog_gauges_match_the_messages_waiting(
    client, metrics_token, alice, make_complaint
):
    case = make_complaint(alice, state=State.LISTENING)
    endpoint = WebhookEndpoint.objects.create(
        dealer=alice.dealer, url="https://hooks.example.com/a"
    )
    with time_machine.travel(timezone.now(), tick=False):
        now = timezone.now()
        _notification(alice, case, outbox_due_at=now - timedelta(minutes=30))
        _notification(alice, case, outbox_due_at=now - timedelta(minutes=5))
        _notification(alice, case, outbox_due_at=now + timedelta(minutes=10))  # backing off
        _notification(alice, case, outbox_due_at=now - timedelta(days=1), outbox_sent_at=now)
        _notification(alice, case, outbox_due_at=now - timedelta(days=1), outbox_given_up_at=now)
        _notification(alice, case, outbox_due_at=None)  # no e-mail owed
        _webhook(endpoint, outbox_due_at=now - timedelta(seconds=90))
        waiting = Notification.objects.exclude(outbox_due_at=None).filter(
            outbox_sent_at=None, outbox_given_up_at=None
        )

        samples = scrape(client)

    email = {"outbox": "email", "channel": "email"}
    assert value(samples, "outbox_messages_waiting", **email) == waiting.count() == 3
    assert value(samples, "outbox_messages_due", **email) == 2
    assert value(samples, "outbox_oldest_due_age_seconds", **email) == 30 * 60
    hooks = {"outbox": "webhook", "channel": "webhook"}
    assert value(samples, "outbox_messages_waiting", **hooks) == 1
    assert value(samples, "outbox_oldest_due_age_seconds", **hooks) == 90
    # Every channel of customer messages is reported, waiting or not.
    for channel in ("sms", "email"):
        labels = {"outbox": "customer_message", "channel": channel}
        assert value(samples, "outbox_messages_waiting", **labels) == 0
        assert ("outbox_messages_waiting", frozenset(labels.items())) in samples


def test_a_scrape_costs_the_same_few_queries_however_many_messages_wait(
    client, metrics_token, alice, make_complaint, django_assert_num_queries
):
    case = make_complaint(alice, state=State.LISTENING)
    _notification(alice, case, outbox_due_at=timezone.now())
    # database_ok, e-mails, webhooks, customer messages by SMS and by e-mail, deadlines.
    with django_assert_num_queries(6):
        scrape(client)
    for _ in range(40):
        _notification(alice, case, outbox_due_at=timezone.now())
    with django_assert_num_queries(6):
        samples = scrape(client)
    assert value(samples, "outbox_messages_waiting", outbox="email", channel="email") == 41


@pytest.fixture
def failing_receiver():
    with Receiver() as running:
        running.status = 500
        yield running


@override_settings(WEBHOOKS_ALLOW_LOOPBACK=True, OUTBOX_MAX_ATTEMPTS=2)
def test_a_failing_webhook_counts_its_failed_attempts_and_its_giving_up(
    client, metrics_token, alice, failing_receiver
):
    endpoint = WebhookEndpoint.objects.create(dealer=alice.dealer, url=failing_receiver.url)
    row = _webhook(endpoint, outbox_due_at=timezone.now())
    hooks = {"outbox": "webhook", "channel": "webhook"}
    before = scrape(client)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert outbox_deliver(names=["webhook"]) == 0
        middle = scrape(client)
        clock.shift(timedelta(hours=2))
        assert outbox_deliver(names=["webhook"]) == 0

    after = scrape(client)
    row.refresh_from_db()
    assert row.outbox_given_up_at is not None and len(failing_receiver.requests) == 2
    failures = "outbox_attempt_failures_total"
    assert (
        value(middle, failures, reason="http_5xx", **hooks)
        - value(before, failures, reason="http_5xx", **hooks)
        == 1
    )
    assert value(middle, "outbox_messages_waiting", **hooks) == 1
    assert (
        value(after, failures, reason="http_5xx", **hooks)
        - value(before, failures, reason="http_5xx", **hooks)
        == 2
    )
    assert (
        value(after, "outbox_given_up_total", **hooks)
        - value(before, "outbox_given_up_total", **hooks)
        == 1
    )
    assert value(after, "outbox_messages_waiting", **hooks) == 0


def test_a_failing_email_counts_its_failure_by_the_error_and_a_sent_one_is_counted(
    client, metrics_token, alice, make_complaint, monkeypatch
):
    case = make_complaint(alice, state=State.LISTENING)
    email = {"outbox": "email", "channel": "email"}
    before = scrape(client)

    def refuse(message, fail_silently=False):
        raise ConnectionRefusedError("the mail server is down")

    _notification(alice, case, outbox_due_at=timezone.now())
    monkeypatch.setattr(EmailMessage, "send", refuse)
    assert outbox_deliver(names=["email"]) == 0
    monkeypatch.setattr(EmailMessage, "send", lambda message, fail_silently=False: 1)
    _notification(alice, case, outbox_due_at=timezone.now())
    assert outbox_deliver(names=["email"]) == 1

    after = scrape(client)
    failures = "outbox_attempt_failures_total"
    assert (
        value(after, failures, reason="ConnectionRefusedError", **email)
        - value(before, failures, reason="ConnectionRefusedError", **email)
        == 1
    )
    assert (
        value(after, "outbox_sent_total", **email) - value(before, "outbox_sent_total", **email)
        == 1
    )


# --- the worker's endpoint ------------------------------------------------------------


def test_a_worker_serves_its_own_counts_on_its_port_behind_the_same_token(
    metrics_token, alice, make_complaint
):
    _overdue(make_complaint, alice, {"commitment": 2}, timezone.now() - timedelta(hours=1))
    server = metrics_serve(port=free_port(), address="127.0.0.1")
    base = f"http://127.0.0.1:{server.server_port}/metrics"
    try:
        before = parse(
            requests.get(base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).text
        )
        deadline_sweep()
        refused = requests.get(base, timeout=5)
        wrong = requests.get(base, headers={"Authorization": "Bearer nope"}, timeout=5)
        answer = requests.get(base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    finally:
        server.shutdown()
        server.server_close()

    assert refused.status_code == 403 and wrong.status_code == 403
    assert answer.status_code == 200
    after = parse(answer.text)
    breaches = "deadline_sweep_breaches_total"
    assert (
        value(after, breaches, kind="commitment") - value(before, breaches, kind="commitment") == 2
    )
    # The database's gauges are the web's to report, not each worker's.
    assert (
        "outbox_messages_waiting",
        frozenset({("outbox", "email"), ("channel", "email")}),
    ) not in after


def test_a_large_backlog_is_counted_up_to_the_limit_and_its_age_stays_exact(
    client, metrics_token, alice, make_complaint, monkeypatch
):
    monkeypatch.setattr("core.metrics.COUNT_LIMIT", 3)
    case = make_complaint(alice, state=State.LISTENING)
    with time_machine.travel(timezone.now(), tick=False):
        now = timezone.now()
        for minutes in (50, 40, 30, 20, 10):
            _notification(alice, case, outbox_due_at=now - timedelta(minutes=minutes))

        samples = scrape(client)

    email = {"outbox": "email", "channel": "email"}
    assert value(samples, "outbox_messages_waiting", **email) == 3
    assert value(samples, "outbox_messages_due", **email) == 3
    assert value(samples, "outbox_oldest_due_age_seconds", **email) == 50 * 60


@override_settings(WEBHOOKS_ALLOW_LOOPBACK=True)
def test_an_unreachable_webhook_endpoint_counts_as_a_connection_failure(
    client, metrics_token, alice
):
    endpoint = WebhookEndpoint.objects.create(
        dealer=alice.dealer, url=f"http://127.0.0.1:{free_port()}/closed"
    )
    _webhook(endpoint, outbox_due_at=timezone.now())
    hooks = {"outbox": "webhook", "channel": "webhook", "reason": "ConnectionError"}
    before = scrape(client)

    assert outbox_deliver(names=["webhook"]) == 0

    after = scrape(client)
    failures = "outbox_attempt_failures_total"
    assert value(after, failures, **hooks) - value(before, failures, **hooks) == 1
