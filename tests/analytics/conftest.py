"""A small data set of dealer SH01 (Asia/Shanghai, UTC+8) whose every figure is worked out
by hand in the tests. The period is 1 to 10 June 2026 in Shanghai, that is from
2026-05-31 16:00 UTC to 2026-06-10 16:00 UTC; "now" is 15 June 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from analytics.period import Period
from complaints.choices import Category, Channel, Component, Responsibility, Severity, State
from complaints.models import CaseEvent, Complaint
from complaints.stored_facts import fill_stored_facts
from followups.models import Deadline
from learning.models import CaseReview, CorrectiveAction, RootCauseCategory
from tests.factories import (
    ComplaintFactory,
    ContactAttemptFactory,
    CustomerFactory,
    RepairOrderFactory,
    VehicleFactory,
)

NOW = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)
PERIOD = Period(date(2026, 6, 1), date(2026, 6, 10))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class KnownCases:
    staff: Any
    cases: dict[str, Complaint]


def _case(staff: Any, created: datetime, **kwargs: Any) -> Complaint:
    kwargs.setdefault("dealer", staff.dealer)
    kwargs.setdefault("assignee", staff.advisor)
    complaint = ComplaintFactory(**kwargs)
    Complaint.objects.filter(pk=complaint.pk).update(created_at=created)
    complaint.created_at = created
    return complaint


def _event(complaint: Complaint, at: datetime, transition: str, source: str, target: str) -> None:
    CaseEvent.objects.create(
        complaint=complaint,
        kind="transition",
        transition=transition,
        from_state=source,
        to_state=target,
        actor_label="test",
        created_at=at,
    )


def _deadline(complaint: Complaint, kind: str, due: datetime, **kwargs: Any) -> Deadline:
    return Deadline.objects.create(
        complaint=complaint, kind=kind, started_at=due - timedelta(hours=24), due_at=due, **kwargs
    )


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def known(alice, now) -> KnownCases:
    """c1, c2, c5, c6 and c7 fall in the period; c3 just after it, c4 just before it."""
    staff = alice
    c1 = _case(
        staff,
        utc(2026, 5, 31, 16, 0),  # 1 June 00:00 in Shanghai: the period's first instant
        state=State.CLOSED,
        channel=Channel.PHONE,
        category=Category.WORKMANSHIP,
        component=Component.BRAKES,
        is_safety_related=True,
        severity=Severity.SERIOUS,
        responsibility=Responsibility.DEALER,
        compensation_amount=Decimal("100.00"),
        first_response_at=utc(2026, 5, 31, 17, 0),  # 1 h
        closed_at=utc(2026, 6, 1, 12, 0),  # 20 h
    )
    _event(c1, utc(2026, 6, 1, 0, 0), "complete_action", "resolving", "following_up")
    _event(c1, utc(2026, 6, 1, 2, 0), "confirm_resolved", "following_up", "reviewing")  # 10 h
    c2 = _case(
        staff,
        utc(2026, 6, 10, 15, 59),  # 10 June 23:59 in Shanghai: still in the period
        state=State.CLOSED,
        channel=Channel.EMAIL,
        category=Category.BILLING,
        component=Component.NONE,
        severity=Severity.NORMAL,
        responsibility=Responsibility.CUSTOMER,
        compensation_amount=Decimal("50.50"),
        first_response_at=utc(2026, 6, 10, 18, 59),  # 3 h
        closed_at=utc(2026, 6, 12, 7, 59),  # 40 h
    )
    _event(c2, utc(2026, 6, 11, 1, 0), "complete_action", "resolving", "following_up")
    _event(c2, utc(2026, 6, 11, 2, 0), "reopen", "following_up", "resolving")
    _event(c2, utc(2026, 6, 11, 3, 0), "complete_action", "resolving", "following_up")
    _event(c2, utc(2026, 6, 11, 21, 59), "confirm_resolved", "following_up", "reviewing")  # 30 h
    c3 = _case(staff, utc(2026, 6, 10, 16, 0))  # 11 June 00:00 in Shanghai: after it
    c4 = _case(staff, utc(2026, 5, 31, 15, 59))  # 31 May 23:59 in Shanghai: before it
    c5 = _case(
        staff,
        utc(2026, 6, 5, 4, 0),  # c4's customer, five days later: a repeat complaint
        customer=c4.customer,
        vehicle=None,
        assignee=staff.manager,
        state=State.WITHDRAWN,
        component=Component.ENGINE,
        compensation_amount=Decimal("999.00"),  # withdrawn: nothing was spent
        first_response_at=utc(2026, 6, 5, 9, 0),  # 5 h
    )
    old_customer = CustomerFactory(dealer=staff.dealer)
    old_vehicle = VehicleFactory(dealer=staff.dealer, owner=old_customer)
    c7_at = utc(2026, 6, 7, 16, 30)  # 8 June 00:30 in Shanghai: the second week there
    # c0 exactly 90 days before c7, same vehicle, another customer: c7 is a repeat.
    c0 = _case(staff, c7_at - timedelta(days=90), customer=old_customer, vehicle=old_vehicle)
    c7 = _case(staff, c7_at, vehicle=old_vehicle)
    # c6's vehicle had a case 90 days and one minute before: not a repeat.
    c6_vehicle = VehicleFactory(dealer=staff.dealer, owner=old_customer)
    c6_at = utc(2026, 6, 6, 2, 0)
    _case(staff, c6_at - timedelta(days=90, minutes=1), customer=old_customer, vehicle=c6_vehicle)
    c6 = _case(staff, c6_at, vehicle=c6_vehicle)

    # Deadlines: three fell due in the period (one breached); others do not count.
    _deadline(c1, "first_response", utc(2026, 6, 1, 0, 0), breached_at=utc(2026, 6, 1, 0, 1))
    _deadline(c1, "commitment", utc(2026, 6, 3, 0, 0), satisfied_at=utc(2026, 6, 2, 0, 0))
    _deadline(c2, "follow_up", utc(2026, 6, 10, 15, 0), satisfied_at=utc(2026, 6, 10, 14, 0))
    _deadline(c3, "follow_up", utc(2026, 6, 10, 16, 0), breached_at=utc(2026, 6, 10, 16, 1))
    _deadline(c4, "first_response", utc(2026, 5, 31, 15, 0), breached_at=utc(2026, 5, 31, 16))
    _deadline(
        c5, "commitment", utc(2026, 6, 6, 0, 0), cancelled_at=utc(2026, 6, 5, 12, 0)
    )  # cancelled when the case was withdrawn
    # Follow-up contacts: three reached the customer in the period, two found them satisfied.
    ContactAttemptFactory(complaint=c1, outcome="satisfied", contacted_at=utc(2026, 6, 1, 1))
    ContactAttemptFactory(complaint=c2, outcome="dissatisfied", contacted_at=utc(2026, 6, 2, 1))
    ContactAttemptFactory(complaint=c2, outcome="satisfied", contacted_at=utc(2026, 6, 10, 15))
    ContactAttemptFactory(complaint=c5, outcome="unreachable", contacted_at=utc(2026, 6, 5, 6))
    ContactAttemptFactory(complaint=c2, outcome="satisfied", contacted_at=utc(2026, 6, 10, 16))
    # Repair orders the DMS sent: four opened in the period, two outside it.
    vehicle = VehicleFactory(dealer=staff.dealer, owner=old_customer)
    for day in (date(2026, 5, 31), date(2026, 6, 1), date(2026, 6, 4), date(2026, 6, 4)):
        RepairOrderFactory(vehicle=vehicle, opened_on=day)
    for day in (date(2026, 6, 10), date(2026, 6, 11)):
        RepairOrderFactory(vehicle=vehicle, opened_on=day)
    # Reviews: two workmanship, one of the dealer's own categories; c4's lies before.
    workmanship = RootCauseCategory.objects.create(dealer=staff.dealer, code="workmanship")
    own = RootCauseCategory.objects.create(
        dealer=staff.dealer, code="tyre-supplier", label="Tyre supplier late"
    )
    diagnosis = RootCauseCategory.objects.create(dealer=staff.dealer, code="diagnosis")
    reviews = {
        name: CaseReview.objects.create(
            complaint=case,
            dealer=staff.dealer,
            why="Rushed",
            handled_well=True,
            root_cause_category=category,
            cause_lies_with="system",
        )
        for name, case, category in (
            ("c1", c1, workmanship),
            ("c2", c2, workmanship),
            ("c6", c6, own),
            ("c4", c4, diagnosis),
        )
    }
    # Corrective actions: two open (one past due, after a check that found it did not
    # work), one checked in the period and worked, one checked before the period.
    for review, state, due, result, checked, created in (
        ("c1", "open", utc(2026, 6, 20), "", None, utc(2026, 6, 1, 5)),
        ("c1", "open", utc(2026, 6, 12), "did_not_work", utc(2026, 6, 9), utc(2026, 6, 1, 5)),
        ("c2", "done", utc(2026, 6, 8), "worked", utc(2026, 6, 5), utc(2026, 6, 2)),
        ("c4", "done", utc(2026, 5, 29), "worked", utc(2026, 5, 30), utc(2026, 5, 28)),
    ):
        CorrectiveAction.objects.create(
            review=reviews[review],
            complaint=reviews[review].complaint,
            dealer=staff.dealer,
            cause="Checklist skipped",
            action="Add the step to the checklist",
            owner=staff.manager,
            due_at=due,
            state=state,
            check_result=result,
            checked_at=checked,
            created_at=created,
        )
    # The cases and their timeline were written directly, not through the services: their
    # stored facts (first follow-up, resolution, reopening, repeat) from that timeline.
    fill_stored_facts()
    cases = {"c0": c0, "c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "c6": c6, "c7": c7}
    return KnownCases(staff, cases)
