"""End to end in a real browser: a photo attached at step 3 (现地现物), cited as the evidence of
the decision, an emergency parts order recorded in step 5, all of it on the timeline."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.choices import State
from core.outbox import outbox_deliver
from evidence.models import Attachment, Citation
from messaging.models import MessagingSettings
from repairs.models import PartsOrder
from tests.evidence.files import jpeg
from tests.factories import ComplaintFactory
from tests.followups.conftest import in_memory_broker  # noqa: F401

from .test_browser import press, use_english

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def evidence_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


def test_a_photo_attached_at_step_3_is_cited_in_the_decision_and_parts_are_ordered(
    page,
    live_server,
    alice,
    log_in,
    shoot,
    tmp_path,
    evidence_folder,
    settings,
    in_memory_broker,  # noqa: F811
):
    use_english(alice.advisor)
    settings.CUSTOMER_MESSAGE_FILE_PATH = str(tmp_path / "messages")
    settings.CUSTOMER_SMS_BACKEND = "messaging.senders.FileBackend"
    # Whatever the hour of the run, no quiet hours hold the message back.
    MessagingSettings.objects.create(
        dealer=alice.dealer, quiet_from=time(0, 0), quiet_until=time(0, 0)
    )
    complaint = ComplaintFactory(
        dealer=alice.dealer, assignee=alice.advisor, state=State.INVESTIGATING
    )
    photo = tmp_path / "oil-sludge.jpg"
    photo.write_bytes(jpeg(size=(1200, 900)))
    log_in(alice.advisor)
    page.goto(f"{live_server.url}/cases/{complaint.reference}/")

    # Step 3: check the vehicle and photograph what was found. The input opens a tablet's
    # camera; here it is given a file.
    upload = page.locator("#attachment-form")
    expect(upload.locator('input[type="file"]')).to_have_attribute("capture", "environment")
    upload.locator('input[type="file"]').set_input_files(str(photo))
    upload.get_by_label("Caption").fill("Engine oil sludge: no oil change for 3 years")
    upload.get_by_role("button", name="Attach").click()
    expect(page.locator(".alert-success")).to_contain_text("attached")
    evidence = page.locator(".evidence-list")
    expect(evidence).to_contain_text("oil-sludge.jpg")
    expect(evidence).to_contain_text("Investigating")
    thumbnail = evidence.locator("img").first
    expect(thumbnail).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", thumbnail.element_handle()) == 480
    attachment = Attachment.objects.get()
    shoot("40-evidence-attached")

    page.get_by_label("A fault exists").check()
    page.get_by_label("Root cause").fill("Engine oil never changed; sludge blocked the pickup.")
    press(page, "record_findings")
    expect(page.locator(".state-badge")).to_have_text("Assessing")

    # Step 4: the customer is held responsible, on the strength of the photo.
    page.get_by_label("Normal", exact=True).check()
    page.locator("#id_responsibility").select_option("customer")
    page.get_by_label("Responsibility reason").select_option("no_maintenance")
    page.get_by_label(re.compile("oil-sludge.jpg")).check()
    page.get_by_label("Option 1").fill("Engine cleaning at cost price")
    page.get_by_label("Option 2").fill("Engine cleaning at full price with a free oil change")
    page.get_by_label("Chosen resolution").fill("Engine cleaning at cost price")
    shoot("41-decision-cites-evidence")
    press(page, "decide")
    expect(page.locator(".state-badge")).to_have_text("Resolving")
    assert Citation.objects.get().attachment == attachment
    cited = page.locator(".cited-evidence")
    expect(cited).to_contain_text("Evidence cited")
    expect(cited).to_contain_text("oil-sludge.jpg")

    # Step 5: an emergency parts order; its arrival becomes a deadline.
    expected = (
        timezone.localtime(timezone.now(), alice.dealer.tzinfo) + timedelta(days=3)
    ).replace(hour=10, minute=0, second=0, microsecond=0)
    page.get_by_text("Record an emergency parts order").click()
    parts = page.locator("#parts-form")
    parts.get_by_label("Part").fill("Oil pump pickup screen")
    parts.get_by_label("Quantity").fill("1")
    parts.get_by_label("Order number").fill("EO-2026-0815")
    parts.get_by_label("Expected arrival").fill(expected.strftime("%Y-%m-%dT%H:%M"))
    parts.get_by_role("button", name="Record order").click()
    expect(page.locator(".alert-success")).to_contain_text("emergency parts order")
    expect(page.locator(".parts-orders")).to_contain_text("Oil pump pickup screen ×1")
    expect(page.locator(".deadlines")).to_contain_text("Emergency parts arrival")
    assert PartsOrder.objects.get().expected_at == expected

    # The customer hears how it goes: a progress message from the case page.
    form = page.locator("#message-form")
    form.get_by_label("Message").select_option("progress")
    form.get_by_label("Language").select_option("en")
    form.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("on its way to the customer")
    assert outbox_deliver(names=["customer_message"]) == 1
    page.reload()

    # The timeline tells the whole story.
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Progress update by SMS · Delivered")
    expect(timeline).to_contain_text("Added photo “oil-sludge.jpg”")
    expect(timeline).to_contain_text("Evidence cited")
    expect(timeline).to_contain_text("Emergency parts order EO-2026-0815")
    shoot("42-evidence-and-parts-on-the-timeline")

    # The file itself comes as a download, never as a page.
    with page.expect_download() as download:
        page.locator(".evidence-list a[data-action=download]").first.click()
    assert download.value.suggested_filename == "oil-sludge.jpg"
