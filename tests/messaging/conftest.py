"""Fixtures for messages: the deadline tests' frozen clock and in-process broker, texts
written to a temporary folder, and a case waiting on the dealer."""

from __future__ import annotations

import pytest

from complaints.choices import State

from ..factories import ComplaintFactory, CustomerFactory, VehicleFactory
from ..followups.conftest import START, clock, in_memory_broker  # noqa: F401

__all__ = ["START"]


@pytest.fixture(autouse=True)
def message_files(settings, tmp_path):
    settings.CUSTOMER_MESSAGE_FILE_PATH = str(tmp_path / "messages")
    settings.CUSTOMER_SMS_BACKEND = "messaging.senders.FileBackend"
    settings.CUSTOMER_EMAIL_BACKEND = "messaging.senders.EmailBackend"
    return tmp_path / "messages"


@pytest.fixture
def waiting_case(alice):
    """A case under investigation, owned by the advisor, its customer with phone and e-mail,
    its vehicle known."""

    def make(**fields):
        customer = fields.pop("customer", None) or CustomerFactory(
            dealer=alice.dealer, name="Wang Fang", phone="13800138000", email="wang@example.com"
        )
        fields.setdefault(
            "vehicle",
            VehicleFactory(dealer=alice.dealer, owner=customer, plate="沪A12345", model="Camry"),
        )
        fields.setdefault("state", State.INVESTIGATING)
        fields.setdefault("assignee", alice.advisor)
        return ComplaintFactory(dealer=alice.dealer, customer=customer, **fields)

    return make


@pytest.fixture
def intake_case(alice, clock):  # noqa: F811
    """A case just received through the intake service (its first response open)."""
    from complaints import services as complaint_services

    def make():
        customer = CustomerFactory(
            dealer=alice.dealer, name="Wang Fang", phone="13800138000", email="wang@example.com"
        )
        return complaint_services.complaint_create(
            dealer=alice.dealer,
            actor=alice.advisor,
            customer=customer,
            vehicle=None,
            channel="phone",
            category="workmanship",
            description="The screen goes black.",
        )

    return make
