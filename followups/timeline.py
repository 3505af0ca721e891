"""The sweep's timeline events: they store what happened to which deadline (its kind, due
time and escalation level) and are put in words when read, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from complaints.models import CaseEvent

from .choices import DeadlineKind
from .models import Deadline
from .notify import local_time

_ACTIONS = {
    "breached": gettext_lazy("Deadline missed: %(kind)s, due %(due)s"),
    "escalated": gettext_lazy("Deadline still missed after 24 hours: %(kind)s, due %(due)s"),
}


def deadline_event(deadline: Deadline, action: str, level: int) -> dict[str, Any]:
    """The facts of one step of the ladder, as the event's payload."""
    return {
        "action": action,
        "deadline": deadline.pk,
        "kind": deadline.kind,
        "due_at": deadline.due_at,
        "escalation_level": level,
    }


def deadline_event_text(event: CaseEvent) -> str:
    """The text of a sweep event in the active language, the due time in the dealer's time
    zone; empty for a deadline event the sweep did not write."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    template = _ACTIONS.get(payload.get("action", ""))
    due = parse_datetime(str(payload.get("due_at", "")))
    if template is None or due is None:
        return ""
    kind = payload.get("kind", "")
    label = DeadlineKind(kind).label if kind in DeadlineKind.values else str(kind)
    return str(template) % {"kind": label, "due": local_time(due, event.complaint)}
