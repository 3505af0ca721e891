"""Promises to the customer: in their own words with a due time, or a quick promise stored
as its code and read in each reader's language; a warning to the promise's owner at 80 % of
its time; kept and broken promises said so on the timeline. And contacts that only inform
the customer of progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from complaints import services as complaint_services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent
from core.exceptions import ValidationFailed
from followups import services
from followups.choices import PromiseCode
from followups.models import Deadline, Notification

from .conftest import START


def _reader(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _text(event, language):
    with translation.override(language):
        return event.text


# --- words, times and codes -------------------------------------------------------------


def test_a_promise_in_the_customers_words_is_stored_as_typed_with_its_due_time(
    make_complaint, alice, clock
):
    complaint = make_complaint(alice, state=State.LISTENING)
    due = START + timedelta(days=3, hours=1)  # "parts arrive Friday 10:00"
    deadline = services.commitment_create(
        complaint=complaint, actor=alice.advisor, promise="配件周五 10:00 到店", due_at=due
    )
    deadline.refresh_from_db()
    assert (deadline.promise, deadline.promise_code, deadline.due_at) == (
        "配件周五 10:00 到店",
        "",
        due,
    )
    with translation.override("en"):
        assert deadline.promise_text == "配件周五 10:00 到店"


def test_a_quick_promise_is_stored_as_its_code_and_read_in_the_readers_language(
    make_complaint, alice, clock
):
    complaint = make_complaint(alice, state=State.LISTENING)
    deadline = services.commitment_create(
        complaint=complaint, actor=alice.advisor, code=PromiseCode.CALLBACK_20M
    )
    deadline.refresh_from_db()
    assert (deadline.promise, deadline.promise_code) == ("", "callback_20m")
    assert deadline.due_at == START + timedelta(minutes=20)
    with translation.override("en"):
        assert deadline.promise_text == "Call back within 20 minutes"
    with translation.override("zh-hans"):
        assert deadline.promise_text == "20 分钟内回电"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "callback_20m", "promise": "Call back soon"}, "promise"),
        ({"code": "callback_5m"}, "code"),
        ({"promise": "Call back within 30 minutes"}, "due_at"),
        ({"promise": "   ", "due_at": START + timedelta(hours=1)}, "promise"),
    ],
)
def test_a_promise_that_is_neither_a_quick_one_nor_words_with_a_time_is_refused(
    kwargs, field, make_complaint, alice, clock
):
    complaint = make_complaint(alice, state=State.LISTENING)
    with pytest.raises(ValidationFailed) as refused:
        services.commitment_create(complaint=complaint, actor=alice.advisor, **kwargs)
    assert field in refused.value.field_errors
    assert not Deadline.objects.exists() and not CaseEvent.objects.exists()


# --- the warning before a promise falls due -----------------------------------------------


def test_the_owner_is_warned_at_80_percent_of_the_promises_time_then_it_is_breached(
    make_complaint, alice, clock, sweep
):
    complaint = make_complaint(alice, state=State.RESOLVING)
    _reader(alice.advisor, "en")
    services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="Call back within 30 minutes",
        due_at=START + timedelta(minutes=100),
    )
    clock.shift(timedelta(minutes=79))
    assert sweep().reminded == 0
    clock.shift(timedelta(minutes=1))
    assert sweep().reminded == 1
    warning = Notification.objects.get(kind="deadline_due_soon")
    assert warning.recipient == alice.advisor
    assert "Due soon" in warning.title and complaint.reference in warning.title
    assert "“Call back within 30 minutes”" in warning.body
    assert "contact the customer in advance" in warning.body
    assert sweep().reminded == 0  # once only
    clock.shift(timedelta(minutes=20, seconds=1))
    assert sweep().breached == 1
    assert Notification.objects.filter(kind="deadline_due_soon").count() == 1


def test_a_quick_promise_warns_its_owner_in_their_language_16_minutes_into_20(
    make_complaint, alice, clock, sweep
):
    complaint = make_complaint(alice, state=State.RESOLVING, assignee=alice.manager)
    _reader(alice.advisor, "zh-hans")
    services.commitment_create(complaint=complaint, actor=alice.advisor, code="callback_20m")
    clock.shift(timedelta(minutes=15, seconds=59))
    assert sweep().reminded == 0
    clock.shift(timedelta(seconds=1))
    assert sweep().reminded == 1
    # The one who promised is warned (not the case's assignee), in Chinese.
    (warning,) = Notification.objects.filter(kind="deadline_due_soon")
    assert warning.recipient == alice.advisor
    assert "“20 分钟内回电”" in warning.body and "Call back" not in warning.body


def test_a_kept_promise_gives_no_warning(make_complaint, alice, clock, sweep):
    complaint = make_complaint(alice, state=State.RESOLVING)
    deadline = services.commitment_create(
        complaint=complaint, actor=alice.advisor, code="callback_2h"
    )
    clock.shift(timedelta(minutes=30))
    services.commitment_keep(deadline=deadline, actor=alice.advisor)
    clock.shift(timedelta(hours=3))
    result = sweep()
    assert (result.reminded, result.breached) == (0, 0)


# --- the timeline -------------------------------------------------------------------------


def test_the_timeline_says_what_was_promised_and_when_in_each_readers_language(
    make_complaint, alice, clock
):
    complaint = make_complaint(alice, state=State.LISTENING)
    services.commitment_create(complaint=complaint, actor=alice.advisor, code="feedback_24h")
    services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="Parts arrive Friday 10:00",
        due_at=START + timedelta(days=4, hours=1),
    )
    quick, words = CaseEvent.objects.filter(kind=EventKind.COMMITMENT).order_by("pk")
    assert _text(quick, "en") == (
        "Promised: “Feedback within 24 hours”, due 2026-03-03 09:00 (Asia/Shanghai)"
    )
    assert _text(quick, "zh-hans") == (
        "已承诺：“24 小时内反馈”，兑现时间 2026-03-03 09:00 (Asia/Shanghai)"
    )
    assert _text(words, "en") == (
        "Promised: “Parts arrive Friday 10:00”, due 2026-03-06 10:00 (Asia/Shanghai)"
    )
    # The person's words are the event's own, as typed.
    assert words.comment == "Parts arrive Friday 10:00" and quick.comment == ""


def test_a_kept_promise_reads_as_kept_and_a_late_one_as_kept_late(make_complaint, alice, clock):
    complaint = make_complaint(alice, state=State.RESOLVING)
    on_time = services.commitment_create(
        complaint=complaint, actor=alice.advisor, code="callback_20m"
    )
    late = services.commitment_create(
        complaint=complaint,
        actor=alice.advisor,
        promise="Loan car by 10:00",
        due_at=START + timedelta(minutes=30),
    )
    clock.shift(timedelta(minutes=10))
    services.commitment_keep(deadline=on_time, actor=alice.advisor, note="Called, all clear")
    clock.shift(timedelta(minutes=40))
    services.commitment_keep(deadline=late, actor=alice.advisor)
    kept = CaseEvent.objects.filter(kind=EventKind.COMMITMENT, payload__action="kept")
    first, second = kept.order_by("pk")
    assert _text(first, "en") == "Promise kept: “Call back within 20 minutes”\nCalled, all clear"
    assert _text(first, "zh-hans").startswith("承诺已兑现：“20 分钟内回电”")
    assert _text(second, "en") == (
        "Promise kept late: “Loan car by 10:00”, it was due 2026-03-02 09:30 (Asia/Shanghai)"
    )
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.promise_status, late.promise_status) == ("kept", "kept_late")


def test_a_broken_promise_says_which_promise_was_broken(make_complaint, alice, clock, sweep):
    complaint = make_complaint(alice, state=State.RESOLVING)
    deadline = services.commitment_create(
        complaint=complaint, actor=alice.advisor, code="callback_2h"
    )
    assert deadline.promise_status == "open"
    clock.shift(timedelta(hours=2, seconds=1))
    assert sweep().breached == 1
    event = CaseEvent.objects.get(kind=EventKind.DEADLINE)
    assert _text(event, "en").endswith("The promise “Call back within 2 hours” is broken.")
    assert _text(event, "zh-hans").endswith("承诺“2 小时内回电”未兑现。")
    deadline.refresh_from_db()
    assert deadline.promise_status == "broken"


def test_an_old_promise_stored_in_chinese_reads_in_english_for_an_english_reader(
    make_complaint, alice, clock
):
    complaint = make_complaint(alice, state=State.LISTENING)
    # As intake stored a one-click promise before: its label, in the writer's language.
    event = CaseEvent.objects.create(
        complaint=complaint,
        kind=EventKind.COMMITMENT,
        actor_label="advisor",
        comment="2 小时内回电",
        payload={"action": "made", "due_at": "2026-03-02T03:00:00Z"},
    )
    assert _text(event, "en") == (
        "Promised: “Call back within 2 hours”, due 2026-03-02 11:00 (Asia/Shanghai)"
    )


def test_a_promised_repair_date_reads_in_the_readers_language(to_state, alice, clock):
    complaint = to_state("decide", from_state=State.ASSESSING)
    services.repair_promise_set(
        complaint=complaint, actor=alice.advisor, due_at=START + timedelta(days=2, hours=8)
    )
    event = CaseEvent.objects.get(kind=EventKind.COMMITMENT, payload__action="repair_promised")
    assert event.comment == ""
    assert _text(event, "en") == "Repair promised by 2026-03-04 17:00 (Asia/Shanghai)"
    assert _text(event, "zh-hans") == "承诺于 2026-03-04 17:00 (Asia/Shanghai) 前完成维修"


# --- contacts: informed of progress -------------------------------------------------------


def test_informing_the_customer_of_progress_meets_the_first_response(make_complaint, alice, clock):
    complaint = complaint_services.complaint_create(
        dealer=alice.dealer,
        actor=alice.advisor,
        customer=make_complaint(alice).customer,
        vehicle=None,
        channel="phone",
        category="workmanship",
        description="The screen goes black.",
    )
    clock.shift(timedelta(hours=2))
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="informed"
    )
    first = Deadline.objects.get(complaint=complaint, kind="first_response")
    assert first.satisfied_at == START + timedelta(hours=2)


def test_informing_the_customer_of_progress_does_not_let_the_case_be_confirmed_resolved(
    following_up, alice, clock
):
    complaint = following_up()
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="informed"
    )
    # It is a follow-up contact (the follow-up deadline is met) ...
    assert Deadline.objects.get(complaint=complaint, kind="follow_up").satisfied_at is not None
    # ... but the customer did not say they are satisfied, nor dissatisfied.
    for name in ("confirm_resolved", "reopen"):
        assert name in complaint_services.available_transitions(
            complaint=complaint, actor=alice.advisor
        )
    with pytest.raises(ValidationFailed) as refused:
        complaint_services.complaint_transition(
            complaint=complaint, name="confirm_resolved", actor=alice.advisor, data={}
        )
    assert "contact" in refused.value.field_errors
    complaint.refresh_from_db()
    assert complaint.state == State.FOLLOWING_UP


# --- why a deadline was met or dropped ----------------------------------------------------


def test_a_deadlines_outcome_is_stored_as_a_code_and_read_in_the_readers_language(
    make_complaint, alice, clock
):
    complaint = complaint_services.complaint_create(
        dealer=alice.dealer,
        actor=alice.advisor,
        customer=make_complaint(alice).customer,
        vehicle=None,
        channel="phone",
        category="workmanship",
        description="The screen goes black.",
    )
    promise = services.commitment_create(
        complaint=complaint, actor=alice.advisor, code="feedback_2d"
    )
    services.contact_record(
        complaint=complaint, actor=alice.advisor, channel="phone", outcome="informed"
    )
    complaint_services.complaint_transition(
        complaint=complaint,
        name="withdraw",
        actor=alice.manager,
        data={"reason": "Logged twice by mistake."},
    )
    first = Deadline.objects.get(complaint=complaint, kind="first_response")
    promise.refresh_from_db()
    assert first.outcome_reason == "@contact_reached:phone"
    assert promise.outcome_reason == "@withdraw:withdrawn"
    with translation.override("en"):
        assert first.outcome_text == "Customer reached by Phone"
        assert promise.outcome_text == "Case moved to step “Withdrawn”"
    with translation.override("zh-hans"):
        assert first.outcome_text == "已通过电话联系上顾客"
        assert promise.outcome_text == "案件进入“已撤回”步骤"
