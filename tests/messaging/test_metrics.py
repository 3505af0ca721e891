"""Texts to customers in the metrics: waiting in the outbox by channel, and a refused one
counted as a failed SMS attempt."""

from __future__ import annotations

from datetime import timedelta

from core.outbox import outbox_deliver
from messaging import services
from tests.messaging.test_sending import gateway  # noqa: F401 - a fixture
from tests.metrics import TOKEN, scrape, value

SMS = {"outbox": "customer_message", "channel": "sms"}


def test_a_refused_text_waits_by_its_channel_and_counts_as_a_failed_sms_attempt(
    intake_case,
    alice,
    gateway,  # noqa: F811 - the fixture imported above
    client,
    clock,
    settings,
):
    settings.METRICS_TOKEN = TOKEN
    gateway.status = 503
    complaint = intake_case()
    clock.shift(timedelta(hours=2))
    before = scrape(client)

    services.message_send(
        complaint=complaint, actor=alice.advisor, purpose="received", language="zh-hans"
    )
    waiting = scrape(client)
    assert outbox_deliver(names=["customer_message"]) == 0
    after = scrape(client)

    assert value(waiting, "outbox_messages_waiting", **SMS) == 1
    assert value(waiting, "outbox_messages_due", **SMS) == 1
    assert (
        value(waiting, "outbox_messages_waiting", outbox="customer_message", channel="email") == 0
    )
    failures = "outbox_attempt_failures_total"
    assert (
        value(after, failures, reason="refused", **SMS)
        - value(before, failures, reason="refused", **SMS)
        == 1
    )
    # Still owed, waiting for its next attempt: not due now.
    assert value(after, "outbox_messages_waiting", **SMS) == 1
    assert value(after, "outbox_messages_due", **SMS) == 0
    assert len(gateway.sent) == 1
