"""The migration that gives deadlines and contacts their case's dealer: rows written before
it get the dealer of their own case, at every dealer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from followups.models import ContactAttempt, Deadline
from tests.migrations import migrate_to, migrated_back_from

BEFORE = [("followups", "0011_analytics_indexes")]
AFTER = [("followups", "0013_deadline_contact_dealer_indexes")]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before():
    """The database before the migration; put back to the latest state afterwards."""
    with migrated_back_from(BEFORE) as apps:
        yield apps


def test_old_deadlines_and_contacts_get_their_cases_dealer(before):
    region = before.get_model("dealers", "Region").objects.create(code="EAST", name="East")
    cases = {}
    for code in ("SH01", "SH02"):
        dealer = before.get_model("dealers", "Dealer").objects.create(
            code=code, name=code, region=region
        )
        customer = before.get_model("dealers", "Customer").objects.create(
            dealer=dealer, name="王芳", phone="13800138000"
        )
        cases[code] = before.get_model("complaints", "Complaint").objects.create(
            dealer=dealer,
            customer=customer,
            reference=f"{code}-2026-000001",
            channel="phone",
            category="workmanship",
            description="x",
            original_description="x",
        )
    old_deadline = before.get_model("followups", "Deadline")
    old_contact = before.get_model("followups", "ContactAttempt")
    due = timezone.now() + timedelta(hours=1)
    for complaint in cases.values():
        old_deadline._base_manager.create(complaint=complaint, kind="first_response", due_at=due)
        old_contact._base_manager.create(complaint=complaint, channel="phone", outcome="satisfied")

    migrate_to(AFTER)

    for model in (Deadline, ContactAttempt):
        rows = model.objects.unscoped(reason="test").select_related("complaint")
        assert sorted((row.complaint.reference, row.dealer.code) for row in rows) == [
            ("SH01-2026-000001", "SH01"),
            ("SH02-2026-000001", "SH02"),
        ]
