"""The migration that stores the one-click promises as codes: the promises stored with a
quick promise's label (Chinese or English) become its code; other words stay as typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from followups.models import Deadline
from tests.migrations import migrate_to_latest, migrated_back_from

BEFORE = [("followups", "0006_promise_code_and_informed_outcome")]
AFTER = [("followups", "0007_one_click_promises_stored_as_codes")]  # what is tested

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before():
    """The database before the migration; put back to the latest state afterwards."""
    with migrated_back_from(BEFORE) as apps:
        yield apps


def test_old_quick_promise_labels_become_codes_and_other_words_stay(before):
    region = before.get_model("dealers", "Region").objects.create(code="EAST", name="East")
    dealer = before.get_model("dealers", "Dealer").objects.create(
        code="SH01", name="Dealer", region=region
    )
    customer = before.get_model("dealers", "Customer").objects.create(
        dealer=dealer, name="王芳", phone="13800138000"
    )
    complaint = before.get_model("complaints", "Complaint").objects.create(
        dealer=dealer,
        customer=customer,
        reference="SH01-2026-000001",
        channel="phone",
        category="workmanship",
        description="x",
        original_description="x",
    )
    old = before.get_model("followups", "Deadline")
    due = timezone.now() + timedelta(hours=1)
    words = {
        "chinese": "20 分钟内回电",
        "english": "Feedback within 2 days",
        "own": "配件周五 10:00 到店",
    }
    ids = {
        name: old._base_manager.create(
            complaint=complaint, kind="commitment", due_at=due, promise=text, rule="promise"
        ).pk
        for name, text in words.items()
    }

    # Through AFTER to the latest state, which today's model reads.
    migrate_to_latest()

    rows = {row.pk: row for row in Deadline.objects.unscoped(reason="test").all()}
    chinese, english, own = (rows[ids[name]] for name in ("chinese", "english", "own"))
    assert (chinese.promise_code, chinese.promise) == ("callback_20m", "")
    assert (english.promise_code, english.promise) == ("feedback_2d", "")
    assert (own.promise_code, own.promise) == ("", "配件周五 10:00 到店")
    with translation.override("en"):
        assert chinese.promise_text == "Call back within 20 minutes"
    with translation.override("zh-hans"):
        assert english.promise_text == "2 天内反馈"
