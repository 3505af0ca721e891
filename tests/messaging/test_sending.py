"""A message to the customer: logged as a contact and on the timeline, delivered through the
outbox, its delivery state followed (queued, sent, delivered, failed); the customer's
preferred channel and the dealer's quiet hours respected; only a delivered message is a first
response."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent
from core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from core.outbox import outbox_deliver
from followups.models import ContactAttempt, Deadline
from messaging import services
from messaging.models import CustomerMessage, MessagingSettings

from ..factories import CustomerFactory
from .conftest import START

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIPT_TOKEN = "receipt-secret-0123456789"


class FakeGateway:
    """The SMS provider's HTTP API, in process: it takes each text and names it."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.sent: list[dict] = []

    def __call__(self, payload):
        self.sent.append(payload)
        gateway = self

        class Answer:
            status_code = gateway.status
            text = "ok" if gateway.status < 300 else "busy"

            def json(self):
                return {"id": f"gw-{len(gateway.sent)}"}

        return Answer()


@pytest.fixture
def gateway(settings, monkeypatch):
    settings.CUSTOMER_SMS_BACKEND = "messaging.senders.HttpSmsBackend"
    settings.SMS_HTTP_URL = "https://sms.example.com/send"
    settings.SMS_RECEIPT_TOKEN = RECEIPT_TOKEN
    fake = FakeGateway()
    monkeypatch.setattr(
        "messaging.senders.HttpSmsBackend.post", lambda backend, payload: fake(payload)
    )
    return fake


