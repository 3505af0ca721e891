"""Fixtures for deadlines: cases brought to a state through the services (so the deadline
service opens their deadlines), a frozen clock, and a broker that needs no server."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services as complaint_services
from complaints.choices import State
from config.celery import app as celery_app
from followups.sweep import deadline_sweep

from ..complaints.rules import VALID_PAYLOADS
from ..factories import ComplaintFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def in_memory_broker(monkeypatch):
    """Deliveries queued after a commit go to an in-process broker, never to var/."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "broker_transport_options": conf.broker_transport_options,
    }
    conf.update(broker_url="memory://", broker_transport_options={})
    yield
    conf.update(saved)


@pytest.fixture
def clock():
    """A clock stopped at START (a Monday morning in Shanghai); move it with clock.shift()."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def to_state(alice):
    """Bring a factory-made case into `state` by running `transition` through the service."""

    def run(transition: str, *, from_state: str, actor=None, data=None, **fields):
        fields.setdefault("dealer", alice.dealer)
        fields.setdefault("assignee", alice.advisor)
        fields.setdefault("follow_up_contacts", [])
        complaint = ComplaintFactory(state=from_state, **fields)
        return complaint_services.complaint_transition(
            complaint=complaint,
            name=transition,
            actor=actor or alice.advisor,
            data=VALID_PAYLOADS[transition] if data is None else data,
        )

    return run


@pytest.fixture
def following_up(to_state):
    """A case whose action was just completed: it is in the follow-up step."""

    def make(**fields):
        return to_state("complete_action", from_state=State.RESOLVING, **fields)

    return make


@pytest.fixture
def sweep():
    return deadline_sweep
