"""Corrective actions are deadlines like the others (reminder, breach, escalation through the
sweep) and are checked by their owner when due (PDCA's Check and Act)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.exceptions import NotFound, PermissionDenied, ValidationFailed
from core.models import AuditEntry
from followups.models import Deadline, Notification
from followups.sweep import deadline_sweep
from learning import services
from learning.models import CorrectiveAction

from .conftest import review

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE_AT = datetime(2026, 3, 5, 18, 0, tzinfo=SHANGHAI)


@pytest.fixture
def action(alice, close_case, clock):
    complaint = close_case()
    return CorrectiveAction.objects.get(complaint=complaint)


def _kinds(user):
    """The deadline notifications the user got (closing the case told its owner too)."""
    return sorted(
        Notification.objects.filter(recipient=user, kind__startswith="deadline_").values_list(
            "kind", flat=True
        )
    )


def test_the_owner_is_reminded_a_day_before_the_action_is_due(alice, action, clock):
    clock.move_to(DUE_AT - timedelta(hours=25))
    deadline_sweep()
    assert _kinds(alice.advisor) == []
    clock.move_to(DUE_AT - timedelta(hours=23))
    deadline_sweep()
    assert _kinds(alice.advisor) == ["deadline_due_soon"]


def test_an_unchecked_action_is_breached_then_escalated_and_shows_on_the_timeline(
    alice, action, clock
):
    clock.move_to(DUE_AT + timedelta(minutes=1))
    result = deadline_sweep()
    assert result.breached == 1
    deadline = Deadline.objects.get(pk=action.deadline_id)
    assert deadline.breached_at is not None and deadline.escalation_level == 1
    assert "deadline_breached" in _kinds(alice.advisor)
    assert "deadline_breached" in _kinds(alice.manager)  # the dealer's managers hear of it
    assert action.complaint.events.filter(kind="deadline", payload__action="breached").exists()
    deadline_sweep()  # idempotent: nothing is notified twice
    assert _kinds(alice.advisor).count("deadline_breached") == 1

    clock.move_to(DUE_AT + timedelta(hours=25))
    assert deadline_sweep().escalated == 1
    assert "deadline_escalated" in _kinds(alice.regional)


def test_a_check_that_it_worked_ends_the_action_and_its_deadline(alice, action, clock):
    clock.move_to(DUE_AT - timedelta(hours=2))
    checked = services.corrective_action_check(
        action=action, actor=alice.advisor, result="worked", note="Checklist in use"
    )
    assert checked.state == "done" and checked.check_result == "worked"
    assert checked.checked_by == alice.advisor
    deadline = Deadline.objects.get(pk=action.deadline_id)
    assert deadline.satisfied_at is not None
    clock.move_to(DUE_AT + timedelta(days=2))
    assert deadline_sweep().breached == 0
    assert AuditEntry.objects.filter(action="corrective_action.checked").exists()
    assert action.complaint.events.filter(kind="learning", payload__result="worked").exists()


@pytest.mark.parametrize("result", ["not_done", "did_not_work"])
def test_a_failed_check_reopens_the_action_with_a_new_due_date(alice, action, clock, result):
    clock.move_to(DUE_AT + timedelta(hours=1))
    deadline_sweep()  # breached first: the check still counts
    first = Deadline.objects.get(pk=action.deadline_id)
    new_due = DUE_AT + timedelta(days=7)
    checked = services.corrective_action_check(
        action=action, actor=alice.advisor, result=result, new_due_at=new_due
    )
    assert checked.state == "open" and checked.check_result == result
    assert checked.due_at == new_due and checked.checks == 1
    first.refresh_from_db()
    assert first.satisfied_at is not None
    second = Deadline.objects.get(pk=checked.deadline_id)
    assert second.pk != first.pk and second.is_open and second.due_at == new_due
    assert AuditEntry.objects.filter(action="corrective_action.reopened").exists()
    # The new round is chased like the first one.
    clock.move_to(new_due + timedelta(minutes=1))
    assert deadline_sweep().breached == 1
    second.refresh_from_db()
    assert second.breached_at is not None


def test_a_failed_check_needs_a_new_due_date_in_the_future(alice, action, clock):
    with pytest.raises(ValidationFailed):
        services.corrective_action_check(action=action, actor=alice.advisor, result="not_done")
    with pytest.raises(ValidationFailed):
        services.corrective_action_check(
            action=action,
            actor=alice.advisor,
            result="not_done",
            new_due_at=DUE_AT - timedelta(days=10),
        )
    action.refresh_from_db()
    assert action.checks == 0 and Deadline.objects.get(pk=action.deadline_id).is_open


def test_an_action_that_worked_cannot_be_checked_again(alice, action, clock):
    services.corrective_action_check(action=action, actor=alice.advisor, result="worked")
    with pytest.raises(ValidationFailed):
        services.corrective_action_check(action=action, actor=alice.advisor, result="worked")


def test_who_may_check_an_action(alice, bob, action, stranger, clock):
    # A manager of the dealer may; another advisor, regional staff, another dealer and a
    # stranger may not (the last three do not even find it).
    from dealers.models import Role

    from ..factories import MembershipFactory, UserFactory

    other_advisor = UserFactory(username="sh01_advisor2")
    MembershipFactory(user=other_advisor, dealer=alice.dealer, role=Role.ADVISOR)
    with pytest.raises(PermissionDenied):
        services.corrective_action_check(action=action, actor=other_advisor, result="worked")
    with pytest.raises(PermissionDenied):
        services.corrective_action_check(action=action, actor=alice.regional, result="worked")
    for outsider in (bob.manager, stranger):
        with pytest.raises(NotFound):
            services.corrective_action_check(action=action, actor=outsider, result="worked")
    checked = services.corrective_action_check(action=action, actor=alice.manager2, result="worked")
    assert checked.state == "done"


def test_manager_sees_every_open_action_of_the_dealer(client, alice, bob, close_case, clock):
    close_case(data=review(owner=alice.manager2))
    close_case()
    close_case(staff=bob)
    client.force_login(alice.manager)
    body = client.get(reverse("corrective_actions")).content.decode()
    assert body.count("<tr class=") == 2
    assert str(alice.manager2) in body and str(alice.advisor) in body
    assert str(bob.advisor) not in body


def test_advisor_sees_only_their_own_actions_and_checks_them_from_the_page(
    client, alice, close_case, clock
):
    close_case(data=review(owner=alice.manager2))
    mine = CorrectiveAction.objects.get(complaint=close_case())
    client.force_login(alice.advisor)
    body = client.get(reverse("corrective_actions")).content.decode()
    assert "dealer-actions" not in body and body.count("check-form") == 1
    response = client.post(
        reverse("corrective_action_check", args=[mine.pk]),
        {"result": "did_not_work", "new_due": "2026-03-20", "note": "Still noisy"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.check_result == "did_not_work" and mine.state == "open"
    assert mine.due_at == datetime(2026, 3, 20, 18, 0, tzinfo=SHANGHAI)


def test_another_dealers_manager_gets_404_checking_from_the_page(client, alice, bob, action):
    client.force_login(bob.manager)
    response = client.post(
        reverse("corrective_action_check", args=[action.pk]), {"result": "worked"}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.state == "open"


def test_stranger_sees_no_actions_page(client, stranger):
    client.force_login(stranger)
    assert client.get(reverse("corrective_actions")).status_code == 404


def test_the_managers_log_names_the_checked_action_by_its_case_reference(alice, action, client):
    services.corrective_action_check(action=action, actor=alice.advisor, result="worked")
    entry = AuditEntry.objects.get(action="corrective_action.checked")
    assert entry.object_label == f"{action.complaint.reference} #{action.position}"
