"""Deadlines and contacts carry their case's dealer (read by dealer and time alone by the
figures and the managers' counts): every path that writes one gives it the case's dealer,
at a second dealer as at the first, and a deadline changed later keeps it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from complaints import services as complaint_services
from complaints.choices import State
from core.scoping import unscoped
from followups import services
from followups.choices import DeadlineKind
from followups.models import ContactAttempt, Deadline
from followups.selectors import manager_queue_counts
from followups.sweep import deadline_sweep
from messaging import services as messaging_services
from repairs import services as repair_services

from ..factories import CustomerFactory
from .conftest import START


@pytest.fixture
def messages(settings, tmp_path):
    settings.CUSTOMER_MESSAGE_FILE_PATH = str(tmp_path / "messages")
    settings.CUSTOMER_SMS_BACKEND = "messaging.senders.FileBackend"
    settings.CUSTOMER_EMAIL_BACKEND = "messaging.senders.EmailBackend"


def _every_writer(staff, to_state) -> None:
    """Creation, transitions, contacts, promises, repairs and messaging at one dealer."""
    customer = CustomerFactory(dealer=staff.dealer, phone="13800138000", email="c@example.com")
    received = complaint_services.complaint_create(
        dealer=staff.dealer,
        actor=staff.advisor,
        customer=customer,
        channel="phone",
        category="workmanship",
        description="The screen goes black.",
    )
    services.contact_record(
        complaint=received, actor=staff.advisor, channel="phone", outcome="satisfied"
    )
    services.commitment_create(
        complaint=received, actor=staff.advisor, promise="Call back", due_at=START + timedelta(1)
    )
    messaging_services.message_send(
        complaint=received, actor=staff.advisor, purpose="received", language="zh-hans"
    )
    decided = to_state(
        "decide",
        from_state=State.ASSESSING,
        actor=staff.manager,
        dealer=staff.dealer,
        assignee=staff.advisor,
    )
    services.repair_promise_set(
        complaint=decided, actor=staff.advisor, due_at=START + timedelta(days=2)
    )
    repair_services.parts_order_place(
        complaint=decided,
        actor=staff.advisor,
        part="Front brake disc",
        quantity=2,
        order_number=f"EO-{staff.dealer.code}",
        expected_at=START + timedelta(days=3),
    )


@unscoped("test")
def _mismatched() -> tuple[int, int]:
    return (
        Deadline.objects.exclude(dealer_id=F("complaint__dealer_id")).count(),
        ContactAttempt.objects.exclude(dealer_id=F("complaint__dealer_id")).count(),
    )


def test_every_writer_gives_deadlines_and_contacts_their_cases_dealer(
    alice, bob, to_state, clock, messages
):
    for staff in (alice, bob):
        _every_writer(staff, to_state)
    with unscoped("test"):
        kinds = set(Deadline.objects.filter(dealer=bob.dealer).values_list("kind", flat=True))
        contacts = ContactAttempt.objects.filter(dealer=bob.dealer)
        assert {
            DeadlineKind.FIRST_RESPONSE,
            DeadlineKind.COMMITMENT,
            DeadlineKind.REPAIR_COMPLETION,
            DeadlineKind.PARTS_ARRIVAL,
        } <= kinds
        assert {c.channel for c in contacts} == {"phone", "sms"}
    assert _mismatched() == (0, 0)

    # The sweep breaches and escalates them (and opens what its steps open): each keeps it.
    clock.shift(timedelta(days=5))
    assert deadline_sweep().breached > 0
    clock.shift(timedelta(days=2))
    deadline_sweep()
    assert _mismatched() == (0, 0)


def test_the_managers_overdue_count_is_their_dealers_open_deadlines_due(
    alice, bob, to_state, clock, messages
):
    for staff in (alice, bob):
        _every_writer(staff, to_state)
    assert manager_queue_counts(actor=alice.manager, dealer=alice.dealer)["overdue"] == 0
    clock.shift(timedelta(hours=25))  # the first response (24 h) and the promise are missed
    with unscoped("test"):
        due = Deadline.objects.filter(
            dealer=alice.dealer,
            due_at__lte=START + timedelta(hours=25),
            satisfied_at=None,
            cancelled_at=None,
        ).count()
    assert due > 0
    assert manager_queue_counts(actor=alice.manager, dealer=alice.dealer)["overdue"] == due
    # Bob's manager counts Bob's alone; Alice's manager may not count Bob's at all.
    assert manager_queue_counts(actor=bob.manager, dealer=bob.dealer)["overdue"] == due
    assert manager_queue_counts(actor=alice.manager, dealer=bob.dealer)["overdue"] == 0
