"""The sweep's cost does not grow with the breaches it handles: a batch is read, claimed and
written with a fixed number of statements, webhooks included, and every breach still gets
its timeline event, its notifications and its deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.choices import EventKind, State
from core.outbox import outbox_deliver
from followups.models import Deadline, Notification
from followups.signals import deadline_breached, deadlines_breached
from followups.sweep import deadline_sweep
from integrations.models import WebhookDelivery, WebhookEndpoint

from ..factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def _breach(dealers, per_dealer: int) -> list[Deadline]:
    past = timezone.now() - timedelta(hours=1)
    deadlines = []
    for index in range(per_dealer):
        for people in dealers:
            case = ComplaintFactory(
                dealer=people.dealer, assignee=people.advisor, state=State.RESOLVING
            )
            deadlines.append(
                Deadline.objects.create(
                    complaint=case,
                    kind="commitment",
                    due_at=past - timedelta(minutes=index),
                    promise="We will call you back",
                )
            )
    return deadlines


def _sweep_queries() -> int:
    with CaptureQueriesContext(connection) as captured:
        deadline_sweep()
    return len(captured.captured_queries)


def _hooks(*dealers) -> None:
    for people in dealers:
        WebhookEndpoint.objects.create(
            dealer=people.dealer, url="https://hooks.example.com/in", events=["deadline.breached"]
        )


def test_the_sweep_runs_as_many_queries_for_forty_breaches_as_for_two(alice, bob):
    _hooks(alice, bob)
    _breach([alice, bob], 1)
    few = _sweep_queries()

    _breach([alice, bob], 20)
    many = _sweep_queries()

    assert many == few
    assert WebhookDelivery.objects.count() == 42


def test_every_breach_of_a_batch_gets_its_event_notifications_and_emails(alice, bob):
    deadlines = _breach([alice, bob], 3)

    assert deadline_sweep().breached == 6

    for deadline in deadlines:
        deadline.refresh_from_db()
        assert deadline.breached_at is not None and deadline.escalation_level == 1
        events = deadline.complaint.events.filter(kind=EventKind.DEADLINE)
        assert [event.payload["action"] for event in events] == ["breached"]
        people = alice if deadline.complaint.dealer_id == alice.dealer.pk else bob
        assert set(
            Notification.objects.filter(deadline=deadline).values_list("recipient", flat=True)
        ) == {people.advisor.pk, people.manager.pk, people.manager2.pk}
    assert (
        Notification.objects.exclude(outbox_due_at=None).count()
        == Notification.objects.count()
        == 18
    )
    assert deadline_sweep().breached == 0
    assert Notification.objects.count() == 18


def test_a_sweep_batch_is_announced_once_and_each_breach_to_per_breach_listeners(alice, bob):
    _breach([alice, bob], 2)
    batches: list[list[str]] = []
    single: list[str] = []

    def on_batch(sender, *, deadlines, **kwargs):
        batches.append(sorted(d.complaint.reference for d in deadlines))

    def on_one(sender, *, deadline, complaint, **kwargs):
        assert deadline.complaint is complaint and deadline.breached_at is not None
        single.append(complaint.reference)

    deadlines_breached.connect(on_batch, dispatch_uid="test.batch")
    deadline_breached.connect(on_one, dispatch_uid="test.one")
    try:
        deadline_sweep()
    finally:
        deadlines_breached.disconnect(dispatch_uid="test.batch")
        deadline_breached.disconnect(dispatch_uid="test.one")

    assert len(batches) == 1 and len(batches[0]) == 4
    assert sorted(single) == batches[0]


def test_a_breach_writes_its_event_and_one_message_per_language(alice):
    (deadline,) = _breach([alice], 1)
    alice.manager.language = "zh-hans"
    alice.manager.save(update_fields=["language"])
    now = timezone.now()

    assert deadline_sweep(now=now).breached == 1

    event = deadline.complaint.events.get(kind=EventKind.DEADLINE)
    assert (event.actor_id, event.api_key_id, event.created_at) == (None, None, now)
    assert event.transition == event.from_state == event.to_state == ""
    # The event stores facts only; its words are rendered when read (see test_timeline_text).
    assert (event.actor_label, event.comment) == ("", "")
    assert event.text.startswith("Deadline missed: Promise to the customer, due ")
    assert event.payload == {
        "action": "breached",
        "deadline": deadline.pk,
        "kind": "commitment",
        "due_at": DjangoJSONEncoder().default(deadline.due_at),
        "escalation_level": 1,
        # What was promised, as typed or as a quick promise's code: read when read.
        "promise": deadline.promise,
        "code": "",
    }
    notifications = {n.recipient_id: n for n in Notification.objects.filter(deadline=deadline)}
    assert set(notifications) == {alice.advisor.pk, alice.manager.pk, alice.manager2.pk}
    chinese = notifications[alice.manager.pk]
    english = notifications[alice.advisor.pk]
    assert english.title.startswith("Missed: ") and "We will call you back" in english.body
    assert chinese.title.startswith("已超时：") and "We will call you back" in chinese.body
    assert (notifications[alice.manager2.pk].title, notifications[alice.manager2.pk].body) == (
        english.title,
        english.body,
    )
    for notification in notifications.values():
        assert notification.complaint_id == deadline.complaint_id
        assert notification.kind == "deadline_breached"
        assert notification.created_at == now and notification.read_at is None
    emails = Notification.objects.exclude(outbox_due_at=None).filter(
        deadline=deadline, outbox_due_at=now
    )
    assert sorted(emails.values_list("email_to", flat=True)) == sorted(
        user.email for user in (alice.advisor, alice.manager, alice.manager2)
    )


def test_a_recipient_without_an_address_is_notified_in_the_app_only(alice):
    (deadline,) = _breach([alice], 1)
    alice.manager2.email = ""
    alice.manager2.save(update_fields=["email"])

    deadline_sweep()

    quiet = Notification.objects.get(deadline=deadline, recipient=alice.manager2)
    assert (quiet.email_to, quiet.outbox_due_at) == ("", None)
    assert Notification.objects.filter(deadline=deadline).count() == 3
    assert outbox_deliver() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [alice.advisor.email, alice.manager.email]
    )
    assert Notification.objects.get(pk=quiet.pk).outbox_sent_at is None
