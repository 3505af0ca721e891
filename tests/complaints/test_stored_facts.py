"""The facts of a case's history stored on the case (first follow-up, resolution, first
reopening, repeat complaint) are what its timeline says, on every path that writes them: the
services, the bulk recomputation, and the data migration that filled them for old cases."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Subquery

from complaints import services
from complaints.choices import State
from complaints.models import CaseEvent, Complaint
from complaints.stored_facts import REPEAT_WINDOW, fill_stored_facts
from followups.services import contact_record
from tests.complaints.rules import VALID_PAYLOADS
from tests.factories import ComplaintFactory, CustomerFactory, VehicleFactory

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
FACTS = ("reached_follow_up_at", "resolved_at", "reopened_at", "is_repeat")


def _as_the_timeline_says() -> dict[int, tuple[Any, ...]]:
    """Each case's facts computed from the timeline and the other cases, as the analytics
    computed them before they were stored."""

    def first(**condition: Any) -> Subquery:
        return Subquery(
            CaseEvent.objects.filter(complaint=OuterRef("pk"), **condition)
            .order_by("created_at")
            .values("created_at")[:1]
        )

    def earlier(**same: Any) -> Exists:
        return Exists(
            Complaint.objects.unscoped(reason="test").filter(
                **same,
                created_at__lt=OuterRef("created_at"),
                created_at__gte=OuterRef("created_at") - REPEAT_WINDOW,
            )
        )

    rows = (
        Complaint.objects.unscoped(reason="test")
        .annotate(
            follow_up=first(to_state=State.FOLLOWING_UP),
            resolved=first(to_state=State.REVIEWING),
            reopened=first(transition="reopen"),
            repeat=ExpressionWrapper(
                earlier(customer_id=OuterRef("customer_id"))
                | earlier(vehicle_id=OuterRef("vehicle_id")),
                output_field=BooleanField(),
            ),
        )
        .values_list("pk", "follow_up", "resolved", "reopened", "repeat")
    )
    return {pk: tuple(facts) for pk, *facts in rows}


def _stored() -> dict[int, tuple[Any, ...]]:
    return {
        pk: tuple(facts)
        for pk, *facts in Complaint.objects.unscoped(reason="test").values_list("pk", *FACTS)
    }


def _step(complaint: Complaint, name: str, actor: Any, at: datetime) -> Complaint:
    with time_machine.travel(at, tick=False):
        return services.complaint_transition(
            complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
        )


def _intake(staff: Any, at: datetime, customer: Any, vehicle: Any = None) -> Complaint:
    with time_machine.travel(at, tick=False):
        return services.complaint_create(
            dealer=staff.dealer,
            actor=staff.advisor,
            customer=customer,
            vehicle=vehicle,
            channel="phone",
            category="workmanship",
            description="刹车异响。",
        )


def _to_follow_up(complaint: Complaint, staff: Any, at: datetime) -> Complaint:
    for n, name in enumerate(
        ("start_listening", "start_investigation", "record_findings", "decide", "complete_action")
    ):
        complaint = _step(complaint, name, staff.advisor, at + timedelta(hours=n))
    return complaint


def _contact(complaint: Complaint, staff: Any, at: datetime, outcome: str) -> None:
    with time_machine.travel(at, tick=False):
        contact_record(complaint=complaint, actor=staff.advisor, channel="phone", outcome=outcome)


def test_reopened_case_keeps_its_first_follow_up_and_first_resolution(alice, customer):
    complaint = _intake(alice, START, customer)
    complaint = _to_follow_up(complaint, alice, START + timedelta(hours=1))
    first_follow_up = START + timedelta(hours=5)
    assert complaint.reached_follow_up_at == first_follow_up
    assert complaint.resolved_at is None and complaint.reopened_at is None

    reopened = START + timedelta(days=1)
    _contact(complaint, alice, reopened - timedelta(hours=1), "dissatisfied")
    complaint = _step(complaint, "reopen", alice.advisor, reopened)
    complaint = _step(complaint, "complete_action", alice.advisor, reopened + timedelta(hours=3))
    _contact(complaint, alice, reopened + timedelta(hours=4), "satisfied")
    resolved = reopened + timedelta(hours=5)
    complaint = _step(complaint, "confirm_resolved", alice.advisor, resolved)
    complaint = _step(complaint, "close", alice.manager, resolved + timedelta(hours=1))

    complaint.refresh_from_db()
    assert complaint.state == State.CLOSED
    # The second arrival in follow-up moved nothing: the first one counts, as before.
    assert complaint.reached_follow_up_at == first_follow_up
    assert complaint.reopened_at == reopened
    assert complaint.resolved_at == resolved
    assert _stored() == _as_the_timeline_says()
    # What the services wrote is exactly what the recomputation finds: it rewrites nothing.
    assert fill_stored_facts() == 0


def test_stored_facts_stay_out_of_the_changes_a_transition_lists(alice, customer):
    complaint = _to_follow_up(_intake(alice, START, customer), alice, START)
    event = CaseEvent.objects.filter(complaint=complaint, transition="complete_action").get()
    assert "reached_follow_up_at" not in event.payload["changed"]
    assert event.created_at == complaint.reached_follow_up_at


def test_every_transition_path_keeps_the_facts_as_the_timeline_says(alice, customer):
    # Withdrawn early, rejected and approved, reopened twice, and resolved straight away.
    withdrawn = _intake(alice, START, customer)
    _step(withdrawn, "withdraw", alice.manager, START + timedelta(hours=1))

    approved = _intake(alice, START + timedelta(days=1), CustomerFactory(dealer=alice.dealer))
    at = START + timedelta(days=1, hours=1)
    for n, name in enumerate(("start_listening", "start_investigation", "record_findings")):
        approved = _step(approved, name, alice.advisor, at + timedelta(hours=n))
    approved = _step(approved, "submit_for_approval", alice.advisor, at + timedelta(hours=4))
    approved = _step(approved, "reject", alice.manager, at + timedelta(hours=5))
    approved = _step(approved, "submit_for_approval", alice.advisor, at + timedelta(hours=6))
    approved = _step(approved, "approve", alice.manager, at + timedelta(hours=7))
    approved = _step(approved, "complete_action", alice.advisor, at + timedelta(hours=8))

    twice = _to_follow_up(
        _intake(alice, START + timedelta(days=2), CustomerFactory(dealer=alice.dealer)),
        alice,
        START + timedelta(days=2, hours=1),
    )
    at = START + timedelta(days=3)
    for n in range(2):
        _contact(twice, alice, at + timedelta(hours=10 * n - 1), "dissatisfied")
        twice = _step(twice, "reopen", alice.advisor, at + timedelta(hours=10 * n))
        twice = _step(twice, "complete_action", alice.advisor, at + timedelta(hours=10 * n + 1))
    _contact(twice, alice, at + timedelta(hours=30), "satisfied")
    twice = _step(twice, "confirm_resolved", alice.advisor, at + timedelta(hours=31))

    assert withdrawn.reached_follow_up_at is None
    assert approved.reached_follow_up_at == START + timedelta(days=1, hours=9)
    assert twice.reopened_at == at
    assert twice.reached_follow_up_at == START + timedelta(days=2, hours=5)
    assert _stored() == _as_the_timeline_says()


def test_intake_marks_a_repeat_of_the_same_customer_or_vehicle_within_90_days(alice):
    customer = CustomerFactory(dealer=alice.dealer)
    vehicle = VehicleFactory(dealer=alice.dealer, owner=customer)
    first = _intake(alice, START, customer, vehicle)
    assert first.is_repeat is False
    # The same customer, 89 days later: a repeat.
    assert _intake(alice, START + timedelta(days=89), customer).is_repeat is True
    # The same vehicle, another customer, exactly 90 days after the first: a repeat.
    other = CustomerFactory(dealer=alice.dealer)
    assert _intake(alice, START + timedelta(days=90), other, vehicle).is_repeat is True
    # A new customer and vehicle: not a repeat.
    fresh = CustomerFactory(dealer=alice.dealer)
    later = _intake(alice, START + timedelta(days=90), fresh, VehicleFactory(dealer=alice.dealer))
    assert later.is_repeat is False
    # A customer's case 90 days and one minute after their last one: not a repeat.
    lone = CustomerFactory(dealer=alice.dealer)
    _intake(alice, START, lone)
    assert _intake(alice, START + timedelta(days=90, minutes=1), lone).is_repeat is False
    assert _stored() == _as_the_timeline_says()


def _history(staff: Any) -> None:
    """Cases and timelines written directly, as old data and the bulk writers have them:
    reopened, resolved, cases received at the same instant, at the window's edges."""
    customer = CustomerFactory(dealer=staff.dealer)
    vehicle = VehicleFactory(dealer=staff.dealer, owner=customer)
    other = CustomerFactory(dealer=staff.dealer)
    plans = [
        (customer, vehicle, START, ["complete_action", "reopen", "complete_action", "confirm"]),
        (customer, None, START, ["complete_action", "confirm"]),  # the same instant: no repeat
        (other, vehicle, START + REPEAT_WINDOW, ["complete_action"]),  # the window's edge
        (other, None, START + REPEAT_WINDOW * 2 + timedelta(seconds=1), []),
        (CustomerFactory(dealer=staff.dealer), None, START, ["reopen_only"]),
    ]
    targets = {
        "complete_action": ("resolving", State.FOLLOWING_UP),
        "reopen": (State.FOLLOWING_UP, State.RESOLVING),
        "confirm": (State.FOLLOWING_UP, State.REVIEWING),
        "reopen_only": (State.FOLLOWING_UP, State.RESOLVING),
    }
    for customer_, vehicle_, at, steps in plans:
        complaint = ComplaintFactory(dealer=staff.dealer, customer=customer_, vehicle=vehicle_)
        Complaint.objects.unscoped(reason="test").filter(pk=complaint.pk).update(created_at=at)
        for n, step in enumerate(steps):
            source, target = targets[step]
            CaseEvent.objects.create(
                complaint=complaint,
                kind="transition",
                transition=step.removesuffix("_only").replace("confirm", "confirm_resolved"),
                from_state=source,
                to_state=target,
                actor_label="test",
                created_at=at + timedelta(hours=n + 1),
            )
    # As before the facts existed: nothing stored.
    Complaint.objects.unscoped(reason="test").update(
        reached_follow_up_at=None, resolved_at=None, reopened_at=None, is_repeat=False
    )


