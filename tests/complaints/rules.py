"""The state machine as the product specifies it, written out independently of the code,
and a valid payload for every transition: the tests compare the code against this."""

from __future__ import annotations

from typing import Any

from complaints.choices import State
from complaints.models import CaseEvent, Complaint

ADVISOR = "advisor"
MANAGER = "manager"

# transition: (source states, target state, least role that may run it)
TABLE: dict[str, tuple[frozenset[str], str, str]] = {
    "start_listening": (frozenset({State.RECEIVED}), State.LISTENING, ADVISOR),
    "start_investigation": (frozenset({State.LISTENING}), State.INVESTIGATING, ADVISOR),
    "record_findings": (frozenset({State.INVESTIGATING}), State.ASSESSING, ADVISOR),
    "decide": (frozenset({State.ASSESSING}), State.RESOLVING, ADVISOR),
    "submit_for_approval": (frozenset({State.ASSESSING}), State.AWAITING_APPROVAL, ADVISOR),
    "approve": (frozenset({State.AWAITING_APPROVAL}), State.RESOLVING, MANAGER),
    "reject": (frozenset({State.AWAITING_APPROVAL}), State.ASSESSING, MANAGER),
    "complete_action": (frozenset({State.RESOLVING}), State.FOLLOWING_UP, ADVISOR),
    "confirm_resolved": (frozenset({State.FOLLOWING_UP}), State.REVIEWING, ADVISOR),
    "reopen": (frozenset({State.FOLLOWING_UP}), State.RESOLVING, ADVISOR),
    "close": (frozenset({State.REVIEWING}), State.CLOSED, MANAGER),
    "withdraw": (
        frozenset({State.RECEIVED, State.LISTENING, State.INVESTIGATING, State.ASSESSING}),
        State.WITHDRAWN,
        MANAGER,
    ),
}
TRANSITIONS = tuple(TABLE)
STATES = tuple(State.values)
ADVISOR_TRANSITIONS = frozenset(n for n, (_s, _t, role) in TABLE.items() if role == ADVISOR)
MANAGER_ONLY_TRANSITIONS = frozenset(TABLE) - ADVISOR_TRANSITIONS

DECISION: dict[str, Any] = {
    "severity": "normal",
    "responsibility": "dealer",
    "responsibility_reason": "faulty_repair",
    "resolution_options": ["Replace pads free of charge", "Refund the last service"],
    "chosen_resolution": "Replace pads free of charge",
    "compensation_amount": "0",
}
SERIOUS_DECISION: dict[str, Any] = {
    **DECISION,
    "severity": "serious",
    "serious_reasons": ["safety_function"],
}

VALID_PAYLOADS: dict[str, dict[str, Any]] = {
    "start_listening": {},
    "start_investigation": {"description": "Front brakes squeal when braking lightly."},
    "record_findings": {"fault_finding": "fault", "root_cause": "Pads glazed at last service"},
    "decide": DECISION,
    "submit_for_approval": SERIOUS_DECISION,
    "approve": {"comment": "Agreed."},
    "reject": {"reason": "Offer a second option first."},
    "complete_action": {
        "agreed_resolution": "Pads replaced free of charge",
        "actions_taken": "New front pads, test drive with the customer",
    },
    # Needs a satisfied follow-up contact, which factory-made following_up cases have.
    "confirm_resolved": {},
    "reopen": {"reason": "The noise came back after a week."},
    "close": {
        "review_why": "Pads not checked at the last service",
        "handled_well": True,
        "review_handling": "Handled within two days",
        "review_prevention": "Brake checklist at every service",
        "root_cause_category": "workmanship",
        "cause_lies_with": "system",
        "corrective_actions": [
            {"cause": "Pads not checked", "action": "Brake checklist", "due": "2099-01-31"}
        ],
    },
    "withdraw": {"reason": "Logged twice by mistake."},
}


def allowed_from(state: str, role: str) -> set[str]:
    """Transitions the specification allows from a state to someone with this role."""
    return {
        name
        for name, (sources, _target, least) in TABLE.items()
        if state in sources and (role == MANAGER or least == ADVISOR)
    }


def snapshot(complaint: Complaint) -> dict[str, Any]:
    """Everything a refusal must leave untouched: every column and the timeline length."""
    fresh = Complaint.objects.get(pk=complaint.pk)
    values = {f.attname: getattr(fresh, f.attname) for f in Complaint._meta.concrete_fields}
    values["#events"] = CaseEvent.objects.filter(complaint_id=complaint.pk).count()
    return values
