"""Step 7's timeline events: facts in the payload, put in words when read."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from .choices import CheckResult

_TEXTS = {
    "reflection_submitted": gettext_lazy("Reflection report submitted"),
    "reflection_commented": gettext_lazy("A manager commented on the reflection report"),
    "library_added": gettext_lazy("Added to the case library as a training case"),
}
_CHECKED = gettext_lazy("Corrective action %(line)s checked: %(result)s")
_REOPENED = gettext_lazy("Corrective action %(line)s checked: %(result)s; due again %(due)s")


def learning_event_text(event: Any) -> str:
    payload = event.payload if isinstance(event.payload, dict) else {}
    action = payload.get("action", "")
    if action in _TEXTS:
        return str(_TEXTS[action])
    if action != "action_checked":
        return ""
    result = payload.get("result", "")
    facts = {
        "line": payload.get("line", ""),
        "result": CheckResult(result).label if result in CheckResult.values else result,
    }
    due = parse_datetime(str(payload.get("due_at") or ""))
    if due is None:
        return str(_CHECKED) % facts
    from followups.notify import local_time

    return str(_REOPENED) % {**facts, "due": local_time(due, event.complaint)}
