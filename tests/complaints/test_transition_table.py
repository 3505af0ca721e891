"""Every transition name from every state: allowed pairs move the case and leave one event;
every other pair is refused with a reason, the allowed list, and no change at all."""

from __future__ import annotations

import pytest

from complaints import services
from complaints.choices import EventKind
from complaints.models import CaseEvent, Complaint
from core.exceptions import TransitionNotAllowed

from .rules import MANAGER, STATES, TABLE, TRANSITIONS, VALID_PAYLOADS, allowed_from, snapshot

PAIRS = [(state, name) for state in STATES for name in TRANSITIONS]
ALLOWED = [(s, n) for s, n in PAIRS if s in TABLE[n][0]]
REFUSED = [(s, n) for s, n in PAIRS if s not in TABLE[n][0]]


def test_the_table_covers_every_state_and_transition_of_the_code():
    assert len(PAIRS) == 120
    assert set(TRANSITIONS) == set(services.TRANSITION_NAMES)
    assert set(STATES) == {choice for choice, _label in Complaint._meta.get_field("state").choices}
    # Every state but the two ends can be left, and every state can be reached.
    assert {s for s, _n in ALLOWED} == set(STATES) - {"closed", "withdrawn"}
    assert {TABLE[n][1] for n in TABLE} == set(STATES) - {"received"}


def _actor_for(staff, name):
    return staff.manager if TABLE[name][2] == MANAGER else staff.advisor


@pytest.mark.parametrize(("state", "name"), ALLOWED)
def test_allowed_transition_moves_the_case_and_writes_one_event(state, name, alice, make_complaint):
    complaint = make_complaint(alice, state=state)
    actor = _actor_for(alice, name)
    version = complaint.version
    events_before = set(CaseEvent.objects.filter(complaint=complaint).values_list("pk", flat=True))

    result = services.complaint_transition(
        complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
    )

    stored = Complaint.objects.get(pk=complaint.pk)
    assert result.state == stored.state == TABLE[name][1]
    assert stored.version == version + 1
    new_events = CaseEvent.objects.filter(complaint=complaint).exclude(pk__in=events_before)
    assert new_events.count() == 1
    event = new_events.get()
    assert event.kind == EventKind.TRANSITION
    assert event.transition == name
    assert (event.from_state, event.to_state) == (state, TABLE[name][1])
    assert event.actor == actor
    assert event.actor_label == str(actor)


@pytest.mark.parametrize(("state", "name"), REFUSED)
def test_transition_from_a_wrong_state_is_refused_and_changes_nothing(
    state, name, alice, make_complaint
):
    complaint = make_complaint(alice, state=state)
    actor = _actor_for(alice, name)
    before = snapshot(complaint)

    with pytest.raises(TransitionNotAllowed) as refused:
        services.complaint_transition(
            complaint=complaint, name=name, actor=actor, data=VALID_PAYLOADS[name]
        )

    error = refused.value
    assert name in str(error.message)
    assert complaint.reference in str(error.message)
    assert set(error.allowed) == allowed_from(state, TABLE[name][2])
    assert error.extra["state"] == state
    assert snapshot(complaint) == before


@pytest.mark.parametrize("state", STATES)
def test_a_manager_is_offered_every_transition_the_table_allows_from_a_state(
    state, alice, make_complaint
):
    complaint = make_complaint(alice, state=state)
    offered = services.available_transitions(complaint=complaint, actor=alice.manager)
    assert set(offered) == allowed_from(state, MANAGER)
