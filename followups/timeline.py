"""The follow-up app's timeline events put in words when read, in the reader's language:
the sweep's (what happened to which deadline: its kind, due time and escalation level) and
the promises' (made, kept, a repair date promised), which keep the person's words as typed."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from complaints.models import CaseEvent

from .choices import DeadlineKind, promise_label
from .models import Deadline
from .notify import local_time

_ACTIONS = {
    "breached": gettext_lazy("Deadline missed: %(kind)s, due %(due)s"),
    "escalated": gettext_lazy("Deadline still missed after 24 hours: %(kind)s, due %(due)s"),
}
_BROKEN = gettext_lazy("The promise “%(promise)s” is broken.")
_PROMISES = {
    "made": gettext_lazy("Promised: “%(promise)s”, due %(due)s"),
    "kept": gettext_lazy("Promise kept: “%(promise)s”"),
    "kept_late": gettext_lazy("Promise kept late: “%(promise)s”, it was due %(due)s"),
    "repair_promised": gettext_lazy("Repair promised by %(due)s"),
}


def deadline_event(deadline: Deadline, action: str, level: int) -> dict[str, Any]:
    """The facts of one step of the ladder, as the event's payload."""
    facts: dict[str, Any] = {
        "action": action,
        "deadline": deadline.pk,
        "kind": deadline.kind,
        "due_at": deadline.due_at,
        "escalation_level": level,
    }
    if deadline.kind == DeadlineKind.COMMITMENT:
        facts.update(promise=deadline.promise, code=deadline.promise_code)
    return facts


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
    text = str(template) % {"kind": label, "due": local_time(due, event.complaint)}
    promise = _promise(payload, str(payload.get("promise", "")))
    if kind == DeadlineKind.COMMITMENT and promise and payload.get("action") == "breached":
        text += " " + str(_BROKEN) % {"promise": promise}
    return text


def _promise(payload: dict[str, Any], words: str) -> str:
    return promise_label(code=str(payload.get("code", "") or ""), words=words)


def commitment_event_text(event: CaseEvent) -> str:
    """A promise's event: what was promised and when it is due, said as made or kept (the
    one-click promises in the reader's language, words as typed), then the person's note."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    action = payload.get("action", "")
    due = parse_datetime(str(payload.get("due_at", "")))
    when = local_time(due, event.complaint) if due is not None else ""
    if action == "made":
        # The words said to the customer are the comment; a one-click promise has none.
        promise = _promise(payload, event.comment)
        if not promise or not when:
            return event.comment
        return str(_PROMISES["made"]) % {"promise": promise, "due": when}
    if action == "kept":
        promise = _promise(payload, str(payload.get("promise", "")))
        if not promise:
            return event.comment
        late = due is not None and event.created_at > due
        text = str(_PROMISES["kept_late" if late else "kept"]) % {"promise": promise, "due": when}
        return f"{text}\n{event.comment}" if event.comment else text
    if action == "repair_promised" and when:
        return str(_PROMISES["repair_promised"]) % {"due": when}
    return event.comment
