"""Emergency parts orders (紧急订单, step 5): their expected arrival is a deadline the sweep
warns the owner of a day before and breaches when the part is late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from core.exceptions import TransitionNotAllowed, ValidationFailed
from followups.models import Deadline, Notification
from repairs import services
from repairs.models import PartsOrder

from ..complaints.rules import VALID_PAYLOADS
from ..factories import ComplaintFactory
from .conftest import START

pytestmark = pytest.mark.django_db


def _order(complaint, actor, expected_at, **extra):
    return services.parts_order_place(
        complaint=complaint,
        actor=actor,
        part=extra.get("part", "Front brake disc"),
        quantity=extra.get("quantity", 2),
        order_number=extra.get("order_number", "EO-2026-0042"),
        expected_at=expected_at,
    )


def test_a_parts_order_opens_a_deadline_at_its_expected_arrival(to_state, alice, clock):
    complaint = to_state("decide", from_state=State.ASSESSING)
    expected = START + timedelta(days=3)
    order = _order(complaint, alice.advisor, expected)
    deadline = order.deadline
    assert (deadline.kind, deadline.due_at, deadline.owner) == (
        "parts_arrival",
        expected,
        alice.advisor,
    )
    assert deadline.remind_at == expected - timedelta(hours=24)
    assert "Front brake disc ×2 (EO-2026-0042)" == deadline.promise
    event = complaint.events.get(kind=EventKind.REPAIR)
    assert "Emergency parts order EO-2026-0042" in event.text
    assert event.action == "case.parts_ordered"


def test_the_sweep_warns_the_owner_a_day_before_and_breaches_a_late_part(
    to_state, alice, clock, sweep
):
    complaint = to_state("decide", from_state=State.ASSESSING)
    expected = START + timedelta(days=3)
    order = _order(complaint, alice.advisor, expected)
    clock.move_to(expected - timedelta(hours=24, minutes=1))
    assert sweep().reminded == 0
    clock.move_to(expected - timedelta(hours=24))
    result = sweep()
    assert (result.reminded, result.breached) == (1, 0)
    warning = Notification.objects.get(kind="deadline_due_soon")
    assert warning.recipient == alice.advisor
    assert "Emergency parts arrival" in warning.title
    assert "contact the customer in advance" in warning.body
    assert "EO-2026-0042" in warning.body
    assert sweep().reminded == 0
    clock.move_to(expected + timedelta(seconds=1))
    assert sweep().breached == 1
    order.deadline.refresh_from_db()
    assert order.deadline.breached_at is not None
    breach = Notification.objects.filter(kind="deadline_breached", deadline=order.deadline)
    assert set(breach.values_list("recipient__username", flat=True)) >= {"sh01_advisor"}


def test_a_part_that_arrived_meets_its_deadline_and_nothing_is_breached(
    to_state, alice, clock, sweep
):
    complaint = to_state("decide", from_state=State.ASSESSING)
    expected = START + timedelta(days=3)
    order = _order(complaint, alice.advisor, expected)
    clock.shift(timedelta(days=1))
    services.parts_order_arrived(complaint=complaint, actor=alice.advisor, order_id=order.pk)
    order.refresh_from_db()
    assert order.received_at == START + timedelta(days=1)
    assert order.deadline.satisfied_at == START + timedelta(days=1)
    assert order.deadline.outcome_reason == "Parts arrived"
    clock.move_to(expected + timedelta(days=1))
    sweep()
    order.deadline.refresh_from_db()
    assert order.deadline.breached_at is None and order.deadline.reminded_at is None
    assert not Notification.objects.filter(deadline=order.deadline).exists()
    assert "Parts arrived" in complaint.events.filter(kind=EventKind.REPAIR).last().text


def test_completing_the_action_cancels_a_parts_deadline_still_open(to_state, alice, clock):
    complaint = to_state("decide", from_state=State.ASSESSING)
    order = _order(complaint, alice.advisor, START + timedelta(days=3))
    complaint_services.complaint_transition(
        complaint=complaint,
        name="complete_action",
        actor=alice.advisor,
        data=VALID_PAYLOADS["complete_action"],
    )
    order.deadline.refresh_from_db()
    assert order.deadline.cancelled_at is not None


def test_parts_are_not_ordered_before_the_fault_is_found(alice):
    complaint = ComplaintFactory(dealer=alice.dealer, state=State.LISTENING)
    with pytest.raises(TransitionNotAllowed):
        _order(complaint, alice.advisor, START + timedelta(days=3))
    assert not PartsOrder.objects.exists() and not Deadline.objects.exists()


@pytest.mark.parametrize(
    "field,extra",
    [
        ("part", {"part": "  "}),
        ("quantity", {"quantity": 0}),
        ("quantity", {"quantity": 99_999_999_999}),
        ("order_number", {"order_number": ""}),
    ],
)
def test_an_incomplete_parts_order_is_refused(alice, field, extra):
    complaint = ComplaintFactory(dealer=alice.dealer, state=State.RESOLVING)
    with pytest.raises(ValidationFailed) as refused:
        _order(complaint, alice.advisor, START + timedelta(days=3), **extra)
    assert field in refused.value.field_errors
    assert not PartsOrder.objects.exists()


def test_the_case_page_records_a_parts_order_in_the_dealers_time(client, alice):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING)
    client.force_login(alice.advisor)
    response = client.post(
        reverse("parts_order_create", args=[complaint.reference]),
        {
            "parts-part": "Door seal",
            "parts-quantity": "1",
            "parts-order_number": "EO-7",
            "parts-expected_at": "2030-05-06T10:00",
        },
    )
    assert response.status_code == 302
    order = PartsOrder.objects.get()
    assert order.expected_at.isoformat() == "2030-05-06T02:00:00+00:00"
    page = client.get(reverse("complaint_detail", args=[complaint.reference])).content.decode()
    assert "Door seal ×1" in page and "Emergency parts arrival" in page


def test_an_absurd_quantity_on_the_case_page_is_a_form_error_not_a_crash(client, alice):
    complaint = ComplaintFactory(dealer=alice.dealer, assignee=alice.advisor, state=State.RESOLVING)
    client.force_login(alice.advisor)
    response = client.post(
        reverse("parts_order_create", args=[complaint.reference]),
        {
            "parts-part": "Door seal",
            "parts-quantity": "99999999999",
            "parts-order_number": "EO-7",
            "parts-expected_at": "2030-05-06T10:00",
        },
    )
    assert response.status_code == 422
    assert not PartsOrder.objects.exists()
