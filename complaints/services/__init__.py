"""Every write to a case goes through these functions, from every entry point.

Each function opens a transaction, locks the case row, checks the actor's permission and
the payload, changes the case, writes one CaseEvent, applies what the change does to the
case's deadlines (followups.deadlines) and tells whom it must (followups.notify), and sends
`case_changed` for listeners, all inside the same transaction. None of the web views, API
views, admin actions or tasks changes a case itself.
"""

from .case import actor_label
from .corrections import EDITABLE_FIELDS, complaint_update
from .creation import complaint_create
from .facts import FOLLOW_UP_EVENT_KINDS, complaint_record_event, complaint_record_system_events
from .ownership import (
    complaint_add_note,
    complaint_escalate,
    complaint_hand_to_supplier,
    complaint_reassign,
)
from .steps import TRANSITION_NAMES, available_transitions, complaint_transition

__all__ = [
    "EDITABLE_FIELDS",
    "FOLLOW_UP_EVENT_KINDS",
    "TRANSITION_NAMES",
    "actor_label",
    "available_transitions",
    "complaint_add_note",
    "complaint_create",
    "complaint_escalate",
    "complaint_hand_to_supplier",
    "complaint_reassign",
    "complaint_record_event",
    "complaint_record_system_events",
    "complaint_transition",
    "complaint_update",
]
