"""What a timeline event reads as, rendered when it is read, in the reader's language.

An event written by a person carries that person's words (`comment`) and reads as them. An
event written by the system stores facts only (its `payload`): the app that writes it
registers how those facts read, so that an English-speaking manager and a Chinese-speaking
advisor each read the same event in their own language. Events written before their app
stored facts only keep the text they were written with. An app may also say how a kind of
event reads *with* the person's words (a promise: what was promised, when it is due, and the
words as typed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext

if TYPE_CHECKING:
    from .models import CaseEvent

EventText = Callable[["CaseEvent"], str]
# (label, value), both already in the reader's language.
Fact = tuple[str, str]

_DECISION_FACTS = (
    "severity",
    "serious_reasons",
    "is_safety_related",
    "responsibility",
    "responsibility_reason",
    "responsibility_evidence",
    "resolution_options",
    "chosen_resolution",
    "compensation_amount",
)
# The facts of each transition's payload a reader of the timeline needs, in reading order.
# The confirmed description of step 2 is left out: erasing a customer's personal data
# replaces it on the case, and the timeline must not show it again.
_TRANSITION_FACTS: dict[str, tuple[str, ...]] = {
    "record_findings": ("fault_finding", "root_cause"),
    "decide": _DECISION_FACTS,
    "submit_for_approval": _DECISION_FACTS,
    "complete_action": ("agreed_resolution", "actions_taken"),
    "close": (
        "review_why",
        "handled_well",
        "review_handling",
        "root_cause_category",
        "cause_lies_with",
        "review_prevention",
    ),
}

_texts: dict[str, EventText] = {}
_with_comment: set[str] = set()


def register_event_text(kind: str, render: EventText, *, with_comment: bool = False) -> None:
    """Render the text of events of `kind` that carry no comment from their payload; with
    `with_comment`, of every event of `kind` (the renderer then shows the comment itself)."""
    _texts[kind] = render
    if with_comment:
        _with_comment.add(kind)


def event_text(event: CaseEvent) -> str:
    render = _texts.get(event.kind)
    if event.comment and event.kind not in _with_comment:
        return event.comment
    return render(event) if render is not None else event.comment


def event_actor(event: CaseEvent) -> str:
    # The system writes no label: "System" is said in the reader's language.
    return event.actor_label or gettext("System")


def event_facts(event: CaseEvent) -> list[Fact]:
    """What a transition decided, read from the facts its event stored when it ran (not
    from the case as it is now: a reopened case's first round of actions stays readable),
    labelled and worded in the active language."""
    if not event.transition or not isinstance(event.payload, dict):
        return []
    from .payloads import PAYLOADS

    payload_class = PAYLOADS.get(event.transition)
    if payload_class is None:
        return []
    fields = payload_class.base_fields
    facts: list[Fact] = []
    for name in _TRANSITION_FACTS.get(event.transition, ()):
        if name not in event.payload or name not in fields:
            continue
        value = _fact_value(event, fields[name], name, event.payload[name])
        if value:
            facts.append((str(fields[name].label), value))
    approval = _APPROVAL.get(event.transition)
    if approval is not None:
        facts.append((gettext("Approval"), approval()))
    if event.payload.get("comment") and event.comment != event.payload["comment"]:
        # A reason was the event's text; the comment given beside it is a fact of its own.
        facts.append((gettext("Comment"), str(event.payload["comment"])))
    return facts


_APPROVAL: dict[str, Callable[[], str]] = {
    "decide": lambda: gettext("Not needed"),
    "submit_for_approval": lambda: gettext("Requested from a manager"),
    "approve": lambda: gettext("Approved"),
    "reject": lambda: gettext("Rejected"),
}


def _fact_value(event: CaseEvent, field: forms.Field, name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if name == "compensation_amount":
        try:
            amount = f"{Decimal(str(value)):.2f}"
        except InvalidOperation:
            amount = str(value)
        return f"{amount} {event.complaint.dealer.currency}"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if name == "root_cause_category":
        # The dealer's managed list (learning): its choices are the dealer's, not the form's.
        from learning.models import RootCauseCategory

        category = (
            RootCauseCategory.objects.unscoped(reason="instance")
            .filter(dealer_id=event.complaint.dealer_id, code=value)
            .first()
        )
        return category.display if category is not None else str(value)
    if isinstance(field, forms.ChoiceField):
        choices = cast(Iterable[tuple[Any, Any]], field.choices)
        labels = {str(key): str(label) for key, label in choices if key != ""}
        if isinstance(value, list):
            return "; ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), str(value))
    if isinstance(value, list):
        return "\n".join(f"• {item}" for item in value)
    return str(value)
