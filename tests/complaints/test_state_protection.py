"""The state field changes only through transitions, even around reloads from the
database, in one thread or many."""

from __future__ import annotations

import pytest

from complaints import services
from complaints.choices import State
from complaints.models import Complaint

from .test_concurrency import run_together


def test_state_cannot_be_assigned_directly(alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)
    with pytest.raises(AttributeError):
        complaint.state = State.CLOSED
    assert Complaint.objects.get(pk=complaint.pk).state == State.RECEIVED


def test_a_reload_brings_the_state_another_request_set(alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)
    services.complaint_transition(
        complaint=Complaint.objects.get(pk=complaint.pk),
        name="start_listening",
        actor=alice.advisor,
    )
    complaint.refresh_from_db()
    assert complaint.state == State.LISTENING
    with pytest.raises(AttributeError):
        complaint.state = State.CLOSED


def test_a_failed_reload_leaves_the_state_protected(alice, make_complaint):
    complaint = make_complaint(alice, state=State.RECEIVED)
    other = Complaint.objects.get(pk=complaint.pk)
    Complaint.objects.filter(pk=complaint.pk).delete()  # no timeline yet, so it may go
    with pytest.raises(Complaint.DoesNotExist):
        complaint.refresh_from_db()
    with pytest.raises(AttributeError):
        other.state = State.CLOSED


def test_reloads_in_parallel_threads_neither_fail_nor_unprotect(postgres, alice, make_complaint):
    pks = [make_complaint(alice, state=State.RECEIVED).pk for _ in range(4)]

    def reload_many(pk: int):
        def run() -> int:
            complaint = Complaint.objects.get(pk=pk)
            for _ in range(100):
                complaint.refresh_from_db()
            return 100

        return run

    results = run_together(*(reload_many(pk) for pk in pks))
    assert results == [100, 100, 100, 100], results
    with pytest.raises(AttributeError):
        Complaint.objects.get(pk=pks[0]).state = State.CLOSED
