"""The escalation ladder, serious cases, an advisor's escalation and the unreachable rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent, Complaint
from followups import services
from followups.models import Deadline, Notification

from ..complaints.rules import SERIOUS_DECISION
from .conftest import START


def _who(**filters):
    return set(Notification.objects.filter(**filters).values_list("recipient__username", flat=True))


def test_a_breach_climbs_the_ladder_managers_first_then_the_region_a_day_later(
    following_up, alice, bob, clock, sweep
):
    complaint = following_up(is_safety_related=True)
    clock.shift(timedelta(hours=24))
    assert sweep().breached == 1
    assert _who(kind="deadline_breached") == {"sh01_advisor", "sh01_manager", "sh01_manager2"}
    assert not _who(kind="deadline_escalated")

    clock.shift(timedelta(hours=23, minutes=59))
    assert sweep().escalated == 0
    clock.shift(timedelta(minutes=1))
    assert sweep().escalated == 1
    assert _who(kind="deadline_escalated") == {"sh01_regional"}
    deadline = Deadline.objects.get(complaint=complaint, kind="follow_up")
    assert deadline.escalation_level == 2
    levels = [
        e.payload["escalation_level"]
        for e in CaseEvent.objects.filter(complaint=complaint, kind=EventKind.DEADLINE)
    ]
    assert levels == [1, 2]
    # Nothing more, however often the sweep runs.
    clock.shift(timedelta(days=3))
    assert (sweep().breached, sweep().escalated) == (0, 0)
    assert Notification.objects.count() == 4


def test_a_deadline_met_late_does_not_reach_the_region(following_up, alice, clock, sweep):
    following_up()
    clock.shift(timedelta(hours=73))
    sweep()
    complaint = Complaint.objects.get()
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="satisfied"
    )
    clock.shift(timedelta(days=2))
    assert sweep().escalated == 0
    assert not _who(kind="deadline_escalated")


def test_a_sweep_notifies_each_breach_once(make_complaint, alice, clock, sweep):
    for _ in range(3):
        complaint = make_complaint(alice, state=State.LISTENING)
        services.commitment_create(
            complaint=complaint,
            actor=alice.advisor,
            promise="Call",
            due_at=START + timedelta(hours=1),
        )
    clock.shift(timedelta(hours=2))
    assert sweep().breached == 3
    assert sweep().breached == 0
    assert Notification.objects.count() == 3 * 3
    assert Notification.objects.exclude(outbox_due_at=None).count() == 3 * 3


def test_a_serious_classification_notifies_managers_and_regional_staff_at_once(
    to_state, alice, bob, clock
):
    complaint = to_state("submit_for_approval", from_state=State.ASSESSING, data=SERIOUS_DECISION)
    assert _who(kind="serious_case", complaint=complaint) == {
        "sh01_manager",
        "sh01_manager2",
        "sh01_regional",
    }


def test_an_ordinary_decision_notifies_nobody(to_state, alice, clock):
    to_state("decide", from_state=State.ASSESSING)
    assert not Notification.objects.exists()


def test_an_advisor_may_escalate_any_case_to_the_managers(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.INVESTIGATING)
    complaint_services.complaint_escalate(
        complaint=complaint, actor=alice.advisor, reason="Customer threatens to go to the media"
    )
    assert _who(kind="case_escalated") == {"sh01_manager", "sh01_manager2"}
    assert "media" in Notification.objects.filter(kind="case_escalated").first().body


def test_three_unreachable_attempts_in_a_row_escalate_the_case_once(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.RESOLVING)
    for _ in range(2):
        services.contact_record(
            complaint=complaint, actor=alice.advisor, channel="phone", outcome="unreachable"
        )
        clock.shift(timedelta(hours=1))
    assert not Complaint.objects.get(pk=complaint.pk).escalated
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="sms", outcome="unreachable"
    )
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.escalated
    escalation = CaseEvent.objects.get(complaint=complaint, kind=EventKind.ESCALATION)
    assert "3 times" in escalation.comment
    assert _who(kind="case_escalated") == {"sh01_manager", "sh01_manager2"}
    clock.shift(timedelta(hours=1))
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="unreachable"
    )
    assert CaseEvent.objects.filter(complaint=complaint, kind=EventKind.ESCALATION).count() == 1


def test_reaching_the_customer_resets_the_unreachable_count(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.RESOLVING)
    for outcome in ("unreachable", "unreachable", "dissatisfied", "unreachable", "unreachable"):
        services.contact_record(
            complaint=complaint, actor=alice.advisor, channel="phone", outcome=outcome
        )
        clock.shift(timedelta(minutes=30))
    assert not Complaint.objects.get(pk=complaint.pk).escalated


def test_reopening_tells_the_co_owning_manager(following_up, alice, clock):
    complaint = following_up()
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="dissatisfied"
    )
    complaint = complaint_services.complaint_transition(
        complaint=complaint,
        name="reopen",
        actor=alice.advisor,
        data={"reason": "Noise is back", "co_owner": alice.manager2.pk},
    )
    assert _who(kind="case_escalated") == {"sh01_manager2"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_notifications_are_written_in_the_recipients_language(
    language, following_up, alice, clock, sweep, monkeypatch
):
    from django.utils import translation

    seen = []
    from followups import notify

    original = notify.breach_message

    def spy(deadline):
        seen.append(translation.get_language())
        return original(deadline)

    monkeypatch.setattr(notify, "breach_message", spy)
    from followups import sweep as sweep_module

    monkeypatch.setitem(sweep_module._MESSAGES, "deadline_breached", spy)
    alice.manager.language = language
    alice.manager.save(update_fields=["language"])
    following_up(is_safety_related=True)
    clock.shift(timedelta(hours=25))
    sweep()
    assert language in seen
    # Times are shown in the dealer's time zone.
    body = Notification.objects.filter(recipient=alice.manager).get().body
    assert "2026-03-03 09:00 (Asia/Shanghai)" in body
