"""The outbox: e-mails and webhooks go through one claim, lease, backoff and give-up, and are
delivered at least once, each with an id that stays the same in every attempt."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
import requests
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from complaints import services as complaint_services
from complaints.choices import State
from config.celery import app as celery_app
from core import outbox
from core.outbox import OutboxState, outbox_deliver
from core.tasks import deliver_outbox
from followups.emails import notification_message_id
from followups.models import Notification
from followups.tasks import sweep_deadlines
from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/1"


class WorkerDied(BaseException):
    """What a killed worker looks like from inside: nothing after it runs."""


class Network:
    """Stands in for the mail server and the webhook receivers: records the stable id of
    each message sent, refuses while `failing`, and can run a hook before each send."""

    def __init__(self) -> None:
        self.attempted: list[str] = []
        self.sent: list[str] = []
        self.failing = False
        self.before_send = None
        self.lock = threading.Lock()

    def deliver(self, message_id: str) -> None:
        with self.lock:
            self.attempted.append(message_id)
        if self.before_send is not None:
            self.before_send(message_id)
        if self.failing:
            raise ConnectionRefusedError("the other side is down")
        with self.lock:
            self.sent.append(message_id)


class Kind:
    """One kind of outbox message: how to write a due one, and what its stable id is."""

    name: str
    model: type

    def __init__(self, staff, network: Network, monkeypatch) -> None:
        self.staff = staff
        self.network = network
        self.install(monkeypatch)

    def install(self, monkeypatch) -> None:
        raise NotImplementedError

    def make(self, complaint):
        raise NotImplementedError

    def stable_id(self, row) -> str:
        raise NotImplementedError


class Emails(Kind):
    name = "email"
    model = Notification

    def install(self, monkeypatch) -> None:
        network = self.network

        def send(message: EmailMessage, fail_silently: bool = False) -> int:
            network.deliver(message.extra_headers["Message-ID"])
            return 1

        monkeypatch.setattr(EmailMessage, "send", send)

    def make(self, complaint) -> Notification:
        return Notification.objects.create(
            recipient=self.staff.manager,
            complaint=complaint,
            kind="case_escalated",
            title="Escalated",
            email_to=self.staff.manager.email,
            outbox_due_at=timezone.now(),
        )

    def stable_id(self, row) -> str:
        return notification_message_id(row)


class Webhooks(Kind):
    name = "webhook"
    model = WebhookDelivery

    def install(self, monkeypatch) -> None:
        network = self.network

        def post(url: str, *, headers: dict[str, str], **kwargs: object) -> object:
            network.deliver(headers["X-Webhook-Id"])
            return type("Response", (), {"status_code": 204})()

        monkeypatch.setattr(requests, "post", post)
        self.endpoint = WebhookEndpoint.objects.create(
            dealer=self.staff.dealer, url="http://127.0.0.1:9/hooks"
        )

    def make(self, complaint) -> WebhookDelivery:
        return WebhookDelivery.objects.create(
            endpoint=self.endpoint,
            event_type="case.created",
            payload={"id": str(uuid.uuid4()), "data": {"reference": complaint.reference}},
            outbox_due_at=timezone.now(),
        )

    def stable_id(self, row) -> str:
        return row.payload["id"]


@pytest.fixture(autouse=True)
def loopback_webhooks(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.fixture
def network():
    return Network()


@pytest.fixture(params=[Emails, Webhooks], ids=["email", "webhook"])
def kind(request, alice, network, monkeypatch) -> Kind:
    return request.param(alice, network, monkeypatch)


@pytest.fixture
def case(alice, make_complaint):
    return make_complaint(alice, state=State.LISTENING)


def fresh(row):
    row.refresh_from_db()
    return row


def test_a_due_message_is_sent_once_with_its_stable_id(kind, network, case):
    row = kind.make(case)

    assert outbox_deliver() == 1
    assert outbox_deliver() == 0

    assert network.sent == [kind.stable_id(row)]
    row = fresh(row)
    assert row.outbox_state == OutboxState.SENT and row.outbox_attempts == 1
    assert row.outbox_claimed_until is None and row.outbox_last_error == ""


@override_settings(
    OUTBOX_MAX_ATTEMPTS=4, OUTBOX_BACKOFF_BASE_SECONDS=10, OUTBOX_BACKOFF_CAP_SECONDS=25
)
def test_a_failure_waits_a_doubling_backoff_up_to_the_cap_and_is_given_up_after_the_setting(
    kind, network, case
):
    network.failing = True
    with time_machine.travel(timezone.now(), tick=False) as clock:
        row = kind.make(case)
        waits = []
        for _attempt in range(4):
            started = timezone.now()
            assert outbox_deliver() == 0
            row = fresh(row)
            if row.outbox_given_up_at is None:
                waits.append((row.outbox_due_at - started).total_seconds())
                clock.shift(timedelta(seconds=waits[-1] - 1))
                assert outbox_deliver() == 0  # a second early: not tried
                assert fresh(row).outbox_attempts == len(waits)
                clock.shift(timedelta(seconds=1))
        network.failing = False
        clock.shift(timedelta(days=2))
        assert outbox_deliver() == 0  # given up stays given up

    assert waits == [10, 20, 25]
    row = fresh(row)
    assert row.outbox_state == OutboxState.GIVEN_UP and row.outbox_attempts == 4
    assert "the other side is down" in row.outbox_last_error
    assert network.sent == []


def test_a_message_whose_worker_died_is_sent_again_when_the_lease_runs_out(
    kind, network, case, settings
):
    def die_after_sending(message_id: str) -> None:
        network.sent.append(message_id)
        raise WorkerDied

    with time_machine.travel(timezone.now(), tick=False) as clock:
        row = kind.make(case)
        network.before_send = die_after_sending
        with pytest.raises(WorkerDied):
            outbox_deliver()
        network.before_send = None
        assert fresh(row).outbox_state == OutboxState.SENDING

        clock.shift(timedelta(seconds=settings.OUTBOX_LEASE_SECONDS - 1))
        assert outbox_deliver() == 0  # the lease still holds it
        clock.shift(timedelta(seconds=1))
        assert outbox_deliver() == 1

    # Sent twice (at least once), both times with the same id: the receiver drops the repeat.
    assert network.sent == [kind.stable_id(row)] * 2
    row = fresh(row)
    assert row.outbox_state == OutboxState.SENT and row.outbox_attempts == 2


@override_settings(OUTBOX_MAX_ATTEMPTS=2)
def test_a_message_whose_worker_dies_at_every_attempt_is_given_up_after_the_setting(
    kind, network, case, settings
):
    def die(message_id: str) -> None:
        network.sent.append(message_id)
        raise WorkerDied

    with time_machine.travel(timezone.now(), tick=False) as clock:
        row = kind.make(case)
        network.before_send = die
        for _attempt in range(2):
            with pytest.raises(WorkerDied):
                outbox_deliver()
            clock.shift(timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))
        network.before_send = None

        assert outbox_deliver() == 0  # the last attempt's lease ran out: not a third send
        clock.shift(timedelta(days=1))
        assert outbox_deliver() == 0

    assert network.sent == [kind.stable_id(row)] * 2
    row = fresh(row)
    assert row.outbox_state == OutboxState.GIVEN_UP and row.outbox_attempts == 2
    assert "stopped" in row.outbox_last_error


def test_an_outcome_is_not_recorded_by_a_worker_whose_lease_ran_out(kind, network, case):
    # The first worker overran its lease; a second one took the row over and sent it.
    row = kind.make(case)

    def overrun(message_id: str) -> None:
        network.before_send = None
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            assert outbox_deliver() == 1

    network.before_send = overrun
    assert outbox.outbox_deliver_one(name=kind.name, pk=row.pk) is None

    assert network.sent == [kind.stable_id(row)] * 2
    assert fresh(row).outbox_attempts == 2


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_send_each_message_once(kind, network, case):
    rows = [kind.make(case) for _ in range(6)]
    both_sending = threading.Barrier(2, timeout=10)
    waited = threading.local()
    senders: dict[str, str] = {}

    def hold_until_both_send(message_id: str) -> None:
        senders[message_id] = threading.current_thread().name
        if not getattr(waited, "done", False):
            waited.done = True
            both_sending.wait()

    network.before_send = hold_until_both_send
    results: dict[str, int] = {}

    def worker(name: str) -> None:
        try:
            results[name] = outbox_deliver()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,), name=n) for n in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(network.sent) == sorted(kind.stable_id(row) for row in rows)
    assert results["one"] + results["two"] == 6
    assert set(senders.values()) == {"one", "two"}  # both really were sending
    assert all(fresh(row).outbox_attempts == 1 for row in rows)


def test_the_message_id_of_an_email_is_the_same_in_every_attempt(alice, network, case, monkeypatch):
    emails = Emails(alice, network, monkeypatch)
    first, second = emails.make(case), emails.make(case)
    network.failing = True
    with time_machine.travel(timezone.now(), tick=False) as clock:
        outbox_deliver()
        network.failing = False
        clock.shift(timedelta(hours=1))
        assert outbox_deliver() == 2

    ids = [notification_message_id(first), notification_message_id(second)]
    assert network.attempted == ids * 2 and network.sent == ids
    message_id = notification_message_id(fresh(first))
    assert message_id.startswith(f"<notification-{first.pk}.") and message_id.endswith(
        ".sh01@localhost>"
    )
    assert notification_message_id(second) != message_id


def test_an_email_carries_its_message_id_to_the_mail_server(alice, case):
    row = Notification.objects.create(
        recipient=alice.manager,
        complaint=case,
        kind="case_escalated",
        title="Escalated",
        email_to=alice.manager.email,
        outbox_due_at=timezone.now(),
    )

    assert outbox_deliver() == 1

    (message,) = mail.outbox
    assert message.message()["Message-ID"] == notification_message_id(row)


@pytest.fixture
def broker():
    """Point publishing at a broker URL for the rest of the test."""
    conf = celery_app.conf
    saved = {
        key: conf[key] for key in ("broker_url", "broker_transport_options", "task_always_eager")
    }

    def use(url: str, *, eager: bool = False) -> None:
        conf.update(broker_url=url, broker_transport_options={}, task_always_eager=eager)

    yield use
    conf.update(saved)


def test_with_the_broker_down_the_change_commits_and_the_next_sweep_delivers_both_kinds(
    alice, network, monkeypatch, make_complaint, broker, caplog, django_capture_on_commit_callbacks
):
    emails = Emails(alice, network, monkeypatch)
    webhooks = Webhooks(alice, network, monkeypatch)
    complaint = make_complaint(alice, state=State.RECEIVED)
    broker(CLOSED_PORT_BROKER)

    waited = []
    for change in (
        # A webhook, then an e-mail to each manager; each commit tries to publish.
        lambda: complaint_services.complaint_transition(
            complaint=complaint, name="start_listening", actor=alice.advisor
        ),
        lambda: complaint_services.complaint_escalate(
            complaint=complaint, actor=alice.advisor, reason="The customer calls every hour."
        ),
    ):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        waited.append(time.monotonic() - started)

    # Each change waited for the broker about its connection timeout, not the operating
    # system's (minutes): the margin is for a loaded machine, not for a second attempt.
    assert max(waited) < 2 * celery_app.conf.broker_connection_timeout + 1
    assert "Could not queue the outbox's delivery" in caplog.text
    complaint.refresh_from_db()
    assert complaint.state == State.LISTENING and complaint.escalated
    waiting = {
        kind.name: kind.model.objects.filter(outbox.outbox_state_q("pending", timezone.now()))
        for kind in (emails, webhooks)
    }
    assert (waiting["email"].count(), waiting["webhook"].count()) == (2, 1)
    assert network.sent == []

    # The broker is back: beat's next tick asks for delivery (run here in-process).
    broker("memory://", eager=True)
    sweep_deadlines()

    assert waiting["email"].count() == waiting["webhook"].count() == 0
    assert len(network.sent) == 3


def test_the_delivery_task_sends_every_kind(alice, network, monkeypatch, case):
    rows = [
        Emails(alice, network, monkeypatch).make(case),
        Webhooks(alice, network, monkeypatch).make(case),
    ]

    assert deliver_outbox() == 2
    assert sorted(network.sent) == sorted([notification_message_id(rows[0]), rows[1].payload["id"]])


@pytest.mark.parametrize(
    "changelist", ["admin:followups_notification", "admin:api_webhookdelivery"]
)
def test_the_admin_lists_messages_by_where_they_are_in_delivery(
    client, alice, case, changelist, network, monkeypatch
):
    kind = (Emails if "notification" in changelist else Webhooks)(alice, network, monkeypatch)
    given_up, waiting = kind.make(case), kind.make(case)
    kind.model.objects.filter(pk=given_up.pk).update(
        outbox_given_up_at=timezone.now(), outbox_attempts=8
    )
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    shown = {}
    for state in ("given_up", "pending", "sent"):
        response = client.get(reverse(f"{changelist}_changelist"), {"outbox_state": state})
        assert response.status_code == 200
        shown[state] = {
            row.pk
            for row in (given_up, waiting)
            if reverse(f"{changelist}_change", args=[row.pk]) in response.text
        }

    assert shown == {"given_up": {given_up.pk}, "pending": {waiting.pk}, "sent": set()}
