"""Concurrent writers on PostgreSQL, each thread with its own database connection."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from complaints import services
from complaints.choices import EventKind, State
from complaints.models import CaseEvent, Complaint
from core.exceptions import Conflict, TransitionNotAllowed
from core.models import User

from .rules import VALID_PAYLOADS

pytestmark = pytest.mark.timeout(60)


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at the same instant; return result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return results


def _transition(pk: int, user_pk: int, name: str) -> Callable[[], Complaint]:
    def call() -> Complaint:
        # Each thread loads its own objects, as two web requests would.
        complaint = Complaint.objects.get(pk=pk)
        actor = User.objects.get(pk=user_pk)
        return services.complaint_transition(
            complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
        )

    return call


@pytest.mark.parametrize(
    ("state", "first", "second"),
    [
        (State.RECEIVED, "start_listening", "start_listening"),
        (State.ASSESSING, "decide", "submit_for_approval"),
        (State.ASSESSING, "decide", "withdraw"),
        (State.AWAITING_APPROVAL, "approve", "reject"),
        (State.FOLLOWING_UP, "confirm_resolved", "reopen"),
    ],
)
def test_of_two_concurrent_transitions_exactly_one_wins(
    state, first, second, postgres, alice, make_complaint
):
    complaint = make_complaint(alice, state=state)
    events_before = CaseEvent.objects.filter(complaint=complaint).count()
    version = complaint.version

    results = run_together(
        _transition(complaint.pk, alice.manager.pk, first),
        _transition(complaint.pk, alice.manager2.pk, second),
    )

    winners = [r for r in results if isinstance(r, Complaint)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert len(losers) == 1
    assert isinstance(losers[0], TransitionNotAllowed | Conflict), repr(losers[0])
    assert isinstance(losers[0], Conflict)  # TransitionNotAllowed is a Conflict: HTTP 409
    assert str(losers[0].message)
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.state == winners[0].state
    assert stored.version == version + 1
    transitions = CaseEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION)
    assert CaseEvent.objects.filter(complaint=complaint).count() == events_before + 1
    assert transitions.count() == 1
    assert transitions.get().to_state == stored.state


def test_writers_naming_the_version_they_saw_do_not_both_win(postgres, alice, make_complaint):
    # record_findings then withdraw would be a valid sequence; a caller that names the
    # version it saw (the API's If-Match, the web form's hidden version) must not withdraw a
    # case that moved on under it.
    complaint = make_complaint(alice, state=State.INVESTIGATING)
    seen = complaint.version

    def call(name: str, user_pk: int) -> Callable[[], Complaint]:
        def run() -> Complaint:
            return services.complaint_transition(
                complaint=Complaint.objects.get(pk=complaint.pk),
                name=name,
                actor=User.objects.get(pk=user_pk),
                data=VALID_PAYLOADS[name],
                expected_version=seen,
            )

        return run

    results = run_together(
        call("record_findings", alice.advisor.pk), call("withdraw", alice.manager.pk)
    )

    assert sum(isinstance(r, Complaint) for r in results) == 1, results
    loser = next(r for r in results if isinstance(r, Exception))
    assert isinstance(loser, Conflict) and loser.code == "stale_version"
    assert CaseEvent.objects.filter(complaint=complaint, kind=EventKind.TRANSITION).count() == 1


def test_a_writer_holding_an_old_version_gets_a_conflict(postgres, alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)
    seen_version = complaint.version
    services.complaint_transition(complaint=complaint, name="start_listening", actor=alice.advisor)
    with pytest.raises(Conflict) as refused:
        services.complaint_transition(
            complaint=complaint,
            name="withdraw",
            actor=alice.manager,
            data={"reason": "Duplicate"},
            expected_version=seen_version,
        )
    assert refused.value.code == "stale_version"
    assert Complaint.objects.get(pk=complaint.pk).state == State.LISTENING


def test_concurrent_intake_hands_out_distinct_references(postgres, alice, customer):
    def intake(n: int) -> Callable[[], Complaint]:
        def call() -> Complaint:
            return services.complaint_create(
                dealer=alice.dealer,
                actor=User.objects.get(pk=alice.advisor.pk),
                customer=customer,
                channel="phone",
                category="attitude",
                description=f"Complaint number {n}",
            )

        return call

    results = run_together(*(intake(n) for n in range(8)))

    assert all(isinstance(r, Complaint) for r in results), results
    references = [r.reference for r in results]
    assert len(set(references)) == 8
    year = timezone.localtime(timezone.now(), alice.dealer.tzinfo).year
    assert all(re.fullmatch(rf"SH01-{year}-\d{{6}}", ref) for ref in references), references
    # Nothing rolled back, so there is no gap either.
    assert sorted(int(ref[-6:]) for ref in references) == list(range(1, 9))
    assert Complaint.objects.filter(dealer=alice.dealer).count() == 8


def test_two_desks_logging_the_same_new_customer_at_once_record_one_customer_and_one_case(
    postgres, alice
):
    from complaints.intake import CustomerInput, DuplicateComplaint, complaint_intake
    from dealers.models import Customer

    def intake() -> Complaint:
        # Each thread loads its own actor, as two web requests would.
        return complaint_intake(
            dealer=alice.dealer,
            actor=User.objects.get(pk=alice.advisor.pk),
            customer=CustomerInput(name="Li Lei", phone="139 0000 1111"),
            vehicle=None,
            channel="phone",
            category="attitude",
            description="Nobody called back.",
        )

    results = run_together(intake, intake)

    created = [r for r in results if isinstance(r, Complaint)]
    refused = [r for r in results if isinstance(r, DuplicateComplaint)]
    assert (len(created), len(refused)) == (1, 1), results
    assert refused[0].extra == {"reference": created[0].reference}
    assert Customer.objects.filter(dealer=alice.dealer).count() == 1
    assert Complaint.objects.filter(dealer=alice.dealer).count() == 1
