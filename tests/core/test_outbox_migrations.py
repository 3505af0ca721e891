"""The migrations that gave e-mails and webhooks the outbox's fields keep every row's state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.migrations import migrate_to, migrated_back_from

BEFORE = [("followups", "0003_notification_is_the_outbox"), ("api", "0001_initial")]
AFTER = [
    ("followups", "0004_notification_outbox_fields"),
    ("api", "0002_webhookdelivery_outbox_fields"),
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before():
    """The database as it was before the outbox; put back to the latest state afterwards."""
    with migrated_back_from(BEFORE) as apps:
        yield apps


def test_every_email_and_webhook_keeps_its_state_through_the_migration(before):
    now = timezone.now().replace(microsecond=0)
    user = before.get_model("core", "User").objects.create(username="manager", email="m@x.cn")
    region = before.get_model("dealers", "Region").objects.create(code="EAST", name="East")
    dealer = before.get_model("dealers", "Dealer").objects.create(
        code="SH01", name="Dealer", region=region
    )
    Notification = before.get_model("followups", "Notification")
    emails = {
        "waiting": Notification.objects.create(
            recipient=user, kind="case_escalated", title="a", email_to="m@x.cn", email_due_at=now
        ),
        "sent": Notification.objects.create(
            recipient=user,
            kind="case_escalated",
            title="b",
            email_to="m@x.cn",
            email_due_at=now,
            email_attempts=2,
            email_sent_at=now,
            email_last_error="",
        ),
        "failed": Notification.objects.create(
            recipient=user,
            kind="case_escalated",
            title="c",
            email_to="m@x.cn",
            email_due_at=now,
            email_attempts=8,
            email_failed_at=now,
            email_last_error="SMTP down",
        ),
        "in-app only": Notification.objects.create(
            recipient=user, kind="case_escalated", title="d"
        ),
    }
    endpoint = before.get_model("api", "WebhookEndpoint").objects.create(
        dealer=dealer, url="https://dms.example.com/hooks", secret="s"
    )
    Delivery = before.get_model("api", "WebhookDelivery")

    def delivery(status, **fields):
        return Delivery.objects.create(
            endpoint=endpoint,
            event_type="case.created",
            payload={"id": status},
            status=status,
            next_attempt_at=now,
            **fields,
        )

    hooks = {
        "pending": delivery("pending", attempts=1, last_error="HTTP 500"),
        "sending": delivery("sending", attempts=2, claimed_at=now),
        "delivered": delivery("delivered", attempts=1, claimed_at=now, delivered_at=now),
        "failed": delivery("failed", attempts=8, claimed_at=now, last_error="HTTP 503"),
    }

    after = migrate_to(AFTER)

    Notification = after.get_model("followups", "Notification")
    state = {
        name: Notification.objects.values(
            "email_to",
            "outbox_due_at",
            "outbox_attempts",
            "outbox_sent_at",
            "outbox_given_up_at",
            "outbox_last_error",
        ).get(pk=row.pk)
        for name, row in emails.items()
    }
    assert state["waiting"] == {
        "email_to": "m@x.cn",
        "outbox_due_at": now,
        "outbox_attempts": 0,
        "outbox_sent_at": None,
        "outbox_given_up_at": None,
        "outbox_last_error": "",
    }
    assert (state["sent"]["outbox_sent_at"], state["sent"]["outbox_attempts"]) == (now, 2)
    assert state["failed"]["outbox_given_up_at"] == now
    assert state["failed"]["outbox_last_error"] == "SMTP down"
    assert (state["in-app only"]["email_to"], state["in-app only"]["outbox_due_at"]) == ("", None)

    Delivery = after.get_model("api", "WebhookDelivery")
    fields = (
        "outbox_due_at",
        "outbox_attempts",
        "outbox_claimed_until",
        "outbox_sent_at",
        "outbox_given_up_at",
        "outbox_last_error",
    )
    state = {name: Delivery.objects.values(*fields).get(pk=row.pk) for name, row in hooks.items()}
    assert state["pending"] == dict(
        zip(fields, (now, 1, None, None, None, "HTTP 500"), strict=True)
    )
    assert state["sending"] == dict(
        zip(fields, (now, 2, now + timedelta(minutes=5), None, None, ""), strict=True)
    )
    assert state["delivered"] == dict(zip(fields, (now, 1, None, now, None, ""), strict=True))
    assert state["failed"] == dict(zip(fields, (now, 8, None, None, now, "HTTP 503"), strict=True))

    # And back: the statuses come back from the timestamps.
    restored = migrate_to(BEFORE).get_model("api", "WebhookDelivery")
    assert {name: restored.objects.get(pk=row.pk).status for name, row in hooks.items()} == {
        "pending": "pending",
        "sending": "sending",
        "delivered": "delivered",
        "failed": "failed",
    }
