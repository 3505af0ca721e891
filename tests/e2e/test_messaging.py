"""End to end in a real browser: a progress message to the customer, previewed and sent
from the case page, seen on the timeline with its delivery state."""

from __future__ import annotations

from datetime import time

import pytest
from playwright.sync_api import expect

from complaints.choices import State
from core.outbox import outbox_deliver
from followups.models import Deadline
from messaging.models import CustomerMessage, MessagingSettings
from tests.factories import ComplaintFactory, CustomerFactory, VehicleFactory
from tests.followups.conftest import in_memory_broker  # noqa: F401

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_an_advisor_sends_a_progress_message_and_sees_it_delivered(
    page,
    live_server,
    alice,
    log_in,
    shoot,
    settings,
    tmp_path,
    in_memory_broker,  # noqa: F811
):
    settings.CUSTOMER_MESSAGE_FILE_PATH = str(tmp_path / "messages")
    settings.CUSTOMER_SMS_BACKEND = "messaging.senders.FileBackend"
    # Whatever the hour of the run, no quiet hours hold the message back.
    MessagingSettings.objects.create(
        dealer=alice.dealer, quiet_from=time(0, 0), quiet_until=time(0, 0)
    )
    alice.advisor.language = "en"
    alice.advisor.save(update_fields=["language"])
    customer = CustomerFactory(dealer=alice.dealer, name="Zhang Wei", phone="13912345678")
    complaint = ComplaintFactory(
        dealer=alice.dealer,
        customer=customer,
        vehicle=VehicleFactory(dealer=alice.dealer, owner=customer, plate="沪A88888"),
        assignee=alice.advisor,
        state=State.RESOLVING,
    )
    update = Deadline.objects.create(
        complaint=complaint, kind="interim_report", due_at=complaint.created_at, rule="test"
    )

    log_in(alice.advisor)
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")
    form = page.locator("#message-form")
    form.get_by_label("Message").select_option("progress")
    form.get_by_label("Language").select_option("en")
    expect(form.get_by_label("Send by")).to_have_value("sms")
    form.get_by_role("button", name="Preview").click()
    expect(page.locator("#message-preview")).to_contain_text(
        f"Dear Zhang Wei, your complaint (reference {complaint.reference}) is now at the step "
        "“Resolving”"
    )
    shoot("messaging-01-preview")

    form.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("on its way to the customer")
    panel = page.locator(".customer-messages")
    expect(panel.locator(".delivery-state")).to_have_text("Queued")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Progress update by SMS · Queued")
    expect(page.locator(".contacts")).to_contain_text("Progress update · Queued")
    shoot("messaging-02-queued")

    # The worker delivers the outbox; the file backend has nobody to report more.
    assert outbox_deliver(names=["customer_message"]) == 1
    page.reload()
    expect(panel.locator(".delivery-state")).to_have_text("Delivered")
    expect(timeline).to_contain_text("Progress update by SMS · Delivered")
    expect(timeline).to_contain_text("Dear Zhang Wei")
    shoot("messaging-03-delivered")
    message = CustomerMessage.objects.get()
    assert (tmp_path / "messages" / f"sms-{message.key}.json").exists()
    # The delivered message was the progress update the case owed.
    update.refresh_from_db()
    assert update.satisfied_at == message.delivered_at