def receipt(client, provider_id: str, status: str, token: str = RECEIPT_TOKEN):
    return client.post(
        reverse("sms_receipt"),
        data=json.dumps({"id": provider_id, "status": status}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _first_response(complaint):
    return Deadline.objects.get(complaint=complaint, kind="first_response")


def test_an_sms_goes_queued_sent_delivered_and_only_then_is_the_first_response(
    intake_case, alice, gateway, client, clock
):
    complaint = intake_case()
    clock.shift(timedelta(hours=2))
    message = services.message_send(
        complaint=complaint, actor=alice.advisor, purpose="received", language="zh-hans"
    )
    # Logged as a contact and on the timeline, queued.
    assert message.delivery_state == "queued" and message.channel == "sms"
    contact = ContactAttempt.objects.get(complaint=complaint)
    assert contact.channel == "sms" and contact.customer_message == message
    assert contact.note == message.body and contact.actor == alice.advisor
    event = CaseEvent.objects.get(complaint=complaint, kind=EventKind.CONTACT)
    assert event.text.startswith("Complaint received by SMS · Queued\n")
    assert _first_response(complaint).is_open

    # The outbox hands it to the provider: sent, not yet delivered.
    assert outbox_deliver(names=["customer_message"]) == 1
    assert gateway.sent == [
        {"to": "13800138000", "text": message.body, "reference": str(message.key)}
    ]
    message.refresh_from_db()
    assert message.delivery_state == "sent" and message.provider_id == "gw-1"
    assert _first_response(complaint).is_open
    assert CaseEvent.objects.get(pk=event.pk).text.startswith("Complaint received by SMS · Sent")

    # The provider's receipt: delivered, and that is the first response.
    clock.shift(timedelta(minutes=3))
    assert receipt(client, "gw-1", "DELIVRD").status_code == 204
    message.refresh_from_db()
    assert message.delivery_state == "delivered"
    assert message.delivered_at == START + timedelta(hours=2, minutes=3)
    first = _first_response(complaint)
    assert first.satisfied_at == message.delivered_at
    assert first.outcome_text == "Message delivered to the customer by SMS"
    complaint.refresh_from_db()
    assert complaint.first_response_at == message.delivered_at
    assert CaseEvent.objects.get(pk=event.pk).text.startswith(
        "Complaint received by SMS · Delivered"
    )
    # The provider repeats itself: nothing more happens.
    assert receipt(client, "gw-1", "delivered").status_code == 204
    assert CustomerMessage.objects.get(pk=message.pk).delivered_at == message.delivered_at


def test_a_failed_sms_meets_nothing(intake_case, alice, gateway, client, clock):
    complaint = intake_case()
    message = services.message_send(complaint=complaint, actor=alice.advisor, purpose="received")
    outbox_deliver(names=["customer_message"])
    assert receipt(client, "gw-1", "undelivered").status_code == 204
    message.refresh_from_db()
    assert message.delivery_state == "failed" and message.failure == "undelivered"
    assert _first_response(complaint).is_open


def test_a_provider_that_refuses_leaves_the_message_queued_for_another_attempt(
    intake_case, alice, gateway, clock
):
    gateway.status = 503
    complaint = intake_case()
    message = services.message_send(complaint=complaint, actor=alice.advisor, purpose="received")
    assert outbox_deliver(names=["customer_message"]) == 0
    message.refresh_from_db()
    assert message.delivery_state == "queued" and "HTTP 503" in message.outbox_last_error
    assert message.outbox_due_at > START


@pytest.mark.parametrize(
    ("token", "body", "status"),
    [
        ("wrong", {"id": "gw-1", "status": "delivered"}, 403),
        (RECEIPT_TOKEN, {"id": "gw-404", "status": "delivered"}, 404),
        (RECEIPT_TOKEN, {"id": ["gw-1"], "status": "delivered"}, 400),
        (RECEIPT_TOKEN, ["gw-1"], 400),
    ],
)
def test_a_bad_receipt_is_refused_and_changes_nothing(
    token, body, status, intake_case, alice, gateway, client, clock
):
    complaint = intake_case()
    services.message_send(complaint=complaint, actor=alice.advisor, purpose="received")
    outbox_deliver(names=["customer_message"])
    response = client.post(
        reverse("sms_receipt"),
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == status
    assert CustomerMessage.objects.get().delivery_state == "sent"


def test_without_a_receipt_token_no_receipt_is_accepted(client, settings, db):
    settings.SMS_RECEIPT_TOKEN = ""
    assert receipt(client, "gw-1", "delivered", token="").status_code == 403


def test_the_file_backend_delivers_at_once_and_writes_the_text_under_var(
    intake_case, alice, message_files, clock
):
    complaint = intake_case()
    message = services.message_send(complaint=complaint, actor=alice.advisor, purpose="received")
    assert outbox_deliver(names=["customer_message"]) == 1
    message.refresh_from_db()
    assert message.delivery_state == "delivered"
    written = json.loads((message_files / f"sms-{message.key}.json").read_text())
    assert written["to"] == "13800138000" and written["body"] == message.body
    assert _first_response(complaint).satisfied_at is not None


def test_a_customer_who_prefers_e_mail_gets_an_e_mail(waiting_case, alice, clock):
    customer = CustomerFactory(
        dealer=alice.dealer, name="Li Lei", email="li@example.com", preferred_channel="email"
    )
    complaint = waiting_case(customer=customer)
    message = services.message_send(
        complaint=complaint, actor=alice.advisor, purpose="progress", language="en"
    )
    assert message.channel == "email" and message.recipient == "li@example.com"
    outbox_deliver(names=["customer_message"])
    (sent,) = mail.outbox
    assert sent.to == ["li@example.com"]
    assert sent.subject == f"How your complaint is going ({complaint.reference})"
    assert str(message.key) in sent.extra_headers["Message-ID"]
    message.refresh_from_db()
    assert message.delivery_state == "delivered"


def test_a_channel_the_customer_has_no_address_for_is_refused(waiting_case, alice, clock):
    customer = CustomerFactory(dealer=alice.dealer, email="", preferred_channel="phone")
    complaint = waiting_case(customer=customer)
    with pytest.raises(ValidationFailed) as refused:
        services.message_send(
            complaint=complaint, actor=alice.advisor, purpose="progress", channel="email"
        )
    assert refused.value.field_errors["channel"] == ["The customer has no e-mail address."]
    assert not CustomerMessage.objects.exists()


@pytest.mark.parametrize(
    ("local", "goes_out"),
    [
        (
            datetime(2026, 3, 2, 22, 30, tzinfo=SHANGHAI),
            datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI),
        ),
        (datetime(2026, 3, 3, 6, 0, tzinfo=SHANGHAI), datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI)),
        (
            datetime(2026, 3, 3, 12, 0, tzinfo=SHANGHAI),
            datetime(2026, 3, 3, 12, 0, tzinfo=SHANGHAI),
        ),
    ],
)
def test_a_message_written_in_quiet_hours_goes_out_when_they_end(
    local, goes_out, waiting_case, alice, clock
):
    complaint = waiting_case()
    clock.move_to(local)
    message = services.message_send(complaint=complaint, actor=alice.advisor, purpose="progress")
    assert message.outbox_due_at == goes_out
    if goes_out > local:
        assert outbox_deliver(names=["customer_message"]) == 0
        clock.move_to(goes_out - timedelta(seconds=1))
        assert outbox_deliver(names=["customer_message"]) == 0
        clock.move_to(goes_out)
    assert outbox_deliver(names=["customer_message"]) == 1


def test_the_dealers_own_quiet_hours_apply(waiting_case, alice, clock):
    services.messaging_settings_update(
        dealer=alice.dealer, actor=alice.manager, quiet_from=time(8, 0), quiet_until=time(10, 0)
    )
    complaint = waiting_case()
    # START is 09:00 in Shanghai.
    message = services.message_send(complaint=complaint, actor=alice.advisor, purpose="progress")
    assert message.outbox_due_at == datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    services.messaging_settings_update(
        dealer=alice.dealer, actor=alice.manager, quiet_from=time(0, 0), quiet_until=time(0, 0)
    )
    message = services.message_send(complaint=complaint, actor=alice.advisor, purpose="progress")
    assert message.outbox_due_at == START
    assert MessagingSettings.objects.get().quiet_from == time(0, 0)


def test_other_dealers_regional_staff_and_closed_cases_send_nothing(
    waiting_case, alice, bob, clock
):
    # Serious: regional staff read it, but do not work it.
    complaint = waiting_case(severity="serious")
    with pytest.raises(NotFound):
        services.message_send(complaint=complaint, actor=bob.advisor, purpose="progress")
    with pytest.raises(PermissionDenied):
        services.message_send(complaint=complaint, actor=alice.regional, purpose="progress")
    closed = waiting_case(state=State.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        services.message_send(complaint=closed, actor=alice.advisor, purpose="follow_up")
    assert not CustomerMessage.objects.exists()


def test_a_transition_alone_is_no_first_response_but_a_delivered_message_is(
    intake_case, alice, clock
):
    complaint = intake_case()
    complaint = complaint_services.complaint_transition(
        complaint=complaint, name="start_listening", actor=alice.advisor
    )
    assert _first_response(complaint).is_open
    services.message_send(complaint=complaint, actor=alice.advisor, purpose="received")
    outbox_deliver(names=["customer_message"])
    assert _first_response(complaint).satisfied_at == START


def test_erasing_the_customer_erases_the_messages_sent_to_them(waiting_case, alice, clock):
    from dealers.services import ERASED, customer_erase, customer_export

    complaint = waiting_case()
    message = services.message_send(
        complaint=complaint, actor=alice.advisor, purpose="progress", language="en"
    )
    exported = customer_export(customer=complaint.customer, actor=alice.manager)
    (case,) = exported["cases"]
    assert case["customer_messages"][0]["recipient"] == "13800138000"
    customer_erase(customer=complaint.customer, actor=alice.manager, reason="request")
    message.refresh_from_db()
    assert (message.recipient, message.body) == (ERASED, ERASED)
    assert ContactAttempt.objects.get(pk=message.contact_id).note == ERASED
    # A customer whose data is gone gets no more messages.
    with pytest.raises(ValidationFailed):
        services.message_send(complaint=complaint, actor=alice.advisor, purpose="progress")
