from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services as complaint_services
from complaints.choices import State

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DUE = "2026-03-05"  # 18:00 that day in Shanghai: 3 days and 9 hours after START


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def review(owner=None, *, lines=None, **extra):
    """A complete close payload: one cause line owned by `owner` (default: the advisor)."""
    if lines is None:
        line = {
            "cause": "Pads not checked at the 20,000 km service",
            "action": "Brake check on every service checklist",
            "due": DUE,
        }
        if owner is not None:
            line["owner"] = owner.pk
        lines = [line]
    return {
        "review_why": "The noise was not found at the first visit",
        "handled_well": False,
        "review_handling": "Too slow to call back",
        "root_cause_category": "workmanship",
        "cause_lies_with": "system",
        "corrective_actions": lines,
        **extra,
    }


@pytest.fixture
def close_case(alice, make_complaint):
    """A case of alice's dealer closed by its manager with `review(...)`."""

    def close(staff=None, data=None, actor=None, **fields):
        staff = staff or alice
        complaint = make_complaint(staff, state=State.REVIEWING, **fields)
        return complaint_services.complaint_transition(
            complaint=complaint,
            name="close",
            actor=actor or staff.manager,
            data=data if data is not None else review(),
        )

    return close


def later(hours: float) -> timedelta:
    return timedelta(hours=hours)