def test_recomputation_finds_the_facts_the_timeline_says(alice):
    _history(alice)
    expected = _as_the_timeline_says()
    assert sum(facts != (None, None, None, False) for facts in expected.values()) >= 4
    assert fill_stored_facts() >= 4
    assert _stored() == expected
    assert fill_stored_facts() == 0


def test_data_migration_fills_the_facts_the_timeline_says(alice):
    _history(alice)
    migration = importlib.import_module("complaints.migrations.0013_case_stored_facts")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert _stored() == _as_the_timeline_says()


def test_correcting_the_vehicle_recomputes_the_repeats_it_touches(alice):
    vehicle = VehicleFactory(dealer=alice.dealer)
    other_vehicle = VehicleFactory(dealer=alice.dealer)
    first = _intake(alice, START, CustomerFactory(dealer=alice.dealer), vehicle)
    corrected = _intake(
        alice, START + timedelta(days=10), CustomerFactory(dealer=alice.dealer), other_vehicle
    )
    later = _intake(
        alice, START + timedelta(days=20), CustomerFactory(dealer=alice.dealer), other_vehicle
    )
    assert (corrected.is_repeat, later.is_repeat) == (False, True)
    with time_machine.travel(START + timedelta(days=30), tick=False):
        corrected = services.complaint_update(
            complaint=corrected, actor=alice.advisor, data={"vehicle": vehicle.pk}
        )
    # Now the first case's vehicle: a repeat of it; the later case lost its earlier one.
    assert corrected.is_repeat is True
    later.refresh_from_db()
    assert later.is_repeat is False
    assert first.pk in _stored() and _stored() == _as_the_timeline_says()
