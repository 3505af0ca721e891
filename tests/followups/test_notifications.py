"""In-app notifications, their e-mails (the outbox), the command and per-dealer rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from core.exceptions import NotFound, PermissionDenied, ValidationFailed
from core.outbox import outbox_deliver
from core.tasks import deliver_outbox
from followups import selectors, services
from followups.models import Deadline, Notification
from followups.tasks import sweep_deadlines

from .conftest import START


@pytest.fixture
def breached(following_up, clock, sweep):
    """A safety case whose follow-up was missed and swept: three notifications, three e-mails."""
    complaint = following_up(is_safety_related=True)
    clock.shift(timedelta(hours=25))
    sweep()
    return complaint


def test_a_user_reads_only_their_own_notifications(breached, alice, bob):
    mine = selectors.notification_list(user=alice.manager)
    assert [n.recipient for n in mine] == [alice.manager]
    assert selectors.unread_count(user=alice.manager) == 1
    assert selectors.unread_count(actor=alice.advisor) == 1  # alias used by the pages
    assert selectors.unread_count(user=alice.regional) == 0
    assert selectors.unread_count(user=bob.manager) == 0
    with pytest.raises(NotFound):
        selectors.notification_get(user=bob.manager, pk=mine[0].pk)


def test_marking_read_clears_the_unread_count_and_only_for_the_recipient(breached, alice):
    notification = selectors.notification_list(user=alice.manager).get()
    with pytest.raises(NotFound):
        services.notification_mark_read(notification=notification, user=alice.manager2)
    services.notification_mark_read(notification=notification, user=alice.manager)
    assert selectors.unread_count(user=alice.manager) == 0
    assert selectors.unread_count(user=alice.manager2) == 1
    assert services.notification_mark_all_read(user=alice.manager2) == 1
    assert selectors.notification_list(user=alice.manager2, unread_only=True).count() == 0


def test_the_outbox_delivers_each_email_once(breached, alice):
    assert outbox_deliver() == 3
    assert outbox_deliver() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (alice.advisor, alice.manager, alice.manager2)
    )
    message = next(m for m in mail.outbox if m.to == [alice.manager.email])
    assert breached.reference in message.subject
    assert "Follow-up after service" in message.body
    assert Notification.objects.filter(outbox_sent_at__isnull=False).count() == 3


def test_a_failed_email_is_retried_with_backoff_and_given_up_in_the_end(
    breached, alice, clock, monkeypatch
):
    from django.core.mail import EmailMessage

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    assert outbox_deliver() == 0
    row = Notification.objects.filter(email_to=alice.manager.email).get()
    assert row.outbox_attempts == 1 and "SMTP down" in row.outbox_last_error
    assert row.outbox_due_at == START + timedelta(hours=25, seconds=30)
    assert outbox_deliver() == 0  # not due yet
    assert Notification.objects.get(pk=row.pk).outbox_attempts == 1
    for _ in range(settings.OUTBOX_MAX_ATTEMPTS):
        clock.shift(timedelta(hours=1))
        outbox_deliver()
    row.refresh_from_db()
    assert row.outbox_attempts == settings.OUTBOX_MAX_ATTEMPTS
    assert row.outbox_given_up_at is not None and row.outbox_sent_at is None
    monkeypatch.undo()
    clock.shift(timedelta(hours=2))
    assert outbox_deliver() == 0  # given up rows stay given up


def test_an_email_claimed_by_a_worker_that_died_is_sent_after_the_lease(breached, clock):
    now = START + timedelta(hours=25)
    Notification.objects.update(outbox_claimed_until=now + timedelta(minutes=5), outbox_attempts=1)
    assert outbox_deliver() == 0
    clock.shift(timedelta(minutes=6))
    assert outbox_deliver() == 3
    assert len(mail.outbox) == 3


def test_the_tasks_sweep_and_deliver(following_up, clock):
    following_up(is_safety_related=True)
    clock.shift(timedelta(hours=25))
    assert "breached=1" in sweep_deadlines()
    assert deliver_outbox() == 3
    assert len(mail.outbox) == 3


def test_the_command_sweeps_and_delivers_once(following_up, clock, capsys):
    complaint = following_up(is_safety_related=True)
    clock.shift(timedelta(hours=25))
    call_command("sweep_deadlines")
    call_command("sweep_deadlines")
    out = capsys.readouterr().out
    assert "breached=1" in out and "E-mails sent: 3" in out
    assert Deadline.objects.get(complaint=complaint, kind="follow_up").breached_at is not None
    assert Notification.objects.count() == 3 and len(mail.outbox) == 3


# --- per-dealer rules -------------------------------------------------------------------


def test_a_manager_shortens_a_limit_for_new_deadlines_only(to_state, alice, clock):
    from complaints.choices import State

    before = to_state("submit_for_approval", from_state=State.ASSESSING)
    services.deadline_rule_update(
        dealer=alice.dealer, actor=alice.manager, kind="approval", hours=2
    )
    after = to_state("submit_for_approval", from_state=State.ASSESSING)
    assert Deadline.objects.get(complaint=before, kind="approval").due_at == START + timedelta(
        hours=8
    )
    deadline = Deadline.objects.get(complaint=after, kind="approval")
    assert deadline.due_at == START + timedelta(hours=2)
    assert deadline.rule == "dealer: approval 2h"


def test_a_dealer_may_tighten_the_follow_up_rule_but_never_loosen_it(following_up, alice, clock):
    with pytest.raises(ValidationFailed) as refused:
        services.deadline_rule_update(
            dealer=alice.dealer, actor=alice.manager, kind="follow_up", safety_hours=48
        )
    assert "safety_hours" in refused.value.field_errors
    services.deadline_rule_update(
        dealer=alice.dealer, actor=alice.manager, kind="follow_up", hours=48, safety_hours=12
    )
    safety = following_up(is_safety_related=True)
    ordinary = following_up(is_safety_related=False)
    assert Deadline.objects.get(complaint=safety).due_at == START + timedelta(hours=12)
    assert Deadline.objects.get(complaint=ordinary).due_at == START + timedelta(hours=48)


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        ("approval", {"hours": 0}, "hours"),
        ("approval", {"hours": "8"}, "hours"),
        ("approval", {"safety_hours": 4}, "safety_hours"),
        ("commitment", {"hours": 4}, "hours"),
        ("nonsense", {"hours": 4}, "kind"),
        ("repair_completion", {"remind_before_hours": 24 * 7 + 1}, "remind_before_hours"),
    ],
)
def test_a_wrong_rule_is_refused(kind, values, field, alice):
    with pytest.raises(ValidationFailed) as refused:
        services.deadline_rule_update(dealer=alice.dealer, actor=alice.manager, kind=kind, **values)
    assert field in refused.value.field_errors


def test_only_a_manager_of_the_dealer_changes_its_rules(alice, bob):
    for actor in (alice.advisor, alice.regional, bob.manager):
        with pytest.raises(PermissionDenied):
            services.deadline_rule_update(
                dealer=alice.dealer, actor=actor, kind="approval", hours=4
            )
    assert selectors.deadline_rule_list(actor=alice.manager, dealer=alice.dealer).count() == 0
